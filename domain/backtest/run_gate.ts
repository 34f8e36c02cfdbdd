/**
 * A process-wide cap on synchronous backtests running at once (`SYNC_BACKTEST_CONCURRENCY`). Each one yields
 * to the event loop every few milliseconds, but many interleaved runs still make every other request wait its
 * turn behind all of them; past the cap a run is refused at once (429 with `Retry-After`) rather than queued
 * behind the others, and the caller can retry or submit it as a job.
 */
import { JOB_QUEUE_HINT, SyncRunsBusyError } from "./run_errors.ts";

/** Admits at most `limit` runs at once. */
export interface RunGate {
  readonly limit: number;
  /** Runs now in the gate. */
  running(): number;
  /** Runs `work` inside the gate, or throws `SyncRunsBusyError` (a 429) when `limit` runs are already inside. */
  run<T>(work: () => Promise<T>): Promise<T>;
}

export function createRunGate(limit: number): RunGate {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`gate limit must be a positive integer`);
  let inside = 0;
  return {
    limit,
    running: () => inside,
    async run(work) {
      if (inside >= limit) {
        throw new SyncRunsBusyError(
          `The server is already running its ${limit} synchronous backtest${limit === 1 ? "" : "s"}: ` +
            `retry in a moment, or ${JOB_QUEUE_HINT}`,
          1,
        );
      }
      inside++;
      try {
        return await work();
      } finally {
        inside--;
      }
    },
  };
}
