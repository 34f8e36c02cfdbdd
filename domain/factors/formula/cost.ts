/**
 * The work a formula costs on a `D × N` panel, estimated from its tree before it runs, so callers can refuse a
 * formula over their budget: `operations` counts elementary per-value steps (a running-sum window ≈ 8 per value,
 * `ts_rank` ≈ 2·d, a cross-sectional rank ≈ 3·log2 N; an operation repeated in the formula counts once, as it is
 * computed once), `bytes` the peak memory of the intermediate panels (8 bytes per value).
 */
import type { Node } from "./check.ts";
import { repeatedOps } from "./evaluate.ts";

export interface FormulaCost {
  /** Estimated elementary operations (≈ 1 ns each on this machine; see BENCHMARKS.md). */
  operations: number;
  /** Peak bytes of intermediate panels held at once. */
  bytes: number;
}

/** Per-value cost of one node (its own work, not its arguments'). */
function ownCost(n: Node, symbols: number): number {
  switch (n.kind) {
    case "const":
      return 0;
    case "field":
      return n.name === "returns" ? 2 : 0;
    case "adv":
      return 8;
    case "neg":
    case "binary":
    case "cond":
      return 2;
    case "op":
      switch (n.op) {
        case "rank":
          return 3 * Math.log2(symbols + 2) + 6;
        case "scale":
        case "indneutralize":
          return 5;
        case "delay":
        case "delta":
          return 2;
        case "ts_sum":
        case "ts_mean":
          return 8;
        case "decay_linear":
          return 10;
        case "ts_std":
          return 16;
        case "ts_corr":
        case "ts_cov":
          return 22;
        case "ts_min":
        case "ts_max":
        case "ts_argmin":
        case "ts_argmax":
          return 12;
        case "ts_rank":
          return 2 * n.d + 2;
        case "ts_product":
          return n.d + 2;
        default:
          return 3;
      }
  }
}

function children(n: Node): Node[] {
  switch (n.kind) {
    case "neg":
      return [n.arg];
    case "binary":
      return [n.left, n.right];
    case "cond":
      return [n.test, n.then, n.other];
    case "op":
      return n.args;
    default:
      return [];
  }
}

/** The cost of evaluating `root` on `dates × symbols`. */
export function treeCost(root: Node, dates: number, symbols: number): FormulaCost {
  let perValue = 0;
  const derived = new Set<string>();
  const repeated = repeatedOps(root), done = new Set<string>();
  const walk = (n: Node): number => {
    const key = repeated.get(n);
    if (key !== undefined) {
      if (done.has(key)) return 0; // computed once, then shared
      done.add(key);
    }
    perValue += ownCost(n, symbols);
    if (n.kind === "adv") derived.add(`adv${n.d}`);
    if (n.kind === "field" && n.name === "returns") derived.add("returns");
    const kids = children(n);
    if (kids.length === 0) return 0;
    let peak = kids.length + 1;
    kids.forEach((k, i) => (peak = Math.max(peak, i + walk(k))));
    return peak;
  };
  const panels = walk(root) + derived.size + new Set(repeated.values()).size;
  const values = dates * symbols;
  return { operations: perValue * values, bytes: panels * values * 8 };
}
