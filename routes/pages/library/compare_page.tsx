/**
 * `/app/library/:id/compare?a=&b=`: two versions of my strategy side by side — the metrics of running each on its
 * own spec (the same comparison as `GET /api/v1/library/{id}/compare`), the spec fields that differ, and the two
 * strategy texts with the differing lines highlighted.
 */
import { type Context, Hono } from "hono";
import { z } from "zod";
import type { AppDeps } from "../../app.ts";
import type { AppEnv } from "../../app_env.ts";
import type { BacktestSummary } from "../../../domain/backtest/report.ts";
import { compareVersions } from "../../../domain/backtest/strategy_compare.ts";
import { getOwnStrategy, getOwnVersion } from "../../../domain/strategy/library.ts";
import { renderNotFound, renderPage } from "../layout.tsx";
import { pageUserOf, requirePageUser } from "../page_auth.ts";
import { fmtNumber } from "../format.ts";
import { countField } from "../paging.tsx";
import { queryMessage, renderBadRequest, renderDomainError } from "../problem_pages.tsx";
import { fromThisSite } from "./fetch_site.ts";
import { CompareCard } from "./strategy_actions.tsx";
import { type DiffLine, lineDiff } from "./text_diff.ts";

/** A version number: digits only (no `0x1`, `1e3` or spaces), required. */
const versionField = countField(1, 1_000_000_000, undefined).pipe(
  z.number({ error: "Required: a version number" }),
);

const Query = z.object({ a: versionField, b: versionField });

type NumericKey = { [K in keyof BacktestSummary]: BacktestSummary[K] extends number | null ? K : never }[
  keyof BacktestSummary
];

/** The summary metrics shown, in order, with their units. */
const COMPARED_METRICS: { key: NumericKey; label: string; digits: number; unit?: "%" }[] = [
  { key: "totalReturn", label: "Total return 总收益", digits: 2, unit: "%" },
  { key: "annualizedReturn", label: "Annualised return 年化收益", digits: 2, unit: "%" },
  { key: "volatility", label: "Volatility 波动率", digits: 2, unit: "%" },
  { key: "maxDrawdown", label: "Max drawdown 最大回撤", digits: 2, unit: "%" },
  { key: "sharpeRatio", label: "Sharpe 夏普", digits: 3 },
  { key: "sortinoRatio", label: "Sortino", digits: 3 },
  { key: "calmarRatio", label: "Calmar", digits: 3 },
  { key: "winRate", label: "Win rate 胜率", digits: 2, unit: "%" },
  { key: "profitFactor", label: "Profit factor 盈亏比", digits: 3 },
  { key: "totalTrades", label: "Trades 交易数", digits: 0 },
  { key: "closedTrades", label: "Closed trades 平仓数", digits: 0 },
  { key: "finalValue", label: "Final value 期末价值", digits: 2 },
  { key: "benchmarkReturn", label: "Benchmark return 基准收益", digits: 2, unit: "%" },
  { key: "exposure", label: "Exposure 持仓时间占比", digits: 2, unit: "%" },
  { key: "totalFees", label: "Fees 费用", digits: 2 },
];

/** Longest spec value shown in the differences table. */
const MAX_VALUE_CHARS = 300;

