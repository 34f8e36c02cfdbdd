/**
 * One daily advance of a paper-trading instance (`advancePaper`) a year after its start: the instance has
 * processed every day through 2025-12-30 and advances through 2025-12-31. Each advance reloads and re-evaluates
 * its symbols from `start − WARMUP_DAYS` (so indicators are seeded as in a backtest; the price of exact parity)
 * and simulates the one new day. 1 symbol and 50 symbols (hs300's first 50) on the synthetic market, in-memory
 * KV. `deno run -A benchmarks/paper_advance_bench.ts` prints the medians of 30 advances.
 */
import { type EngineState } from "../domain/backtest/engine.ts";
import { buildMarketServices } from "../app/market_services.ts";
import { systemClock } from "../domain/clock.ts";
import { advancePaper } from "../domain/paper/paper_runner.ts";
import { StrategySpecSchema } from "../domain/strategy/spec.ts";

const START = "2025-01-02", BEFORE = "2025-12-30", THROUGH = "2025-12-31";

const kv = await Deno.openKv(":memory:");
const market = buildMarketServices(kv, systemClock, { seed: 42, cacheBytes: 64 * 1024 * 1024 }).data;
const fifty = (await market.getUniverse("hs300")).slice(0, 50);

const specOf = (tickers: string[]) =>
  StrategySpecSchema.parse({
    universe: { tickers },
    entry: "close > ema(close, 20) and rsi(close, 14) < 60",
    exit: "close < ema(close, 10)",
    sizing: { method: "percent_equity", percent: 12, max_positions: 8 },
    risk: { stop_loss_pct: 7, take_profit_pct: 10, max_holding_days: 12 },
    start: START,
    end: THROUGH,
  });

/** An instance that has processed every day through BEFORE, and one advance of it through THROUGH. */
async function instance(tickers: string[]) {
  const spec = specOf(tickers);
  const base = { spec, symbols: tickers, ownerId: "usr_bench", market, maxSymbolBars: 1e9 };
  const { state } = await advancePaper({ ...base, state: null, throughDate: BEFORE });
  const advance = async (s: EngineState) => {
    const a = await advancePaper({ ...base, state: s, throughDate: THROUGH });
    if (a.days.length !== 1) throw new Error(`expected one new day, got ${a.days.length}`);
  };
  await advance(state); // warm: the market's caches hold the bars, as after the first advance of a day
  return () => advance(state);
}

const one = await instance(["600519.SH"]);
const many = await instance(fifty);

Deno.bench({
  name: "paper advance: one day, 1 symbol, a year after start",
  group: "paper",
  baseline: true,
  fn: async () => await one(),
});
Deno.bench({
  name: "paper advance: one day, 50 symbols, a year after start",
  group: "paper",
  fn: async () => await many(),
});

if (import.meta.main) {
  const median = async (f: () => Promise<void>, n = 30) => {
    const ms: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await f();
      ms.push(performance.now() - t0);
    }
    ms.sort((a, b) => a - b);
    return Math.round(ms[n >> 1] * 10) / 10;
  };
  console.log(`1 symbol: median ${await median(one)} ms per advance`);
  console.log(`50 symbols: median ${await median(many)} ms per advance`);
}
