/**
 * The trading-dashboard views of a user's executed backtests (`GET /api/backtests`, `GET /api/backtests/{id}` of
 * the dashboard document): completed queued jobs and completed synchronous runs (the run history) in one list,
 * each named by a stable integer (integer alias kind `backtest` of the job or run id), and the detail of one —
 * metrics, equity curve with the reference asset's close, and trades with their reasoning and confidence.
 *
 * Conventions:
 * - Listed: the caller's completed jobs and recorded synchronous runs, newest first by when they were run
 *   (submitted, for a job). An anonymous caller sees an empty list; someone else's (or a missing, or a not yet
 *   completed) backtest is "not found".
 * - `start_date` / `end_date`: the run's dates as the document writes them (`YYYY-MM-DDT00:00:00` and
 *   `YYYY-MM-DDT23:59:59`, no zone: exchange dates).
 * - Reference asset (`reference_symbol`, the equity curve's `btc_price`): the run's first ticker; for a run over a
 *   named universe without tickers, its first benchmark; else the first symbol traded; else none (`null`). Its
 *   close on each day of the equity curve is the last close on or before that day (`null` before its first bar).
 * - `alpha_vs_hold` (percentage points) = `total_return_pct` − `buy_and_hold_return_pct`, where the strategy's
 *   return runs from the initial capital to the last day's equity and buy-and-hold is
 *   `(close_last / close_first − 1) × 100` of the reference asset's closes on the first and last day of the
 *   equity curve (fees and slippage not charged); `null` without a reference close on both days.
 * - Other metrics are the run report's (`max_drawdown` and `win_rate` in percent, Sharpe annualised with the
 *   spec's risk-free rate, `profit_factor` = gross profit / gross loss of closed trades).
 * - Trades: `id` is the trade's 1-based position in the run; `confidence` (0–100) is how decisively the rule
 *   fired on the decision bar (see `confidence.ts`), 100 for forced exits; `null` only for reports stored before
 *   confidence existed.
 */
import { toDayNumber } from "../calendar/dates.ts";
import { NotFoundError } from "../errors.ts";
import { iso } from "../iso_time.ts";
import type { BacktestJobRecord } from "../store/backtest_job_repo.ts";
import type { IntegerAliasRepo } from "../store/integer_alias_repo.ts";
import type { SyncRunRecord, SyncRunRepo } from "../store/sync_run_repo.ts";
import { MAX_PAGE_LIMIT } from "../store/kv.ts";
import { tradeViews } from "./job_views.ts";
import type { BacktestJobDeps } from "./queued_runs.ts";
import type { BacktestReport } from "./report.ts";
import { RULES_BACKEND, SYNC_RUN_HISTORY_PER_USER } from "./sync_runs.ts";

/** What the dashboard views read: the jobs (and the market, for reference closes), the run history, aliases. */
export interface DashboardDeps {
  jobs: BacktestJobDeps;
  runs: SyncRunRepo;
  aliases: Pick<IntegerAliasRepo, "aliasesFor" | "idFor">;
}

/** The most list entries skipped with `offset` (each page of jobs behind it is read). */
export const MAX_DASHBOARD_OFFSET = 1000;

/** One executed backtest in the dashboard's list (the document's BacktestSummary, plus what it was). */
export interface DashboardBacktestSummary {
  id: number;
  start_date: string;
  end_date: string;
  initial_capital: number;
  final_value: number | null;
  total_return_pct: number | null;
  total_trades: number;
  backend: string;
  /** The job id (`bt_…`) or synchronous run id (`run_…`) the integer names. */
  run_id: string;
  /** `queued` (a job) or `synchronous` (a recorded synchronous run). */
  kind: "queued" | "synchronous";
  name: string;
  created_at: string;
}

/** The dashboard's metrics of a run (percent unless named otherwise). */
export interface DashboardMetrics {
  total_return_pct: number | null;
  buy_and_hold_return_pct: number | null;
  alpha_vs_hold: number | null;
  sharpe_ratio: number | null;
  sortino_ratio: number | null;
  max_drawdown: number | null;
  win_rate: number | null;
  profit_factor: number | null;
  alpha: number | null;
  beta: number | null;
  annualized_return: number | null;
  volatility: number | null;
  closed_trades: number;
  total_fees: number | null;
}

