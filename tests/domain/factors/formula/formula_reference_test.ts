/**
 * The evaluator against a second, deliberately straightforward implementation: plain loops over `[t][j]` arrays
 * that recompute every window from scratch (no running sums, no deques, no shared kernels), on random panels
 * with missing bars, ties, a constant stretch and a zero price. Every windowed operator and a set of nested
 * formulas (the examples and several of the paper's alphas) must agree within 1e-12 relative, with
 * missing values in exactly the same places. Also: nothing reads a later row, and `lookback` is exact.
 */
import assert from "node:assert/strict";
import { check, type Node } from "../../../../domain/factors/formula/check.ts";
import {
  evaluateFormula,
  type FormulaInputs,
  parseFormula,
} from "../../../../domain/factors/formula/formula.ts";
import { parseSyntax } from "../../../../domain/factors/formula/parser.ts";
import { randomInputs } from "./formula_panels.ts";

type Grid = number[][];
const ok = (v: number) => Number.isFinite(v);
const clean = (v: number) => (Number.isFinite(v) ? v : NaN);

/** The reference evaluator: one value at a time, each window read afresh. */
function reference(source: string, inputs: FormulaInputs): { v: Grid; s: Grid } {
  const D = inputs.dates.length, N = inputs.symbols.length;
  const grid = (a: Float64Array): Grid =>
    Array.from({ length: D }, (_, t) => Array.from({ length: N }, (_, j) => clean(a[t * N + j])));
  const make = (f: (t: number, j: number) => number): Grid =>
    Array.from({ length: D }, (_, t) => Array.from({ length: N }, (_, j) => clean(f(t, j))));
  /** The window x[t−d+1 … t][j], oldest first, or null when short or holding a missing value. */
  const windowOf = (x: Grid, t: number, j: number, d: number): number[] | null => {
    if (t - d + 1 < 0) return null;
    const w: number[] = [];
    for (let k = t - d + 1; k <= t; k++) {
      if (!ok(x[k][j])) return null;
      w.push(x[k][j]);
    }
    return w;
  };
  const perWindow = (x: Grid, d: number, f: (w: number[]) => number): Grid =>
    make((t, j) => {
      const w = windowOf(x, t, j, d);
      return w === null ? NaN : f(w);
    });
  const sum = (w: number[]) => w.reduce((a, b) => a + b, 0);
  const mean = (w: number[]) => sum(w) / w.length;
  const constant = (w: number[]) => w.every((v) => v === w[0]);
  const pairs = (x: Grid, y: Grid, d: number, f: (a: number[], b: number[]) => number): Grid =>
    make((t, j) => {
      const a = windowOf(x, t, j, d), b = windowOf(y, t, j, d);
      return a === null || b === null ? NaN : f(a, b);
    });
  const cov = (a: number[], b: number[]) => {
    if (constant(a) || constant(b)) return 0;
    const ma = mean(a), mb = mean(b);
    let s = 0;
    for (let k = 0; k < a.length; k++) s += (a[k] - ma) * (b[k] - mb);
    return s / (a.length - 1);
  };
  const corr = (a: number[], b: number[]) => {
    if (constant(a) || constant(b)) return NaN;
    const ma = mean(a), mb = mean(b);
    let sab = 0, saa = 0, sbb = 0;
    for (let k = 0; k < a.length; k++) {
      sab += (a[k] - ma) * (b[k] - mb);
      saa += (a[k] - ma) ** 2;
      sbb += (b[k] - mb) ** 2;
    }
    return sab / Math.sqrt(saa * sbb);
  };
  /** Bars since the extreme (0 = today), the most recent of equal extremes. */
  const since = (w: number[], better: (a: number, b: number) => boolean) => {
    let best = 0; // bars ago
    for (let ago = 1; ago < w.length; ago++) {
      if (better(w[w.length - 1 - ago], w[w.length - 1 - best])) best = ago;
    }
    return best;
  };
  const lag = (x: Grid, d: number) => make((t, j) => (t - d < 0 ? NaN : x[t - d][j]));

  const fields: Record<string, Grid> = {};
  for (const name of ["open", "high", "low", "close", "volume", "vwap"] as const) {
    fields[name] = grid(inputs[name]);
  }
  fields.returns = make((t, j) => (t === 0 ? NaN : fields.close[t][j] / fields.close[t - 1][j] - 1));

  const elementwise = (xs: Grid[], f: (...v: number[]) => number) =>
    make((t, j) => {
      const v = xs.map((x) => x[t][j]);
      return v.some((u) => !ok(u)) ? NaN : f(...v);
    });
  const binaryOps: Record<string, (a: number, b: number) => number> = {
    "+": (a, b) => a + b,
    "-": (a, b) => a - b,
    "*": (a, b) => a * b,
    "/": (a, b) => a / b,
    "^": (a, b) => a ** b,
    "<": (a, b) => Number(a < b),
    "<=": (a, b) => Number(a <= b),
    ">": (a, b) => Number(a > b),
    ">=": (a, b) => Number(a >= b),
    "==": (a, b) => Number(a === b),
    "!=": (a, b) => Number(a !== b),
    "&&": (a, b) => Number(a !== 0 && b !== 0),
    "||": (a, b) => Number(a !== 0 || b !== 0),
  };

  /** A result and, per value, the magnitude its rounding error is relative to (see `compare`). */
  type R = { v: Grid; s: Grid };
  const plain = (v: Grid): R => ({ v, s: v.map((r) => r.map(Math.abs)) });
  const withScale = (v: Grid, f: (t: number, j: number) => number): R => ({ v, s: make(f) });

  function ev(n: Node): R {
    switch (n.kind) {
      case "const":
        return plain(make(() => n.value));
      case "field":
        return plain(fields[n.name]);
      case "adv":
        return plain(perWindow(fields.volume, n.d, mean));
      case "neg": {
        const x = ev(n.arg);
        return { v: elementwise([x.v], (a) => -a), s: x.s };
      }
      case "binary": {
        const l = ev(n.left), r = ev(n.right), v = elementwise([l.v, r.v], binaryOps[n.op]);
        const scale = (t: number, j: number): number => {
          const ls = l.s[t][j], rs = r.s[t][j], L = Math.abs(l.v[t][j]), Rv = Math.abs(r.v[t][j]);
          if (n.op === "+" || n.op === "-") return ls + rs;
          if (n.op === "*") return ls * Rv + L * rs;
          if (n.op === "/") return (ls + L / Rv * rs) / Rv;
          return Math.abs(v[t][j]);
        };
        return withScale(v, scale);
      }
      case "cond": {
        const c = ev(n.test), a = ev(n.then), b = ev(n.other);
        const pick = (g: (r: R) => Grid) =>
          make((t, j) => (!ok(c.v[t][j]) ? NaN : c.v[t][j] !== 0 ? g(a)[t][j] : g(b)[t][j]));
        return { v: pick((r) => r.v), s: pick((r) => r.s) };
      }
      case "op": {
        const args = n.args.map(ev), x = args[0].v, sx = args[0].s, d = n.d;
        switch (n.op) {
          case "rank":
            return plain(make((t, j) => {
              if (!ok(x[t][j])) return NaN;
              const present = x[t].filter(ok);
              const less = present.filter((v) => v < x[t][j]).length;
              const equal = present.filter((v) => v === x[t][j]).length;
              return (less + (equal + 1) / 2) / present.length;
            }));
          case "scale":
            return plain(make((t, j) => {
              const total = x[t].filter(ok).reduce((s, v) => s + Math.abs(v), 0);
              return ok(x[t][j]) && total > 0 ? x[t][j] * n.a / total : NaN;
            }));
          case "indneutralize": {
            const peersOf = (t: number, j: number) =>
              x[t].map((v, k) => ({ v, k })).filter((p) =>
                inputs.sectors[p.k] === inputs.sectors[j] && ok(p.v)
              );
            return withScale(
              make((t, j) => {
                if (inputs.sectors[j] === null || !ok(x[t][j])) return NaN;
                const peers = peersOf(t, j);
                return x[t][j] - sum(peers.map((p) => p.v)) / peers.length;
              }),
              (t, j) => sx[t][j] + peersOf(t, j).reduce((a, p) => a + sx[t][p.k], 0) / peersOf(t, j).length,
            );
          }
          case "ts_rank":
            return plain(perWindow(x, d, (w) => {
              const today = w[w.length - 1];
              return (w.filter((v) => v < today).length + (w.filter((v) => v === today).length + 1) / 2) / d;
            }));
          case "delay":
            return { v: lag(x, d), s: lag(sx, d) };
          case "delta":
            return withScale(
              elementwise([x, lag(x, d)], (a, b) => a - b),
              (t, j) => sx[t][j] + (t >= d ? sx[t - d][j] : 0),
            );
          case "ts_sum":
            return withScale(perWindow(x, d, sum), (t, j) => sum(windowOf(sx, t, j, d) ?? [0]));
          case "ts_mean":
            return withScale(perWindow(x, d, mean), (t, j) => mean(windowOf(sx, t, j, d) ?? [0]));
          case "ts_std":
            return plain(perWindow(x, d, (w) => Math.sqrt(cov(w, w))));
          case "ts_product":
            return plain(perWindow(x, d, (w) => w.reduce((a, b) => a * b, 1)));
          case "ts_corr":
            return withScale(pairs(x, args[1].v, d, corr), () => 1);
          case "ts_cov":
            return withScale(pairs(x, args[1].v, d, cov), (t, j) => {
              const a = windowOf(x, t, j, d), b = windowOf(args[1].v, t, j, d);
              return a === null || b === null ? 0 : Math.sqrt(cov(a, a) * cov(b, b));
            });
          case "decay_linear": {
            const decay = (w: number[]) => w.reduce((s, v, k) => s + (k + 1) * v, 0) / (d * (d + 1) / 2);
            return withScale(perWindow(x, d, decay), (t, j) => decay(windowOf(sx, t, j, d) ?? [0]));
          }
          case "ts_min":
            return plain(perWindow(x, d, (w) => Math.min(...w)));
          case "ts_max":
            return plain(perWindow(x, d, (w) => Math.max(...w)));
          case "ts_argmin":
            return plain(perWindow(x, d, (w) => since(w, (a, b) => a < b)));
          case "ts_argmax":
            return plain(perWindow(x, d, (w) => since(w, (a, b) => a > b)));
          case "abs":
            return { v: elementwise([x], Math.abs), s: sx };
          case "log":
            return plain(elementwise([x], Math.log));
          case "sign":
            return plain(elementwise([x], Math.sign));
          case "sqrt":
            return plain(elementwise([x], Math.sqrt));
          case "min":
            return plain(elementwise([x, args[1].v], Math.min));
          case "max":
            return plain(elementwise([x, args[1].v], Math.max));
          case "signedpower":
            return plain(elementwise([x, args[1].v], (a, p) => Math.sign(a) * Math.abs(a) ** p));
          case "where": {
            const [c, a, b] = args;
            const pick = (g: (r: R) => Grid) =>
              make((t, j) => (!ok(c.v[t][j]) ? NaN : c.v[t][j] !== 0 ? g(a)[t][j] : g(b)[t][j]));
            return { v: pick((r) => r.v), s: pick((r) => r.s) };
          }
        }
      }
    }
  }
  return ev(check(parseSyntax(source)).root);
}

