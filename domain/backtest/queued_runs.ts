/**
 * Backtest jobs: submit (record + queue message in one commit), run (claim atomically, simulate in slices that
 * yield to the event loop, write progress at least every 250 ms, stop within one slice when cancelled, store the
 * report), cancel, list and read. Delivery is at least once: a message for a finished job does nothing, and a
 * running job whose worker died (lease passed) is claimed again and run from the start.
 * Poison pills end: a job claimed `maxAttempts` times without finishing (its worker died or hung each time) is
 * marked `failed` with the reason instead of running again; an attempt past its wall-clock budget (`maxRunMs`,
 * data loading included) stops and fails; a cancel asked of a job whose worker died ends it at once; while data
 * loads the runner yields, renews its lease and reads the cancel flag between symbols.
 *
 * Turns: with `runningCapOf`, at most that many jobs of one user run at once; the user's other queued jobs wait
 * their turn — higher `priority` first, then oldest first (by id within one millisecond) — and a delivery of a job whose turn has not come
 * answers `"busy"` (the queue delivers it again; the minute sweep picks up any whose redeliveries ran out). The
 * turn is decided under a per-process lock, so one process never starts more; two worker processes claiming at
 * the same instant may briefly run one more.
 */
import { type Clock, monotonicMs, yieldToEventLoop } from "../clock.ts";
import { newId } from "../tokens_and_hashes.ts";
import { BadRequestError, NotFoundError } from "../errors.ts";
import type { MarketData } from "../market/types.ts";
import type { BacktestJobRecord, BacktestJobRepo, JobStatus } from "../store/backtest_job_repo.ts";
import type { Page, PageRequest } from "../store/kv.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { BacktestCancelledError, type BacktestProgress, runBacktest } from "./run_backtest.ts";
import type { IntegerAliasRepo } from "../store/integer_alias_repo.ts";
import { liveFromEngine, liveFromReport, type LiveTrade, liveTradeMessages } from "./live_trades.ts";

/** How long a claim lasts without a progress write before another worker may take the job over. */
export const JOB_LEASE_MS = 60_000;
/** Progress is written at least this often (wall time) while a job runs; the cancel flag is read every slice. */
const PROGRESS_INTERVAL_MS = 250;
/** Simulated trading days between two yields to the event loop. */
const SLICE_DAYS = 20;
/** While data loads, the runner yields to the event loop at least this often (wall time). */
const LOAD_YIELD_MS = 50;
/** Default wall-clock budget of one attempt (`BACKTEST_JOB_MAX_SECONDS`). */
export const DEFAULT_JOB_MAX_MS = 900_000;
/** Default number of claims a job gets before it is failed as a poison pill (`BACKTEST_JOB_MAX_ATTEMPTS`). */
const DEFAULT_JOB_MAX_ATTEMPTS = 3;

/** What the job service needs. */
export interface BacktestJobDeps {
  jobs: BacktestJobRepo;
  market: MarketData;
  clock: Clock;
  /** Largest job (symbols × bars) accepted. */
  maxJobSymbolBars: number;
  /** Most jobs running at once in this process. */
  semaphore: Semaphore;
  /**
   * How jobs reach a worker: `queue` (kv.enqueue + listenQueue, the default) or `poll` (the active-job table,
   * swept by `pollBacktestJobs` from a loop and a one-minute cron — for platforms without queues).
   */
  mode?: "queue" | "poll";
  /** Wall-clock budget (ms, by `clock`) of one attempt, data loading included; default `DEFAULT_JOB_MAX_MS`. */
  maxRunMs?: number;
  /** Claims a job gets; default `DEFAULT_JOB_MAX_ATTEMPTS`. */
  maxAttempts?: number;
  /** How many jobs of a user may run at once (their tier's); absent: no per-user limit. */
  runningCapOf?: (userId: string) => Promise<number>;
  /** Integer ids of jobs (kind `backtest`), carried by the live trade messages; absent: `backtest_id` null. */
  aliases?: Pick<IntegerAliasRepo, "aliasFor">;
}

/** Most active jobs of one user looked at when deciding turns (submission keeps far fewer waiting). */
export const ACTIVE_JOBS_SCAN = 500;

/** Where a queued job stands among its owner's active jobs. */
export interface QueueStanding {
  /** 1-based place among the owner's queued jobs, in turn order (higher priority first, then oldest first). */
  position: number;
  /** The owner's jobs running now. */
  running: number;
  /** How many of the owner's jobs may run at once; `null` when unlimited. */
  max_running: number | null;
  /** `true` when the job may start as soon as a worker takes it. */
  may_start: boolean;
}

