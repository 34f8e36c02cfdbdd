/**
 * Backtest tools: a synchronous run (`POST /api/v1/backtests/run`) and the job queue (`/api/v1/backtests/*`),
 * calling the same operations with the same body schemas. A synchronous run keeps the HTTP rules (the per-user
 * run rate, the process-wide run gate, the synchronous size limit); a run too large or a busy gate comes back
 * with a recovery line pointing at submit_backtest. Job views carry no HTTP links: an agent follows a job with
 * get_backtest_status and reads its results with the get_backtest_* tools.
 */
import { z } from "zod";
import { completedReport, jobEquity, jobTradesCsv } from "../../domain/backtest/job_reports.ts";
import { jobStatus, queueBacktest, WAITING_PER_RUNNING } from "../../domain/backtest/job_submission.ts";
import { cancelJob, JOB_STATUSES, listJobs } from "../../domain/backtest/job_views.ts";
import { runReport } from "../../domain/backtest/sync_runs.ts";
import { JobSubmitBody, RunBody } from "../../routes/schemas/strategy_requests.ts";
import { defineTool, READ_ONLY, type ToolDef } from "../tool_kit.ts";
import { pageArgs } from "../tool_schemas.ts";

/** How a strategy may be given, for the descriptions of the strategy fields. */
const SPEC_DOC = 'A strategy spec as JSON: {name, universe: {tickers: [...]} or {name: "hs300"|…}, entry, ' +
  'exit (expressions of the strategy language, e.g. "crosses_above(sma(close, 20), sma(close, 50))"), ' +
  "rank_by, sizing, risk, costs {buy_fee_pct, sell_fee_pct, min_fee, slippage_pct} (percent of traded value), " +
  'fill ("next_open" default | "close"), capital (default 100000), start/end (YYYY-MM-DD; default: the five ' +
  "years to today UTC), benchmarks, close_at_end, risk_free_pct}. The language is described in the " +
  "quantedge://docs/strategy-language resource.";
const CODE_DOC = "The strategy as text instead of JSON: canonical strategy text (lines `universe: {...}`, " +
  "`entry: <expression>`, `exit: <expression>`, … as generated_code answers it), or backtrader Python of the " +
  "supported subset (parsed, never executed; outside the subset: 422 naming the construct and line). " +
  "Up to 20,000 characters.";
const BLUEPRINT_DOC = "The copilot's seed blueprint shape (compiled into a spec)";
const AGENT_CONFIG_DOC =
  "The chat agent's config shape (compiled into a spec; its notes are added to the report)";

/** What a report holds and how to read it (shared by run_backtest and get_backtest_report). */
const REPORT_DOC = "The report: `summary` (totalReturn, annualizedReturn, volatility, winRate, exposure " +
  "and maxDrawdown (≤ 0) in percent; sharpeRatio, sortinoRatio, calmarRatio annualised with 252 trading " +
  "days a year, sample standard deviation (ddof 1), risk-free rate = spec.risk_free_pct; " +
  "probabilisticSharpe; deflatedSharpe only when `trials` is given; alpha/beta against the first " +
  "benchmark; null where undefined, e.g. no closed trade), `trades` (each fill; a SELL carries profitLoss " +
  "before fees), `dailyPortfolio` (value, cash, drawdown, each benchmark normalised to 100), " +
  "`monthlyPerformance`, `openPositions`, `spec` (every default filled in), `conventions` (these rules in " +
  "words: fill timing — with fill next_open a signal on bar t's close fills at bar t+1's open; costs — fees " +
  "in percent of traded value with a minimum fee, slippage against the trade; whole lots), `calendar` " +
  '(provisional trading days), `source` (market data source, e.g. "synthetic") and `notes`.';

const JobId = z.string().min(1).max(64).describe(
  "The job id submit_backtest answered (job_id), e.g. bt_01jd0m6qvh3x8k2c9n4p; list_backtests lists them",
);

