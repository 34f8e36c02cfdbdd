import assert from "node:assert/strict";
import { createSimulation, simulate, type SymbolInput } from "../../../domain/backtest/engine.ts";
import { buildReport } from "../../../domain/backtest/report.ts";
import { createSyntheticMarket } from "../../../domain/market/synthetic/generator.ts";
import { createEvalContext, evaluate } from "../../../domain/strategy/evaluate.ts";
import { parseExpression } from "../../../domain/strategy/expression.ts";
import { type StrategySpec, StrategySpecSchema } from "../../../domain/strategy/spec.ts";

function input(
  symbol: string,
  bars: {
    days: Int32Array;
    open: Float64Array;
    high: Float64Array;
    low: Float64Array;
    close: Float64Array;
    volume: Float64Array;
  },
  spec: StrategySpec,
  lotSize = 1,
): SymbolInput {
  const ctx = createEvalContext(bars);
  return {
    symbol,
    name: symbol,
    lotSize,
    ...bars,
    entry: evaluate(parseExpression(spec.entry), ctx),
    exit: evaluate(parseExpression(spec.exit), ctx),
    rank: evaluate(parseExpression(spec.rank_by), ctx),
    atr: new Float64Array(bars.days.length).fill(NaN),
    entryText: spec.entry,
    exitText: spec.exit,
  };
}

/** Asserts equity = cash + Σ quantity × close on every day, replaying the trades. */
function assertIdentities(spec: StrategySpec, inputs: SymbolInput[], sim: ReturnType<typeof simulate>) {
  const qty = new Map<string, number>();
  const closes = new Map<string, number>();
  let t = 0;
  sim.days.forEach((day, i) => {
    while (t < sim.trades.length && sim.trades[t].day === day) {
      const tr = sim.trades[t++];
      qty.set(tr.symbol, (qty.get(tr.symbol) ?? 0) + (tr.action === "BUY" ? tr.quantity : -tr.quantity));
    }
    for (const s of inputs) {
      const k = s.days.indexOf(day);
      if (k >= 0) closes.set(s.symbol, s.close[k]);
    }
    let value = 0;
    for (const [s, q] of qty) value += q * (closes.get(s) ?? 0);
    assert.ok(Math.abs(sim.equity[i] - (sim.cash[i] + value)) < 1e-6, `equity identity on day ${i}`);
    assert.ok(sim.cash[i] >= -1e-9, `cash never negative (day ${i})`);
  });
  const realised = sim.trades.filter((x) => x.action === "SELL").reduce((s, x) => s + x.profitLoss!, 0);
  const open = sim.open.reduce((s, p) => s + (p.lastClose - p.entryPrice) * p.quantity, 0);
  const final = sim.equity[sim.equity.length - 1];
  assert.ok(Math.abs(realised + open - sim.totalFees - (final - spec.capital)) < 1e-6, "P&L identity");
}

Deno.test("SMA crossover, all-in, next-open fills, 0.1% commission: fills match the hand calculation", () => {
  const spec = StrategySpecSchema.parse({
    universe: { tickers: ["TEST"] },
    entry: "crosses_above(sma(close, 2), sma(close, 3))",
    exit: "crosses_below(sma(close, 2), sma(close, 3))",
    sizing: { method: "percent_equity", percent: 100, max_positions: 1 },
    costs: { buy_fee_pct: 0.1, sell_fee_pct: 0.1, min_fee: 0, slippage_pct: 0 },
    capital: 10_000,
  });
  const close = [10, 10, 10, 11, 12, 11, 9, 8, 9, 10];
  const open = [10, 10, 10, 10.5, 11.5, 12, 10, 8.5, 8.5, 9.5];
  const bars = {
    days: Int32Array.from(close, (_, i) => 19_000 + i),
    open: Float64Array.from(open),
    close: Float64Array.from(close),
    high: Float64Array.from(close, (c, i) => Math.max(c, open[i]) + 0.5),
    low: Float64Array.from(close, (c, i) => Math.min(c, open[i]) - 0.5),
    volume: new Float64Array(10).fill(1000),
  };
  const inputs = [input("TEST", bars, spec)];
  const sim = simulate(spec, inputs);
  // Signal at t=3 (sma2 10.5 > sma3 10.33 after 10 ≤ 10): wants 10000/11 = 909 shares, fills at t=4's open 11.5,
  // where cash allows floor(10000 / (11.5 × 1.001)) = 868 shares: 9982.00 + fee 9.982.
  // Exit signal at t=6 (10 < 10.67 after 11.5 ≥ 11.33): sells at t=7's open 8.5: 7378.00 − fee 7.378.
  // The entry signal at t=9 has no next bar: nothing fills.
  assert.deepEqual(sim.trades.map((t) => [t.day - 19_000, t.action, t.quantity, t.price, t.fees]), [
    [4, "BUY", 868, 11.5, 9.982],
    [7, "SELL", 868, 8.5, 7.378],
  ]);
  assert.equal(sim.trades[1].profitLoss, -2604);
  assert.match(sim.trades[0].reason, /crosses_above/);
  assert.ok(Math.abs(sim.equity[9] - (10_000 - 9982 - 9.982 + 7378 - 7.378)) < 1e-9);
  assert.ok(Math.abs(sim.equity[4] - (10_000 - 9982 - 9.982 + 868 * 12)) < 1e-9);
  assertIdentities(spec, inputs, sim);
});