/**
 * Compares the evaluator with the reference: missing in the same places, and otherwise within 1e-12 relative —
 * relative to the value, or, where the value is a difference of larger terms (a sum or mean of mixed signs, a
 * covariance, a correlation, a sector-neutralised value, a + b, …), to the size of those terms (the reference
 * carries that scale per value: Σ|x| for a sum, σx·σy for a covariance, 1 for a correlation). No two ways of
 * rounding can agree on the digits of a result smaller than the rounding of its terms.
 */
function compare(source: string, inputs: FormulaInputs): { finite: number } {
  const N = inputs.symbols.length;
  const got = evaluateFormula(parseFormula(source), inputs);
  const want = reference(source, inputs);
  let finite = 0;
  want.v.forEach((r, t) =>
    r.forEach((e, j) => {
      const a = got[t * N + j];
      const where = `${source}: date ${t}, symbol ${j}: got ${a}, reference ${e} (scale ${want.s[t][j]})`;
      if (Number.isNaN(e)) assert.ok(Number.isNaN(a), where);
      else {
        finite++;
        assert.ok(Math.abs(a - e) <= 1e-12 * Math.max(Math.abs(a), Math.abs(e), want.s[t][j]), where);
      }
    })
  );
  return { finite };
}

const SMALL = randomInputs(40, 30, 7);
const LONG = randomInputs(12, 600, 11);

