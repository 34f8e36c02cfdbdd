/**
 * Document 003's public catalog (no sign-in): `/app/catalog` lists every promoted, published strategy (50 a page,
 * newest first), the built-in strategies, and the catalog leaderboard (each strategy's production version's best
 * score, `?dataset=` filters it); `/app/catalog/:name` shows the catalog strategies of one name with their
 * production text, and with `?compare=1` runs them side by side (the catalog compare: cached, rate-limited per
 * address).
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../app.ts";
import type { AppEnv } from "../../app_env.ts";
import { compareCatalogStrategies } from "../../../domain/backtest/strategy_compare.ts";
import { DATASETS } from "../../../domain/leaderboard/leaderboard.ts";
import { catalogRanking } from "../../../domain/leaderboard/leaderboard_views.ts";
import { catalogByName, catalogPage } from "../../../domain/strategy/catalog.ts";
import { renderNotFound, renderPage, Time } from "../layout.tsx";
import { fmtNumber, fmtPct, numClass } from "../format.ts";
import { countField, Pager } from "../paging.tsx";
import { queryMessage, renderBadRequest, renderDomainError } from "../problem_pages.tsx";
import { fromThisSite } from "./fetch_site.ts";

/** Catalog strategies per page. */
const CATALOG_PAGE_ROWS = 50;
/** Rows of the catalog leaderboard. */
const CATALOG_RANKING_ROWS = 20;

const ListQuery = z.object({
  offset: countField(0, 1_000_000_000, 0),
  dataset: z.enum(DATASETS.map((d) => d.name) as [string, ...string[]]).optional(),
});

const NameQuery = z.object({ compare: z.enum(["1"]).optional() });

const catalogHref = (name: string) => `/app/catalog/${encodeURIComponent(name)}`;

/** The query without empty values (an "All" option sends `dataset=`). */
const queryOf = (q: Record<string, string>) =>
  Object.fromEntries(Object.entries(q).filter(([, v]) => v !== ""));

type Ranking = Awaited<ReturnType<typeof catalogRanking>>["top"];