Deno.test("stops fill at the stop price, or at the open on a gap; targets likewise; reasons carry the numbers", () => {
  const spec = StrategySpecSchema.parse({
    universe: { tickers: ["S"] },
    entry: "open == close",
    exit: "close < 0",
    fill: "close",
    risk: { stop_loss_pct: 5, take_profit_pct: 10 },
    costs: { buy_fee_pct: 0, sell_fee_pct: 0 },
    capital: 1000,
  });
  // Entries only where open == close (days 0, 2, 4, 6), filled at the close.
  // Day 0 buy 100 @ 10. Day 1 low 9.4 → stop 9.5. Day 2 re-buy 100 @ 10. Day 3 opens 8 (gap) → 8.
  // Day 4 buy @ 10. Day 5 high 11.2 → target 11. Day 6 buy @ 10; day 7 opens 12 → 12.
  const o = [10, 9.9, 10, 8, 10, 10.5, 10, 12];
  const h = [10, 10, 10, 8.2, 10, 11.2, 10, 12.5];
  const l = [10, 9.4, 10, 7.5, 10, 10.4, 10, 11.5];
  const c = [10, 9.6, 10, 7.9, 10, 10.8, 10, 12.1];
  const bars = {
    days: Int32Array.from(c, (_, i) => 100 + i),
    open: Float64Array.from(o),
    high: Float64Array.from(h),
    low: Float64Array.from(l),
    close: Float64Array.from(c),
    volume: new Float64Array(8).fill(1),
  };
  const inputs = [input("S", bars, spec)];
  const sim = simulate(spec, inputs);
  const sells = sim.trades.filter((t) => t.action === "SELL").map((t) => [t.day - 100, t.price, t.reason]);
  assert.deepEqual(sells, [
    [1, 9.5, "stop loss -5.0%"],
    [3, 8, "stop loss -5.0% (gap, filled at open 8)"],
    [5, 11, "take profit +10.0%"],
    [7, 12, "take profit +10.0% (gap, filled at open 12)"],
  ]);
  assertIdentities(spec, inputs, sim);
});

Deno.test("a multi-symbol run keeps both identities every day, never goes negative, and respects max positions", () => {
  const market = createSyntheticMarket({ seed: 11 });
  const spec = StrategySpecSchema.parse({
    universe: { tickers: market.universe("hs300").slice(0, 30) },
    entry: "rsi(close, 14) < 35",
    exit: "rsi(close, 14) > 60",
    sizing: { method: "percent_equity", percent: 20, max_positions: 5 },
    risk: { stop_loss_pct: 8, take_profit_pct: 15, trailing_stop_pct: 10, max_holding_days: 30 },
    costs: { buy_fee_pct: 0.03, sell_fee_pct: 0.13, min_fee: 5, slippage_pct: 0.05 },
    capital: 1_000_000,
  });
  const inputs = spec.universe.tickers!.map((s) => input(s, market.bars(s, "2019-12-31"), spec, 100));
  const sim = simulate(spec, inputs);
  assert.ok(sim.trades.length > 50);
  assert.ok(Math.max(...sim.positions) <= 5);
  for (const t of sim.trades) assert.equal(t.quantity % 100, 0);
  assert.ok(sim.trades.some((t) => /max holding days 30/.test(t.reason)));
  assertIdentities(spec, inputs, sim);
  const report = buildReport({
    spec,
    sim,
    benchmarks: [],
    source: "synthetic",
    engineVersion: "test",
    firstDate: "",
  });
  const s = report.summary;
  assert.equal(s.closedTrades, sim.trades.filter((t) => t.action === "SELL").length);
  assert.ok(s.maxDrawdown !== null && s.maxDrawdown <= 0);
  assert.equal(typeof s.sharpeRatio, "number");
});

