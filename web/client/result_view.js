// The backtest result view shared by the result page and the build chat: summary metrics, equity normalised to
// 100 against the benchmarks, drawdown, the monthly table and the trade table with reasons. `report` has the
// document 004 `/run_backtest` shape `{summary, trades, dailyPortfolio, monthlyPerformance}` (the stored job
// report has the same fields and more). Every number shown is the server's; nothing is recomputed here.
import { fmtNumber, fmtPct, h, metricItem, replaceChildren } from "/app/assets/client/dom.js";
import { drawdownChart, lineChart } from "/app/assets/client/charts.js";

/** The most trade rows shown in the table (the CSV export has them all). */
export const MAX_TRADE_ROWS = 200;

const sign = (
  v,
) => (v === null || v === undefined || !Number.isFinite(Number(v)) ? "" : Number(v) >= 0 ? "pos" : "neg");

function extreme(t) {
  return t && t.ticker ? `${t.ticker} ${fmtPct(t.return)}` : "—";
}

/** The summary fields of document 004 (plus the risk measures the stored report adds). */
function summaryMetrics(s) {
  const rows = [
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
      `${s.winningTrades ?? "—"} / ${s.losingTrades ?? "—"} / ${s.breakevenTrades ?? "—"}`,
    ],
    ["Avg holding days", "平均持仓天数", fmtNumber(s.averageHoldingDays, 1)],
    ["Best trade", "最佳交易", extreme(s.bestTrade)],
    ["Worst trade", "最差交易", extreme(s.worstTrade)],
  ];
  if ("sortinoRatio" in s) rows.push(["Sortino ratio", "索提诺比率", fmtNumber(s.sortinoRatio)]);
  if ("volatility" in s) rows.push(["Volatility", "波动率", fmtPct(s.volatility)]);
  if ("profitFactor" in s) rows.push(["Profit factor", "盈亏比", fmtNumber(s.profitFactor)]);
  if ("totalFees" in s) rows.push(["Total fees", "总费用", fmtNumber(s.totalFees)]);
  return h(
    "dl",
    { class: "metrics", id: "summary-metrics" },
    rows.map(([en, zh, v]) => metricItem(en, v, zh)),
  );
}

/** The benchmark columns of the daily portfolio: `<symbol>Normalized` (else the document's ihsg/lq45 names). */
function benchmarkColumns(report) {
  const days = report.dailyPortfolio ?? [];
  const first = days[0] ?? {};
  const named = (report.spec?.benchmarks ?? []).map((b) => ({ key: `${b}Normalized`, name: b }))
    .filter((c) => c.key in first);
  if (named.length > 0) return named;
  const found = Object.keys(first).filter((k) => k.endsWith("Normalized") && k !== "portfolioNormalized")
    .map((k) => ({ key: k, name: k.slice(0, -"Normalized".length) }));
  if (found.length > 0) return found;
  return [["ihsgValue", "IHSG"], ["lq45Value", "LQ45"]]
    .filter(([k]) => days.some((d) => d[k] !== null && d[k] !== undefined))
    .map(([key, name]) => ({ key, name }));
}

function pointsOf(days, key) {
  return days.filter((d) => d[key] !== null && d[key] !== undefined).map((d) => ({
    time: d.date,
    value: d[key],
  }));
}

function equitySection(report) {
  const days = report.dailyPortfolio ?? [];
  const benches = benchmarkColumns(report);
  const last = days.at(-1) ?? {};
  const text = days.length === 0 ? "No daily values." : [
    `From ${days[0].date} to ${last.date}: strategy ${fmtNumber(last.portfolioNormalized)}`,
    ...benches.map((b) => `${b.name} ${fmtNumber(last[b.key])}`),
  ].join(", ") + " (start = 100).";
  return h(
    "section",
    { "aria-labelledby": "equity-heading" },
    h(
      "h2",
      { id: "equity-heading" },
      "Equity vs benchmarks (start = 100) ",
      h("span", { class: "zh", lang: "zh-Hans" }, "净值对比"),
    ),
    h("div", {
      class: "chart",
      id: "equity-chart",
      role: "img",
      "aria-label": `Equity normalised to 100. ${text}`,
    }),
    h("p", { class: "muted", id: "equity-summary" }, text),
  );
}

function drawdownSection(report) {
  const maxDd = report.summary?.maxDrawdown;
  const text = `Maximum drawdown ${fmtPct(maxDd)}.`;
  return h(
    "section",
    { "aria-labelledby": "drawdown-heading" },
    h("h2", { id: "drawdown-heading" }, "Drawdown ", h("span", { class: "zh", lang: "zh-Hans" }, "回撤")),
    h("div", {
      class: "chart",
      id: "drawdown-chart",
      role: "img",
      "aria-label": `Drawdown in percent. ${text}`,
    }),
    h("p", { class: "muted" }, text),
  );
}

const th = (label) => h("th", { scope: "col" }, label);
const thNum = (label) => h("th", { scope: "col", class: "num" }, label);
const tdNum = (text, cls = "") => h("td", { class: `num ${cls}`.trim() }, text);

