import assert from "node:assert/strict";
import { createEvalContext, evaluate } from "../../../domain/strategy/evaluate.ts";
import { ExpressionError, parseExpression, printExpression } from "../../../domain/strategy/expression.ts";
import { createSyntheticMarket } from "../../../domain/market/synthetic/generator.ts";

Deno.test("parseExpression() parses precedence and prints a canonical form that parses back", async (t) => {
  const cases: [string, string][] = [
    ["crosses_above(sma(close,20), sma(close,50))", "crosses_above(sma(close, 20), sma(close, 50))"],
    [
      "RSI(close,14) < 30 AND volume > 1.5 * SMA(volume, 20)",
      "rsi(close, 14) < 30 and volume > 1.5 * sma(volume, 20)",
    ],
    ["rsi(close) < 30", "rsi(close, 14) < 30"],
    ["not (close > open) or close < low", "not close > open or close < low"],
    ["(close - open) / (high - low + 1)", "(close - open) / (high - low + 1)"],
    ["close > bb_upper(close) && !(volume < 10)", "close > bb_upper(close, 20, 2) and not volume < 10"],
    ["-delta(close, 5)", "-delta(close, 5)"],
  ];
  for (const [src, canonical] of cases) {
    await t.step(src, () => {
      const ast = parseExpression(src);
      assert.equal(printExpression(ast), canonical);
      assert.deepEqual(parseExpression(printExpression(ast)), ast);
    });
  }
});

Deno.test("parseExpression() reports the column and a hint for unknown names and bad syntax", async (t) => {
  const cases: [string, number, RegExp][] = [
    ["smaa(close, 20) > 1", 1, /did you mean "sma"/],
    ["close > closs", 9, /did you mean "close"/],
    ["sma(close) > 1", 1, /usage: sma\(x, n\)/],
    ["sma(close, 2.5)", 1, /whole number/],
    ["close > ", 9, /end of input/],
    ["close $ open", 7, /Unexpected character/],
    ["(close > open", 14, /Expected "\)"/],
  ];
  for (const [src, column, hint] of cases) {
    await t.step(src, () => {
      try {
        parseExpression(src);
        assert.fail("should not parse");
      } catch (e) {
        assert.ok(e instanceof ExpressionError, String(e));
        assert.equal(e.column, column);
        assert.match(e.message, hint);
      }
    });
  }
});

const cols = (close: number[]) => {
  const c = Float64Array.from(close);
  return { open: c, high: c, low: c, close: c, volume: new Float64Array(c.length).fill(1) };
};

Deno.test("crosses_above() is true exactly when a[t−1] ≤ b[t−1] and a[t] > b[t]", () => {
  const ctx = createEvalContext(cols([1, 2, 3, 2, 1, 2, 3]));
  const up = evaluate(parseExpression("crosses_above(close, 2)"), ctx);
  const down = evaluate(parseExpression("crosses_below(close, 2)"), ctx);
  assert.deepEqual(Array.from(up), [0, 0, 1, 0, 0, 0, 1]);
  assert.deepEqual(Array.from(down), [0, 0, 0, 0, 1, 0, 0]);
});

Deno.test("comparisons in the warm-up are false, and arithmetic follows the bars", () => {
  const ctx = createEvalContext(cols([1, 2, 3, 4]));
  assert.deepEqual(Array.from(evaluate(parseExpression("sma(close, 3) > 0"), ctx)), [0, 0, 1, 1]);
  assert.deepEqual(Array.from(evaluate(parseExpression("close * 2 - 1"), ctx)), [1, 3, 5, 7]);
  assert.throws(() => evaluate(parseExpression("rank(close) > 0.5"), ctx), /cross-sectional/);
});

Deno.test("no expression can look ahead: values on a prefix of the bars equal the prefix of the values", () => {
  const bars = createSyntheticMarket({ seed: 3 }).bars("600519.SH", "2017-12-31");
  const exprs = [
    "crosses_above(sma(close, 20), sma(close, 50))",
    "macd_hist(close) > 0 and rsi(close, 14) < 70",
    "zscore(close, 20) + atr(14) / close - vwap(20) / close + obv() / 1e9 + vpt()",
    "ts_rank(volume, 10) * correlation(close, volume, 20) + roc(close, 5) + delta(close, 3)",
    "close > bb_upper(close, 20, 2) or close < bb_lower(close, 20, 2) or highest(high, 5) > lowest(low, 5) * 1.1",
  ];
  const full = createEvalContext(bars);
  for (const src of exprs) {
    const all = evaluate(parseExpression(src), full);
    for (const cut of [60, 200, 500]) {
      const prefix = {
        open: bars.open.subarray(0, cut),
        high: bars.high.subarray(0, cut),
        low: bars.low.subarray(0, cut),
        close: bars.close.subarray(0, cut),
        volume: bars.volume.subarray(0, cut),
      };
      const part = evaluate(parseExpression(src), createEvalContext(prefix));
      for (let i = 0; i < cut; i++) {
        assert.ok(
          Object.is(part[i], all[i]) || Math.abs(part[i] - all[i]) < 1e-9 * Math.abs(all[i]),
          `${src} @${i}`,
        );
      }
    }
  }
});