/** Turn order of queued jobs: higher priority first, then oldest first. */
const byTurn = (a: BacktestJobRecord, b: BacktestJobRecord) =>
  b.priority - a.priority || a.created_at - b.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Where queued `job` stands among its owner's active jobs (`null` once it is no longer queued). */
export async function queueStanding(
  deps: BacktestJobDeps,
  job: BacktestJobRecord,
): Promise<QueueStanding | null> {
  if (job.status !== "queued") return null;
  const active = await deps.jobs.listActiveByUser(job.user_id, ACTIVE_JOBS_SCAN);
  const running = active.filter((j) => j.status === "running").length;
  const queued = active.filter((j) => j.status === "queued");
  if (!queued.some((j) => j.id === job.id)) queued.push(job);
  queued.sort(byTurn);
  const position = queued.findIndex((j) => j.id === job.id) + 1;
  const cap = deps.runningCapOf ? await deps.runningCapOf(job.user_id) : null;
  return { position, running, max_running: cap, may_start: cap === null || running + position - 1 < cap };
}

/** One claim at a time per job repository in this process, so turns are decided on settled counts. */
const claimLocks = new WeakMap<BacktestJobRepo, Semaphore>();
function claimLock(deps: BacktestJobDeps): Semaphore {
  let lock = claimLocks.get(deps.jobs);
  if (!lock) claimLocks.set(deps.jobs, lock = createSemaphore(1));
  return lock;
}

/** The attempt ran past its wall-clock budget. */
class BacktestTimeoutError extends Error {}

/**
 * Redelivery delays (ms) of a job's queue message: a delivery that finds the job held by a live lease is retried
 * until the lease (60 s) has run out.
 */
export const JOB_BACKOFF_MS = [5_000, 30_000, 60_000, 120_000, 300_000];

/** The queue message that runs a job; `id` is `run:<job id>`. */
export function runMessage(jobId: string) {
  return { type: "backtest.run" as const, id: `run:${jobId}`, job_id: jobId };
}

/** Creates a job for `userId` and enqueues it. */
export async function submitBacktestJob(
  deps: BacktestJobDeps,
  userId: string,
  spec: StrategySpec,
  opts: {
    experimentName?: string | null;
    priority?: number;
    libraryId?: string | null;
    libraryVersion?: number | null;
  } = {},
): Promise<BacktestJobRecord> {
  const now = deps.clock.now();
  const job: BacktestJobRecord = {
    id: newId("bt", now),
    user_id: userId,
    name: spec.name,
    status: "queued",
    spec,
    experiment_name: opts.experimentName ?? null,
    library_id: opts.libraryId ?? null,
    library_version: opts.libraryVersion ?? null,
    priority: opts.priority ?? 0,
    progress: 0,
    current_date: null,
    trades_executed: 0,
    cancel_requested: false,
    attempt: 0,
    lease_until: null,
    error: null,
    summary: null,
    created_at: now,
    started_at: null,
    finished_at: null,
    updated_at: now,
  };
  if (deps.mode === "poll") await deps.jobs.create(job);
  else await deps.jobs.create(job, runMessage(job.id), JOB_BACKOFF_MS);
  return job;
}

const FINISHED: readonly JobStatus[] = ["completed", "failed", "cancelled"];

/**
 * Runs a job once claimed. A delivery for a finished (or missing) job returns `"skipped"`; one for a job another
 * worker holds a live lease on, or one whose turn has not come (see "Turns" above), returns `"busy"` — the queue
 * should deliver it again later, so that a job whose worker died is taken over once the lease runs out.
 */
