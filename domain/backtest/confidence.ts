/**
 * The confidence of a rule decision: how decisively the rule fired on its decision bar, as an integer 0–100.
 *
 * A comparison `l > r` (or `<`, `>=`, `<=`) that holds on bar t is `d = l[t] − r[t]` past its threshold (`r[t] − l[t]`
 * for `<`, `<=`); `crosses_above(a, b)` is `a[t] − b[t]` past, `crosses_below(a, b)` `b[t] − a[t]`. The distance is
 * measured in units of its own recent variation: `σ` is the population standard deviation of `l − r` over the last
 * `CONFIDENCE_WINDOW` bars up to and including t (finite values only, at least 2), so a strength `d / σ` means the
 * same on prices, RSI points or volumes. Confidence is `round(100 × min(1, d / (CONFIDENCE_FULL_SIGMAS × σ)))`,
 * clipped to 0–100: a rule that fires 2 σ (or more) past its threshold is 100, one that barely fires is near 0.
 * When `σ` is 0 or undefined (fewer than 2 finite values) the comparison counts as fully past (100) when `d > 0`
 * and 0 otherwise.
 * `a and b`: the weakest part (minimum); `a or b`: the strongest part that holds (maximum over parts that are true
 * on the bar). Anything else (a `not`, `==`, `!=`, a bare number used as a condition) has no measurable margin:
 * when no part of the rule is measurable the confidence is `NEUTRAL_CONFIDENCE` (50).
 * Forced exits (stop loss, take profit, trailing stop, max holding days, close at end) are 100 (see the engine).
 * Only bars up to t are read, so a confidence never depends on a later bar.
 */
import { type EvalContext, evaluate } from "../strategy/evaluate.ts";
import type { Expr } from "../strategy/expression.ts";

/** Bars (up to and including the decision bar) over which the comparison's variation σ is measured. */
export const CONFIDENCE_WINDOW = 20;
/** Standard deviations past the threshold that count as full confidence (100). */
const CONFIDENCE_FULL_SIGMAS = 2;
/** The confidence of a decision whose rule has no measurable margin. */
export const NEUTRAL_CONFIDENCE = 50;
/** The confidence of a forced exit (stop loss, take profit, trailing stop, max holding days, close at end). */
export const FORCED_EXIT_CONFIDENCE = 100;

const SIGNS: Record<string, 1 | -1> = { ">": 1, ">=": 1, "<": -1, "<=": -1 };

/** The strength (0–1) of `l − r` being `d` past 0 on bar `t`, against the spread's recent variation. */
function strength(l: Float64Array, r: Float64Array, t: number, sign: 1 | -1): number {
  const d = sign * (l[t] - r[t]);
  if (!Number.isFinite(d)) return NaN;
  let n = 0, sum = 0, sumSq = 0;
  for (let k = Math.max(0, t - CONFIDENCE_WINDOW + 1); k <= t; k++) {
    const x = l[k] - r[k];
    if (!Number.isFinite(x)) continue;
    n++;
    sum += x;
    sumSq += x * x;
  }
  const mean = n > 0 ? sum / n : 0;
  const sigma = n >= 2 ? Math.sqrt(Math.max(0, sumSq / n - mean * mean)) : NaN;
  if (!(sigma > 1e-12 * Math.max(1, Math.abs(mean)))) return d > 0 ? 1 : 0;
  return Math.min(1, Math.max(0, d / (CONFIDENCE_FULL_SIGMAS * sigma)));
}

/** The margin (0–1) of `e` on bar `t`, or NaN when it has none that can be measured. */
function margin(e: Expr, ctx: EvalContext, t: number): number {
  if (e.kind === "bin" && e.op in SIGNS) {
    return strength(evaluate(e.left, ctx), evaluate(e.right, ctx), t, SIGNS[e.op]);
  }
  if (e.kind === "call" && (e.name === "crosses_above" || e.name === "crosses_below")) {
    const sign = e.name === "crosses_above" ? 1 : -1;
    return strength(evaluate(e.args[0], ctx), evaluate(e.args[1], ctx), t, sign);
  }
  if (e.kind === "bin" && (e.op === "and" || e.op === "or")) {
    const parts = [e.left, e.right]
      .filter((p) => e.op === "and" || evaluate(p, ctx)[t] > 0)
      .map((p) => margin(p, ctx, t))
      .filter((m) => !Number.isNaN(m));
    if (parts.length === 0) return NaN;
    return e.op === "and" ? Math.min(...parts) : Math.max(...parts);
  }
  return NaN;
}

/** The confidence (0–100) of rule `rule` having fired on bar `t` of `ctx`'s bars. */
function ruleConfidence(rule: Expr, ctx: EvalContext, t: number): number {
  const m = margin(rule, ctx, t);
  return Number.isNaN(m) ? NEUTRAL_CONFIDENCE : Math.round(100 * m);
}

/**
 * The confidence of `rule` on every bar where `fired` is true (0 elsewhere), for the engine to read at its
 * decision bars.
 */
export function confidenceColumn(rule: Expr, ctx: EvalContext, fired: Float64Array): Uint8Array {
  const out = new Uint8Array(fired.length);
  for (let t = 0; t < fired.length; t++) if (fired[t] > 0) out[t] = ruleConfidence(rule, ctx, t);
  return out;
}
