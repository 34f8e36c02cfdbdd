/** Queued backtests: submit (202), list, status/report, cancel, equity, report-data and trades.csv. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { tierInfo } from "../domain/auth/tiers.ts";
import {
  type BacktestJobDeps,
  cancelBacktestJob,
  getOwnJob,
  listOwnJobs,
  submitBacktestJob,
} from "../domain/backtest/jobs.ts";
import { tradesToCsv } from "../domain/backtest/trades_csv.ts";
import { plotFigure } from "../domain/backtest/plot.ts";
import type { BacktestReport } from "../domain/backtest/report.ts";
import { fromDayNumber } from "../domain/calendar/dates.ts";
import type { RateRule } from "../domain/config.ts";
import { NotFoundError, RateLimitError } from "../domain/errors.ts";
import type { BacktestJobRecord } from "../domain/store/backtest_job_repo.ts";
import { newRouter } from "./app_env.ts";
import {
  oneStrategySource,
  resolveSpec,
  sourceLoc,
  type SpecSources,
  StrategySources,
} from "./backtest_routes.ts";
import { assertWithinExpressionBudget, estimateBacktestCost } from "../domain/backtest/run_backtest.ts";
import { getOwnVersion, type LibraryDeps } from "../domain/strategy/library.ts";
import { requireAuth } from "./middleware/auth.ts";
import {
  BacktestSummarySchema,
  JobTradeSchema,
  PlotlyFigureSchema,
  StoredReportSchema,
} from "./schemas/backtest.ts";
import {
  bearerSecurity,
  documentedAs,
  errorResponses,
  jsonBody,
  jsonResponse,
  pageOf,
  safeText,
} from "./schemas/common.ts";

const tags = ["backtests"];

/** `true` when any strategy field is present. */
const hasAnySource = (b: SpecSources) =>
  b.spec !== undefined || b.blueprint !== undefined || b.config !== undefined ||
  b.strategy_code !== undefined;
const JOB_STATUSES = ["queued", "running", "completed", "failed", "cancelled"] as const;

const SubmitBody = z.strictObject({
  ...StrategySources,
  library_id: safeText({ min: 1, max: 64, trim: false }).optional().openapi({
    description: "Run a saved strategy of mine",
  }),
  version: z.number().int().min(1).optional().openapi({ description: "Its version (default: latest)" }),
  experiment_name: safeText({ min: 1, max: 200 }).optional(),
  priority: z.number().int().min(0).max(10).default(0),
}).refine(
  (b) => (b.library_id !== undefined ? !oneStrategySource(b) && !hasAnySource(b) : oneStrategySource(b)),
  {
    message: "Give exactly one of spec, blueprint, config, strategy_code or library_id",
  },
)
  .openapi("BacktestJobSubmit");

const JobParam = z.object({
  id: z.string().min(1).max(64).openapi({
    param: { name: "id", in: "path" },
    example: "bt_01jd0m6qvh3x8k2c9n4p",
  }),
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
  metrics: documentedAs(BacktestSummarySchema).nullable(),
  equity_curve: z.array(
    z.object({ timestamp: z.string(), portfolio_value: z.number(), benchmark_value: z.number().nullable() }),
  )
    .nullable(),
  trades: z.array(documentedAs(JobTradeSchema)).nullable(),
  links: JobLinks,
}).openapi("BacktestJob");

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const links = (id: string) => ({
  self: `/api/v1/backtests/${id}`,
  cancel: `/api/v1/backtests/${id}/cancel`,
  report: `/api/v1/backtests/${id}/report-data`,
  equity: `/api/v1/backtests/${id}/equity`,
  trades_csv: `/api/v1/backtests/${id}/trades.csv`,
});

function summaryOf(j: BacktestJobRecord) {
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
    created_at: new Date(j.created_at).toISOString(),
  };
}

type Report = {
  summary: Record<string, unknown>;
  trades: Record<string, unknown>[];
  dailyPortfolio: Record<string, unknown>[];
  spec: { benchmarks: string[] };
};

function equityCurve(report: Report) {
  const bench = report.spec.benchmarks[0];
  return report.dailyPortfolio.map((d) => ({
    timestamp: String(d.date),
    portfolio_value: Number(d.portfolioValue),
    benchmark_value: bench && d[`${bench}Normalized`] != null ? Number(d[`${bench}Normalized`]) : null,
  }));
}