function monthlySection(report) {
  const months = report.monthlyPerformance ?? [];
  return h(
    "section",
    { "aria-labelledby": "monthly-heading" },
    h(
      "h2",
      { id: "monthly-heading" },
      "Monthly performance ",
      h("span", { class: "zh", lang: "zh-Hans" }, "月度表现"),
    ),
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "monthly-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            th("Month"),
            thNum("Win rate (%)"),
            thNum("Returns (%)"),
            thNum("Benchmark (%)"),
            thNum("Probability"),
            thNum("Trades"),
          ),
        ),
        h(
          "tbody",
          {},
          months.length === 0 ? h("tr", {}, h("td", { colspan: "6" }, "No months.")) : months.map((m) =>
            h(
              "tr",
              {},
              h("td", {}, m.month),
              tdNum(
                fmtNumber(m.winRate),
                m.winRate === null || m.winRate === undefined ? "" : m.winRate >= 50 ? "pos" : "neg",
              ),
              tdNum(fmtNumber(m.returns), sign(m.returns)),
              tdNum(fmtNumber(m.benchmarkReturns), sign(m.benchmarkReturns)),
              tdNum(fmtNumber(m.probability)),
              tdNum(fmtNumber(m.tradesCount, 0)),
            )
          ),
        ),
      ),
    ),
  );
}

function tradesSection(report, opts) {
  const trades = report.trades ?? [];
  const total = Number.isInteger(report.tradesTotal) ? report.tradesTotal : trades.length;
  const shown = trades.slice(0, MAX_TRADE_ROWS);
  const note = total > shown.length
    ? h(
      "p",
      { class: "warn", id: "trades-note" },
      `Showing the first ${shown.length} of ${total} trades.`,
      opts.exports?.csv
        ? [" ", h("a", { href: opts.exports.csv }, "Download the CSV for all of them.")]
        : " The CSV export has all of them.",
    )
    : null;
  return h(
    "section",
    { "aria-labelledby": "trades-heading" },
    h("h2", { id: "trades-heading" }, "Trades ", h("span", { class: "zh", lang: "zh-Hans" }, "交易记录")),
    note,
    h(
      "div",
      { class: "table-wrap" },
      h(
        "table",
        { id: "trades-table" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            th("Date"),
            th("Ticker"),
            th("Action"),
            thNum("Quantity"),
            thNum("Price"),
            thNum("Value"),
            thNum("P&L"),
            thNum("P&L %"),
            thNum("Days held"),
            th("Reason"),
            thNum("Confidence"),
          ),
        ),
        h(
          "tbody",
          {},
          shown.length === 0 ? h("tr", {}, h("td", { colspan: "11" }, "No trades.")) : shown.map((t) =>
            h(
              "tr",
              {},
              h("td", {}, t.date),
              h(
                "td",
                {},
                t.ticker,
                t.companyName && t.companyName !== t.ticker
                  ? h("span", { class: "muted" }, ` ${t.companyName}`)
                  : null,
              ),
              h("td", {}, h("span", { class: `badge ${t.action === "BUY" ? "good" : "warn"}` }, t.action)),
              tdNum(fmtNumber(t.quantity, 0)),
              tdNum(fmtNumber(t.price)),
              tdNum(fmtNumber(t.value)),
              tdNum(t.action === "SELL" ? fmtNumber(t.profitLoss) : "", sign(t.profitLoss)),
              tdNum(t.action === "SELL" ? fmtPct(t.profitLossPercent) : "", sign(t.profitLossPercent)),
              tdNum(t.action === "SELL" ? fmtNumber(t.holdingDays, 0) : ""),
              h("td", { class: "reason" }, t.reason ?? ""),
              tdNum(t.confidence === null || t.confidence === undefined ? "—" : String(t.confidence)),
            )
          ),
        ),
      ),
    ),
  );
}

function exportsSection(opts) {
  const ex = opts.exports;
  if (!ex || (!ex.csv && !(ex.code ?? []).length)) return null;
  return h(
    "p",
    { class: "row", id: "exports" },
    ex.csv ? h("a", { id: "export-csv", href: ex.csv, download: "" }, "Trades CSV 交易 CSV") : null,
    (ex.code ?? []).map((c, i) =>
      h("a", { id: i === 0 ? "export-code" : `export-code-${i}`, href: c.href, download: "" }, c.label)
    ),
  );
}

function notesSection(report) {
  const notes = report.notes ?? [];
  if (notes.length === 0) return null;
  return h("ul", { class: "muted", id: "report-notes" }, notes.slice(0, 20).map((n) => h("li", {}, n)));
}

/**
 * Renders `report` into `container` (replacing its children) and draws the charts. `opts.exports`:
 * `{csv: href, code: [{href, label}]}` adds download links. Answers the charts: a caller drawing again into the
 * same container removes them first.
 */
export function renderBacktestResult(container, report, opts = {}) {
  const summary = report?.summary ?? {};
  replaceChildren(
    container,
    h("h2", { id: "summary-heading" }, "Summary ", h("span", { class: "zh", lang: "zh-Hans" }, "概要")),
    summaryMetrics(summary),
    exportsSection(opts),
    notesSection(report ?? {}),
    equitySection(report ?? {}),
    drawdownSection(report ?? {}),
    monthlySection(report ?? {}),
    tradesSection(report ?? {}, opts),
  );
  return drawResultCharts(container, report ?? {});
}

/** Draws the equity and drawdown charts into `#equity-chart` and `#drawdown-chart` inside `container`. */
export function drawResultCharts(container, report) {
  const days = report.dailyPortfolio ?? [];
  const equityEl = container.querySelector("#equity-chart");
  const drawdownEl = container.querySelector("#drawdown-chart");
  const charts = [];
  if (equityEl && days.length > 0) {
    replaceChildren(equityEl);
    charts.push(lineChart(equityEl, [
      { name: "Strategy", points: pointsOf(days, "portfolioNormalized") },
      ...benchmarkColumns(report).map((b) => ({ name: b.name, points: pointsOf(days, b.key) })),
    ]));
  }
  if (drawdownEl && days.length > 0) {
    replaceChildren(drawdownEl);
    charts.push(drawdownChart(drawdownEl, pointsOf(days, "drawdown")));
  }
  return charts;
}