Deno.test("createSimulation() run in slices gives exactly the one-shot result, with progress in between", () => {
  const market = createSyntheticMarket({ seed: 5 });
  const spec = StrategySpecSchema.parse({
    universe: { tickers: market.universe("csi500").slice(0, 20) },
    entry: "crosses_above(ema(close, 10), sma(close, 30))",
    exit: "crosses_below(ema(close, 10), sma(close, 30))",
    sizing: { method: "percent_equity", percent: 25, max_positions: 4 },
    risk: { trailing_stop_pct: 12 },
    close_at_end: true,
    capital: 500_000,
  });
  const inputs = spec.universe.tickers!.map((s) => input(s, market.bars(s, "2018-12-31"), spec, 100));
  const whole = simulate(spec, inputs);
  const sliced = createSimulation(spec, inputs);
  const seen: number[] = [];
  while (sliced.daysDone() < sliced.totalDays) {
    seen.push(sliced.advance(97));
    assert.ok(sliced.currentDay() !== null);
  }
  assert.ok(seen.length > 5 && seen.every((d, i) => i === 0 || d > seen[i - 1]));
  const result = sliced.finish();
  assert.deepEqual(result.equity, whole.equity);
  assert.deepEqual(result.trades, whole.trades);
  assert.equal(sliced.tradeCount(), whole.trades.length);
  assert.deepEqual(result.open, [], "close_at_end sold everything");
});

Deno.test("holdingDays counts sessions from the entry fill to the exit fill; a suspension stays on the axis", () => {
  const spec = StrategySpecSchema.parse({
    universe: { tickers: ["TEST"] },
    entry: "close > 10",
    exit: "close < 10",
    sizing: { method: "fixed_quantity", quantity: 10, max_positions: 1 },
    costs: { buy_fee_pct: 0, sell_fee_pct: 0, min_fee: 0, slippage_pct: 0 },
    capital: 10_000,
  });
  // Entry decided on day 0, filled at day 1's open; exit decided on day 1, filled at day 2's open: one night.
  const close = [11, 9, 9, 11, 11, 9, 9];
  const bars = {
    days: Int32Array.from([0, 1, 2, 3, 4, 9, 10], (d) => 19_000 + d), // no bar on 19_005 .. 19_008
    open: Float64Array.from(close),
    close: Float64Array.from(close),
    high: Float64Array.from(close, (c) => c + 1),
    low: Float64Array.from(close, (c) => c - 1),
    volume: new Float64Array(close.length).fill(1000),
  };
  const sessions = Int32Array.from({ length: 11 }, (_, d) => 19_000 + d);
  const sim = simulate(spec, [input("TEST", bars, spec)], sessions);
  assert.deepEqual(Array.from(sim.days), Array.from(sessions));
  const sells = sim.trades.filter((t) => t.action === "SELL");
  // First round trip: bought day 1, sold day 2 (1). Second: bought day 4, sold at day 10's open, the order
  // decided on day 9 (the suspended days 5–8 are sessions, valued at day 4's close).
  assert.deepEqual(sells.map((t) => [t.day - 19_000, t.holdingDays]), [[2, 1], [10, 6]]);
  for (let i = 5; i <= 8; i++) assert.equal(sim.equity[i], sim.equity[4]);
  assertIdentities(spec, [input("TEST", bars, spec)], sim);
});