export async function runBacktestJob(
  deps: BacktestJobDeps,
  jobId: string,
): Promise<JobStatus | "skipped" | "busy"> {
  const release = await deps.semaphore.acquire();
  try {
    const maxAttempts = deps.maxAttempts ?? DEFAULT_JOB_MAX_ATTEMPTS;
    const maxRunMs = deps.maxRunMs ?? DEFAULT_JOB_MAX_MS;
    let claimed = false;
    let busy = false;
    let ended: JobStatus | null = null;
    const claimJob = async (): Promise<BacktestJobRecord | null> => {
      const seen = await deps.jobs.get(jobId);
      if (seen?.status === "queued" && !seen.cancel_requested && deps.runningCapOf) {
        const standing = await queueStanding(deps, seen);
        if (standing && !standing.may_start) {
          busy = true; // not its turn yet: its owner's earlier jobs hold every running slot
          return null;
        }
      }
      return await deps.jobs.update(jobId, (j) => {
        claimed = false; // the change may be re-applied after a lost race: decide afresh each time
        ended = null;
        const now = deps.clock.now();
        const takeOver = j.status === "running" && (j.lease_until ?? 0) < now;
        busy = j.status === "running" && !takeOver;
        if (j.status !== "queued" && !takeOver) return null;
        const end = (status: JobStatus, error: string | null): BacktestJobRecord => {
          ended = status;
          return { ...j, status, error, lease_until: null, finished_at: now, updated_at: now };
        };
        // Cancelled while its worker was dead: it stops here rather than running again.
        if (j.cancel_requested) return end("cancelled", null);
        if (j.attempt >= maxAttempts) {
          return end(
            "failed",
            `Gave up after ${j.attempt} attempt${j.attempt === 1 ? "" : "s"} that did not finish ` +
              "(the worker stopped, hung or ran out of time each time); it will not run again",
          );
        }
        claimed = true;
        return {
          ...j,
          status: "running",
          attempt: j.attempt + 1,
          started_at: now,
          lease_until: now + JOB_LEASE_MS,
          progress: 0,
          current_date: null,
          trades_executed: 0,
          updated_at: now,
        };
      }).catch((e) => {
        if (e instanceof NotFoundError) return null;
        throw e;
      });
    };
    const unlock = await claimLock(deps).acquire();
    const job = await claimJob().finally(unlock);
    if (ended) return ended;
    if (!job || !claimed) return busy ? "busy" : "skipped";
    const attempt = job.attempt;
    const startedAt = deps.clock.now();
    const checkBudget = () => {
      if (deps.clock.now() - startedAt > maxRunMs) {
        throw new BacktestTimeoutError(
          `Stopped after running past its time budget of ${Math.round(maxRunMs / 1000)} s`,
        );
      }
    };
    let lastWrite = -Infinity, lastLoadWrite = -Infinity;
    // Trades go live to the owner's sockets with the progress write that follows them (same commit).
    const backtestId = deps.aliases ? await deps.aliases.aliasFor("backtest", jobId) : null;
    let streamed = 0;
    let unsent: LiveTrade[] = [];
    const takeLive = (trades: LiveTrade[]) => {
      const live = {
        entryId: `${jobId}:${attempt}:${streamed + 1}`,
        events: liveTradeMessages(jobId, backtestId, streamed + 1, trades),
      };
      streamed += trades.length;
      return live;
    };
    /** Writes `p` (if any) and the trades not yet sent, renews the lease and reads the flags; `false`: stop. */
    const stillWanted = async (p: BacktestProgress | null): Promise<boolean> => {
      const now = deps.clock.now();
      const live = unsent.length > 0 ? takeLive(unsent) : undefined;
      unsent = [];
      const current = await deps.jobs.update(
        jobId,
        (j) =>
          j.attempt !== attempt || j.status !== "running"
            ? null
            : { ...j, ...(p ?? {}), lease_until: now + JOB_LEASE_MS, updated_at: now },
        live,
      );
      return current.attempt === attempt && current.status === "running" && !current.cancel_requested;
    };
    let lastYield = monotonicMs();
    try {
      const report = await runBacktest(job.spec, deps.market, {
        ownerId: job.user_id,
        maxSymbolBars: deps.maxJobSymbolBars,
        now: () => monotonicMs(),
        sliceDays: SLICE_DAYS,
        beforeSymbol: async () => {
          checkBudget();
          if (monotonicMs() - lastYield < LOAD_YIELD_MS) return;
          await yieldToEventLoop(); // let the server answer requests while data loads
          lastYield = monotonicMs();
          checkBudget();
          if (lastYield - lastLoadWrite < PROGRESS_INTERVAL_MS) return;
          lastLoadWrite = lastYield;
          if (!(await stillWanted(null))) throw new BacktestCancelledError("Backtest cancelled");
        },
        onProgress: async (p, trades) => {
          for (const t of trades) unsent.push(liveFromEngine(t));
          await yieldToEventLoop(); // let the server answer requests between slices
          const wall = monotonicMs();
          lastYield = wall;
          checkBudget();
          if (wall - lastWrite < PROGRESS_INTERVAL_MS && p.progress < 100) {
            const current = await deps.jobs.get(jobId); // cheap read: has someone asked us to stop?
            return !!current && current.attempt === attempt && current.status === "running" &&
              !current.cancel_requested;
          }
          lastWrite = wall;
          return await stillWanted(p);
        },
      });
      await deps.jobs.putReport(jobId, report);
      const s = report.summary;
      const rest = report.trades.slice(streamed).map(liveFromReport);
      await finishJob(deps, jobId, attempt, "completed", null, {
        final_value: s.finalValue,
        total_return_pct: s.totalReturn,
        total_trades: s.totalTrades,
        source: report.source,
      }, rest.length > 0 ? takeLive(rest) : undefined);
      return "completed";
    } catch (e) {
      if (e instanceof BacktestCancelledError) {
        await finishJob(deps, jobId, attempt, "cancelled", null, null);
        return "cancelled";
      }
      const reason = e instanceof Error ? e.message : String(e);
      await finishJob(deps, jobId, attempt, "failed", reason, null);
      return "failed";
    }
  } finally {
    release();
  }
}

