/**
 * Following a backtest job: its state as a progress message, and the watch behind `WS /ws/backtests/{id}` — the
 * current state at once, then each change the stream bridge publishes to the job's hub topic (the job's commit
 * sets a KV stream marker, every isolate's bridge re-reads the jobs its sockets follow), until a final state.
 */
import type { BacktestJobRecord, JobStatus } from "../store/backtest_job_repo.ts";
import { jobProgressTopic, type TopicHub } from "../stream/hub.ts";
import { type BacktestJobDeps, getOwnJob } from "./queued_runs.ts";

/** One message of a job's progress stream. */
export interface JobProgressMessage {
  type: "progress";
  job_id: string;
  status: JobStatus;
  progress: number;
  current_date: string | null;
  trades_executed: number;
  error: string | null;
}

/** The message sent for a job state. */
function progressMessage(j: BacktestJobRecord): JobProgressMessage {
  return {
    type: "progress",
    job_id: j.id,
    status: j.status,
    progress: j.progress,
    current_date: j.current_date,
    trades_executed: j.trades_executed,
    error: j.error,
  };
}

const FINISHED: readonly JobStatus[] = ["completed", "failed", "cancelled"];
const STAGE: Record<JobStatus, number> = { queued: 0, running: 1, completed: 2, failed: 2, cancelled: 2 };

/** `true` when `b` is an earlier state of the job than `a` (a late delivery): attempt, stage, time, progress. */
function isEarlier(b: BacktestJobRecord, a: BacktestJobRecord): boolean {
  const ka = [a.attempt, STAGE[a.status], a.updated_at, a.progress];
  const kb = [b.attempt, STAGE[b.status], b.updated_at, b.progress];
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return kb[i] < ka[i];
  return false;
}

/** What watching a job needs: the jobs and the hub the stream bridge publishes job states into. */
export interface JobWatchDeps {
  backtests: BacktestJobDeps;
  hub: TopicHub;
}

/** A job the caller may follow: `messages(signal)` yields its progress until it ends or `signal` aborts. */
export interface JobProgressWatch {
  messages(signal: AbortSignal): AsyncIterable<JobProgressMessage>;
}

/** Opens a watch on one of the caller's jobs; someone else's (or a missing one) is "not found" at once. */
export async function watchOwnJob(
  deps: JobWatchDeps,
  userId: string,
  jobId: string,
): Promise<JobProgressWatch> {
  await getOwnJob(deps.backtests, userId, jobId);
  return { messages: (signal) => followJob(deps, jobId, signal) };
}

async function* followJob(
  deps: JobWatchDeps,
  jobId: string,
  signal: AbortSignal,
): AsyncIterable<JobProgressMessage> {
  const pending: BacktestJobRecord[] = [];
  let wake: (() => void) | null = null;
  // Subscribed before the current state is read, so no change after that read is missed.
  const unsubscribe = deps.hub.subscribe(jobProgressTopic(jobId), (event) => {
    pending.push(event as BacktestJobRecord);
    wake?.();
  });
  const onAbort = () => wake?.();
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    let last = await deps.backtests.jobs.get(jobId);
    if (!last || signal.aborted) return;
    const first = progressMessage(last);
    let sent = JSON.stringify(first);
    yield first;
    while (!FINISHED.includes(last.status) && !signal.aborted) {
      const next = pending.shift();
      if (!next) {
        await new Promise<void>((r) => (wake = r));
        wake = null;
        continue;
      }
      if (next.id !== jobId || isEarlier(next, last)) continue;
      last = next;
      const message = progressMessage(next);
      const text = JSON.stringify(message);
      if (text === sent) continue;
      sent = text;
      yield message;
    }
  } finally {
    unsubscribe();
    signal.removeEventListener("abort", onAbort);
  }
}
