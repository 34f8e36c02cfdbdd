/**
 * How closely a claimed NAV series tracks the platform's own NAVs for the same strategy. Conventions: only
 * dates present in both series count (the overlap), ascending; each series' simple returns are taken between
 * consecutive overlap dates, so n overlap dates give n − 1 return pairs; diff = claimed − platform;
 * tracking difference = mean(diff) × 252; tracking error = sample sd (ddof 1) of diff × √252; correlation is
 * Pearson's of the two return series. Values are fractions a year; `null` stands for undefined, never NaN.
 * Each figure is answered under the QuantGPT document's name (`tracking_diff_annualized`,
 * `tracking_error_annualized`) and under this API's earlier one (`tracking_difference`, `tracking_error`).
 */
import { mean, TRADING_DAYS_PER_YEAR } from "../metrics/stats.ts";
import { annualisedVolatility, type NavPoint, toSortedNavPoints } from "./performance.ts";

/** Fewer overlap dates than this give no comparison: `compareTracking` returns `null`. */
export const MIN_TRACKING_OVERLAP_DAYS = 5;
/** "consistent" needs an annualised tracking error strictly below this. */
export const CONSISTENT_MAX_TRACKING_ERROR = 0.02;
/** "consistent" needs a correlation strictly above this. */
export const CONSISTENT_MIN_CORRELATION = 0.95;
/** "moderate_divergence" needs a tracking error strictly below this, or a correlation above the next. */
export const MODERATE_MAX_TRACKING_ERROR = 0.05;
/** "moderate_divergence" needs a correlation strictly above this, or a tracking error below the previous. */
export const MODERATE_MIN_CORRELATION = 0.85;

/** How far the claimed record strays from the platform's. */
export type TrackingVerdict = "consistent" | "moderate_divergence" | "significant_divergence";

/** Comparison of a claimed NAV series with the platform's over their common dates. */
export interface Tracking {
  /** Number of dates present in both series (≥ `MIN_TRACKING_OVERLAP_DAYS`). */
  overlap_days: number;
  /** mean(claimed − platform daily return) × 252 (the QuantGPT document's name). */
  tracking_diff_annualized: number | null;
  /** Sample sd (ddof 1) of (claimed − platform daily return) × √252; exactly 0 for a constant difference. */
  tracking_error_annualized: number | null;
  /** The same as `tracking_diff_annualized` (this API's earlier name). */
  tracking_difference: number | null;
  /** The same as `tracking_error_annualized` (this API's earlier name). */
  tracking_error: number | null;
  /** Pearson correlation of the two daily return series; `null` when either has zero variance. */
  correlation: number | null;
  /** Classification by `classifyTracking`. */
  verdict: TrackingVerdict;
}

function isConstant(x: readonly number[]): boolean {
  return x.every((v) => v === x[0]);
}

/** Pearson correlation of two equal-length series; `null` under 2 pairs or when either series is constant. */
export function pearsonCorrelation(x: readonly number[], y: readonly number[]): number | null {
  const n = Math.min(x.length, y.length);
  if (n < 2) return null;
  const xs = x.slice(0, n), ys = y.slice(0, n);
  if (isConstant(xs) || isConstant(ys)) return null;
  const mx = mean(xs)!, my = mean(ys)!;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - mx, dy = ys[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  const denom = Math.sqrt(sxx * syy);
  if (!(denom > 0) || !Number.isFinite(denom)) return null;
  return Math.max(-1, Math.min(1, sxy / denom));
}

/**
 * "consistent" when TE < 0.02 and correlation > 0.95, else "moderate_divergence" when TE < 0.05 or
 * correlation > 0.85, else "significant_divergence"; a `null` TE or correlation fails its test.
 */
export function classifyTracking(trackingError: number | null, correlation: number | null): TrackingVerdict {
  const te = (limit: number) => trackingError !== null && trackingError < limit;
  const corr = (limit: number) => correlation !== null && correlation > limit;
  if (te(CONSISTENT_MAX_TRACKING_ERROR) && corr(CONSISTENT_MIN_CORRELATION)) return "consistent";
  if (te(MODERATE_MAX_TRACKING_ERROR) || corr(MODERATE_MIN_CORRELATION)) return "moderate_divergence";
  return "significant_divergence";
}

/**
 * Compares claimed with platform NAVs (either in any order) on their common dates; returns `null` when fewer
 * than `MIN_TRACKING_OVERLAP_DAYS` dates are common, and throws `ValidationError` on a bad or repeated date or a
 * non-positive NAV.
 */
export function compareTracking(
  claimed: readonly NavPoint[],
  platform: readonly NavPoint[],
): Tracking | null {
  const platformNav = new Map(toSortedNavPoints(platform, "platform").map((p) => [p.date, p.nav]));
  const overlap = toSortedNavPoints(claimed, "claimed")
    .filter((p) => platformNav.has(p.date))
    .map((p) => ({ claimed: p.nav, platform: platformNav.get(p.date)! }));
  if (overlap.length < MIN_TRACKING_OVERLAP_DAYS) return null;

  const c: number[] = [], p: number[] = [], diff: number[] = [];
  for (let i = 1; i < overlap.length; i++) {
    c.push(overlap[i].claimed / overlap[i - 1].claimed - 1);
    p.push(overlap[i].platform / overlap[i - 1].platform - 1);
    diff.push(c[i - 1] - p[i - 1]);
  }
  const md = mean(diff);
  const td = md === null ? null : md * TRADING_DAYS_PER_YEAR;
  const te = annualisedVolatility(diff);
  const correlation = pearsonCorrelation(c, p);
  const diffAnnualized = td !== null && Number.isFinite(td) ? td : null;
  return {
    overlap_days: overlap.length,
    tracking_diff_annualized: diffAnnualized,
    tracking_error_annualized: te,
    tracking_difference: diffAnnualized,
    tracking_error: te,
    correlation,
    verdict: classifyTracking(te, correlation),
  };
}
