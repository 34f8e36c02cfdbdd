import assert from "node:assert/strict";
import {
  type BacktestJobDeps,
  createSemaphore,
  runBacktestJob,
  submitBacktestJob,
} from "../../../domain/backtest/queued_runs.ts";
import { runBacktestTimed, serverTiming } from "../../../domain/backtest/run_backtest.ts";
import { fixedClock } from "../../../domain/clock.ts";
import { buildMarketServices } from "../../../app/market_services.ts";
import { createBacktestJobRepo } from "../../../domain/store/backtest_job_repo.ts";
import { StrategySpecSchema } from "../../../domain/strategy/spec.ts";

const T0 = Date.UTC(2026, 4, 14, 1);

const spec = StrategySpecSchema.parse({
  universe: { tickers: ["600519.SH", "000001.SZ"] },
  entry: "rsi(close, 14) < 35",
  exit: "rsi(close, 14) > 60",
  sizing: { method: "percent_equity", percent: 30, max_positions: 2 },
  start: "2018-01-01",
  end: "2020-12-31",
});

Deno.test("two job runs of the same spec store byte-identical reports, with no wall-clock timing inside", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const clock = fixedClock(T0);
    const market = buildMarketServices(kv, clock, { seed: 42, cacheBytes: 64 * 1024 * 1024 });
    // A clock that moves on every read, so any timing that leaked into the report would differ between runs.
    let tick = 0;
    const deps: BacktestJobDeps = {
      jobs: createBacktestJobRepo(kv),
      market: market.data,
      clock: { now: () => T0 + (tick += 7) },
      maxJobSymbolBars: 20_000_000,
      semaphore: createSemaphore(1),
    };
    const a = await submitBacktestJob(deps, "usr_a", spec);
    const b = await submitBacktestJob(deps, "usr_a", spec);
    assert.equal(await runBacktestJob(deps, a.id), "completed");
    assert.equal(await runBacktestJob(deps, b.id), "completed");
    const ra = JSON.stringify(await deps.jobs.getReport(a.id));
    const rb = JSON.stringify(await deps.jobs.getReport(b.id));
    assert.ok(ra.length > 1000 && JSON.parse(ra).trades.length > 0, "a real report with trades");
    assert.equal(ra, rb);
    assert.equal("timing" in JSON.parse(ra), false);
  } finally {
    kv.close();
  }
});

Deno.test("runBacktestTimed() answers the stage timings beside a report equal to an untimed run's", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const market = buildMarketServices(kv, fixedClock(T0), { seed: 42, cacheBytes: 64 * 1024 * 1024 });
    let t = 0;
    const timed = await runBacktestTimed(spec, market.data, {
      ownerId: null,
      maxSymbolBars: 1e9,
      now: () => (t += 1.5),
    });
    const plain = await runBacktestTimed(spec, market.data, {
      ownerId: null,
      maxSymbolBars: 1e9,
      now: () => 0,
    });
    assert.equal(JSON.stringify(timed.report), JSON.stringify(plain.report));
    assert.deepEqual(Object.keys(timed.timing), ["load_ms", "indicators_ms", "simulate_ms", "metrics_ms"]);
    assert.ok(timed.timing.metrics_ms > 0 && timed.timing.simulate_ms > 0);
    assert.deepEqual(plain.timing, { load_ms: 0, indicators_ms: 0, simulate_ms: 0, metrics_ms: 0 });
    assert.equal(
      serverTiming({ load_ms: 12.5, indicators_ms: 3.1, simulate_ms: 4, metrics_ms: 0.25 }),
      "load;dur=12.5, indicators;dur=3.1, simulate;dur=4, metrics;dur=0.25",
    );
  } finally {
    kv.close();
  }
});