function CatalogRanking(props: { rows: Ranking; dataset?: string }) {
  return (
    <section class="card" aria-labelledby="catalog-lb-h">
      <h2 id="catalog-lb-h">Catalog leaderboard 目录排行榜</h2>
      <form method="get" action="/app/catalog" class="row" id="catalog-lb-filter">
        <div>
          <label for="catalog-lb-dataset">Dataset 数据集</label>
          <select id="catalog-lb-dataset" name="dataset">
            <option value="" selected={!props.dataset}>Any dataset 全部</option>
            {DATASETS.map((d) => (
              <option key={d.name} value={d.name} selected={d.name === props.dataset}>{d.name}</option>
            ))}
          </select>
        </div>
        <button type="submit">Apply 应用</button>
      </form>
      <div class="table-wrap">
        <table id="catalog-leaderboard">
          <thead>
            <tr>
              <th scope="col" class="num">Rank 排名</th>
              <th scope="col">Strategy 策略</th>
              <th scope="col">Author 作者</th>
              <th scope="col">Dataset 数据集</th>
              <th scope="col" class="num">Return 收益</th>
              <th scope="col" class="num">Sharpe 夏普</th>
              <th scope="col" class="num">Max drawdown 回撤</th>
              <th scope="col" class="num">Score 得分</th>
            </tr>
          </thead>
          <tbody>
            {props.rows.length === 0
              ? (
                <tr>
                  <td colspan={8}>No catalog strategy has a leaderboard entry yet.</td>
                </tr>
              )
              : null}
            {props.rows.map((r, i) => (
              <tr key={r.strategy_id} data-strategy={r.strategy_id}>
                <td class="num">{i + 1}</td>
                <td>
                  <a href={catalogHref(r.name)}>{r.name}</a>{" "}
                  <span class="muted">v{r.production_version}</span>
                </td>
                <td>{r.author}</td>
                <td>{r.dataset}</td>
                <td class={numClass(r.return_pct)}>{fmtPct(r.return_pct)}</td>
                <td class="num">{fmtNumber(r.sharpe, 3)}</td>
                <td class={numClass(r.max_drawdown)}>{fmtPct(r.max_drawdown)}</td>
                <td class="num">{fmtNumber(r.score, 2)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

type Compared = Awaited<ReturnType<typeof compareCatalogStrategies>>["strategies"];

function CatalogCompare(props: { rows: Compared }) {
  const metrics: { label: string; get: (m: Compared[number]["metrics"]) => string }[] = [
    { label: "Total return 总收益", get: (m) => fmtPct(m.totalReturn) },
    { label: "Annualised return 年化收益", get: (m) => fmtPct(m.annualizedReturn) },
    { label: "Max drawdown 最大回撤", get: (m) => fmtPct(m.maxDrawdown) },
    { label: "Sharpe 夏普", get: (m) => fmtNumber(m.sharpeRatio, 3) },
    { label: "Win rate 胜率", get: (m) => fmtPct(m.winRate) },
    { label: "Trades 交易数", get: (m) => fmtNumber(m.totalTrades, 0) },
  ];
  return (
    <section class="card" aria-labelledby="catalog-compare-h">
      <h2 id="catalog-compare-h">Side by side 并列对比</h2>
      <div class="table-wrap">
        <table id="catalog-compare">
          <thead>
            <tr>
              <th scope="col">Metric 指标</th>
              {props.rows.map((r) => (
                <th key={r.id} scope="col" class="num">
                  {r.author ?? "anonymous"} v{r.production_version}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {metrics.map((m) => (
              <tr key={m.label}>
                <th scope="row">{m.label}</th>
                {props.rows.map((r) => <td key={r.id} class="num">{m.get(r.metrics)}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The catalog routes. */
export function catalogPages(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/app/catalog", async (c) => {
    const q = ListQuery.safeParse(queryOf(c.req.query()));
    if (!q.success) return renderBadRequest(c, queryMessage(q.error));
    const { offset, dataset } = q.data;
    const page = await catalogPage(deps.catalog, { limit: CATALOG_PAGE_ROWS, offset });
    const ranking = await catalogRanking(deps.leaderboard, { dataset, limit: CATALOG_RANKING_ROWS });
    return renderPage(c, {
      title: "Strategy catalog",
      zh: "策略目录",
      active: "leaderboard",
      children: (
        <>
          <p>
            Strategies their authors promoted to production and published. Publish yours from its page in your
            {" "}
            <a href="/app/library">library</a>.
          </p>
          <section class="card" aria-labelledby="catalog-h">
            <h2 id="catalog-h">Published strategies 已发布策略</h2>
            <div class="table-wrap">
              <table id="catalog-table">
                <thead>
                  <tr>
                    <th scope="col">Name 名称</th>
                    <th scope="col">Author 作者</th>
                    <th scope="col" class="num">Production version 生产版本</th>
                    <th scope="col">Updated 更新时间</th>
                  </tr>
                </thead>
                <tbody>
                  {page.items.length === 0
                    ? (
                      <tr>
                        <td colspan={4}>Nothing is published yet.</td>
                      </tr>
                    )
                    : null}
                  {page.items.map((s) => (
                    <tr key={s.id} data-strategy={s.id}>
                      <td>
                        <a href={catalogHref(s.name)}>{s.name}</a>
                      </td>
                      <td>{s.author ?? "anonymous"}</td>
                      <td class="num">v{s.production_version}</td>
                      <td>
                        <Time iso={s.updated_at} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager
              offset={offset}
              limit={CATALOG_PAGE_ROWS}
              total={page.total}
              label="Catalog pages"
              url={c.req.url}
            />
          </section>
          <CatalogRanking rows={ranking.top} dataset={dataset} />
          <section class="card" aria-labelledby="builtins-h">
            <h2 id="builtins-h">Built-in strategies 内置策略</h2>
            <div class="table-wrap">
              <table id="builtins-table">
                <thead>
                  <tr>
                    <th scope="col">Name 名称</th>
                    <th scope="col">What it does 说明</th>
                    <th scope="col">Entry 入场</th>
                    <th scope="col">Exit 出场</th>
                  </tr>
                </thead>
                <tbody>
                  {page.builtins.map((b) => (
                    <tr key={b.name}>
                      <td>{b.name}</td>
                      <td>{b.description}</td>
                      <td>
                        <code>{b.entry}</code>
                      </td>
                      <td>
                        <code>{b.exit}</code>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
        </>
      ),
    });
  });

  app.get("/app/catalog/:name", async (c) => {
    const name = c.req.param("name");
    const what = `A published strategy named “${name.slice(0, 200)}”`;
    if (name.length > 200) return renderNotFound(c, "This strategy");
    const q = NameQuery.safeParse(queryOf(c.req.query()));
    if (!q.success) return renderBadRequest(c, queryMessage(q.error));
    let loaded;
    try {
      const found = await catalogByName(deps.catalog, name);
      // Only our own pages (or the address bar) run the compare: another site's link shows the button.
      const compared = q.data.compare && fromThisSite(c)
        ? await compareCatalogStrategies(deps.catalogCompare, name, c.get("clientIp"))
        : null;
      loaded = { found, compared };
    } catch (e) {
      return renderDomainError(c, e, what);
    }
    const { found, compared } = loaded;
    const title = found.items[0].name;
    return renderPage(c, {
      title,
      zh: "公开策略",
      active: "leaderboard",
      children: (
        <>
          <p>
            <a href="/app/catalog">← Catalog 策略目录</a> · {found.items.length}{" "}
            published strateg{found.items.length === 1 ? "y" : "ies"} with this name
          </p>
          {compared
            ? <CatalogCompare rows={compared.strategies} />
            : (
              <form method="get" action={catalogHref(name)} id="catalog-compare-form">
                {q.data.compare && (
                  <p id="catalog-compare-confirm">
                    This link came from another site: the comparison runs backtests, so it runs when you press
                    the button. 此链接来自其他网站，点击按钮后才会运行。
                  </p>
                )}
                <input type="hidden" name="compare" value="1" />
                <button type="submit" id="catalog-compare-run">Run them side by side 并列回测</button>
              </form>
            )}
          {found.items.map((s) => (
            <section key={s.id} class="card catalog-item" data-strategy={s.id}>
              <h2>
                {s.author ?? "anonymous"} · v{s.production_version}
              </h2>
              <p class="muted">
                Updated <Time iso={s.updated_at} />
              </p>
              <pre>{s.generated_code}</pre>
            </section>
          ))}
        </>
      ),
    });
  });
  return app;
}
