/**
 * The expression cost model against the clock: each operator evaluated on one symbol of 2,500 bars (a random
 * walk), named with its modelled cost in units, so time ÷ units shows how close one unit is to one nanosecond on
 * this machine (the model is calibrated to about 1 ns a unit). Also: the heavy spec of the hardening issue on
 * one symbol (76 `ts_rank(close, 1400+i) > 0` terms) and the cost estimate itself.
 */
import { costedNodes, estimateExpressionCost, formatCost } from "../domain/strategy/cost.ts";
import { createEvalContext, evaluate } from "../domain/strategy/evaluate.ts";
import { parseExpression } from "../domain/strategy/expression.ts";

const N = 2_500;
function walk(n: number, seed: number) {
  let x = seed >>> 0 || 1;
  const rnd = () => ((x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x9e3779b9 >>> 0) / 4294967296);
  const close = new Float64Array(n), open = new Float64Array(n), high = new Float64Array(n);
  const low = new Float64Array(n), volume = new Float64Array(n);
  let p = 100;
  for (let i = 0; i < n; i++) {
    open[i] = p;
    p = Math.max(1, p * (1 + (rnd() - 0.5) * 0.04));
    close[i] = p;
    high[i] = Math.max(open[i], p) * (1 + rnd() * 0.01);
    low[i] = Math.min(open[i], p) * (1 - rnd() * 0.01);
    volume[i] = 1e5 * (0.5 + rnd());
  }
  return { open, high, low, close, volume };
}
const bars = walk(N, 11);

/** The modelled cost of `src` alone (fields are free; its own nodes only). */
const units = (src: string) => costedNodes([parseExpression(src)], N).reduce((s, n) => s + n.cost, 0);

const OPERATORS = [
  "close > open",
  "sma(close, 20)",
  "ema(close, 20)",
  "rsi(close, 14)",
  "macd(close, 12, 26, 9)",
  "atr(14)",
  "vwap(20)",
  "stdev(close, 20)",
  "stdev(close, 500)",
  "zscore(close, 500)",
  "bb_upper(close, 500, 2)",
  "highest(close, 500)",
  "ts_rank(close, 100)",
  "ts_rank(close, 1000)",
  "correlation(close, open, 500)",
];
for (const src of OPERATORS) {
  const e = parseExpression(src);
  Deno.bench(`${src} on ${N} bars: model ${formatCost(units(src))} units`, { group: "operators" }, () => {
    evaluate(e, createEvalContext(bars));
  });
}

const HEAVY = Array.from({ length: 76 }, (_, i) => `ts_rank(close,${1400 + i})>0`).join(" and ");
const heavy = parseExpression(HEAVY);
Deno.bench(`heavy rule (76 ts_rank terms) on ${N} bars: model ${formatCost(units(HEAVY))} units`, {
  group: "heavy",
  n: 10,
}, () => {
  evaluate(heavy, createEvalContext(bars));
});
Deno.bench("cost estimate of the heavy spec on 20 symbols (no evaluation)", { group: "heavy" }, () => {
  estimateExpressionCost([heavy, heavy, parseExpression("sma(close * volume, 20)")], Array(20).fill(2294));
});