/** One point of the equity curve: the portfolio value and the reference asset's close that day. */
export interface DashboardEquityPoint {
  timestamp: string;
  portfolio_value: number | null;
  btc_price: number | null;
}

/** One trade with the rule's reasoning and confidence. */
export interface DashboardTrade {
  id: number;
  timestamp: string;
  asset: string;
  action: "BUY" | "SELL" | "HOLD";
  price: number;
  quantity: number;
  reasoning: string;
  confidence: number | null;
}

/** The document's BacktestDetail. */
export interface DashboardBacktestDetail extends DashboardBacktestSummary {
  reference_symbol: string | null;
  metrics: DashboardMetrics;
  equity_curve: DashboardEquityPoint[];
  trades: DashboardTrade[];
  conventions: Record<string, string>;
}

const r4 = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1e4) / 1e4);

/** A listed backtest before it has its integer. */
type Entry = { runId: string; at: number; view: Omit<DashboardBacktestSummary, "id"> };

const dates = (start: string, end: string) => ({
  start_date: `${start}T00:00:00`,
  end_date: `${end}T23:59:59`,
});

function jobEntry(j: BacktestJobRecord): Entry {
  return {
    runId: j.id,
    at: j.created_at,
    view: {
      ...dates(j.spec.start, j.spec.end),
      initial_capital: j.spec.capital,
      final_value: j.summary?.final_value ?? null,
      total_return_pct: j.summary?.total_return_pct ?? null,
      total_trades: j.summary?.total_trades ?? 0,
      backend: RULES_BACKEND,
      run_id: j.id,
      kind: "queued",
      name: j.name,
      created_at: iso(j.created_at),
    },
  };
}

function runEntry(r: SyncRunRecord): Entry {
  return {
    runId: r.id,
    at: r.created_at,
    view: {
      ...dates(r.start_date, r.end_date),
      initial_capital: r.initial_capital,
      final_value: r.final_value,
      total_return_pct: r.total_return_pct,
      total_trades: r.total_trades,
      backend: r.backend,
      run_id: r.id,
      kind: "synchronous",
      name: r.name,
      created_at: iso(r.created_at),
    },
  };
}

/**
 * The caller's executed backtests, newest first (`limit` from `offset`); an anonymous caller (`null`) gets an
 * empty list. `kind: "synchronous"` lists only the recorded synchronous runs.
 */
export async function listDashboardBacktests(
  deps: DashboardDeps,
  userId: string | null,
  page: { limit: number; offset: number; kind?: "synchronous" },
): Promise<DashboardBacktestSummary[]> {
  if (userId === null) return [];
  const want = page.kind === "synchronous" ? 0 : Math.min(page.offset, MAX_DASHBOARD_OFFSET) + page.limit;
  const entries: Entry[] = [];
  // Completed jobs, newest first, page by page until `want` are read (bounded by `want`).
  for (let offset = 0, read = 0; read < want; offset += MAX_PAGE_LIMIT) {
    const p = await deps.jobs.jobs.listByUser(userId, { limit: MAX_PAGE_LIMIT, offset }, "completed");
    for (const j of p.items) entries.push(jobEntry(j));
    read += p.items.length;
    if (p.items.length === 0 || offset + MAX_PAGE_LIMIT >= p.total) break;
  }
  for (const r of await deps.runs.listByUser(userId, SYNC_RUN_HISTORY_PER_USER)) entries.push(runEntry(r));
  entries.sort((a, b) => b.at - a.at || (a.runId < b.runId ? 1 : -1));
  const shown = entries.slice(page.offset, page.offset + page.limit);
  const ids = await deps.aliases.aliasesFor("backtest", shown.map((e) => e.runId));
  return shown.map((e, i) => ({ id: ids[i], ...e.view }));
}

/** The report and list entry behind integer `n` if it is one of the caller's executed backtests. */
async function ownRun(
  deps: DashboardDeps,
  userId: string | null,
  n: number,
): Promise<{ entry: Entry; report: BacktestReport }> {
  const missing = () => new NotFoundError(`Backtest ${n} not found`);
  const id = userId === null ? null : await deps.aliases.idFor("backtest", n);
  if (id === null) throw missing();
  const job = await deps.jobs.jobs.get(id);
  if (job) {
    if (job.user_id !== userId) throw missing();
    if (job.status !== "completed") {
      throw new NotFoundError(`Backtest ${n} has not completed (status: ${job.status})`);
    }
    const report = await deps.jobs.jobs.getReport(id);
    if (!report) throw missing();
    return { entry: jobEntry(job), report };
  }
  const run = await deps.runs.get(id);
  if (!run || run.user_id !== userId) throw missing();
  const report = await deps.runs.getReport(id);
  if (!report) throw missing();
  return { entry: runEntry(run), report };
}

