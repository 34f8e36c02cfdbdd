/** The stage timings a run answers beside its report: reading the benchmarks' bars counts as loading. */
import assert from "node:assert/strict";
import { runBacktestTimed } from "../../../domain/backtest/run_backtest.ts";
import type { MarketData } from "../../../domain/market/types.ts";
import { openBacktestWorld, rsiSpec } from "../../_helpers/backtest_world.ts";

Deno.test("runBacktestTimed(): a slow benchmark read is load time, not metrics time", async () => {
  const w = await openBacktestWorld();
  try {
    const spec = rsiSpec(["600519.SH"], { benchmarks: ["000300.SH"] });
    // A clock that only moves when the benchmark's bars are read: a second passes during that read.
    let now = 0;
    const market: MarketData = {
      ...w.market.data,
      getBars: async (symbol, from, to, owner) => {
        const bars = await w.market.data.getBars(symbol, from, to, owner);
        if (symbol === "000300.SH") now += 1_000;
        return bars;
      },
    };
    const { report, timing } = await runBacktestTimed(spec, market, {
      ownerId: null,
      maxSymbolBars: 1e9,
      now: () => now,
    });
    assert.ok(report.summary.totalTrades !== undefined);
    assert.equal(timing.load_ms, 1_000);
    assert.equal(timing.metrics_ms, 0);
    assert.equal(timing.indicators_ms, 0);
    assert.equal(timing.simulate_ms, 0);
  } finally {
    w.close();
  }
});