const STATUS_DOC =
  "Job status: queued (waiting its turn; `queue` says where it stands) → running (`progress` " +
  "0–100, `current_date`) → completed (metrics, equity curve and trades present) | failed (`error` says why) " +
  "| cancelled.";

/** The backtest tools. */
export const backtestTools: ToolDef[] = [
  defineTool({
    name: "run_backtest",
    title: "Run a backtest now",
    description: "Runs a strategy synchronously and answers its full report (use it for small runs: a few " +
      "symbols over a few years). Give exactly one of spec (JSON), strategy_code (strategy text or backtrader " +
      "Python), blueprint or config. " + REPORT_DOC +
      " Also `generated_code` (the spec as strategy text) and " +
      "`timing` (this call's wall-clock milliseconds by stage; not part of the report, differs between calls). " +
      "Limits as over HTTP: the per-user backtest rate (RATE_LIMIT_BACKTEST, default 10 a minute: 429 with " +
      "retry_after_seconds), a process-wide cap on synchronous runs at once (429: retry, or queue it), and a " +
      "size limit (symbols × bars, 413): a run too large belongs in submit_backtest. The run is recorded in my " +
      "run history (the oldest entries beyond its length drop out). Same inputs give the same report, so a " +
      "retry is safe, but each call records another run and counts against the rate: not idempotent.",
    input: RunBody.safeExtend({
      spec: RunBody.shape.spec.describe(SPEC_DOC),
      blueprint: RunBody.shape.blueprint.describe(BLUEPRINT_DOC),
      config: RunBody.shape.config.describe(AGENT_CONFIG_DOC),
      strategy_code: RunBody.shape.strategy_code.describe(CODE_DOC),
      trials: RunBody.shape.trials.describe(
        "How many variants were tried in all, 1–100,000: gives summary.deflatedSharpe (null without it)",
      ),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, args) => runReport(ctx.deps.sync, ctx.user().id, args),
  }),
  defineTool({
    name: "submit_backtest",
    title: "Queue a backtest",
    description:
      'Queues a backtest job and answers at once with job_id, status "queued", `strategy` (what a ' +
      "{strategy, pairs} config resolved to, else null) and `queue` (position among my waiting jobs, running, " +
      "max_running, reason). Use it for runs too large for run_backtest. Give exactly one of spec, " +
      "strategy_code, blueprint, config, or library_id (+ version) for a saved strategy of mine. Follow the job " +
      "with get_backtest_status every few seconds until status is completed, failed or cancelled; then read " +
      "get_backtest_report, get_backtest_equity or get_backtest_trades_csv. " + STATUS_DOC + " At most my " +
      "tier's max_active_backtests run at once (free 2, licensed 10), the rest wait, higher priority first; " +
      `more than ${WAITING_PER_RUNNING} × that many waiting is a 429. Rate-limited per user and per client ` +
      "address. Not idempotent: each call queues another job; after a timeout, check list_backtests " +
      '{status: "queued"} before retrying.',
    input: JobSubmitBody.safeExtend({
      spec: JobSubmitBody.shape.spec.describe(SPEC_DOC),
      blueprint: JobSubmitBody.shape.blueprint.describe(BLUEPRINT_DOC),
      config: JobSubmitBody.shape.config.describe(
        'The TradAI document\'s {strategy: "<name>", pairs: ["BTC/USDT", …], timeframe?: "1d", ' +
          'timerange?: "YYYYMMDD-YYYYMMDD"} (a saved strategy of mine by name, else a built-in, else a ' +
          "catalog strategy), or the chat agent's config shape",
      ),
      strategy_code: JobSubmitBody.shape.strategy_code.describe(CODE_DOC),
      library_id: JobSubmitBody.shape.library_id.describe(
        "Run a saved strategy of mine: its id (save_strategy's strategy_id); give no other strategy field",
      ),
      version: JobSubmitBody.shape.version.describe("With library_id: the version to run (default: latest)"),
      experiment_name: JobSubmitBody.shape.experiment_name.describe(
        "A label to group runs by (≤ 200 characters), shown in list_backtests",
      ),
      priority: JobSubmitBody.shape.priority.describe(
        "0–10 (default 0): among my waiting jobs, higher priority starts first, then oldest first",
      ),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, args) => queueBacktest(ctx.deps.jobSubmission, ctx.user(), args, ctx.caller.clientIp),
  }),
  defineTool({
    name: "list_backtests",
    title: "List my backtest jobs",
    description: "My queued backtest jobs, newest first (`items`, `total`, `limit`, `offset`): id, name, " +
      "status, dates, initial_capital and, once completed, final_value, total_return_pct (percent), " +
      "total_trades, experiment_name, created_at (ISO 8601 UTC). " + STATUS_DOC,
    input: z.strictObject({
      status: z.enum(JOB_STATUSES).optional().describe(
        "Only jobs with this status: queued, running, completed, failed or cancelled (default: all)",
      ),
      ...pageArgs(50),
    }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { status, limit, offset }) =>
      listJobs(ctx.deps.backtests, ctx.user().id, { status, limit, offset }),
  }),
  defineTool({
    name: "get_backtest_status",
    title: "A backtest job's status",
    description: "One of my jobs: status, progress (0–100), current_date, trades_executed, error, " +
      "cancel_requested, started_at/finished_at, and while queued `queue` (position, running, max_running, " +
      "reason). Once completed also `metrics` (the report's summary), `equity_curve` ({timestamp, " +
      "portfolio_value, benchmark_value: the first benchmark normalised to 100 at the start}) and `trades`. " +
      STATUS_DOC + " Poll this every few seconds after submit_backtest; another user's job is 404.",
    input: z.strictObject({ job_id: JobId }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { job_id }) => jobStatus(ctx.deps.backtests, ctx.user().id, job_id),
  }),
  defineTool({
    name: "get_backtest_report",
    title: "A completed job's report",
    description: "The full stored report of one of my completed jobs (404 until it completes: poll " +
      "get_backtest_status). " + REPORT_DOC,
    input: z.strictObject({ job_id: JobId }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { job_id }) => completedReport(ctx.deps.backtests, ctx.user().id, job_id),
  }),
  defineTool({
    name: "get_backtest_equity",
    title: "A completed job's equity curve",
    description: "The daily equity curve of one of my completed jobs: `equity_curve` of {timestamp " +
      "(YYYY-MM-DD), portfolio_value (in the spec's capital currency), benchmark_value (the first benchmark " +
      "normalised to 100 at the start, null without a benchmark)}. 404 until it completes.",
    input: z.strictObject({ job_id: JobId }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { job_id }) => jobEquity(ctx.deps.backtests, ctx.user().id, job_id),
  }),
  defineTool({
    name: "get_backtest_trades_csv",
    title: "A completed job's trades as CSV",
    description: "The trades of one of my completed jobs as CSV text (one row per fill, CRLF line ends, a " +
      "header row), answered as {filename, content_type, csv}: what the HTTP download serves. 404 until it " +
      "completes.",
    input: z.strictObject({ job_id: JobId }),
    access: "user",
    hints: READ_ONLY,
    run: async (ctx, { job_id }) => {
      const file = await jobTradesCsv(ctx.deps.backtests, ctx.user().id, job_id);
      return { filename: file.filename, content_type: "text/csv; charset=utf-8", csv: file.text };
    },
  }),
  defineTool({
    name: "cancel_backtest",
    title: "Cancel a backtest job",
    description:
      "Cancels one of my jobs: a queued one at once (status cancelled), a running one within one " +
      "slice (cancel_requested true, then status cancelled). A finished job " +
      '(completed, failed, cancelled) answers 400 "already …", so repeating the call changes nothing. ' +
      "Answers the job's summary. Destructive.",
    input: z.strictObject({ job_id: JobId }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: (ctx, { job_id }) => cancelJob(ctx.deps.backtests, ctx.user().id, job_id),
  }),
];
