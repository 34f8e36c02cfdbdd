/**
 * Pages of backtests: `/app/backtests` (the signed-in user's jobs and recorded runs) and `/app/backtests/:id`
 * (a job's status; once completed, its metrics, charts, monthly table, trades with reasons and exports; while
 * queued or running, live progress over `/ws/backtests/{id}` and a Cancel button). Both read through the same
 * domain operations as `routes/backtest_job_routes.ts` and `routes/dashboard_routes.ts`. The downloads
 * (`trades.csv`, `strategy.txt`, `strategy.py`) and the Cancel form are plain links and posts under `/app`, so
 * the page works without JavaScript; the page's script cancels through the public API instead.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { listDashboardBacktests, MAX_DASHBOARD_OFFSET } from "../../domain/backtest/dashboard_views.ts";
import { completedReport, jobTradesCsv } from "../../domain/backtest/job_reports.ts";
import { jobStatus } from "../../domain/backtest/job_submission.ts";
import { cancelJob, JOB_STATUSES, listJobs } from "../../domain/backtest/job_views.ts";
import { getOwnJob } from "../../domain/backtest/queued_runs.ts";
import type { BacktestReport } from "../../domain/backtest/report.ts";
import { BadRequestError, NotFoundError } from "../../domain/errors.ts";
import { toBacktraderCode } from "../../domain/strategy/backtrader/backtrader_export.ts";
import { toStrategyText } from "../../domain/strategy/strategy_text.ts";
import type { AppDeps } from "../app.ts";
import type { AppEnv } from "../app_env.ts";
import { JobList, LIST_PAGE_SIZE, SyncRunList } from "./backtest/job_list.tsx";
import { JobState } from "./backtest/job_state.tsx";
import { chartData, type ResultExports, ResultView } from "./backtest/result_tables.tsx";
import { renderNotFound, renderPage } from "./layout.tsx";
import { pageUserOf, requirePageUser } from "./page_auth.ts";
import { offsetParam } from "./paging.tsx";
import { renderBadRequest } from "./problem_pages.tsx";

/** The furthest a list page may start (each page before it is read). */
const MAX_LIST_OFFSET = 10_000;
/** Synchronous runs per page of their table. */
const RUNS_PAGE_SIZE = 20;
/** Job ids as the API accepts them (`bt_…`). */
const JOB_ID = /^[A-Za-z0-9_-]{1,64}$/;

type Status = (typeof JOB_STATUSES)[number];

const isStatus = (s: string): s is Status => (JOB_STATUSES as readonly string[]).includes(s);

/**
 * The list's query: an optional status, the jobs' offset and the synchronous runs' offset (`runs_offset`);
 * `null` when one is malformed.
 */
function listQuery(c: Context<AppEnv>): { status?: Status; offset: number; runsOffset: number } | null {
  const rawStatus = c.req.query("status") ?? "";
  if (rawStatus !== "" && !isStatus(rawStatus)) return null;
  const offset = offsetParam(c, "offset", MAX_LIST_OFFSET);
  const runsOffset = offsetParam(c, "runs_offset", MAX_DASHBOARD_OFFSET);
  if (offset === null || runsOffset === null) return null;
  return { status: rawStatus === "" ? undefined : rawStatus as Status, offset, runsOffset };
}

/** Where a job's downloads are. */
function exportsOf(id: string): ResultExports {
  const base = `/app/backtests/${encodeURIComponent(id)}`;
  return {
    csv: `${base}/trades.csv`,
    code: [
      { href: `${base}/strategy.txt`, label: "Strategy text 策略文本" },
      { href: `${base}/strategy.py`, label: "backtrader Python" },
    ],
  };
}

/** Runs `fn`, answering the 404 page for an unknown (or someone else's) job or a malformed id. */
async function ownJobPage(c: Context<AppEnv>, fn: (userId: string, id: string) => Promise<Response>) {
  const id = c.req.param("id") ?? "";
  if (!JOB_ID.test(id)) return renderNotFound(c, "This backtest");
  try {
    return await fn(pageUserOf(c).principal.user.id, id);
  } catch (e) {
    if (e instanceof NotFoundError) return renderNotFound(c, "This backtest");
    throw e;
  }
}

function download(c: Context<AppEnv>, filename: string, text: string, type: string) {
  return c.body(text, 200, {
    "Content-Type": `${type}; charset=utf-8`,
    "Content-Disposition": `attachment; filename="${filename}"`,
    "Cache-Control": "private, no-store",
  });
}

