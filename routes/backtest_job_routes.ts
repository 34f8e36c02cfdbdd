/** Queued backtests: submit (202), list, status/report, cancel, equity, report-data and trades.csv. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import type { BacktestJobDeps } from "../domain/backtest/queued_runs.ts";
import { completedReport, jobEquity, jobPlot, jobTradesCsv } from "../domain/backtest/job_reports.ts";
import {
  jobStatus,
  type JobSubmissionDeps,
  queueBacktest,
  WAITING_PER_RUNNING,
} from "../domain/backtest/job_submission.ts";
import { cancelJob, JOB_STATUSES, listJobs } from "../domain/backtest/job_views.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAuth } from "./middleware/auth.ts";
import {
  BacktestSummarySchema,
  JobTradeSchema,
  PlotlyFigureSchema,
  StoredReportSchema,
} from "./schemas/backtest.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, pageOf } from "./schemas/common.ts";
import { TickerSymbol } from "./schemas/strategy_source.ts";
import { JobSubmitBody } from "./schemas/strategy_requests.ts";

const tags = ["backtests"];

const JobParam = z.object({
  job_id: z.string().min(1).max(64).openapi({
    param: { name: "job_id", in: "path" },
    example: "bt_01jd0m6qvh3x8k2c9n4p",
  }),
});

/**
 * Where a queued job stands: my jobs run at most `max_running` at once (the tier's max_active_backtests), the
 * others wait their turn; up to `WAITING_PER_RUNNING` × max_running may be queued (not yet started), past that a
 * submission is a 429.
 * (Inline, not a named component: a named schema made nullable is not described as nullable.)
 */
const QueueSchema = z.object({
  position: z.number().int().openapi({ description: "1-based place among my waiting jobs" }),
  running: z.number().int().openapi({ description: "My jobs running now" }),
  max_running: z.number().int().nullable().openapi({ description: "How many of my jobs run at once" }),
  reason: z.string(),
});

const JobSummary = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(JOB_STATUSES),
  start_date: z.string(),
  end_date: z.string(),
  initial_capital: z.number(),
  final_value: z.number().nullable(),
  total_return_pct: z.number().nullable(),
  total_trades: z.number().nullable(),
  source: z.string().nullable(),
  experiment_name: z.string().nullable(),
  created_at: z.string(),
}).openapi("BacktestJobSummary");

/** Where a job's views live. */
const JobLinks = z.object({
  self: z.string(),
  cancel: z.string(),
  report: z.string(),
  equity: z.string(),
  trades_csv: z.string(),
}).openapi("BacktestJobLinks");

const JobDetail = JobSummary.extend({
  progress: z.number(),
  current_date: z.string().nullable(),
  trades_executed: z.number().int(),
  error: z.string().nullable(),
  cancel_requested: z.boolean(),
  started_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  metrics: BacktestSummarySchema.nullable(),
  equity_curve: z.array(
    z.object({ timestamp: z.string(), portfolio_value: z.number(), benchmark_value: z.number().nullable() }),
  )
    .nullable(),
  trades: z.array(JobTradeSchema).nullable(),
  /** While queued: where it stands; otherwise null. */
  queue: QueueSchema.nullable(),
  links: JobLinks,
}).openapi("BacktestJob");

/** Where a job's answers are, for clients of this API. */
const links = (id: string) => ({
  self: `/api/v1/backtests/${id}`,
  cancel: `/api/v1/backtests/${id}/cancel`,
  report: `/api/v1/backtests/${id}/report-data`,
  equity: `/api/v1/backtests/${id}/equity`,
  trades_csv: `/api/v1/backtests/${id}/trades.csv`,
});

