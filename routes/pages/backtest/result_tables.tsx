/**
 * The result of a completed backtest, server-rendered with the same structure and ids as
 * `web/client/result_view.js` draws it in the browser: summary metrics, the chart placeholders (filled by the
 * page's script) with a text summary beside each, the monthly table and the trade table with reasons.
 */
import type {
  BacktestReport,
  BacktestSummary,
  ReportDay,
  TradeExtreme,
} from "../../../domain/backtest/report.ts";
import { Bilingual } from "../layout.tsx";
import { fmtNumber, fmtPct, numClass } from "../format.ts";

/** The most trade rows a result shows (the CSV export has them all). */
const MAX_TRADE_ROWS = 200;

/** Where a result's downloads are. */
export interface ResultExports {
  csv: string;
  code: { href: string; label: string }[];
}

const extreme = (t: TradeExtreme | null) => (t ? `${t.ticker} ${fmtPct(t.return)}` : "—");

function Metrics(props: { s: BacktestSummary }) {
  const s = props.s;
  const rows: [string, string, string][] = [
    ["Initial capital", "初始资金", fmtNumber(s.initialCapital)],
    ["Final value", "最终价值", fmtNumber(s.finalValue)],
    ["Total return", "总收益", fmtPct(s.totalReturn)],
    ["Annualized return", "年化收益", fmtPct(s.annualizedReturn)],
    ["Benchmark return", "基准收益", fmtPct(s.benchmarkReturn)],
    ["Max drawdown", "最大回撤", fmtPct(s.maxDrawdown)],
    ["Sharpe ratio", "夏普比率", fmtNumber(s.sharpeRatio)],
    ["Win rate", "胜率", fmtPct(s.winRate)],
    ["Total trades", "交易总数", fmtNumber(s.totalTrades, 0)],
    ["Closed trades", "平仓交易", fmtNumber(s.closedTrades, 0)],
    [
      "Winning / losing / even",
      "盈 / 亏 / 平",
      `${s.winningTrades} / ${s.losingTrades} / ${s.breakevenTrades}`,
    ],
    ["Avg holding days", "平均持仓天数", fmtNumber(s.averageHoldingDays, 1)],
    ["Best trade", "最佳交易", extreme(s.bestTrade)],
    ["Worst trade", "最差交易", extreme(s.worstTrade)],
    ["Sortino ratio", "索提诺比率", fmtNumber(s.sortinoRatio)],
    ["Volatility", "波动率", fmtPct(s.volatility)],
    ["Profit factor", "盈亏比", fmtNumber(s.profitFactor)],
    ["Total fees", "总费用", fmtNumber(s.totalFees)],
  ];
  return (
    <dl class="metrics" id="summary-metrics">
      {rows.map(([en, zh, v]) => (
        <div key={en}>
          <dt>
            <Bilingual en={en} zh={zh} />
          </dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** The benchmark columns of the daily portfolio (`<symbol>Normalized`), as the browser view picks them. */
function benchmarkColumns(report: BacktestReport): { key: string; name: string }[] {
  const first = report.dailyPortfolio[0] ?? {};
  return report.spec.benchmarks.map((b) => ({ key: `${b}Normalized`, name: b })).filter((c) =>
    c.key in first
  );
}

function equityText(report: BacktestReport): string {
  const days = report.dailyPortfolio;
  const last = days.at(-1);
  if (!last) return "No daily values.";
  return [
    `From ${days[0].date} to ${last.date}: strategy ${fmtNumber(last.portfolioNormalized)}`,
    ...benchmarkColumns(report).map((b) => `${b.name} ${fmtNumber(last[b.key] as number | null)}`),
  ].join(", ") + " (start = 100).";
}

function MonthlyTable(props: { report: BacktestReport }) {
  const months = props.report.monthlyPerformance;
  return (
    <section aria-labelledby="monthly-heading">
      <h2 id="monthly-heading">
        <Bilingual en="Monthly performance" zh="月度表现" />
      </h2>
      <div class="table-wrap">
        <table id="monthly-table">
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col" class="num">Win rate (%)</th>
              <th scope="col" class="num">Returns (%)</th>
              <th scope="col" class="num">Benchmark (%)</th>
              <th scope="col" class="num">Probability</th>
              <th scope="col" class="num">Trades</th>
            </tr>
          </thead>
          <tbody>
            {months.length === 0
              ? (
                <tr>
                  <td colspan={6}>No months.</td>
                </tr>
              )
              : months.map((m) => (
                <tr key={m.month}>
                  <td>{m.month}</td>
                  <td class={`num ${m.winRate === null ? "" : m.winRate >= 50 ? "pos" : "neg"}`.trim()}>
                    {fmtNumber(m.winRate)}
                  </td>
                  <td class={numClass(m.returns)}>{fmtNumber(m.returns)}</td>
                  <td class={numClass(m.benchmarkReturns)}>
                    {fmtNumber(m.benchmarkReturns)}
                  </td>
                  <td class="num">{fmtNumber(m.probability)}</td>
                  <td class="num">{fmtNumber(m.tradesCount, 0)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function TradesTable(props: { report: BacktestReport; csv: string }) {
  const trades = props.report.trades;
  const shown = trades.slice(0, MAX_TRADE_ROWS);
  const sell = (t: { action: string }) => t.action === "SELL";
  return (
    <section aria-labelledby="trades-heading">
      <h2 id="trades-heading">
        <Bilingual en="Trades" zh="交易记录" />
      </h2>
      {trades.length > shown.length
        ? (
          <p class="warn" id="trades-note">
            Showing the first {shown.length} of {trades.length} trades.{" "}
            <a href={props.csv}>Download the CSV for all of them.</a>
          </p>
        )
        : null}
      <div class="table-wrap">
        <table id="trades-table">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Ticker</th>
              <th scope="col">Action</th>
              <th scope="col" class="num">Quantity</th>
              <th scope="col" class="num">Price</th>
              <th scope="col" class="num">Value</th>
              <th scope="col" class="num">P&amp;L</th>
              <th scope="col" class="num">P&amp;L %</th>
              <th scope="col" class="num">Days held</th>
              <th scope="col">Reason</th>
              <th scope="col" class="num">Confidence</th>
            </tr>
          </thead>
          <tbody>
            {shown.length === 0
              ? (
                <tr>
                  <td colspan={11}>No trades.</td>
                </tr>
              )
              : shown.map((t, i) => (
                <tr key={i}>
                  <td>{t.date}</td>
                  <td>
                    {t.ticker}
                    {t.companyName && t.companyName !== t.ticker
                      ? <span class="muted">{` ${t.companyName}`}</span>
                      : null}
                  </td>
                  <td>
                    <span class={`badge ${t.action === "BUY" ? "good" : "warn"}`}>{t.action}</span>
                  </td>
                  <td class="num">{fmtNumber(t.quantity, 0)}</td>
                  <td class="num">{fmtNumber(t.price)}</td>
                  <td class="num">{fmtNumber(t.value)}</td>
                  <td class={numClass(t.profitLoss)}>
                    {sell(t) ? fmtNumber(t.profitLoss) : ""}
                  </td>
                  <td class={numClass(t.profitLossPercent)}>
                    {sell(t) ? fmtPct(t.profitLossPercent) : ""}
                  </td>
                  <td class="num">{sell(t) ? fmtNumber(t.holdingDays, 0) : ""}</td>
                  <td class="reason">{t.reason}</td>
                  <td class="num">{t.confidence === undefined ? "—" : String(t.confidence)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** The whole result of a completed job (the content of `#result`). */
export function ResultView(props: { report: BacktestReport; exports: ResultExports }) {
  const r = props.report;
  const equity = equityText(r);
  const drawdown = `Maximum drawdown ${fmtPct(r.summary.maxDrawdown)}.`;
  return (
    <>
      <h2 id="summary-heading">
        <Bilingual en="Summary" zh="概要" />
      </h2>
      <Metrics s={r.summary} />
      <p class="row" id="exports">
        <a id="export-csv" href={props.exports.csv} download="">Trades CSV 交易 CSV</a>
        {props.exports.code.map((c, i) => (
          <a key={c.href} id={i === 0 ? "export-code" : `export-code-${i}`} href={c.href} download="">
            {c.label}
          </a>
        ))}
      </p>
      {r.notes.length > 0
        ? <ul class="muted" id="report-notes">{r.notes.slice(0, 20).map((n) => <li key={n}>{n}</li>)}</ul>
        : null}
      <section aria-labelledby="equity-heading">
        <h2 id="equity-heading">
          <Bilingual en="Equity vs benchmarks (start = 100)" zh="净值对比" />
        </h2>
        <div class="chart" id="equity-chart" role="img" aria-label={`Equity normalised to 100. ${equity}`}>
        </div>
        <p class="muted" id="equity-summary">{equity}</p>
      </section>
      <section aria-labelledby="drawdown-heading">
        <h2 id="drawdown-heading">
          <Bilingual en="Drawdown" zh="回撤" />
        </h2>
        <div class="chart" id="drawdown-chart" role="img" aria-label={`Drawdown in percent. ${drawdown}`}>
        </div>
        <p class="muted">{drawdown}</p>
      </section>
      <MonthlyTable report={r} />
      <TradesTable report={r} csv={props.exports.csv} />
    </>
  );
}

/** What the page's script needs to draw the charts: the dated normalised values, drawdowns and benchmarks. */
export function chartData(report: BacktestReport): {
  spec: { benchmarks: string[] };
  dailyPortfolio: Partial<ReportDay>[];
} {
  const keep = ["portfolioNormalized", "drawdown", ...benchmarkColumns(report).map((b) => b.key)];
  return {
    spec: { benchmarks: report.spec.benchmarks },
    dailyPortfolio: report.dailyPortfolio.map((d) => {
      const out: Record<string, string | number | null> = { date: d.date };
      for (const k of keep) out[k] = d[k] ?? null;
      return out as Partial<ReportDay>;
    }),
  };
}
