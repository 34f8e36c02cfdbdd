/** The versions table of a library strategy (`#versions-table`): version, created, note, stage. */
import type { ModelStage, ModelVersionView } from "../../../domain/strategy/strategy_by_name.ts";
import { Time } from "../layout.tsx";

const STAGE_BADGE: Record<ModelStage, { text: string; cls: string }> = {
  Production: { text: "Production 生产", cls: "badge good" },
  Staging: { text: "Staging 预发布", cls: "badge warn" },
  Archived: { text: "Archived 已归档", cls: "badge" },
  None: { text: "—", cls: "muted" },
};

/** A short note on a version: the latest, and the version a rollback would return production to. */
function noteOf(v: ModelVersionView, latest: number, rollbackTo: number | null): string {
  const notes: string[] = [];
  if (v.version === latest) notes.push("latest version");
  if (v.version === rollbackTo) notes.push("rollback target");
  if (v.current_stage === "Archived" && v.version !== rollbackTo) notes.push("earlier production version");
  return notes.join("; ");
}

/** The table of one page of versions, newest first. */
export function VersionsTable(
  props: { id: string; items: ModelVersionView[]; latest: number; rollbackTo: number | null },
) {
  return (
    <div class="table-wrap">
      <table id="versions-table">
        <thead>
          <tr>
            <th scope="col" class="num">Version 版本</th>
            <th scope="col">Created 创建时间</th>
            <th scope="col">Note 备注</th>
            <th scope="col">Stage 阶段</th>
          </tr>
        </thead>
        <tbody>
          {props.items.map((v) => {
            const badge = STAGE_BADGE[v.current_stage];
            return (
              <tr key={v.version} data-version={v.version} data-stage={v.current_stage}>
                <td class="num">
                  <a href={`/app/library/${encodeURIComponent(props.id)}?version=${v.version}#current-text`}>
                    v{v.version}
                  </a>
                </td>
                <td>
                  <Time iso={v.created_at} />
                </td>
                <td>{noteOf(v, props.latest, props.rollbackTo)}</td>
                <td>
                  <span class={badge.cls}>{badge.text}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
