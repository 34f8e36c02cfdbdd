/** `/app/library`: my saved strategies (name, latest version, stages, catalog status, last change), 50 a page. */
import { Hono } from "hono";
import type { AppDeps } from "../../app.ts";
import type { AppEnv } from "../../app_env.ts";
import { listStrategies, type StrategyView } from "../../../domain/strategy/library_views.ts";
import { renderPage, Time } from "../layout.tsx";
import { pageUserOf, requirePageUser } from "../page_auth.ts";
import { offsetParam, Pager } from "../paging.tsx";
import { renderBadRequest } from "../problem_pages.tsx";

/** Rows of the library table per page. */
const LIBRARY_PAGE_ROWS = 50;

/** The stage badges of a strategy: production, staging, published. */
export function StageBadges(props: { s: StrategyView }) {
  const { s } = props;
  if (s.production_version === null && s.staging_version === null) {
    return <span class="muted">not staged</span>;
  }
  return (
    <>
      {s.production_version !== null
        ? <span class="badge good">production v{s.production_version}</span>
        : null}{" "}
      {s.staging_version !== null ? <span class="badge warn">staging v{s.staging_version}</span> : null}{" "}
      {s.is_public && s.production_version !== null ? <span class="badge">in catalog</span> : null}
    </>
  );
}

function LibraryTable(props: { items: StrategyView[] }) {
  return (
    <div class="table-wrap">
      <table id="library-table">
        <caption class="muted">Newest first 最新在前</caption>
        <thead>
          <tr>
            <th scope="col">Name 名称</th>
            <th scope="col" class="num">Latest version 最新版本</th>
            <th scope="col">Stage 阶段</th>
            <th scope="col">Updated 更新时间</th>
          </tr>
        </thead>
        <tbody>
          {props.items.length === 0
            ? (
              <tr>
                <td colspan={4} id="library-empty">
                  No saved strategies yet. <a href="/app/build">Build one</a> and press “Save”.
                </td>
              </tr>
            )
            : null}
          {props.items.map((s) => (
            <tr key={s.id} data-id={s.id}>
              <td>
                <a href={`/app/library/${encodeURIComponent(s.id)}`}>{s.name}</a>
              </td>
              <td class="num">v{s.latest_version}</td>
              <td>
                <StageBadges s={s} />
              </td>
              <td>
                <Time iso={s.updated_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The library list route. */
export function libraryListPage(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/app/library", requirePageUser, async (c) => {
    const offset = offsetParam(c);
    if (offset === null) return renderBadRequest(c, "offset must be a whole number from 0 to 1000000");
    const user = pageUserOf(c);
    const page = await listStrategies(deps.library, user.principal.user.id, {
      limit: LIBRARY_PAGE_ROWS,
      offset,
    });
    return renderPage(c, {
      title: "Library",
      zh: "策略库",
      active: "library",
      children: (
        <>
          <p>
            Your saved strategies. Open one for its versions, stages, comparisons, backtests and leaderboard
            submissions. <a href="/app/build">Build a new strategy</a> ·{" "}
            <a href="/app/catalog">Public catalog</a>
          </p>
          <LibraryTable items={page.items} />
          <Pager
            offset={offset}
            limit={LIBRARY_PAGE_ROWS}
            total={page.total}
            label="Library pages"
            url={c.req.url}
          />
        </>
      ),
    });
  });
  return app;
}
