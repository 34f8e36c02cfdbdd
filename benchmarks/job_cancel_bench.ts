/**
 * Cancel latency of a queued backtest while its data loads: a first-time csi500 job (every symbol's bars
 * generated on the way) is cancelled once five symbols have loaded; timed from the cancel to the job ending
 * `cancelled`. Before the runner checked between symbols, the cancel waited for the whole universe to load.
 */
import {
  cancelBacktestJob,
  createSemaphore,
  runBacktestJob,
  submitBacktestJob,
} from "../domain/backtest/queued_runs.ts";
import { systemClock } from "../domain/clock.ts";
import { buildMarketServices } from "../app/market_services.ts";
import { createBacktestJobRepo } from "../domain/store/backtest_job_repo.ts";
import { StrategySpecSchema } from "../domain/strategy/spec.ts";

const SPEC = StrategySpecSchema.parse({
  universe: { name: "csi500" },
  entry: "rsi(close, 14) < 35",
  exit: "rsi(close, 14) > 60",
  start: "2018-01-01",
  end: "2020-12-31",
});

Deno.bench({
  name: "cancel a first-time csi500 job while it loads: cancel → cancelled",
  n: 5,
  warmup: 1,
  async fn(b) {
    const kv = await Deno.openKv(":memory:");
    try {
      const market = buildMarketServices(kv, systemClock, { seed: 42, cacheBytes: 64 * 1024 * 1024 });
      let loads = 0;
      let started!: () => void;
      const fiveLoaded = new Promise<void>((r) => (started = r));
      const deps = {
        jobs: createBacktestJobRepo(kv),
        market: {
          ...market.data,
          getBars: (...a: Parameters<typeof market.data.getBars>) => {
            if (++loads === 5) started();
            return market.data.getBars(...a);
          },
        },
        clock: systemClock,
        maxJobSymbolBars: 1e8,
        semaphore: createSemaphore(1),
        mode: "poll" as const,
      };
      const job = await submitBacktestJob(deps, "usr_bench", SPEC);
      const running = runBacktestJob(deps, job.id);
      await fiveLoaded;
      b.start();
      await cancelBacktestJob(deps, "usr_bench", job.id);
      const outcome = await running;
      b.end();
      if (outcome !== "cancelled") throw new Error(`expected cancelled, got ${outcome}`);
    } finally {
      kv.close();
    }
  },
});
