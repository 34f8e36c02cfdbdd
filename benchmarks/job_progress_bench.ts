/**
 * Latency of one backtest-job progress write reaching a watcher, on the two paths sockets have used: a
 * `kv.watch` on the job record per socket (before), and the stream marker set in the job's commit → the stream
 * bridge → the hub → the job watch (now, the path trades take). Each iteration commits one progress change and
 * waits until the watcher holds it.
 */
import { createStreamRepo } from "../domain/store/stream_repo.ts";
import { type JobProgressMessage, watchOwnJob } from "../domain/backtest/job_progress.ts";
import { type BacktestJobDeps, createSemaphore, submitBacktestJob } from "../domain/backtest/queued_runs.ts";
import { systemClock } from "../domain/clock.ts";
import { buildMarketServices } from "../app/market_services.ts";
import { type BacktestJobRecord, createBacktestJobRepo } from "../domain/store/backtest_job_repo.ts";
import { StrategySpecSchema } from "../domain/strategy/spec.ts";
import { createTopicHub } from "../domain/stream/hub.ts";
import { startStreamBridge } from "../jobs/stream_bridge.ts";

const SPEC = StrategySpecSchema.parse({
  universe: { tickers: ["600519.SH"] },
  entry: "rsi(close, 14) < 35",
  exit: "rsi(close, 14) > 60",
  start: "2018-01-01",
  end: "2020-12-31",
});

const kv = await Deno.openKv(":memory:");
const market = buildMarketServices(kv, systemClock, { seed: 42, cacheBytes: 8 * 1024 * 1024 });
const deps: BacktestJobDeps = {
  jobs: createBacktestJobRepo(kv),
  market: market.data,
  clock: systemClock,
  maxJobSymbolBars: 1e9,
  semaphore: createSemaphore(1),
  mode: "poll",
};
const hub = createTopicHub();
const bridge = startStreamBridge(
  { streams: createStreamRepo(kv), jobs: deps.jobs },
  hub,
  () => systemClock.now(),
);
await bridge.ready;

/** A running job whose progress each call moves on by one (never back: a watcher drops older states). */
async function runningJob(): Promise<{ id: string; step: () => Promise<number> }> {
  const job = await submitBacktestJob(deps, "usr_bench", SPEC);
  await deps.jobs.update(job.id, (j) => ({ ...j, status: "running", attempt: 1 }));
  let p = 0;
  return {
    id: job.id,
    step: async () => {
      p++;
      await deps.jobs.update(job.id, (j) => ({ ...j, progress: p, updated_at: systemClock.now() }));
      return p;
    },
  };
}

const before = await runningJob();
const watched = kv.watch<[BacktestJobRecord]>([["backtest_jobs", before.id]]).getReader();
await watched.read(); // the current value

Deno.bench({
  name: "progress write → watcher, kv.watch on the job record (before)",
  group: "job progress",
  baseline: true,
  async fn() {
    const p = await before.step();
    for (;;) {
      const { value } = await watched.read();
      if (value?.[0].value?.progress === p) return;
    }
  },
});

const now = await runningJob();
const messages = (await watchOwnJob({ backtests: deps, hub }, "usr_bench", now.id)).messages(
  new AbortController().signal,
)[Symbol.asyncIterator]();
await messages.next(); // the current state

Deno.bench({
  name: "progress write → watcher, stream marker → bridge → hub (now)",
  group: "job progress",
  async fn() {
    const p = await now.step();
    for (;;) {
      const { value } = await messages.next() as IteratorResult<JobProgressMessage>;
      if (value.progress === p) return;
    }
  },
});

globalThis.addEventListener("unload", () => {
  bridge.stop();
  kv.close();
});
