/**
 * Correlation of two factors, as validation defines it (`FACTOR_STATS_CONVENTIONS.correlation`): the Spearman
 * correlation of the two factors' rows on each date (average ranks, missing values removed pairwise, at least 3
 * pairs and neither side constant), averaged over the dates where it is defined; NaN when never defined. Both
 * panels are on the same dates × symbols grid. Validation correlates with one other factor at a time through
 * this (so memory does not grow with the number of the owner's factors) and `GET /factors/{id}/correlations`
 * answers the same numbers.
 */
import { rankScratch, type SortedRows, sortRows, spearmanRows } from "./cross_section_ranks.ts";
import { FACTOR_CHECK_THRESHOLDS, type FactorCheck, type FactorStats } from "./factor_stats.ts";

/** Mean daily Spearman correlation of `a` (already sorted) with the `days × symbols` panel `b`. */
export function meanDailySpearman(a: SortedRows, b: Float64Array, days: number): number {
  const N = a.symbols;
  const sb = sortRows(b, days, N);
  const s = rankScratch(N);
  const o = { rho: NaN, n: 0 };
  let sum = 0, n = 0;
  for (let t = 0; t < days; t++) {
    spearmanRows(a, t, sb, t, s, o);
    if (Number.isFinite(o.rho)) {
      sum += o.rho;
      n++;
    }
  }
  return n > 0 ? sum / n : NaN;
}

/**
 * `stats` (computed without others) completed with the correlations to the owner's other factors: the
 * `correlations` list, `max_correlation` = the largest |correlation|, the SELF_CORRELATION check (fails at
 * ≥ 0.7; passes without a defined correlation) and `passed`, exactly as `validateFactorStats` would with
 * `others`.
 */
export function withCorrelations(stats: FactorStats, correlations: number[]): FactorStats {
  let maxCorr = NaN;
  for (const c of correlations) if (Number.isFinite(c) && !(Math.abs(c) <= maxCorr)) maxCorr = Math.abs(c);
  const th = FACTOR_CHECK_THRESHOLDS.self_correlation;
  const checks: FactorCheck[] = stats.checks.map((c) =>
    c.name === "SELF_CORRELATION"
      ? { ...c, value: Number.isFinite(maxCorr) ? maxCorr : null, passed: !(maxCorr >= th) }
      : c
  );
  return {
    ...stats,
    correlations: correlations.map((c) => (Number.isFinite(c) ? c : null)),
    max_correlation: Number.isFinite(maxCorr) ? maxCorr : null,
    checks,
    passed: checks.every((c) => c.passed),
  };
}
