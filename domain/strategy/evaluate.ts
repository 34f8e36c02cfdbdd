/**
 * Vectorised evaluation of an expression over one symbol's bars: every node becomes a `Float64Array` of the
 * bars' length. Conditions are 1 (true) or 0 (false); a comparison involving NaN (warm-up) is false. Every
 * function reads only bars up to t, so a value at t never depends on t+1 (no lookahead by construction).
 * Identical sub-expressions are computed once per context.
 */
import {
  correlation,
  delay,
  delta,
  ema,
  highest,
  lowest,
  roc,
  sma,
  stdev,
  tsRank,
  zscore,
} from "../indicators/moving.ts";
import { atr, bollinger, macd, obv, rsi, vpt, vwap } from "../indicators/oscillators.ts";
import { type Expr, ExpressionError, printExpression } from "./expression.ts";

/** The columns an expression can read. */
export interface BarColumns {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** An evaluation context over one symbol's bars, with a cache of computed sub-expressions. */
export interface EvalContext {
  bars: BarColumns;
  cache: Map<string, Float64Array>;
}

/** Creates a context for `bars`. */
export function createEvalContext(bars: BarColumns): EvalContext {
  return { bars, cache: new Map() };
}

const num = (
  e: Expr,
) => (e.kind === "num" ? e.value : e.kind === "neg" && e.arg.kind === "num" ? -e.arg.value : NaN);

function map2(a: Float64Array, b: Float64Array, f: (x: number, y: number) => number): Float64Array {
  const r = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = f(a[i], b[i]);
  return r;
}

/** Evaluates `e` in `ctx`; throws `ExpressionError` for cross-sectional functions (they need a universe). */
export function evaluate(e: Expr, ctx: EvalContext): Float64Array {
  const key = printExpression(e);
  const hit = ctx.cache.get(key);
  if (hit) return hit;
  const value = compute(e, ctx);
  ctx.cache.set(key, value);
  return value;
}

function compute(e: Expr, ctx: EvalContext): Float64Array {
  const len = ctx.bars.close.length;
  const b = ctx.bars;
  switch (e.kind) {
    case "num":
      return new Float64Array(len).fill(e.value);
    case "field":
      return b[e.name];
    case "neg":
      return evaluate(e.arg, ctx).map((x) => -x);
    case "not":
      return evaluate(e.arg, ctx).map((x) => (x > 0 ? 0 : 1));
    case "bin": {
      const l = evaluate(e.left, ctx), r = evaluate(e.right, ctx);
      switch (e.op) {
        case "+":
          return map2(l, r, (x, y) => x + y);
        case "-":
          return map2(l, r, (x, y) => x - y);
        case "*":
          return map2(l, r, (x, y) => x * y);
        case "/":
          return map2(l, r, (x, y) => (y === 0 ? NaN : x / y));
        case "<":
          return map2(l, r, (x, y) => (x < y ? 1 : 0));
        case "<=":
          return map2(l, r, (x, y) => (x <= y ? 1 : 0));
        case ">":
          return map2(l, r, (x, y) => (x > y ? 1 : 0));
        case ">=":
          return map2(l, r, (x, y) => (x >= y ? 1 : 0));
        case "==":
          return map2(l, r, (x, y) => (x === y ? 1 : 0));
        case "!=":
          return map2(l, r, (x, y) => (!Number.isNaN(x) && !Number.isNaN(y) && x !== y ? 1 : 0));
        case "and":
          return map2(l, r, (x, y) => (x > 0 && y > 0 ? 1 : 0));
        case "or":
          return map2(l, r, (x, y) => (x > 0 || y > 0 ? 1 : 0));
      }
      throw new ExpressionError(`Unknown operator "${e.op}"`, 1, "");
    }
    case "call":
      return call(e.name, e.args, ctx);
  }
}

function call(name: string, args: Expr[], ctx: EvalContext): Float64Array {
  const b = ctx.bars;
  const x = () => evaluate(args[0], ctx);
  const i = (k: number) => num(args[k]);
  switch (name) {
    case "sma":
    case "ts_mean":
      return sma(x(), i(1));
    case "ema":
      return ema(x(), i(1));
    case "rsi":
      return rsi(x(), i(1));
    case "macd":
      return macd(x(), i(1), i(2), i(3)).macd;
    case "macd_signal":
      return macd(x(), i(1), i(2), i(3)).signal;
    case "macd_hist":
      return macd(x(), i(1), i(2), i(3)).hist;
    case "bb_upper":
      return bollinger(x(), i(1), i(2)).upper;
    case "bb_middle":
      return sma(x(), i(1));
    case "bb_lower":
      return bollinger(x(), i(1), i(2)).lower;
    case "atr":
      return atr(b.high, b.low, b.close, i(0));
    case "zscore":
      return zscore(x(), i(1));
    case "obv":
      return obv(b.close, b.volume);
    case "vwap":
      return vwap(b.high, b.low, b.close, b.volume, i(0));
    case "vpt":
      return vpt(b.close, b.volume);
    case "volume_sma":
      return sma(b.volume, i(0));
    case "highest":
      return highest(x(), i(1));
    case "lowest":
      return lowest(x(), i(1));
    case "roc":
      return roc(x(), i(1));
    case "stdev":
    case "ts_std":
      return stdev(x(), i(1));
    case "ts_rank":
      return tsRank(x(), i(1));
    case "delay":
      return delay(x(), i(1));
    case "delta":
      return delta(x(), i(1));
    case "correlation":
      return correlation(x(), evaluate(args[1], ctx), i(2));
    case "abs":
      return x().map(Math.abs);
    case "log":
      return x().map((v) => (v > 0 ? Math.log(v) : NaN));
    case "crosses_above":
    case "crosses_below": {
      const a = x(), c = evaluate(args[1], ctx);
      const r = new Float64Array(a.length);
      const up = name === "crosses_above";
      for (let t = 1; t < a.length; t++) {
        r[t] = up
          ? (a[t - 1] <= c[t - 1] && a[t] > c[t] ? 1 : 0)
          : (a[t - 1] >= c[t - 1] && a[t] < c[t] ? 1 : 0);
      }
      return r;
    }
    case "rank":
      throw new ExpressionError(
        "rank() is cross-sectional and cannot be used on a single symbol",
        1,
        "use it in factor formulas evaluated over a universe",
      );
  }
  throw new ExpressionError(`Unknown function "${name}"`, 1, "");
}

/**
 * Evaluates `nodes` (distinct sub-expressions, children first, as `costedNodes` lists them) into `ctx`'s cache,
 * one node at a time, telling `pacer` each node's cost so long evaluations pause between nodes. Afterwards
 * `evaluate` of any listed expression is a cache hit.
 */
export async function evaluateNodes(
  nodes: readonly { expr: Expr; cost: number }[],
  ctx: EvalContext,
  pacer: { spend(cost: number): Promise<void> },
): Promise<void> {
  for (const n of nodes) {
    evaluate(n.expr, ctx);
    await pacer.spend(n.cost);
  }
}