/** Builds the queued-backtest router. */
export function backtestJobRoutes(auth: AuthDeps, jobs: BacktestJobDeps, submission: JobSubmissionDeps) {
  const app = newRouter();
  const user = requireAuth(auth);

  app.openapi(
    createRoute({
      method: "post",
      path: "/backtests",
      tags,
      summary: "Queue a backtest (spec, blueprint, config or strategy text) → 202 with the job id",
      description:
        "Rate-limited per user and per client address (RATE_LIMIT_BACKTEST, default 10 per minute: " +
        '429 {"detail": "Rate limit exceeded: 10 per 1 minute"} with Retry-After). Accepted jobs are queued: ' +
        "at most max_running of mine run at once and the rest wait their turn (queue.position, queue.reason); " +
        `up to ${WAITING_PER_RUNNING} × max_running may be queued (not yet started), past that a submission is a 429.`,
      security: bearerSecurity,
      middleware: [user],
      request: { body: jsonBody(JobSubmitBody) },
      responses: {
        202: jsonResponse(
          z.object({
            job_id: z.string(),
            status: z.literal("queued"),
            strategy: z.object({
              kind: z.enum(["library", "builtin", "catalog"]),
              name: z.string(),
              id: z.string().nullable(),
              version: z.number().int().nullable(),
            }).nullable().openapi({ description: "What a config naming a strategy resolved to; else null" }),
            queue: QueueSchema,
            links: JobLinks,
          }).openapi("BacktestJobQueued"),
          "Queued",
        ),
        ...errorResponses(401, 403, 422, 429),
      },
    }),
    async (c) => {
      const me = c.get("principal").user;
      const ip = c.get("clientIp");
      const queued = await fromInput("body", () => queueBacktest(submission, me, c.req.valid("json"), ip));
      return c.json({ ...queued, links: links(queued.job_id) }, 202);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/backtests",
      tags,
      summary: "My backtest jobs, newest first",
      security: bearerSecurity,
      middleware: [user],
      request: {
        query: z.object({
          status: z.enum(JOB_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          offset: z.coerce.number().int().min(0).default(0),
        }),
      },
      responses: {
        200: jsonResponse(pageOf(JobSummary, "BacktestJobPage"), "Jobs"),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => {
      const page = await fromInput(
        "query",
        () => listJobs(jobs, c.get("principal").user.id, c.req.valid("query")),
      );
      return c.json(page, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/backtests/{job_id}",
      tags,
      summary: "Status and progress; when completed, metrics, equity curve and trades",
      security: bearerSecurity,
      middleware: [user],
      request: { params: JobParam },
      responses: { 200: jsonResponse(JobDetail, "Job"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => {
      const job = await jobStatus(jobs, c.get("principal").user.id, c.req.valid("param").job_id);
      return c.json({ ...job, links: links(job.id) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/backtests/{job_id}/cancel",
      tags,
      summary: "Cancel a queued job, or stop a running one within one slice",
      security: bearerSecurity,
      middleware: [user],
      request: { params: JobParam },
      responses: {
        200: jsonResponse(JobSummary, "Cancelled or stopping"),
        ...errorResponses(400, 401, 403, 404, 422),
      },
    }),
    async (c) => {
      return c.json(await cancelJob(jobs, c.get("principal").user.id, c.req.valid("param").job_id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/backtests/{job_id}/report-data",
      tags,
      summary: "The full report of a completed job",
      security: bearerSecurity,
      middleware: [user],
      request: { params: JobParam },
      responses: {
        200: jsonResponse(StoredReportSchema, "Report"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) =>
      c.json(await completedReport(jobs, c.get("principal").user.id, c.req.valid("param").job_id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/backtests/{job_id}/equity",
      tags,
      summary: "Equity curve of a completed job",
      security: bearerSecurity,
      middleware: [user],
      request: { params: JobParam },
      responses: {
        200: jsonResponse(z.object({ equity_curve: JobDetail.shape.equity_curve }), "Equity"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => c.json(await jobEquity(jobs, c.get("principal").user.id, c.req.valid("param").job_id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/backtests/{job_id}/trades.csv",
      tags,
      summary: "Trades of a completed job as a CSV download",
      security: bearerSecurity,
      middleware: [user],
      request: { params: JobParam },
      responses: {
        200: { description: "CSV", content: { "text/csv": { schema: z.string() } } },
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const file = await jobTradesCsv(jobs, c.get("principal").user.id, c.req.valid("param").job_id);
      return c.body(file.text, 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${file.filename}"`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/backtests/{job_id}/plot",
      tags,
      summary:
        "Plotly figure of a completed job: price of ?ticker= (default: the most traded) with trades, equity, drawdown",
      security: bearerSecurity,
      middleware: [user],
      request: {
        params: JobParam,
        query: z.object({
          ticker: TickerSymbol.optional(),
        }),
      },
      responses: {
        200: jsonResponse(PlotlyFigureSchema, "Figure"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const me = c.get("principal").user.id;
      const figure = await jobPlot(jobs, me, c.req.valid("param").job_id, c.req.valid("query").ticker);
      return c.json(figure, 200);
    },
  );

  return app;
}
