import assert from "node:assert/strict";
import {
  CONFIDENCE_WINDOW,
  confidenceColumn,
  FORCED_EXIT_CONFIDENCE,
  NEUTRAL_CONFIDENCE,
} from "../../../domain/backtest/confidence.ts";
import { simulate, type SymbolInput } from "../../../domain/backtest/engine.ts";
import { createEvalContext, evaluate } from "../../../domain/strategy/evaluate.ts";
import { parseExpression } from "../../../domain/strategy/expression.ts";
import { StrategySpecSchema } from "../../../domain/strategy/spec.ts";

/** Closes 10, 11, 9, 12, 13 (open = high = low = close, volume 1). */
const CLOSES = [10, 11, 9, 12, 13];
const bars = (closes: number[]) => {
  const c = Float64Array.from(closes);
  return { open: c, high: c, low: c, close: c, volume: new Float64Array(c.length).fill(1) };
};

/** The confidence of `rule` on each bar of CLOSES where it fires (others 0). */
function column(rule: string, closes = CLOSES): number[] {
  const ctx = createEvalContext(bars(closes));
  const expr = parseExpression(rule);
  return Array.from(confidenceColumn(expr, ctx, evaluate(expr, ctx)));
}

Deno.test("confidence: a comparison is its distance past the threshold in 2 σ of its own spread (hand-worked)", () => {
  // Bar 3 (close 12) of `close > 10`: spreads 0, 1, −1, 2 → mean 0.5, population var 6/4 − 0.25 = 1.25,
  // σ = 1.11803; d = 2 → 2 / (2 × 1.11803) = 0.8944 → 89. Bar 4: d = 3 over σ = √2 → 1.06 → clipped to 100.
  // Bar 1: spreads 0, 1 → σ 0.5, d = 1 → 1 / 1 → 100. Bars 0 and 2 do not fire: 0.
  assert.deepEqual(column("close > 10"), [0, 100, 0, 89, 100]);
  // `<` measures the other way: `close < 12.5` on bar 3: d = 0.5, same σ → 0.5 / 2.23607 = 0.2236 → 22.
  assert.equal(column("close < 12.5")[3], 22);
});

Deno.test("confidence: `and` is its weakest part, `or` its strongest part that holds, `not` is neutral", () => {
  assert.equal(column("close > 10 and close < 12.5")[3], 22, "min(89, 22)");
  assert.equal(column("close > 10 or close < 9.5")[3], 89, "only the part that holds counts");
  assert.equal(column("not (close < 10)")[3], NEUTRAL_CONFIDENCE);
  assert.equal(column("close == 12")[3], NEUTRAL_CONFIDENCE);
});

Deno.test("confidence: a crossing is the distance past the line on the crossing bar", () => {
  // crosses_above(close, 10.5) on bar 3 (9 → 12): spreads −0.5, 0.5, −1.5, 1.5 → mean 0, var 5/4 = 1.25,
  // σ = 1.11803; d = 1.5 → 1.5 / 2.23607 = 0.6708 → 67.
  assert.equal(column("crosses_above(close, 10.5)")[3], 67);
  // crosses_below(close, 10.5) on bar 2 (11 → 9): spreads −0.5, 0.5, −1.5 → mean −0.5, var 2.75/3 − 0.25 =
  // 0.66667, σ = 0.8165; d = 1.5 → 1.5 / 1.63299 = 0.9186 → 92.
  assert.equal(column("crosses_below(close, 10.5)")[2], 92);
});

Deno.test("confidence: σ looks back CONFIDENCE_WINDOW bars only, and never at a later bar", () => {
  const long = Array.from({ length: CONFIDENCE_WINDOW + 10 }, (_, i) => (i % 2 === 0 ? 10 : 14));
  const full = column("close > 12", long);
  // The same prefix with a wild later bar gives the same confidences up to that bar.
  const wild = column("close > 12", [...long, 1000]);
  assert.deepEqual(wild.slice(0, long.length), full);
  // Alternating 10/14: spread ±2 around 12 → σ = 2, d = 2 → 2 / 4 → 50 on every firing bar once warm.
  assert.equal(full[long.length - 1], 50);
});

Deno.test("engine: trades carry the decision bar's confidence, forced exits 100", () => {
  const closes = [10, 11, 9, 12, 13, 8, 7];
  const spec = StrategySpecSchema.parse({
    universe: { tickers: ["X"] },
    entry: "close > 11.5",
    exit: "close > 100",
    sizing: { method: "fixed_quantity", quantity: 1, max_positions: 1 },
    risk: { stop_loss_pct: 20 },
    fill: "next_open",
    costs: { buy_fee_pct: 0, sell_fee_pct: 0, min_fee: 0, slippage_pct: 0 },
    start: "2024-01-01",
    end: "2024-01-31",
  });
  const b = bars(closes);
  const ctx = createEvalContext(b);
  const entry = parseExpression(spec.entry), exit = parseExpression(spec.exit);
  const e = evaluate(entry, ctx), x = evaluate(exit, ctx);
  const input: SymbolInput = {
    symbol: "X",
    name: "X",
    lotSize: 1,
    days: Int32Array.from(closes.map((_, i) => 19723 + i)),
    ...b,
    entry: e,
    exit: x,
    rank: new Float64Array(closes.length),
    atr: new Float64Array(closes.length).fill(NaN),
    entryText: spec.entry,
    exitText: spec.exit,
    entryConfidence: confidenceColumn(entry, ctx, e),
    exitConfidence: confidenceColumn(exit, ctx, x),
  };
  const sim = simulate(spec, [input]);
  // Decided on bar 3 (close 12 > 11.5; spreads −1.5, −0.5, −2.5, 0.5 → mean −1, var 9/4 − 1 = 1.25, σ 1.11803;
  // d = 0.5 → 0.5 / 2.23607 = 0.2236 → 22), filled at bar 4's open; stopped out at bar 5 (8 ≤ 13 × 0.8).
  assert.deepEqual(sim.trades.map((t) => [t.action, t.confidence]), [["BUY", 22], [
    "SELL",
    FORCED_EXIT_CONFIDENCE,
  ]]);
  // Without confidence columns the trades say so (null), never a made-up constant.
  const bare = simulate(spec, [{ ...input, entryConfidence: undefined, exitConfidence: undefined }]);
  assert.deepEqual(bare.trades.map((t) => t.confidence), [null, FORCED_EXIT_CONFIDENCE]);
});
