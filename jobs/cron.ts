/** The one table of scheduled jobs (UTC cron expressions) and its registrar. */
import type { Clock } from "../domain/clock.ts";
import type { LogFn } from "../domain/log.ts";
import { getCalendar } from "../domain/calendar/calendar.ts";
import type { ExchangeCode } from "../domain/calendar/exchanges.ts";
import type { QueueMessage } from "./messages.ts";
import { type BacktestJobDeps, pollBacktestJobs } from "../domain/backtest/queued_runs.ts";
import { type DailyJobName, type DailyJobStore, runDailyJob } from "../domain/track_record/daily_tasks.ts";
import type { TrackRecordServices } from "../domain/track_record/services.ts";
import type { FactorServices } from "../domain/factors/services.ts";
import { trackFactorsOutOfSample } from "../domain/factors/os_tracking.ts";
import type { PortfolioServices } from "../domain/portfolios/services.ts";
import { checkPortfolioSignals, runPortfolioSignals } from "../domain/portfolios/portfolio_job.ts";
import type { LicenseServices } from "../domain/licenses/services.ts";
import { expireLicenses } from "../domain/licenses/license_expiry.ts";
import type { PaperServices } from "../domain/paper/paper_services.ts";
import { advanceInstances } from "../domain/paper/paper_advance.ts";

/** What cron handlers need. */
export interface CronDeps {
  queue: { enqueueHeartbeat(): Promise<void>; enqueue(message: QueueMessage): Promise<void> };
  /** Backtest jobs, for the minute sweep (absent: the sweep does nothing). */
  backtests?: BacktestJobDeps;
  /** Track-record services, for the daily settlement jobs (absent: they do nothing). */
  track?: { deps: TrackRecordServices; store: DailyJobStore };
  /** Factor services, for the 18:40 CST out-of-sample tracking (absent: it does nothing). */
  factors?: FactorServices;
  /** Multi-factor portfolios, for the 09:00 signal job and its 09:16 check (absent: they do nothing). */
  portfolios?: PortfolioServices;
  /** QuantOS licences, for the 00:10 UTC expiry job (absent: it does nothing). */
  licenses?: LicenseServices;
  /** Paper-trading instances, for the advance after each market's close (absent: it does nothing). */
  paper?: PaperServices;
  clock: Clock;
  log: LogFn;
}

/** A scheduled job: a kebab-case name, a UTC schedule, and what it does. */
export interface CronJob {
  name: string;
  schedule: string;
  run: (deps: CronDeps) => Promise<void>;
}

/**
 * Enqueues the refresh of `exchange` for the session that just closed; on a day the exchange did not trade,
 * nothing is enqueued. Crypto refreshes the previous UTC day.
 */
export async function enqueueMarketRefresh(deps: CronDeps, exchange: ExchangeCode): Promise<void> {
  const cal = getCalendar(exchange);
  const now = deps.clock.now();
  const date = exchange === "CRYPTO" ? cal.latestCompletedTradingDay(now) : cal.today(now);
  if (!cal.isTradingDay(date)) {
    deps.log("info", "market refresh skipped: not a trading day", { exchange, date });
    return;
  }
  await deps.queue.enqueue({ type: "market.refresh", id: `refresh:${exchange}:${date}`, exchange, date });
}

/**
 * Runs a daily track-record job for today's date in Asia/Shanghai. The job itself skips non-trading days and
 * is idempotent, so it runs in the cron handler rather than through the queue (it works the same on platforms
 * without queues, and a second isolate running it at the same minute writes nothing twice).
 */
async function runTrackJob(deps: CronDeps, name: DailyJobName): Promise<void> {
  if (!deps.track) return;
  const date = getCalendar("SSE").today(deps.clock.now());
  const result = await runDailyJob(deps.track.deps, deps.track.store, name, date);
  deps.log("info", "daily job ran", {
    job: name,
    date,
    summary: JSON.stringify(result.summary).slice(0, 500),
  });
}

/** Tracks active factors out of sample for today in Asia/Shanghai (the operation skips non-trading days). */
async function runFactorOsTracking(deps: CronDeps): Promise<void> {
  if (!deps.factors) return;
  const date = getCalendar("SSE").today(deps.clock.now());
  const summary = await trackFactorsOutOfSample(deps.factors, date);
  deps.log("info", "daily job ran", {
    job: "factor-os-tracking",
    date,
    summary: JSON.stringify(summary).slice(0, 500),
  });
}

/** Runs the portfolio signal job (or, with `check`, the 09:16 missed-signal check) for now, and logs its summary. */
async function runPortfolioJob(deps: CronDeps, check: boolean): Promise<void> {
  if (!deps.portfolios) return;
  const now = deps.clock.now();
  const summary = check
    ? await checkPortfolioSignals(deps.portfolios, now)
    : await runPortfolioSignals(deps.portfolios, now);
  deps.log("info", check ? "portfolio signal check ran" : "portfolio signals ran", {
    summary: JSON.stringify(summary).slice(0, 500),
  });
}

/**
 * Advances the running paper instances trading on `exchanges` through the latest session their exchanges have
 * closed (the operation takes today's date, UTC, and never goes past a close), and logs its summary.
 */
async function runPaperAdvance(deps: CronDeps, exchanges: ExchangeCode[]): Promise<void> {
  if (!deps.paper) return;
  const summary = await advanceInstances(deps.paper, { exchanges });
  deps.log("info", "paper advance ran", {
    exchanges: exchanges.join(","),
    summary: JSON.stringify(summary).slice(0, 500),
  });
}