const shown = (v: unknown) => {
  const s = v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v);
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}…` : s;
};

function MetricsTable(props: { a: { version: number; metrics: BacktestSummary }; b: typeof props.a }) {
  return (
    <div class="table-wrap">
      <table id="compare-metrics">
        <caption class="muted">Differing figures are highlighted. 不同之处已高亮</caption>
        <thead>
          <tr>
            <th scope="col">Metric 指标</th>
            <th scope="col" class="num">Version A: v{props.a.version}</th>
            <th scope="col" class="num">Version B: v{props.b.version}</th>
          </tr>
        </thead>
        <tbody>
          {COMPARED_METRICS.map((m) => {
            const va = props.a.metrics[m.key], vb = props.b.metrics[m.key];
            const fmt = (v: number | null) =>
              `${fmtNumber(v, m.digits)}${v !== null && m.unit ? m.unit : ""}`;
            const changed = va !== vb;
            const cell = (v: number | null) => changed ? <mark>{fmt(v)}</mark> : fmt(v);
            return (
              <tr key={m.key} data-metric={m.key} data-changed={changed ? "true" : "false"}>
                <th scope="row">{m.label}</th>
                <td class="num">{cell(va)}</td>
                <td class="num">{cell(vb)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function DiffText(props: { id: string; title: string; lines: DiffLine[] }) {
  const changed = props.lines.filter((l) => l.changed).length;
  return (
    <section class="card" aria-labelledby={`${props.id}-h`}>
      <h3 id={`${props.id}-h`}>{props.title}</h3>
      <p class="muted">
        {changed === 0 ? "No differing lines." : `${changed} differing line(s) highlighted.`}
      </p>
      <pre id={props.id}>
        {props.lines.map((l, i) => l.changed ? <mark key={i}>{`${l.text}\n`}</mark> : `${l.text}\n`)}
      </pre>
    </section>
  );
}

/** A compare opened from another site's link: the "Run comparison" button, nothing run. */
function confirmPage(c: Context<AppEnv>, s: { id: string; name: string }, a: number, b: number) {
  return renderPage(c, {
    title: `Compare v${a} and v${b}`,
    zh: "版本对比",
    active: "library",
    children: (
      <>
        <p>
          <a href={`/app/library/${encodeURIComponent(s.id)}`}>← {s.name}</a>
        </p>
        <section class="card" aria-labelledby="compare-confirm-h">
          <h2 id="compare-confirm-h">Run this comparison? 运行对比？</h2>
          <p id="compare-confirm">
            This link came from another site. Comparing runs both versions and counts as one backtest of your
            quota, so it only runs when you ask. 此链接来自其他网站，点击按钮后才会运行。
          </p>
          <form
            id="compare-confirm-form"
            method="get"
            action={`/app/library/${encodeURIComponent(s.id)}/compare`}
          >
            <input type="hidden" name="a" value={String(a)} />
            <input type="hidden" name="b" value={String(b)} />
            <button type="submit" id="compare-run">Run comparison 运行对比</button>
          </form>
        </section>
      </>
    ),
  });
}

/** The compare page route. */
export function comparePage(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/app/library/:id/compare", requirePageUser, async (c) => {
    const id = c.req.param("id");
    const what = "This strategy";
    if (id.length > 64) return renderNotFound(c, what);
    const userId = pageUserOf(c).principal.user.id;
    let loaded;
    try {
      const s = await getOwnStrategy(deps.library, userId, id);
      const q = Query.safeParse(c.req.query());
      if (!q.success) return renderBadRequest(c, `${queryMessage(q.error)} (give versions a and b)`);
      const beyond = [q.data.a, q.data.b].find((v) => v > s.latest_version);
      if (beyond !== undefined) {
        return renderBadRequest(c, `Version ${beyond} does not exist: the latest is v${s.latest_version}`);
      }
      const [va, vb] = [
        await getOwnVersion(deps.library, userId, id, q.data.a),
        await getOwnVersion(deps.library, userId, id, q.data.b),
      ];
      // A link from another site carries the Lax session cookie: show the form, run (and charge) nothing.
      if (!fromThisSite(c)) return confirmPage(c, s, va.version, vb.version);
      const result = await compareVersions(deps.compare, userId, id, q.data);
      loaded = { s, va, vb, result };
    } catch (e) {
      return renderDomainError(c, e, what);
    }
    const { s, va, vb, result } = loaded;
    const diff = lineDiff(va.generated_code, vb.generated_code);
    return renderPage(c, {
      title: `Compare v${va.version} and v${vb.version}`,
      zh: "版本对比",
      active: "library",
      children: (
        <>
          <p>
            <a href={`/app/library/${encodeURIComponent(s.id)}`}>← {s.name}</a>
          </p>
          <section class="card" aria-labelledby="metrics-h">
            <h2 id="metrics-h">Metrics 指标</h2>
            <p class="muted">Each version run on its own settings (symbols, dates, capital, costs).</p>
            <MetricsTable a={result.a} b={result.b} />
          </section>
          <section class="card" aria-labelledby="spec-h">
            <h2 id="spec-h">Settings that differ 设置差异</h2>
            {result.spec_differences.length === 0
              ? <p id="spec-differences-none">The two versions have the same settings.</p>
              : (
                <div class="table-wrap">
                  <table id="spec-differences">
                    <thead>
                      <tr>
                        <th scope="col">Field 字段</th>
                        <th scope="col">v{va.version}</th>
                        <th scope="col">v{vb.version}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {result.spec_differences.map((d) => (
                        <tr key={d.path}>
                          <th scope="row">
                            <code>{d.path}</code>
                          </th>
                          <td>
                            <mark>{shown(d.a)}</mark>
                          </td>
                          <td>
                            <mark>{shown(d.b)}</mark>
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
          </section>
          <h2>Strategy texts 策略文本</h2>
          <div class="cards" id="compare-texts">
            <DiffText id="compare-text-a" title={`Version A: v${va.version}`} lines={diff.a} />
            <DiffText id="compare-text-b" title={`Version B: v${vb.version}`} lines={diff.b} />
          </div>
          <CompareCard id={s.id} latest={s.latest_version} a={va.version} b={vb.version} />
        </>
      ),
    });
  });
  return app;
}