/** Builds the queued-backtest router. */
export function backtestJobRoutes(
  auth: AuthDeps,
  jobs: BacktestJobDeps,
  library: LibraryDeps,
  opts: { rate: RateRule; maxExpressionCost: number },
) {
  const app = newRouter();
  const user = requireAuth(auth);
  const completedReport = async (userId: string, id: string): Promise<Report> => {
    const job = await getOwnJob(jobs, userId, id);
    const report = job.status === "completed" ? await jobs.jobs.getReport(id) : null;
    if (!report) throw new NotFoundError(`Backtest "${id}" has no report (status: ${job.status})`);
    return report as Report;
  };

  app.openapi(
    createRoute({
      method: "post",
      path: "/backtests",
      tags,
      summary: "Queue a backtest (spec, blueprint, config or strategy text) → 202 with the job id",
      security: bearerSecurity,
      middleware: [user],
      request: { body: jsonBody(SubmitBody) },
      responses: {
        202: jsonResponse(
          z.object({
            job_id: z.string(),
            status: z.literal("queued"),
            links: JobLinks,
          }),
          "Queued",
        ),
        ...errorResponses(401, 403, 422, 429),
      },
    }),
    async (c) => {
      const me = c.get("principal").user;
      await auth.limiter.consume("backtest_submit_user", me.id, opts.rate);
      await auth.limiter.consume("backtest_submit_ip", c.get("clientIp"), opts.rate);
      const body = c.req.valid("json");
      const fromLibrary = body.library_id
        ? await getOwnVersion(library, me.id, body.library_id, body.version)
        : null;
      const spec = fromLibrary ? fromLibrary.spec : resolveSpec(body);
      // Refused at submission, before a job exists, when its rules are over the expression budget.
      assertWithinExpressionBudget(
        await estimateBacktestCost(spec, jobs.market, me.id),
        opts.maxExpressionCost,
        fromLibrary ? ["body", "library_id"] : sourceLoc(body),
        "this strategy",
        "MAX_JOB_EXPRESSION_COST",
      );
      const cap = tierInfo(me.tier).limits.max_active_backtests;
      const active = (await jobs.jobs.listByUser(me.id, { limit: 200, offset: 0 })).items
        .filter((j) => j.status === "queued" || j.status === "running").length;
      if (active >= cap) {
        throw new RateLimitError(`Too many active backtests: the ${me.tier} tier allows ${cap} at once`, 30);
      }
      const job = await submitBacktestJob(jobs, me.id, spec, {
        experimentName: body.experiment_name,
        priority: body.priority,
        libraryId: fromLibrary?.strategy_id ?? null,
        libraryVersion: fromLibrary?.version ?? null,
      });
      return c.json({ job_id: job.id, status: "queued" as const, links: links(job.id) }, 202);
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
      const q = c.req.valid("query");
      const page = await listOwnJobs(
        jobs,
        c.get("principal").user.id,
        { limit: q.limit, offset: q.offset },
        q.status,
      );
      return c.json({ ...page, items: page.items.map(summaryOf) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/backtests/{id}",
      tags,
      summary: "Status and progress; when completed, metrics, equity curve and trades",
      security: bearerSecurity,
      middleware: [user],
      request: { params: JobParam },
      responses: { 200: jsonResponse(JobDetail, "Job"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => {
      const me = c.get("principal").user.id;
      const job = await getOwnJob(jobs, me, c.req.valid("param").id);
      const report = job.status === "completed" ? (await jobs.jobs.getReport(job.id)) as Report | null : null;
      return c.json({
        ...summaryOf(job),
        progress: job.progress,
        current_date: job.current_date,
        trades_executed: job.trades_executed,
        error: job.error,
        cancel_requested: job.cancel_requested,
        started_at: iso(job.started_at),
        finished_at: iso(job.finished_at),
        metrics: report?.summary ?? null,
        equity_curve: report ? equityCurve(report) : null,
        trades: report
          ? report.trades.map((t, i) => ({
            id: i + 1,
            timestamp: t.date,
            asset: t.ticker,
            action: t.action,
            price: t.price,
            quantity: t.quantity,
            reasoning: t.reason,
            confidence: null,
          }))
          : null,
        links: links(job.id),
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/backtests/{id}/cancel",
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
      const job = await cancelBacktestJob(jobs, c.get("principal").user.id, c.req.valid("param").id);
      return c.json(summaryOf(job), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/backtests/{id}/report-data",
      tags,
      summary: "The full report of a completed job",
      security: bearerSecurity,
      middleware: [user],
      request: { params: JobParam },
      responses: {
        200: jsonResponse(documentedAs(StoredReportSchema), "Report"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => c.json(await completedReport(c.get("principal").user.id, c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/backtests/{id}/equity",
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
    async (c) => {
      const report = await completedReport(c.get("principal").user.id, c.req.valid("param").id);
      return c.json({ equity_curve: equityCurve(report) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/backtests/{id}/trades.csv",
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
      const id = c.req.valid("param").id;
      const report = await completedReport(c.get("principal").user.id, id);
      return c.body(tradesToCsv(report.trades), 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="backtest-${id}-trades.csv"`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/backtests/{id}/plot",
      tags,
      summary:
        "Plotly figure of a completed job: price of ?ticker= (default: the most traded) with trades, equity, drawdown",
      security: bearerSecurity,
      middleware: [user],
      request: {
        params: JobParam,
        query: z.object({
          ticker: z.string().min(1).max(32).regex(/^[A-Za-z0-9._^=-]+$/, "Not a symbol").optional(),
        }),
      },
      responses: {
        200: jsonResponse(documentedAs(PlotlyFigureSchema), "Figure"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const me = c.get("principal").user.id;
      const id = c.req.valid("param").id;
      const report = await completedReport(me, id) as unknown as BacktestReport;
      const counts = new Map<string, number>();
      for (const t of report.trades) counts.set(String(t.ticker), (counts.get(String(t.ticker)) ?? 0) + 1);
      const ticker = c.req.valid("query").ticker ?? [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ??
        report.spec.universe.tickers?.[0];
      if (!ticker) throw new NotFoundError(`Backtest "${id}" has no trades to plot: name a ?ticker=`);
      const bars = await jobs.market.getBars(ticker, report.spec.start, report.spec.end, me);
      if (!bars) throw new NotFoundError(`Unknown symbol "${ticker}"`);
      const prices = { dates: Array.from(bars.days, fromDayNumber), close: Array.from(bars.close) };
      return c.json(plotFigure(report, ticker, prices), 200);
    },
  );

  return app;
}
