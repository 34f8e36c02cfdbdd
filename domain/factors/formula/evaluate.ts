/**
 * Evaluates a resolved formula tree on a panel. A value is a number (a folded constant) or a `D × N` panel;
 * panels the evaluator made itself are reused in place by element-wise operations, the input panels never are.
 * Every result is finite or NaN (±Infinity becomes NaN at each step).
 */
import { applyBinary, type BinaryOp, choose, finite, type Node, signedPower } from "./check.ts";
import { crossRank, crossScale, sectorNeutralize } from "./cross_section_ops.ts";
import type { BaseField } from "./operators.ts";
import {
  decayLinear,
  lagged,
  rollingCov,
  rollingExtreme,
  rollingProduct,
  rollingStd,
  rollingSum,
  tsRank,
} from "./window_ops.ts";

/** What the evaluator reads: the input panels (NaN = no bar; ±Infinity is read as missing) and sectors. */
export interface EvalInputs {
  readonly D: number;
  readonly N: number;
  readonly sectors: readonly (string | null)[];
  readonly fields: Readonly<Record<BaseField, Float64Array>>;
}

interface Panel {
  a: Float64Array;
  /** Made by the evaluator (may be overwritten); false for an input or a shared cached panel. */
  own: boolean;
}
type Value = number | Panel;

