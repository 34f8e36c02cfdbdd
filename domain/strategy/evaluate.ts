/**
 * Vectorised evaluation of an expression over one symbol's bars: every node becomes a `Float64Array` of the
 * bars' length. Conditions are 1 (true) or 0 (false); a comparison involving NaN (warm-up) is false. Every
 * function reads only bars up to t, so a value at t never depends on t+1 (no lookahead by construction).
 * Identical sub-expressions are computed once per context.
 */
import {
  correlation,
  type DecimalColumn,
  decimalColumn,
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
  /** Computed sub-expressions by their printed text (identical text is computed once). */
  cache: Map<string, Float64Array>;
  /** The same values by expression node, so a node already seen is found without printing it again. */
  nodes: Map<Expr, Float64Array>;
  /** Columns read as exact decimals (`null`: not decimal), shared by every `sma` of the same column. */
  decimals: Map<Float64Array, DecimalColumn | null>;
}

/** Creates a context for `bars`. */
export function createEvalContext(bars: BarColumns): EvalContext {
  return { bars, cache: new Map(), nodes: new Map(), decimals: new Map() };
}

const num = (
  e: Expr,
) => (e.kind === "num" ? e.value : e.kind === "neg" && e.arg.kind === "num" ? -e.arg.value : NaN);

/** Evaluates `e` in `ctx`; throws `ExpressionError` for cross-sectional functions (they need a universe). */
export function evaluate(e: Expr, ctx: EvalContext): Float64Array {
  return ctx.nodes.get(e) ?? evaluateKeyed(e, printExpression(e), ctx);
}

/** `evaluate` of `e` whose printed text is `key`. */
function evaluateKeyed(e: Expr, key: string, ctx: EvalContext): Float64Array {
  let value = ctx.cache.get(key);
  if (!value) {
    value = compute(e, ctx);
    ctx.cache.set(key, value);
  }
  ctx.nodes.set(e, value);
  return value;
}

/** `x`'s `sma` over `n`, with `x` read as decimals once per context. */
function smaIn(ctx: EvalContext, x: Float64Array, n: number): Float64Array {
  let d = ctx.decimals.get(x);
  if (d === undefined) ctx.decimals.set(x, d = decimalColumn(x));
  return sma(x, n, d);
}

/*
 * Element-wise operators: one loop each (no per-element callback), the same arithmetic per element as
 * `(x, y) => …` had.
 */

function add(l: Float64Array, r: Float64Array): Float64Array {
  const o = new Float64Array(l.length);
  for (let i = 0; i < o.length; i++) o[i] = l[i] + r[i];
  return o;
}

function sub(l: Float64Array, r: Float64Array): Float64Array {
  const o = new Float64Array(l.length);
  for (let i = 0; i < o.length; i++) o[i] = l[i] - r[i];
  return o;
}

function mul(l: Float64Array, r: Float64Array): Float64Array {
  const o = new Float64Array(l.length);
  for (let i = 0; i < o.length; i++) o[i] = l[i] * r[i];
  return o;
}

function div(l: Float64Array, r: Float64Array): Float64Array {
  const o = new Float64Array(l.length);
  for (let i = 0; i < o.length; i++) o[i] = r[i] === 0 ? NaN : l[i] / r[i];
  return o;
}

function compare(op: string, l: Float64Array, r: Float64Array): Float64Array {
  const o = new Float64Array(l.length);
  const n = o.length;
  // A fresh column is all 0 (false): only the true places are written.
  switch (op) {
    case "<":
      for (let i = 0; i < n; i++) if (l[i] < r[i]) o[i] = 1;
      return o;
    case "<=":
      for (let i = 0; i < n; i++) if (l[i] <= r[i]) o[i] = 1;
      return o;
    case ">":
      for (let i = 0; i < n; i++) if (l[i] > r[i]) o[i] = 1;
      return o;
    case ">=":
      for (let i = 0; i < n; i++) if (l[i] >= r[i]) o[i] = 1;
      return o;
    case "==":
      for (let i = 0; i < n; i++) if (l[i] === r[i]) o[i] = 1;
      return o;
    case "!=":
      for (let i = 0; i < n; i++) {
        const x = l[i], y = r[i];
        if (!Number.isNaN(x) && !Number.isNaN(y) && x !== y) o[i] = 1;
      }
      return o;
    case "and":
      for (let i = 0; i < n; i++) if (l[i] > 0 && r[i] > 0) o[i] = 1;
      return o;
    case "or":
      for (let i = 0; i < n; i++) if (l[i] > 0 || r[i] > 0) o[i] = 1;
      return o;
  }
  throw new ExpressionError(`Unknown operator "${op}"`, 1, "");
}

function compute(e: Expr, ctx: EvalContext): Float64Array {
  const len = ctx.bars.close.length;
  const b = ctx.bars;
  switch (e.kind) {
    case "num":
      return new Float64Array(len).fill(e.value);
    case "field":
      return b[e.name];
    case "neg": {
      const x = evaluate(e.arg, ctx);
      const o = new Float64Array(x.length);
      for (let i = 0; i < o.length; i++) o[i] = -x[i];
      return o;
    }
    case "not": {
      const x = evaluate(e.arg, ctx);
      const o = new Float64Array(x.length);
      for (let i = 0; i < o.length; i++) if (!(x[i] > 0)) o[i] = 1;
      return o;
    }
    case "bin": {
      const l = evaluate(e.left, ctx), r = evaluate(e.right, ctx);
      switch (e.op) {
        case "+":
          return add(l, r);
        case "-":
          return sub(l, r);
        case "*":
          return mul(l, r);
        case "/":
          return div(l, r);
      }
      return compare(e.op, l, r);
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
      return smaIn(ctx, x(), i(1));
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
      return smaIn(ctx, x(), i(1));
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
      return smaIn(ctx, b.volume, i(0));
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
    case "abs": {
      const v = x();
      const o = new Float64Array(v.length);
      for (let t = 0; t < o.length; t++) o[t] = Math.abs(v[t]);
      return o;
    }
    case "log": {
      const v = x();
      const o = new Float64Array(v.length);
      for (let t = 0; t < o.length; t++) o[t] = v[t] > 0 ? Math.log(v[t]) : NaN;
      return o;
    }
    case "crosses_above":
    case "crosses_below": {
      const a = x(), c = evaluate(args[1], ctx);
      const r = new Float64Array(a.length);
      if (a.length === 0) return r;
      // A fresh column is all 0 (no crossing): only the crossings are written. Each bar's "at or below" (at or
      // above) is carried to the next bar as its "before".
      let before: boolean;
      if (name === "crosses_above") {
        before = a[0] <= c[0];
        for (let t = 1; t < a.length; t++) {
          const x = a[t], y = c[t];
          if (before && x > y) r[t] = 1;
          before = x <= y;
        }
      } else {
        before = a[0] >= c[0];
        for (let t = 1; t < a.length; t++) {
          const x = a[t], y = c[t];
          if (before && x < y) r[t] = 1;
          before = x >= y;
        }
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
 * `evaluate` of any listed expression is a cache hit. A node's `text` (its printed form, as `costedNodes` gives it)
 * is its cache key, so it is not printed again.
 */
export async function evaluateNodes(
  nodes: readonly { expr: Expr; cost: number; text?: string }[],
  ctx: EvalContext,
  pacer: { spend(cost: number): Promise<void> },
): Promise<void> {
  for (const n of nodes) {
    evaluateKeyed(n.expr, n.text ?? printExpression(n.expr), ctx);
    await pacer.spend(n.cost);
  }
}
