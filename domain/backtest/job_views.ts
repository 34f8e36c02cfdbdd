/**
 * What a client sees of queued backtests: the summary and detail views of a job (with, once completed, its
 * metrics, equity curve and trades), and the operations that answer them — list, read, cancel. Views hold no
 * links: each front end adds its own ways to reach a job.
 */
import { iso, isoOrNull } from "../iso_time.ts";
import type { Page, PageRequest } from "../store/kv.ts";
import type { BacktestJobRecord, JobStatus } from "../store/backtest_job_repo.ts";
import { type BacktestJobDeps, cancelBacktestJob, getOwnJob, listOwnJobs } from "./queued_runs.ts";
import type { BacktestReport, BacktestSummary } from "./report.ts";

/** Every job status, in lifecycle order. */
export const JOB_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;

/** One job in a list. */
export interface JobSummaryView {
  id: string;
  name: string;
  status: JobStatus;
  start_date: string;
  end_date: string;
  initial_capital: number;
  final_value: number | null;
  total_return_pct: number | null;
  total_trades: number | null;
  source: string | null;
  experiment_name: string | null;
  created_at: string;
}

/** One point of a job's equity curve (the first benchmark normalised to the same start, when there is one). */
export interface EquityPoint {
  timestamp: string;
  portfolio_value: number;
  benchmark_value: number | null;
}

/** One fill of a completed job, as the detail view lists it. */
export interface JobTradeView {
  id: number;
  timestamp: string;
  asset: string;
  action: "BUY" | "SELL";
  price: number;
  quantity: number;
  reasoning: string;
  /** How decisively the rule fired (0–100, `confidence.ts`); `null` on reports stored before it existed. */
  confidence: number | null;
}

/** A report's fills numbered from 1, as the job detail and the trading dashboard list them. */
export function tradeViews(report: BacktestReport): JobTradeView[] {
  return report.trades.map((t, i) => ({
    id: i + 1,
    timestamp: t.date,
    asset: t.ticker,
    action: t.action,
    price: t.price,
    quantity: t.quantity,
    reasoning: t.reason,
    confidence: t.confidence ?? null,
  }));
}

/** A job with its progress and, once completed, its results. */
export interface JobDetailView extends JobSummaryView {
  progress: number;
  current_date: string | null;
  trades_executed: number;
  error: string | null;
  cancel_requested: boolean;
  started_at: string | null;
  finished_at: string | null;
  metrics: BacktestSummary | null;
  equity_curve: EquityPoint[] | null;
  trades: JobTradeView[] | null;
}

/** The summary view of a job. */
function jobSummaryView(j: BacktestJobRecord): JobSummaryView {
  return {
    id: j.id,
    name: j.name,
    status: j.status,
    start_date: j.spec.start,
    end_date: j.spec.end,
    initial_capital: j.spec.capital,
    final_value: j.summary?.final_value ?? null,
    total_return_pct: j.summary?.total_return_pct ?? null,
    total_trades: j.summary?.total_trades ?? null,
    source: j.summary?.source ?? null,
    experiment_name: j.experiment_name,
    created_at: iso(j.created_at),
  };
}

/** The equity curve of a report: portfolio value per day, with the first benchmark's normalised value. */
export function equityCurve(report: BacktestReport): EquityPoint[] {
  const bench = report.spec.benchmarks[0];
  return report.dailyPortfolio.map((d) => ({
    timestamp: String(d.date),
    portfolio_value: Number(d.portfolioValue),
    benchmark_value: bench && d[`${bench}Normalized`] != null ? Number(d[`${bench}Normalized`]) : null,
  }));
}

/** The detail view of a job and its report (present once completed). */
function jobDetailView(job: BacktestJobRecord, report: BacktestReport | null): JobDetailView {
  return {
    ...jobSummaryView(job),
    progress: job.progress,
    current_date: job.current_date,
    trades_executed: job.trades_executed,
    error: job.error,
    cancel_requested: job.cancel_requested,
    started_at: isoOrNull(job.started_at),
    finished_at: isoOrNull(job.finished_at),
    metrics: report?.summary ?? null,
    equity_curve: report ? equityCurve(report) : null,
    trades: report ? tradeViews(report) : null,
  };
}

/** The caller's jobs (optionally of one status), newest first. */
export async function listJobs(
  deps: BacktestJobDeps,
  userId: string,
  query: PageRequest & { status?: JobStatus },
): Promise<Page<JobSummaryView>> {
  const page = await listOwnJobs(deps, userId, { limit: query.limit, offset: query.offset }, query.status);
  return { ...page, items: page.items.map(jobSummaryView) };
}

/** One of the caller's jobs: status and progress, and when completed its metrics, equity curve and trades. */
export async function jobDetail(
  deps: BacktestJobDeps,
  userId: string,
  jobId: string,
): Promise<JobDetailView> {
  const job = await getOwnJob(deps, userId, jobId);
  const report = job.status === "completed" ? await deps.jobs.getReport(job.id) : null;
  return jobDetailView(job, report);
}

/** Cancels one of the caller's jobs (or asks it to stop) and answers its summary. */
export async function cancelJob(
  deps: BacktestJobDeps,
  userId: string,
  jobId: string,
): Promise<JobSummaryView> {
  return jobSummaryView(await cancelBacktestJob(deps, userId, jobId));
}