/** Evaluates `root` into a fresh `Float64Array(D × N)`. */
export function evaluateTree(root: Node, inputs: EvalInputs): Float64Array {
  const { D, N } = inputs;
  const cache = new Map<string, Float64Array>();
  const repeated = repeatedOps(root);
  const shared = new Map<string, Float64Array>();

  const base = (name: BaseField): Float64Array => {
    let a = cache.get(name);
    if (!a) {
      a = inputs.fields[name];
      if (a.some((v) => v === Infinity || v === -Infinity)) a = a.map((v) => (v - v === 0 ? v : NaN));
      cache.set(name, a);
    }
    return a;
  };

  const panel = (v: Value): Float64Array => typeof v === "number" ? new Float64Array(D * N).fill(v) : v.a;

  function field(name: BaseField | "returns"): Float64Array {
    if (name !== "returns") return base(name);
    let a = cache.get(name);
    if (!a) {
      const close = base("close");
      a = new Float64Array(D * N).fill(NaN);
      for (let i = N; i < D * N; i++) a[i] = finite(close[i] / close[i - N] - 1);
      cache.set(name, a);
    }
    return a;
  }

  function ev(n: Node): Value {
    switch (n.kind) {
      case "const":
        return n.value;
      case "field":
        return { a: field(n.name), own: false };
      case "adv": {
        const key = `adv${n.d}`;
        let a = cache.get(key);
        if (!a) cache.set(key, a = rollingSum(base("volume"), D, N, n.d, true));
        return { a, own: false };
      }
      case "neg":
        return map1(ev(n.arg), (v) => -v);
      case "binary":
        return binary(n.op, ev(n.left), ev(n.right));
      case "cond": {
        const test = ev(n.test), then = ev(n.then), other = ev(n.other);
        const c = panel(test), a = then, b = other;
        const out = target([test, then, other]);
        for (let i = 0; i < D * N; i++) {
          out[i] = choose(c[i], typeof a === "number" ? a : a.a[i], typeof b === "number" ? b : b.a[i]);
        }
        return { a: out, own: true };
      }
      case "op":
        return op(n);
    }
  }

  /** A buffer to write a result into: an owned argument panel if there is one, else a new one. */
  function target(args: Value[]): Float64Array {
    for (const v of args) if (typeof v !== "number" && v.own) return v.a;
    return new Float64Array(D * N);
  }

  function map1(v: Value, f: (x: number) => number): Value {
    if (typeof v === "number") return finite(f(v));
    const src = v.a, out = target([v]);
    for (let i = 0; i < src.length; i++) {
      const r = f(src[i]);
      out[i] = r - r === 0 ? r : NaN;
    }
    return { a: out, own: true };
  }

  function binary(op: BinaryOp, l: Value, r: Value): Value {
    const out = target([l, r]);
    const x = typeof l === "number" ? null : l.a, y = typeof r === "number" ? null : r.a;
    const xc = typeof l === "number" ? l : 0, yc = typeof r === "number" ? r : 0;
    const len = D * N;
    // The four arithmetic operators (the common, hot case) get a tight loop; the rest go through applyBinary.
    if (op === "+" || op === "-" || op === "*" || op === "/") {
      for (let i = 0; i < len; i++) {
        const a = x ? x[i] : xc, b = y ? y[i] : yc;
        const v = op === "+" ? a + b : op === "-" ? a - b : op === "*" ? a * b : a / b;
        out[i] = v - v === 0 ? v : NaN;
      }
    } else if (x && y) {
      for (let i = 0; i < len; i++) out[i] = applyBinary(op, x[i], y[i]);
    } else if (x) {
      for (let i = 0; i < len; i++) out[i] = applyBinary(op, x[i], yc);
    } else {
      for (let i = 0; i < len; i++) out[i] = applyBinary(op, xc, y![i]);
    }
    return { a: out, own: true };
  }

  /** An operation that occurs more than once in the formula is computed once and then shared (read-only). */
  function op(n: Node & { kind: "op" }): Value {
    const key = repeated.get(n);
    if (key === undefined) return compute(n);
    let a = shared.get(key);
    if (!a) {
      const v = compute(n);
      a = typeof v === "number" ? new Float64Array(D * N).fill(v) : v.a;
      shared.set(key, a);
    }
    return { a, own: false };
  }

  function compute(n: Node & { kind: "op" }): Value {
    const args = n.args.map(ev);
    const x = () => panel(args[0]);
    const fresh = (a: Float64Array): Value => ({ a, own: true });
    switch (n.op) {
      case "rank":
        return fresh(crossRank(x(), D, N));
      case "scale":
        return fresh(crossScale(x(), D, N, n.a));
      case "indneutralize":
        return fresh(sectorNeutralize(x(), D, N, inputs.sectors));
      case "ts_rank":
        return fresh(tsRank(x(), D, N, n.d));
      case "delay":
        return fresh(lagged(x(), D, N, n.d, false));
      case "delta":
        return fresh(lagged(x(), D, N, n.d, true));
      case "ts_sum":
        return fresh(rollingSum(x(), D, N, n.d, false));
      case "ts_mean":
        return fresh(rollingSum(x(), D, N, n.d, true));
      case "ts_std":
        return fresh(rollingStd(x(), D, N, n.d));
      case "ts_product":
        return fresh(rollingProduct(x(), D, N, n.d));
      case "ts_corr":
        return fresh(rollingCov(x(), panel(args[1]), D, N, n.d, true));
      case "ts_cov":
        return fresh(rollingCov(x(), panel(args[1]), D, N, n.d, false));
      case "decay_linear":
        return fresh(decayLinear(x(), D, N, n.d));
      case "ts_min":
        return fresh(rollingExtreme(x(), D, N, n.d, false, false));
      case "ts_max":
        return fresh(rollingExtreme(x(), D, N, n.d, true, false));
      case "ts_argmin":
        return fresh(rollingExtreme(x(), D, N, n.d, false, true));
      case "ts_argmax":
        return fresh(rollingExtreme(x(), D, N, n.d, true, true));
      case "abs":
        return map1(args[0], Math.abs);
      case "log":
        return map1(args[0], Math.log);
      case "sqrt":
        return map1(args[0], Math.sqrt);
      case "sign":
        return map1(args[0], Math.sign);
      case "min":
        return binaryFn(args[0], args[1], Math.min);
      case "max":
        return binaryFn(args[0], args[1], Math.max);
      case "signedpower":
        return binaryFn(args[0], args[1], signedPower);
      case "where": {
        const c = panel(args[0]), a = args[1], b = args[2];
        const out = target(args);
        for (let i = 0; i < D * N; i++) {
          out[i] = choose(c[i], typeof a === "number" ? a : a.a[i], typeof b === "number" ? b : b.a[i]);
        }
        return { a: out, own: true };
      }
    }
  }

  function binaryFn(l: Value, r: Value, f: (x: number, y: number) => number): Value {
    const out = target([l, r]);
    for (let i = 0; i < D * N; i++) {
      const v = f(typeof l === "number" ? l : l.a[i], typeof r === "number" ? r : r.a[i]);
      out[i] = v - v === 0 ? v : NaN;
    }
    return { a: out, own: true };
  }

  const result = ev(root);
  if (typeof result === "number") return new Float64Array(D * N).fill(result);
  return result.own ? result.a : result.a.slice();
}

/** The operation nodes whose computation occurs more than once in the tree, each with a key naming it. */
export function repeatedOps(root: Node): Map<Node, string> {
  const keys = new Map<Node, string>();
  const count = new Map<string, number>();
  const key = (n: Node): string => {
    let k: string;
    switch (n.kind) {
      case "const":
        return `${n.value}`;
      case "field":
        return n.name;
      case "adv":
        return `adv${n.d}`;
      case "neg":
        k = `-(${key(n.arg)})`;
        break;
      case "binary":
        k = `(${key(n.left)})${n.op}(${key(n.right)})`;
        break;
      case "cond":
        k = `(${key(n.test)})?(${key(n.then)}):(${key(n.other)})`;
        break;
      case "op":
        k = `${n.op}(${n.args.map(key).join(",")};${n.d};${n.a})`;
        keys.set(n, k);
        count.set(k, (count.get(k) ?? 0) + 1);
        break;
    }
    return k;
  };
  key(root);
  for (const [n, k] of keys) if (count.get(k)! < 2) keys.delete(n);
  return keys;
}
