/**
 * What a completed job gives back: its full report (typed as the runner stored it), the equity curve, the
 * trades as CSV, a Plotly figure of one ticker, and the CSV export of a library strategy's latest completed job.
 */
import { fromDayNumber } from "../calendar/dates.ts";
import { NotFoundError } from "../errors.ts";
import { getOwnStrategy, getOwnVersion, type LibraryDeps } from "../strategy/library.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { type BacktestJobDeps, getOwnJob, latestLibraryRun } from "./queued_runs.ts";
import { equityCurve, type EquityPoint } from "./job_views.ts";
import { plotFigure, type PlotlyFigure } from "./plot.ts";
import type { BacktestReport } from "./report.ts";
import { equityToCsv, tradesToCsv } from "./report_csv.ts";

/** A file to hand to the caller: its suggested name and text. */
export interface ExportFile {
  filename: string;
  text: string;
}

/** The report of one of the caller's completed jobs; any other job (or one without a report) is "not found". */
export async function completedReport(
  deps: BacktestJobDeps,
  userId: string,
  jobId: string,
): Promise<BacktestReport> {
  const job = await getOwnJob(deps, userId, jobId);
  const report = job.status === "completed" ? await deps.jobs.getReport(jobId) : null;
  if (!report) throw new NotFoundError(`Backtest "${jobId}" has no report (status: ${job.status})`);
  return report;
}

/** The equity curve of one of the caller's completed jobs. */
export async function jobEquity(
  deps: BacktestJobDeps,
  userId: string,
  jobId: string,
): Promise<{ equity_curve: EquityPoint[] }> {
  return { equity_curve: equityCurve(await completedReport(deps, userId, jobId)) };
}

/** The trades of one of the caller's completed jobs as CSV. */
export async function jobTradesCsv(
  deps: BacktestJobDeps,
  userId: string,
  jobId: string,
): Promise<ExportFile> {
  const report = await completedReport(deps, userId, jobId);
  return { filename: `backtest-${jobId}-trades.csv`, text: tradesToCsv(report.trades) };
}

/**
 * A Plotly figure of one of the caller's completed jobs: the price of `ticker` (default: the most traded one, then
 * the first of the universe) with its trades, the equity and the drawdown.
 */
export async function jobPlot(
  deps: BacktestJobDeps,
  userId: string,
  jobId: string,
  ticker?: string,
): Promise<PlotlyFigure> {
  const report = await completedReport(deps, userId, jobId);
  const counts = new Map<string, number>();
  for (const t of report.trades) counts.set(String(t.ticker), (counts.get(String(t.ticker)) ?? 0) + 1);
  const shown = ticker ?? [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ??
    report.spec.universe.tickers?.[0];
  if (!shown) throw new NotFoundError(`Backtest "${jobId}" has no trades to plot: name a ticker`);
  const bars = await deps.market.getBars(shown, report.spec.start, report.spec.end, userId);
  if (!bars) throw new NotFoundError(`Unknown symbol "${shown}"`);
  const prices = { dates: Array.from(bars.days, fromDayNumber), close: Array.from(bars.close) };
  return plotFigure(report, shown, prices);
}

/**
 * The trades and daily equity of the latest completed job that ran one of the caller's library strategies. With
 * no completed job, `runNow` (when given) runs the latest version synchronously and that run is exported instead;
 * without it the answer is "not found".
 */
export async function libraryRunCsv(
  deps: { jobs: BacktestJobDeps; library: LibraryDeps },
  userId: string,
  strategyId: string,
  runNow?: (spec: StrategySpec) => Promise<BacktestReport>,
): Promise<ExportFile> {
  await getOwnStrategy(deps.library, userId, strategyId);
  const job = await latestLibraryRun(deps.jobs, userId, strategyId);
  const report = job ? await deps.jobs.jobs.getReport(job.id) : null;
  let title: string;
  let ran: BacktestReport;
  if (job && report) {
    title = `backtest ${job.id}, version ${job.library_version}`;
    ran = report;
  } else if (runNow) {
    const v = await getOwnVersion(deps.library, userId, strategyId);
    title = `synchronous run of version ${v.version}: no completed backtest job yet`;
    ran = await runNow(v.spec);
  } else {
    throw new NotFoundError(
      `Strategy "${strategyId}" has no completed backtest yet: submit one with library_id`,
    );
  }
  const text = `# trades (${title})\r\n${tradesToCsv(ran.trades)}` +
    `\r\n# daily equity\r\n${equityToCsv(ran.dailyPortfolio)}`;
  return { filename: `${strategyId}-backtest.csv`, text };
}