/** Every scheduled job of the service. */
export const CRON_JOBS: readonly CronJob[] = [
  {
    name: "queue-heartbeat",
    schedule: "*/5 * * * *",
    run: (deps) => deps.queue.enqueueHeartbeat(),
  },
  // After each market's close (UTC): SSE 15:00 CST = 07:00Z; IDX 16:00 WIB = 09:00Z; NSE 15:30 IST = 10:00Z;
  // NYSE 16:00 ET = 20:00Z (EDT) or 21:00Z (EST): 21:30Z is after the close all year.
  // Every minute: run queued jobs (poll mode) and take over jobs whose worker died (both modes).
  {
    name: "backtest-sweep",
    schedule: "* * * * *",
    run: async (deps) => {
      if (deps.backtests) await pollBacktestJobs(deps.backtests);
    },
  },
  { name: "market-refresh-sse", schedule: "30 7 * * 1-5", run: (deps) => enqueueMarketRefresh(deps, "SSE") },
  { name: "market-refresh-idx", schedule: "30 9 * * 1-5", run: (deps) => enqueueMarketRefresh(deps, "IDX") },
  { name: "market-refresh-nse", schedule: "30 10 * * 1-5", run: (deps) => enqueueMarketRefresh(deps, "NSE") },
  {
    name: "market-refresh-nyse",
    schedule: "30 21 * * 1-5",
    run: (deps) => enqueueMarketRefresh(deps, "NYSE"),
  },
  // Track records (Asia/Shanghai = UTC+8): 09:10 attestPending (signals still waiting for the log or GitHub),
  // 18:15 attestPending then settle, 18:30 evaluations, 18:45 watchdog.
  {
    name: "retry-attestations",
    schedule: "10 1 * * *",
    run: (deps) => runTrackJob(deps, "retry-attestations"),
  },
  { name: "settle-signals", schedule: "15 10 * * *", run: (deps) => runTrackJob(deps, "settle-signals") },
  {
    name: "recompute-evaluations",
    schedule: "30 10 * * *",
    run: (deps) => runTrackJob(deps, "recompute-evaluations"),
  },
  // 18:40 CST: out-of-sample ICs of active factors (after settlement, before the watchdog).
  { name: "factor-os-tracking", schedule: "40 10 * * *", run: runFactorOsTracking },
  { name: "watchdog", schedule: "45 10 * * *", run: (deps) => runTrackJob(deps, "watchdog") },
  // Multi-factor portfolios (Asia/Shanghai = UTC+8): 09:00 generate and submit every active portfolio's signal,
  // 09:05 and 09:12 retry what is not submitted yet (before the 09:15 open deadline), 09:16 mark the rest
  // missed and alert their owners. Each skips days the SSE does not trade.
  { name: "portfolio-signals", schedule: "0 1 * * *", run: (deps) => runPortfolioJob(deps, false) },
  { name: "portfolio-signals-retry-1", schedule: "5 1 * * *", run: (deps) => runPortfolioJob(deps, false) },
  { name: "portfolio-signals-retry-2", schedule: "12 1 * * *", run: (deps) => runPortfolioJob(deps, false) },
  { name: "portfolio-signals-check", schedule: "16 1 * * *", run: (deps) => runPortfolioJob(deps, true) },
  // 00:10 UTC: licences are valid through the end of their expires day in UTC; expired ones go back to free.
  {
    name: "license-expiry",
    schedule: "10 0 * * *",
    run: async (deps) => {
      if (!deps.licenses) return;
      const summary = await expireLicenses(deps.licenses);
      deps.log("info", "daily job ran", {
        job: "license-expiry",
        date: summary.date,
        summary: JSON.stringify(summary),
      });
    },
  },
  // Paper instances after each market's close and its bar refresh (UTC): SSE/SZSE 08:30, IDX 10:00, NSE 11:00,
  // NYSE 22:30 (Mon–Fri), crypto 00:30 daily. Each advances only the instances trading there; missed days are
  // caught up in order by the next run.
  {
    name: "paper-advance-sse",
    schedule: "30 8 * * 1-5",
    run: (deps) => runPaperAdvance(deps, ["SSE", "SZSE"]),
  },
  { name: "paper-advance-idx", schedule: "0 10 * * 1-5", run: (deps) => runPaperAdvance(deps, ["IDX"]) },
  { name: "paper-advance-nse", schedule: "0 11 * * 1-5", run: (deps) => runPaperAdvance(deps, ["NSE"]) },
  { name: "paper-advance-nyse", schedule: "30 22 * * 1-5", run: (deps) => runPaperAdvance(deps, ["NYSE"]) },
  { name: "paper-advance-crypto", schedule: "30 0 * * *", run: (deps) => runPaperAdvance(deps, ["CRYPTO"]) },
  {
    name: "market-refresh-crypto",
    schedule: "15 0 * * *",
    run: (deps) => enqueueMarketRefresh(deps, "CRYPTO"),
  },
];

/** The shape of `Deno.cron`, injectable for tests. */
export type CronFn = (name: string, schedule: string, handler: () => Promise<void>) => unknown;

/**
 * Registers every job of `CRON_JOBS` with `cron` (default `Deno.cron`); failures are logged, not thrown. Returns the
 * names registered, in order.
 */
export function registerCronJobs(deps: CronDeps, cron: CronFn = Deno.cron): string[] {
  const registered: string[] = [];
  for (const job of CRON_JOBS) {
    cron(job.name, job.schedule, async () => {
      try {
        await job.run(deps);
      } catch (e) {
        deps.log("error", "cron job failed", {
          job: job.name,
          error: e instanceof Error ? e.message : String(e),
        });
      }
    });
    registered.push(job.name);
  }
  return registered;
}
