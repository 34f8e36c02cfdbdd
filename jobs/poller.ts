/** The in-process poller of the KV job table (poll mode): sweeps every `intervalMs` until stopped. */
import { type BacktestJobDeps, pollBacktestJobs } from "../domain/backtest/queued_runs.ts";
import type { LogFn } from "../domain/log.ts";

/** Starts sweeping; the returned function stops it (a sweep in progress finishes). */
export function startJobPoller(deps: BacktestJobDeps, log: LogFn, intervalMs = 2_000): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = async () => {
    try {
      const results = await pollBacktestJobs(deps);
      const ran = results.filter((r) => r.outcome !== "skipped" && r.outcome !== "busy");
      if (ran.length) log("info", "job poller ran jobs", { jobs: ran.length });
    } catch (e) {
      log("error", "job poller sweep failed", { error: e instanceof Error ? e.message : String(e) });
    }
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  timer = setTimeout(tick, 0);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