const WINDOWED = [
  "ts_sum(close, d)",
  "ts_mean(close, d)",
  "ts_mean(returns, d)",
  "ts_std(close, d)",
  "ts_std(returns, d)",
  "ts_product(close / delay(close, 1), d)",
  "correlation(close, volume, d)",
  "correlation(returns, delay(returns, 1), d)",
  "covariance(close, volume, d)",
  "covariance(returns, vwap, d)",
  "decay_linear(close, d)",
  "decay_linear(returns, d)",
  "ts_min(close, d)",
  "ts_max(close, d)",
  "ts_argmin(close, d)",
  "ts_argmax(close, d)",
  "ts_rank(close, d)",
  "ts_rank(volume, d)",
  "delay(close, d)",
  "delta(close, d)",
  "adv{d}",
];

Deno.test("every windowed operator matches the reference on a random 40 × 30 panel (windows 2, 3, 5, 10)", () => {
  for (const template of WINDOWED) {
    for (const d of [2, 3, 5, 10]) {
      const src = template.replace("{d}", String(d)).replace(", d)", `, ${d})`);
      const { finite } = compare(src, SMALL);
      assert.ok(finite > 100, `${src}: only ${finite} values`);
    }
  }
});

Deno.test("windowed operators stay exact over 600 dates (running sums do not drift; windows 3, 20, 61.5, 250)", () => {
  for (const template of WINDOWED) {
    for (const d of [3, 20, 61.5, 250]) {
      compare(template.replace("{d}", String(Math.floor(d))).replace(", d)", `, ${d})`), LONG);
    }
  }
});