async function finishJob(
  deps: BacktestJobDeps,
  jobId: string,
  attempt: number,
  status: JobStatus,
  error: string | null,
  summary: BacktestJobRecord["summary"],
  live?: { entryId: string; events: readonly unknown[] },
) {
  await deps.jobs.update(jobId, (j) => {
    if (j.attempt !== attempt || FINISHED.includes(j.status)) return null;
    const now = deps.clock.now();
    return {
      ...j,
      status,
      error,
      summary,
      progress: status === "completed" ? 100 : j.progress,
      lease_until: null,
      finished_at: now,
      updated_at: now,
    };
  }, live);
}

/** Reads one of the caller's jobs; someone else's is "not found". */
export async function getOwnJob(
  deps: BacktestJobDeps,
  userId: string,
  jobId: string,
): Promise<BacktestJobRecord> {
  const job = await deps.jobs.get(jobId);
  if (!job || job.user_id !== userId) throw new NotFoundError(`Backtest "${jobId}" not found`);
  return job;
}

/**
 * Cancels a queued job (or one whose worker died) at once, or asks a running one to stop at its next slice or
 * symbol; finished jobs are a 400.
 */
export async function cancelBacktestJob(
  deps: BacktestJobDeps,
  userId: string,
  jobId: string,
): Promise<BacktestJobRecord> {
  await getOwnJob(deps, userId, jobId);
  let finished: JobStatus | null = null;
  const job = await deps.jobs.update(jobId, (j) => {
    const now = deps.clock.now();
    if (FINISHED.includes(j.status)) {
      finished = j.status;
      return null;
    }
    // Queued, or running under a lease that has passed (its worker died): nobody will see a flag, end it now.
    if (j.status === "queued" || (j.lease_until ?? 0) < now) {
      return { ...j, status: "cancelled", lease_until: null, finished_at: now, updated_at: now };
    }
    return { ...j, cancel_requested: true, updated_at: now };
  });
  if (finished) throw new BadRequestError(`Backtest "${jobId}" is already ${finished}`);
  return job;
}

/** The caller's jobs, newest first. */
export function listOwnJobs(
  deps: BacktestJobDeps,
  userId: string,
  page: PageRequest,
  status?: JobStatus,
): Promise<Page<BacktestJobRecord>> {
  return deps.jobs.listByUser(userId, page, status);
}

/** A counting semaphore: at most `n` holders at once; others wait in arrival order. */
export interface Semaphore {
  acquire(): Promise<() => void>;
  /** Holders now. */
  active(): number;
}

/** Creates a semaphore of `n` permits. */
export function createSemaphore(n: number): Semaphore {
  let active = 0;
  const waiting: (() => void)[] = [];
  const release = () => {
    active--;
    const next = waiting.shift();
    if (next) next();
  };
  return {
    acquire() {
      return new Promise((resolve) => {
        const grant = () => {
          active++;
          let released = false;
          resolve(() => {
            if (!released) (released = true), release();
          });
        };
        if (active < n) grant();
        else waiting.push(grant);
      });
    },
    active: () => active,
  };
}

/** The newest completed job of mine that ran `libraryId` (any version), or `null`. */
export async function latestLibraryRun(
  deps: BacktestJobDeps,
  userId: string,
  libraryId: string,
): Promise<BacktestJobRecord | null> {
  for (let offset = 0;; offset += 200) {
    const page = await deps.jobs.listByUser(userId, { limit: 200, offset }, "completed");
    const hit = page.items.find((j) => j.library_id === libraryId);
    if (hit) return hit;
    if (offset + 200 >= page.total) return null;
  }
}

/**
 * One sweep of the active-job table: runs every job that is queued, or running under an expired lease (its
 * worker died), up to the semaphore's capacity at a time. Safe to call from several processes at once: each job
 * is claimed atomically. Returns what happened to each job looked at.
 */
export async function pollBacktestJobs(
  deps: BacktestJobDeps,
  limit = 50,
): Promise<{ id: string; outcome: JobStatus | "skipped" | "busy" }[]> {
  const ids = await deps.jobs.listActive(limit);
  return await Promise.all(ids.map(async (id) => ({ id, outcome: await runBacktestJob(deps, id) })));
}
