/**
 * `/app/leaderboard`: document 000's leaderboard (the ranking `GET /leaderboard/top` answers), public. The query
 * drives it, so a link is shareable: `period` (daily, weekly, alltime), `dataset` (absent: all), `sort` (a column,
 * `-` first for descending: `-score`, `sharpe`, …). The column headers are buttons of small GET forms (they work
 * without JavaScript); the rows are the ranking's top 50, re-ordered by the chosen column. A bad parameter is a
 * 400 page naming it.
 */
import { Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../app.ts";
import type { AppEnv } from "../../app_env.ts";
import { DATASETS, PERIOD_MS, SCORE_FORMULA } from "../../../domain/leaderboard/leaderboard.ts";
import { periodRanking } from "../../../domain/leaderboard/leaderboard_views.ts";
import { renderPage, Time } from "../layout.tsx";
import { fmtNumber, fmtPct, numClass } from "../format.ts";
import { queryMessage, renderBadRequest } from "../problem_pages.tsx";

/** Entries asked of the ranking (its maximum). */
const LEADERBOARD_ROWS = 50;

const PERIODS = Object.keys(PERIOD_MS) as (keyof typeof PERIOD_MS)[];
const PERIOD_LABEL: Record<keyof typeof PERIOD_MS, string> = {
  daily: "Daily 日榜",
  weekly: "Weekly 周榜",
  alltime: "All time 总榜",
};
const COLUMNS = ["score", "return", "sharpe", "drawdown"] as const;
type Column = typeof COLUMNS[number];
const SORTS = COLUMNS.flatMap((k) => [k, `-${k}`]) as [string, ...string[]];

const Query = z.object({
  period: z.enum(PERIODS as [string, ...string[]]).default("daily"),
  dataset: z.enum(DATASETS.map((d) => d.name) as [string, ...string[]]).optional(),
  sort: z.enum(SORTS).default("-score"),
});

type Row = Awaited<ReturnType<typeof periodRanking>>["top"][number] & { rank: number };

const VALUE: Record<Column, (r: Row) => number | null> = {
  score: (r) => r.score,
  return: (r) => r.return_pct,
  sharpe: (r) => r.sharpe,
  drawdown: (r) => r.max_drawdown,
};

/** The rows in `sort` order (nulls last either way; ties keep the ranking's order). */
function sortRows(rows: Row[], sort: string): Row[] {
  const desc = sort.startsWith("-");
  const value = VALUE[sort.replace(/^-/, "") as Column];
  return [...rows].sort((x, y) => {
    const a = value(x), b = value(y);
    if (a === null || b === null) return a === b ? x.rank - y.rank : a === null ? 1 : -1;
    return (desc ? b - a : a - b) || x.rank - y.rank;
  });
}

/** The state of the page's query (what links and forms carry on). */
interface LbState {
  period: string;
  dataset?: string;
  sort: string;
}

/** A column header: a button that sorts by the column (descending first, then toggling), with `aria-sort`. */
function SortHeader(props: { state: LbState; column: Column; label: string }) {
  const { state, column } = props;
  const current = state.sort.replace(/^-/, "") === column;
  const desc = state.sort.startsWith("-");
  const next = current && desc ? column : `-${column}`;
  return (
    <th scope="col" class="num" aria-sort={current ? (desc ? "descending" : "ascending") : "none"}>
      <form method="get" action="/app/leaderboard" class="sort">
        <input type="hidden" name="period" value={state.period} />
        {state.dataset ? <input type="hidden" name="dataset" value={state.dataset} /> : null}
        <button
          type="submit"
          name="sort"
          value={next}
          class="secondary"
          id={`lb-sort-${column}`}
          aria-label={`${props.label}: sort ${next.startsWith("-") ? "descending" : "ascending"}`}
        >
          {props.label}
          {current ? (desc ? " ▼" : " ▲") : ""}
        </button>
      </form>
    </th>
  );
}

function Filters(props: { state: LbState }) {
  const { state } = props;
  return (
    <form id="lb-filters" method="get" action="/app/leaderboard" class="card row">
      <div>
        <label for="lb-period">Period 周期</label>
        <select id="lb-period" name="period">
          {PERIODS.map((p) => (
            <option key={p} value={p} selected={p === state.period}>{PERIOD_LABEL[p]}</option>
          ))}
        </select>
      </div>
      <div>
        <label for="lb-dataset">Dataset 数据集</label>
        <select id="lb-dataset" name="dataset">
          <option value="" selected={!state.dataset}>All datasets 全部</option>
          {DATASETS.map((d) => (
            <option key={d.name} value={d.name} selected={d.name === state.dataset}>{d.name}</option>
          ))}
        </select>
      </div>
      <input type="hidden" name="sort" value={state.sort} />
      <button type="submit" id="lb-apply">Apply 应用</button>
    </form>
  );
}

function LeaderboardTable(props: { rows: Row[]; state: LbState }) {
  const { state } = props;
  return (
    <div class="table-wrap">
      <table id="leaderboard-table" data-period={state.period} data-dataset={state.dataset ?? ""}>
        <caption class="muted">
          {PERIOD_LABEL[state.period as keyof typeof PERIOD_MS]} · {state.dataset ?? "all datasets"}
        </caption>
        <thead>
          <tr>
            <th scope="col" class="num">Rank 排名</th>
            <th scope="col">Strategy 策略</th>
            <th scope="col">Author 作者</th>
            <th scope="col">Dataset 数据集</th>
            <th scope="col">Run at 运行时间</th>
            <SortHeader state={state} column="return" label="Return 收益" />
            <SortHeader state={state} column="sharpe" label="Sharpe 夏普" />
            <SortHeader state={state} column="drawdown" label="Max drawdown 回撤" />
            <SortHeader state={state} column="score" label="Score 得分" />
          </tr>
        </thead>
        <tbody>
          {props.rows.length === 0
            ? (
              <tr>
                <td colspan={9} id="leaderboard-empty">No entries in this period yet. 暂无记录</td>
              </tr>
            )
            : null}
          {props.rows.map((r) => (
            <tr key={r.id} data-entry={r.id}>
              <td class="num">{r.rank}</td>
              <td>
                {r.strategy_name} <span class="muted">v{r.version}</span>
              </td>
              <td>{r.username}</td>
              <td>{r.dataset}</td>
              <td>
                <Time iso={r.run_at} />
              </td>
              <td class={numClass(r.return_pct)}>{fmtPct(r.return_pct)}</td>
              <td class="num">{fmtNumber(r.sharpe, 3)}</td>
              <td class={numClass(r.max_drawdown)}>{fmtPct(r.max_drawdown)}</td>
              <td class="num">{fmtNumber(r.score, 2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The leaderboard route. */
export function leaderboardPage(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/app/leaderboard", async (c) => {
    const raw = Object.fromEntries(Object.entries(c.req.query()).filter(([, v]) => v !== ""));
    const q = Query.safeParse(raw);
    if (!q.success) return renderBadRequest(c, queryMessage(q.error));
    const state: LbState = q.data;
    const ranking = await periodRanking(deps.leaderboard, {
      period: q.data.period as keyof typeof PERIOD_MS,
      dataset: q.data.dataset,
      limit: LEADERBOARD_ROWS,
    });
    const rows = sortRows(ranking.top.map((e, i) => ({ ...e, rank: i + 1 })), q.data.sort);
    return renderPage(c, {
      title: "Leaderboard",
      zh: "排行榜",
      active: "leaderboard",
      scripts: ["client/leaderboard_filters.js"],
      children: (
        <>
          <p>
            Strategies ranked by score: the server runs each submitted version on the dataset's fixed symbols
            and dates. Submit yours from its page in your <a href="/app/library">library</a>. See also the
            {" "}
            <a href="/app/catalog">catalog ranking</a>.
          </p>
          <Filters state={state} />
          <LeaderboardTable rows={rows} state={state} />
          <details>
            <summary>How the score is computed 得分计算</summary>
            <p>{SCORE_FORMULA}.</p>
            <ul>
              {DATASETS.map((d) => (
                <li key={d.name}>
                  <strong>{d.name}</strong>: {d.description}
                </li>
              ))}
            </ul>
          </details>
        </>
      ),
    });
  });
  return app;
}