/** The run's reference asset: its first ticker, else its first benchmark, else the first symbol traded. */
function referenceSymbol(report: BacktestReport): string | null {
  return report.spec.universe.tickers?.[0]?.toUpperCase() ?? report.spec.benchmarks[0] ??
    report.trades[0]?.ticker ?? null;
}

/** Closes of `symbol` carried to each date of `dates` (the last close on or before it; `null` before any). */
async function referenceCloses(
  deps: DashboardDeps,
  userId: string,
  symbol: string,
  report: BacktestReport,
  days: string[],
): Promise<(number | null)[]> {
  const bars = await deps.jobs.market.getBars(symbol, report.spec.start, report.spec.end, userId);
  if (!bars) return days.map(() => null);
  let k = -1;
  return days.map((d) => {
    const day = toDayNumber(d);
    while (k + 1 < bars.days.length && bars.days[k + 1] <= day) k++;
    return k >= 0 && Number.isFinite(bars.close[k]) ? bars.close[k] : null;
  });
}

/** The conventions the detail's numbers follow. */
const CONVENTIONS: Record<string, string> = {
  reference_symbol:
    "the run's first ticker; for a universe run without tickers its first benchmark; else the " +
    "first symbol traded",
  btc_price: "the reference asset's last close on or before the day (null before its first bar)",
  alpha_vs_hold: "total_return_pct − buy_and_hold_return_pct, in percentage points; buy-and-hold is the " +
    "reference asset's close on the curve's last day over its close on the first day, minus 1, in percent, " +
    "without fees or slippage",
  max_drawdown: "largest fall from a running peak of portfolio value, percent (≤ 0)",
  win_rate: "share of closed trades (SELLs) with a profit, percent",
  profit_factor: "gross profit / gross loss of closed trades (null without a losing trade)",
  sharpe_ratio: "annualised over 252 trading days, excess over the spec's risk-free rate, sample std",
  confidence: "how decisively the rule fired on the decision bar: its distance past the threshold in units " +
    "of 2 standard deviations of the same spread over the last 20 bars, clipped to 0–100 (and/or: weakest/" +
    "strongest part; no measurable margin: 50); 100 for stops, targets, max holding days and close at end",
  timestamp: "exchange date of the trading day (YYYY-MM-DD)",
};

/** One of the caller's executed backtests in full; anything else is "not found". */
export async function dashboardBacktestDetail(
  deps: DashboardDeps,
  userId: string | null,
  n: number,
): Promise<DashboardBacktestDetail> {
  const { entry, report } = await ownRun(deps, userId, n);
  const s = report.summary;
  const days = report.dailyPortfolio.map((d) => String(d.date));
  const reference = referenceSymbol(report);
  const closes = reference
    ? await referenceCloses(deps, userId!, reference, report, days)
    : days.map(() => null);
  const first = closes[0], last = closes.at(-1) ?? null;
  const hold = first !== null && last !== null && first > 0 ? r4((last / first - 1) * 100) : null;
  return {
    id: n,
    ...entry.view,
    reference_symbol: reference,
    metrics: {
      total_return_pct: s.totalReturn,
      buy_and_hold_return_pct: hold,
      alpha_vs_hold: hold !== null && s.totalReturn !== null ? r4(s.totalReturn - hold) : null,
      sharpe_ratio: s.sharpeRatio,
      sortino_ratio: s.sortinoRatio,
      max_drawdown: s.maxDrawdown,
      win_rate: s.winRate,
      profit_factor: s.profitFactor,
      alpha: s.alpha,
      beta: s.beta,
      annualized_return: s.annualizedReturn,
      volatility: s.volatility,
      closed_trades: s.closedTrades,
      total_fees: s.totalFees,
    },
    equity_curve: report.dailyPortfolio.map((d, i) => ({
      timestamp: days[i],
      portfolio_value: d.portfolioValue === null ? null : Number(d.portfolioValue),
      btc_price: closes[i],
    })),
    trades: tradeViews(report),
    conventions: CONVENTIONS,
  };
}
