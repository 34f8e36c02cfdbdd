/**
 * The column evaluator against the version it replaced (element-wise operators through one callback per element,
 * crossings testing their direction at every bar, every `sma` reading its column afresh): random expressions over
 * random bars must give the same values bit for bit, whether each is evaluated alone or many share a context.
 */
import assert from "node:assert/strict";
import { sma } from "../../../domain/indicators/moving.ts";
import { createEvalContext, evaluate } from "../../../domain/strategy/evaluate.ts";
import { type Expr, parseExpression, printExpression } from "../../../domain/strategy/expression.ts";

interface Columns {
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/** The evaluator as it was, for the node kinds that changed (others are not generated below). */
function referenceEvaluate(e: Expr, bars: Columns, cache = new Map<string, Float64Array>()): Float64Array {
  const key = printExpression(e);
  const hit = cache.get(key);
  if (hit) return hit;
  const value = referenceCompute(e, bars, cache);
  cache.set(key, value);
  return value;
}

function map2(a: Float64Array, b: Float64Array, f: (x: number, y: number) => number): Float64Array {
  const r = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) r[i] = f(a[i], b[i]);
  return r;
}

const literal = (e: Expr) =>
  e.kind === "num" ? e.value : e.kind === "neg" && e.arg.kind === "num" ? -e.arg.value : NaN;

function referenceCompute(e: Expr, b: Columns, cache: Map<string, Float64Array>): Float64Array {
  const ev = (x: Expr) => referenceEvaluate(x, b, cache);
  switch (e.kind) {
    case "num":
      return new Float64Array(b.close.length).fill(e.value);
    case "field":
      return b[e.name];
    case "neg":
      return ev(e.arg).map((x) => -x);
    case "not":
      return ev(e.arg).map((x) => (x > 0 ? 0 : 1));
    case "bin": {
      const l = ev(e.left), r = ev(e.right);
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
      throw new Error(`operator ${e.op}`);
    }
    case "call": {
      const x = () => ev(e.args[0]);
      switch (e.name) {
        case "sma":
        case "ts_mean":
        case "bb_middle":
          return sma(x(), literal(e.args[1]));
        case "volume_sma":
          return sma(b.volume, literal(e.args[0]));
        case "abs":
          return x().map(Math.abs);
        case "log":
          return x().map((v) => (v > 0 ? Math.log(v) : NaN));
        case "crosses_above":
        case "crosses_below": {
          const a = x(), c = ev(e.args[1]);
          const r = new Float64Array(a.length);
          const up = e.name === "crosses_above";
          for (let t = 1; t < a.length; t++) {
            r[t] = up
              ? (a[t - 1] <= c[t - 1] && a[t] > c[t] ? 1 : 0)
              : (a[t - 1] >= c[t - 1] && a[t] < c[t] ? 1 : 0);
          }
          return r;
        }
      }
      throw new Error(`function ${e.name}`);
    }
  }
}

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random bars: prices to the cent or 4 places, integer volumes; some with gaps (NaN), zeros and repeats. */
function randomBars(r: () => number, len: number): Columns {
  const kind = Math.floor(r() * 4);
  const col = (price: boolean) => {
    const x = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      const u = r();
      x[i] = kind === 1 && u < 0.05 ? NaN : kind === 2
        ? Math.floor(u * 4) // few distinct values: equalities and zeros are common
        : price
        ? (kind === 3 ? Math.round(u * 1e6) / 1e4 : Math.round(1000 + u * 9000) / 100)
        : Math.floor(u * 1e5);
    }
    return x;
  };
  return { open: col(true), high: col(true), low: col(true), close: col(true), volume: col(false) };
}

const FIELDS = ["open", "high", "low", "close", "volume"];
const OPS = ["+", "-", "*", "/", "<", "<=", ">", ">=", "==", "!=", "and", "or"];

/** A random expression of the changed node kinds, at most `depth` levels deep. */
function randomExpr(r: () => number, depth: number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)];
  const win = () => 1 + Math.floor(r() * 30);
  if (depth === 0 || r() < 0.25) {
    return r() < 0.75 ? pick(FIELDS) : pick(["0", "1", "2.5", "100", "0.01"]);
  }
  const sub = () => randomExpr(r, depth - 1);
  switch (Math.floor(r() * 11)) {
    case 0:
      return `-(${sub()})`;
    case 1:
      return `not (${sub()})`;
    case 2:
      return `abs(${sub()})`;
    case 3:
      return `log(${sub()})`;
    case 4:
      return `${pick(["sma", "ts_mean", "bb_middle"])}(${sub()}, ${win()})`;
    case 5:
      return `volume_sma(${win()})`;
    case 6:
      return `${pick(["crosses_above", "crosses_below"])}(${sub()}, ${sub()})`;
    case 7:
      return `sma(close * volume, ${win()})`;
    default:
      return `(${sub()}) ${pick(OPS)} (${sub()})`;
  }
}

function assertSame(got: Float64Array, want: Float64Array, what: string) {
  assert.equal(got.length, want.length, what);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Object.is(got[i], want[i]), `${what} bar ${i}: ${got[i]} !== ${want[i]}`);
  }
}

Deno.test("evaluate() equals the earlier evaluator bit for bit on random expressions and bars", () => {
  const r = rng(2024);
  let finite = 0;
  for (let c = 0; c < 400; c++) {
    const bars = randomBars(r, 1 + Math.floor(r() * 200));
    const sources = Array.from({ length: 6 }, () => randomExpr(r, 4));
    const shared = createEvalContext(bars);
    const refCache = new Map<string, Float64Array>();
    for (const src of sources) {
      const e = parseExpression(src);
      const want = referenceEvaluate(e, bars);
      // Alone in a fresh context, in a context shared with the other expressions, and again (a cache hit).
      assertSame(evaluate(e, createEvalContext(bars)), want, `case ${c}: ${src}`);
      assertSame(evaluate(e, shared), want, `case ${c} (shared): ${src}`);
      assertSame(evaluate(parseExpression(src), shared), want, `case ${c} (again): ${src}`);
      assertSame(referenceEvaluate(e, bars, refCache), want, `case ${c} (reference cache): ${src}`);
      for (const v of want) if (Number.isFinite(v) && v !== 0 && v !== 1) finite++;
    }
  }
  // The generator reaches real arithmetic, not only conditions and NaN.
  assert.ok(finite > 10_000, `${finite} finite values`);
});

Deno.test("evaluate() reads a column as decimals once per context, and every window length agrees", () => {
  const r = rng(9);
  const bars = randomBars(r, 600);
  const ctx = createEvalContext(bars);
  for (let n = 1; n <= 60; n++) {
    for (const src of [`sma(close, ${n})`, `volume_sma(${n})`, `sma(close * volume, ${n})`]) {
      assertSame(evaluate(parseExpression(src), ctx), referenceEvaluate(parseExpression(src), bars), src);
    }
  }
  // close, volume and close * volume, each read once for all 60 windows.
  assert.equal(ctx.decimals.size, 3);
  assert.notEqual(ctx.decimals.get(bars.close), null);
  assert.notEqual(ctx.decimals.get(bars.volume), null);
});
