/**
 * The daily jobs of the verified-track-record area, runnable for any date (by cron, or by an admin):
 * settle (18:15 CST, after `attestPending`), recompute evaluations (18:30), watchdog (18:45), and
 * `attestPending` for signals still waiting for the log or GitHub (09:10).
 * Each is idempotent, so running one twice for a date changes nothing.
 */
import { getCalendar } from "../calendar/calendar.ts";
import { BadRequestError } from "../errors.ts";
import { attestPending } from "./signals/attest_pending.ts";
import type { TrackRecordServices } from "./services.ts";
import { notifyUser } from "../support/notifications.ts";
import { performanceOfRecord } from "./public_record.ts";
import { settleAll, type SettleOutcome } from "./settlement/settle.ts";

/** Names of the daily jobs, as used by cron and `POST /admin/jobs/{name}/run`. */
export const DAILY_JOB_NAMES = [
  "settle-signals",
  "recompute-evaluations",
  "watchdog",
  "retry-attestations",
] as const;
/** A daily job name. */
export type DailyJobName = typeof DAILY_JOB_NAMES[number];

/** What a daily job run reports; the shape depends on the job. */
export type DailyJobSummary =
  | Awaited<ReturnType<typeof settleAll>>
  | { date: string; skipped: string }
  | Awaited<ReturnType<typeof runWatchdog>>
  | Awaited<ReturnType<typeof retryAttestations>>
  | Awaited<ReturnType<typeof recomputeEvaluations>>;

/** What the watchdog stores when a strategy lacks a NAV for a date. */
export interface WatchdogAlert {
  date: string;
  missing: { slug: string; last_settled: string | null }[];
  raised_at: number;
}

/** Storage the jobs need beyond `TrackRecordServices`. */
export interface DailyJobStore {
  putAlert(alert: WatchdogAlert): Promise<void>;
  latestAlert(): Promise<WatchdogAlert | null>;
  putEvaluation(slug: string, evaluation: unknown): Promise<void>;
  recordRun(
    name: DailyJobName,
    run: { date: string; started_at: number; finished_at: number; summary: unknown },
  ): Promise<void>;
}

const sse = getCalendar("SSE");

/** Every active or paused strategy whose record should include `date` but does not. */
async function strategiesMissingNav(deps: TrackRecordServices, date: string) {
  const missing: { slug: string; owner_id: string; last_settled: string | null }[] = [];
  for (const s of await deps.strategies.listAll()) {
    if (s.status !== "active" && s.status !== "paused") continue;
    if (!s.start_date || s.start_date > date) continue;
    const head = await deps.settlements.head(s.slug);
    if (!head || head.date < date) {
      missing.push({ slug: s.slug, owner_id: s.owner_id, last_settled: head?.date ?? null });
    }
  }
  return missing;
}

/** Checks every active strategy has `date`'s NAV; notifies owners and stores an admin alert otherwise. */
async function runWatchdog(deps: TrackRecordServices, store: DailyJobStore, date: string) {
  const missing = await strategiesMissingNav(deps, date);
  for (const m of missing) {
    await notifyUser(deps.notifications, m.owner_id, {
      kind: "nav_missing",
      title: `No NAV for ${m.slug} on ${date}`,
      body:
        `Settlement has not recorded ${date} for "${m.slug}" (last settled: ${m.last_settled ?? "never"}). ` +
        "The platform will fill the gap on the next settlement run; no action is needed unless this repeats.",
      link: deps.links.publicRecord(m.slug),
    });
  }
  await store.putAlert({
    date,
    missing: missing.map((m) => ({ slug: m.slug, last_settled: m.last_settled })),
    raised_at: deps.clock.now(),
  });
  return { date, checked_missing: missing.length, missing: missing.map((m) => m.slug) };
}

/**
 * The 09:10 run of `attestPending`: logs every signal version still waiting for the transparency log and commits
 * every signal still waiting for GitHub. Answers how many GitHub commits succeeded and failed.
 */
async function retryAttestations(deps: TrackRecordServices) {
  const { committed, failed } = await attestPending(deps);
  return { committed, failed };
}

/** Recomputes and stores each tracked strategy's evaluation metrics. */
async function recomputeEvaluations(deps: TrackRecordServices, store: DailyJobStore, date: string) {
  let count = 0;
  for (const s of await deps.strategies.listAll()) {
    if (s.status === "pending") continue;
    const navs = await deps.settlements.navSeries(s.slug);
    if (navs.length === 0) continue;
    const perf = performanceOfRecord(navs, s.initial_capital);
    const { rolling_excess_sharpe: _rolling, ...metrics } = perf;
    await store.putEvaluation(s.slug, { ...metrics, as_of: navs[navs.length - 1].date, computed_for: date });
    count++;
  }
  return { evaluated: count };
}

/**
 * Runs one daily job for `date` (a `YYYY-MM-DD` in Asia/Shanghai). Settlement and the watchdog do nothing on a
 * day the SSE did not trade.
 */
export async function runDailyJob(
  deps: TrackRecordServices,
  store: DailyJobStore,
  name: DailyJobName,
  date: string,
) {
  if (!(DAILY_JOB_NAMES as readonly string[]).includes(name)) {
    throw new BadRequestError(`Unknown job "${name}"`);
  }
  const started = deps.clock.now();
  let summary: DailyJobSummary;
  const trading = sse.isTradingDay(date);
  switch (name) {
    case "settle-signals":
      if (trading) {
        // Settlement reads signals as they are; whatever a submission left pending is logged first.
        await attestPending(deps);
        summary = await settleAll(deps, date);
      } else summary = { date, skipped: "not an SSE trading day" };
      break;
    case "watchdog":
      summary = trading ? await runWatchdog(deps, store, date) : { date, skipped: "not an SSE trading day" };
      break;
    case "retry-attestations":
      summary = await retryAttestations(deps);
      break;
    case "recompute-evaluations":
      summary = await recomputeEvaluations(deps, store, date);
      break;
  }
  await store.recordRun(name, {
    date,
    started_at: started,
    finished_at: deps.clock.now(),
    summary: name === "settle-signals" ? compactSettleSummary(summary) : summary,
  });
  return { job: name, date, summary };
}

/** Failed outcomes kept in a stored settlement run (the whole list can outgrow a KV value at scale). */
export const STORED_FAILURES = 100;

/**
 * What a settlement run stores about itself: counts by status, days written, and the first `STORED_FAILURES`
 * failures — not one outcome per strategy, which for thousands of strategies exceeds KV's 64 KiB value limit.
 */
export function compactSettleSummary(summary: unknown): unknown {
  const outcomes = (summary as { outcomes?: SettleOutcome[] }).outcomes;
  if (!Array.isArray(outcomes)) return summary;
  const by_status: Record<string, number> = {};
  let days_written = 0;
  for (const o of outcomes) {
    by_status[o.status] = (by_status[o.status] ?? 0) + 1;
    days_written += o.days.length;
  }
  const failed = outcomes.filter((o) => o.status === "failed");
  return {
    date: (summary as { date?: string }).date,
    strategies: outcomes.length,
    by_status,
    days_written,
    failed: failed.slice(0, STORED_FAILURES),
    failed_not_stored: Math.max(0, failed.length - STORED_FAILURES),
  };
}