const NESTED = [
  "-ts_delta(close, 20)",
  "rank(ts_mean(close, 20))",
  "rank(volume / adv20)",
  "rank(close)",
  "rank(volume)",
  "scale(returns)",
  "scale(rank(close), 3)",
  "indneutralize(returns, IndClass.sector)",
  "rank(neutralize_sector(ts_mean(returns, 5)))",
  "correlation(rank(volume), rank(vwap), 10)",
  // Alpha#101, #12, #2, #3, #4, #6, #9, #33, #41, #53, #54 of the paper (with its adv/IndClass names)
  "(close - open) / ((high - low) + .001)",
  "sign(delta(volume, 1)) * (-1 * delta(close, 1))",
  "-1 * correlation(rank(delta(log(volume), 2)), rank(((close - open) / open)), 6)",
  "-1 * correlation(rank(open), rank(volume), 10)",
  "-1 * Ts_Rank(rank(low), 9)",
  "-1 * correlation(open, volume, 10)",
  "((0 < ts_min(delta(close, 1), 5)) ? delta(close, 1) : ((ts_max(delta(close, 1), 5) < 0) ? delta(close, 1) : (-1 * delta(close, 1))))",
  "rank((-1 * ((1 - (open / close))^1)))",
  "(((high * low)^0.5) - vwap)",
  "(-1 * delta((((close - low) - (high - close)) / (close - low)), 9))",
  "((-1 * ((low - close) * (open^5))) / ((low - high) * (close^5)))",
  "decay_linear(ts_argmax(close, 5), 3) + SignedPower(ts_std(returns, 4), 2) - ts_cov(rank(close), rank(volume), 5)",
  "where(close > delay(close, 1) && volume >= adv5 || returns < -0.01, ts_rank(vwap, 4), -scale(delta(close, 2)))",
  "max(ts_max(high, 3), delay(close, 2)) - min(sqrt(abs(returns)), 0.1) * product(1 + returns, 3)",
];

Deno.test("nested formulas and the paper's alphas match the reference", () => {
  for (const src of NESTED) {
    const { finite } = compare(src, SMALL);
    assert.ok(finite > 0, `${src}: no values`);
    compare(src, LONG);
  }
});

Deno.test("nothing reads a later row: a panel cut at any date gives the same earlier rows, bit for bit", () => {
  const N = SMALL.symbols.length;
  const cut = (t: number): FormulaInputs => ({
    ...SMALL,
    dates: SMALL.dates.slice(0, t),
    open: SMALL.open.slice(0, t * N),
    high: SMALL.high.slice(0, t * N),
    low: SMALL.low.slice(0, t * N),
    close: SMALL.close.slice(0, t * N),
    volume: SMALL.volume.slice(0, t * N),
    vwap: SMALL.vwap.slice(0, t * N),
  });
  const formulas = [...NESTED, ...WINDOWED.map((w) => w.replace("{d}", "5").replace(", d)", ", 5)"))];
  for (const src of formulas) {
    const full = evaluateFormula(parseFormula(src), SMALL);
    for (const t of [1, 7, 12, 23]) {
      const part = evaluateFormula(parseFormula(src), cut(t));
      assert.deepEqual(part, full.slice(0, t * N), `${src} cut at ${t}`);
    }
  }
});

Deno.test("lookback is exact: on a complete panel the row before it is missing and its row is complete", () => {
  const full = randomInputs(25, 80, 3, false);
  const N = full.symbols.length;
  for (
    const src of [
      "returns",
      "adv20",
      "rank(ts_mean(close, 20))",
      "-ts_delta(close, 20)",
      "ts_mean(delta(close, 5), 20)",
      "correlation(rank(volume), rank(returns), 10)",
      "decay_linear(ts_rank(delay(returns, 3), 7), 4) * ts_argmin(low, 6)",
      "ts_std(ts_max(high, 5) - ts_min(low, 5), 12)",
      "covariance(adv30, delta(close, 2), 10)",
    ]
  ) {
    const f = parseFormula(src);
    const out = evaluateFormula(f, full);
    const rowAt = (t: number) => Array.from(out.subarray(t * N, (t + 1) * N));
    if (f.lookback > 0) assert.ok(rowAt(f.lookback - 1).every(Number.isNaN), `${src}: row ${f.lookback - 1}`);
    assert.ok(rowAt(f.lookback).every(Number.isFinite), `${src}: row ${f.lookback} (lookback)`);
  }
});
