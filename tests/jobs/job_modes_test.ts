import assert from "node:assert/strict";
import {
  type BacktestJobDeps,
  cancelBacktestJob,
  createSemaphore,
  pollBacktestJobs,
  submitBacktestJob,
} from "../../domain/backtest/queued_runs.ts";
import { systemClock } from "../../domain/clock.ts";
import { buildMarketServices } from "../../app/market_services.ts";
import { createBacktestJobRepo } from "../../domain/store/backtest_job_repo.ts";
import { createHealthRepo } from "../../domain/store/health_repo.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";
import { startJobPoller } from "../../jobs/poller.ts";
import { createQueueRepo } from "../../domain/store/queue_repo.ts";
import { startQueueWorker } from "../../jobs/queue.ts";

const SPEC = StrategySpecSchema.parse({
  universe: { tickers: ["600519.SH", "601318.SH"] },
  entry: "rsi(close, 14) < 35",
  exit: "rsi(close, 14) > 60",
  start: "2018-01-01",
  end: "2020-12-31",
});

/** A worker of the given kind on its own KV file; `stop` ends it and removes the file. */
async function rig(mode: "queue" | "poll") {
  const dir = await Deno.makeTempDir({ prefix: `qe_jobs_${mode}_` });
  const kv = await Deno.openKv(`${dir}/kv.sqlite`);
  const market = buildMarketServices(kv, systemClock, { seed: 42, cacheBytes: 64 * 1024 * 1024 });
  const deps: BacktestJobDeps = {
    jobs: createBacktestJobRepo(kv),
    market: market.data,
    clock: systemClock,
    maxJobSymbolBars: 1e8,
    semaphore: createSemaphore(2),
    mode,
  };
  const log = () => {};
  let stopPoller = () => {};
  let worker: ReturnType<typeof startQueueWorker> | null = null;
  if (mode === "queue") {
    worker = startQueueWorker({
      messages: createQueueRepo(kv),
      clock: systemClock,
      health: createHealthRepo(kv),
      log,
      market,
      backtests: deps,
    });
  } else stopPoller = startJobPoller(deps, log, 50);
  return {
    deps,
    async waitFor(id: string, status: string) {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        if ((await deps.jobs.get(id))?.status === status) return;
        await new Promise((r) => setTimeout(r, 25));
      }
      assert.fail(`job ${id} did not reach ${status} (now ${(await deps.jobs.get(id))?.status})`);
    },
    async stop() {
      stopPoller();
      await new Promise((r) => setTimeout(r, 100));
      kv.close();
      const until = Date.now() + 5000;
      while (worker?.listening() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      await Deno.remove(dir, { recursive: true });
    },
  };
}

for (const mode of ["queue", "poll"] as const) {
  Deno.test(`JobQueue (${mode}): a submitted job completes, a cancelled one never completes, a dead worker's job is taken over`, async () => {
    const r = await rig(mode);
    try {
      const cancelled = await submitBacktestJob(r.deps, "usr_a", SPEC);
      await cancelBacktestJob(r.deps, "usr_a", cancelled.id);
      const job = await submitBacktestJob(r.deps, "usr_a", SPEC);
      await r.waitFor(job.id, "completed");
      assert.equal((await r.deps.jobs.get(cancelled.id))?.status, "cancelled");
      // The worker may have claimed it a moment before the cancel: either way it stops without a report.
      assert.equal((await r.deps.jobs.get(cancelled.id))?.summary, null, "never completed");
      assert.equal(await r.deps.jobs.getReport(cancelled.id), null);
      assert.deepEqual(await r.deps.jobs.listActive(10), [], "nothing left active");

      // A job claimed by a worker that died: running, lease long gone. The minute sweep takes it over.
      const orphan = await submitBacktestJob({ ...r.deps, mode: "poll" }, "usr_a", SPEC); // no queue message
      await r.deps.jobs.update(
        orphan.id,
        (j) => ({ ...j, status: "running", attempt: 1, lease_until: Date.now() - 1 }),
      );
      await pollBacktestJobs(r.deps);
      await r.waitFor(orphan.id, "completed");
      assert.equal((await r.deps.jobs.get(orphan.id))?.attempt, 2);
    } finally {
      await r.stop();
    }
  });
}
