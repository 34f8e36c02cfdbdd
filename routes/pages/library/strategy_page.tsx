/**
 * `/app/library/:id`: one of my strategies — its versions with their stages, the text of a version (the latest
 * unless `?version=`), and the action cards (stages, compare, backtest, leaderboard, exports). Another user's
 * strategy, a deleted one and an unknown id are the same 404 page.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../app.ts";
import type { AppEnv } from "../../app_env.ts";
import { copilotNumberOf } from "../../../domain/copilot/copilot_views.ts";
import { toBacktraderCode } from "../../../domain/strategy/backtrader/backtrader_export.ts";
import { getOwnVersion } from "../../../domain/strategy/library.ts";
import { strategyDetail } from "../../../domain/strategy/library_views.ts";
import { versionsWithStages } from "../../../domain/strategy/strategy_by_name.ts";
import { renderNotFound, renderPage, Time } from "../layout.tsx";
import { pageUserOf, requirePageUser } from "../page_auth.ts";
import { StageBadges } from "./library_list_page.tsx";
import { countField, Pager } from "../paging.tsx";
import { queryMessage, renderBadRequest, renderDomainError } from "../problem_pages.tsx";
import { BacktestCard, CompareCard, ExportCard, LeaderboardCard, StageCard } from "./strategy_actions.tsx";
import { VersionsTable } from "./versions_table.tsx";

/** Versions shown per page of the versions table. */
const VERSIONS_PAGE_ROWS = 100;

/** What `?done=` may announce after an action of the page's script reloaded it. */
const DONE: Record<string, string> = {
  staged: "Version staged.",
  promoted: "Staging version promoted to production.",
  rolledback: "Production rolled back.",
  published: "Published in the catalog (listed while promoted).",
  withdrawn: "Withdrawn from the catalog.",
};

const Query = z.object({
  version: countField(1, 1_000_000_000, undefined),
  vo: countField(0, 1_000_000_000, 0),
  done: z.string().max(20).optional(),
});

/** The strategy page route. */
export function strategyPage(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/app/library/:id", requirePageUser, async (c) => {
    const id = c.req.param("id");
    const what = "This strategy";
    const q = Query.safeParse(c.req.query());
    if (!q.success) return renderBadRequest(c, queryMessage(q.error));
    if (id.length > 64) return renderNotFound(c, what);
    const userId = pageUserOf(c).principal.user.id;
    let view;
    try {
      const detail = await strategyDetail(deps.library, userId, id);
      const versions = await versionsWithStages(deps.library, userId, id, {
        limit: VERSIONS_PAGE_ROWS,
        offset: q.data.vo,
      });
      const shown = q.data.version === undefined || q.data.version === detail.latest.version
        ? { ...detail.latest }
        : await getOwnVersion(deps.library, userId, id, q.data.version).then((v) => ({
          version: v.version,
          generated_code: v.generated_code,
          backtrader_code: toBacktraderCode(v.spec),
        }));
      const number = await copilotNumberOf(deps.copilot, userId, id);
      view = { detail, versions, shown, number };
    } catch (e) {
      return renderDomainError(c, e, what);
    }
    const { detail, versions, shown, number } = view;
    const done = q.data.done !== undefined ? DONE[q.data.done] : undefined;
    return renderPage(c, {
      title: detail.name,
      zh: "策略",
      active: "library",
      scripts: ["client/library_strategy.js"],
      pageData: { id: detail.id, number, name: detail.name, latest: detail.latest_version },
      children: (
        <>
          <p>
            <a href="/app/library">← Library 策略库</a> · <StageBadges s={detail} /> · updated{" "}
            <Time iso={detail.updated_at} />
          </p>
          {done ? <p class="ok" role="status" id="done-status">{done}</p> : null}
          {detail.prompt ? <p class="muted">Prompt: {detail.prompt}</p> : null}
          <section class="card" aria-labelledby="versions-h">
            <h2 id="versions-h">Versions 版本</h2>
            <VersionsTable
              id={detail.id}
              items={versions.items}
              latest={detail.latest_version}
              rollbackTo={versions.rollback_to}
            />
            <Pager
              offset={q.data.vo}
              limit={VERSIONS_PAGE_ROWS}
              total={versions.total}
              label="Version pages"
              url={c.req.url}
              param="vo"
            />
          </section>
          <section class="card" aria-labelledby="current-text-h" id="current-text">
            <h2 id="current-text-h">
              Strategy text of v{shown.version}
              {shown.version === detail.latest_version ? " (latest)" : ""} 策略文本
            </h2>
            <pre id="strategy-text-current" data-version={shown.version}>{shown.generated_code}</pre>
            <details>
              <summary>As backtrader Python</summary>
              <pre id="backtrader-current">{shown.backtrader_code}</pre>
            </details>
          </section>
          <StageCard s={detail} rollbackTo={versions.rollback_to} />
          <CompareCard id={detail.id} latest={detail.latest_version} />
          <BacktestCard latest={detail.latest_version} />
          <LeaderboardCard latest={detail.latest_version} />
          <ExportCard />
        </>
      ),
    });
  });
  return app;
}