/** The router of these pages. */
export function backtestPages(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.get("/app/backtests", requirePageUser, async (c) => {
    const q = listQuery(c);
    if (!q) return renderBadRequest(c, "Unknown status or page offset.");
    const me = pageUserOf(c).principal.user.id;
    const page = await listJobs(deps.backtests, me, {
      limit: LIST_PAGE_SIZE,
      offset: q.offset,
      status: q.status,
    });
    // One more than a page: whether there are older runs.
    const runs = q.offset === 0 && !q.status
      ? await listDashboardBacktests(deps.dashboard, me, {
        limit: RUNS_PAGE_SIZE + 1,
        offset: q.runsOffset,
        kind: "synchronous",
      })
      : [];
    return renderPage(c, {
      title: "Backtests",
      zh: "回测",
      active: "backtests",
      children: (
        <>
          <p>
            Your backtests, newest first. <a href="/app/build">Build a strategy</a> to run a new one.
          </p>
          <JobList page={page} status={q.status} offset={q.offset} url={c.req.url} />
          <SyncRunList
            runs={runs.slice(0, RUNS_PAGE_SIZE)}
            offset={q.runsOffset}
            pageSize={RUNS_PAGE_SIZE}
            more={runs.length > RUNS_PAGE_SIZE}
          />
        </>
      ),
    });
  });

  app.get("/app/backtests/:id", requirePageUser, (c) =>
    ownJobPage(c, async (me, id) => {
      const job = await jobStatus(deps.backtests, me, id);
      const report: BacktestReport | null = job.status === "completed"
        ? await completedReport(deps.backtests, me, id)
        : null;
      const exports = exportsOf(id);
      return renderPage(c, {
        title: job.name,
        zh: "回测结果",
        active: "backtests",
        scripts: ["client/backtest_result.js"],
        pageData: {
          jobId: id,
          status: job.status,
          socket: `/ws/backtests/${encodeURIComponent(id)}`,
          cancel: `/api/v1/backtests/${encodeURIComponent(id)}/cancel`,
          report: `/api/v1/backtests/${encodeURIComponent(id)}/report-data`,
          job: `/api/v1/backtests/${encodeURIComponent(id)}`,
          exports,
          chart: report ? chartData(report) : null,
        },
        children: (
          <>
            <p>
              <a href="/app/backtests">← All backtests</a>
            </p>
            <JobState job={job} cancelAction={`/app/backtests/${encodeURIComponent(id)}/cancel`} />
            <div id="result">
              {report
                ? <ResultView report={report} exports={exports} />
                : job.status === "queued" || job.status === "running"
                ? <p class="muted" id="result-pending">The result appears here when the run completes.</p>
                : <p class="muted">This run has no result ({job.status}).</p>}
            </div>
          </>
        ),
      });
    }));

  app.post("/app/backtests/:id/cancel", requirePageUser, (c) =>
    ownJobPage(c, async (me, id) => {
      try {
        await cancelJob(deps.backtests, me, id);
      } catch (e) {
        // Already finished: the job's page shows how it ended.
        if (!(e instanceof BadRequestError)) throw e;
      }
      return c.redirect(`/app/backtests/${encodeURIComponent(id)}`, 303);
    }));

  // Signed in again after a signed-out Cancel: the sign-in page sends the visitor here with a GET.
  app.get(
    "/app/backtests/:id/cancel",
    requirePageUser,
    (c) =>
      ownJobPage(c, async (me, id) => {
        await getOwnJob(deps.backtests, me, id); // someone else's or unknown: the 404 page
        return c.redirect(`/app/backtests/${encodeURIComponent(id)}`, 303);
      }),
  );

  app.get("/app/backtests/:id/trades.csv", requirePageUser, (c) =>
    ownJobPage(c, async (me, id) => {
      const file = await jobTradesCsv(deps.backtests, me, id);
      return download(c, file.filename, file.text, "text/csv");
    }));

  app.get("/app/backtests/:id/strategy.txt", requirePageUser, (c) =>
    ownJobPage(c, async (me, id) => {
      const job = await getOwnJob(deps.backtests, me, id);
      return download(c, `backtest-${id}-strategy.txt`, toStrategyText(job.spec), "text/plain");
    }));

  app.get("/app/backtests/:id/strategy.py", requirePageUser, (c) =>
    ownJobPage(c, async (me, id) => {
      const job = await getOwnJob(deps.backtests, me, id);
      return download(c, `backtest-${id}-strategy.py`, toBacktraderCode(job.spec), "text/x-python");
    }));

  return app;
}
