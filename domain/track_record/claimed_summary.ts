/**
 * Summary of a claimed (self-reported) NAV track record. Conventions: records are sorted by date and taken as
 * one per trading day; returns are simple returns between consecutive records (the first record is the base,
 * so n records give n − 1 returns); Sharpe is annualised with √252, risk-free 0, sample sd (ddof 1); max
 * drawdown is a positive fraction below the running peak; `null` stands for an undefined value, never NaN.
 */
import { annualisedSharpe, maxDrawdownFraction, type NavPoint, toSortedNavPoints } from "./performance.ts";

/** Headline figures of a claimed NAV series. */
export interface ClaimedSummary {
  /** Number of records. */
  data_points: number;
  /** Earliest record's date; `null` with no records. */
  start_date: string | null;
  /** Latest record's date; `null` with no records. */
  end_date: string | null;
  /** Last NAV / first NAV − 1; `null` under 2 records. */
  total_return: number | null;
  /** Annualised Sharpe of the returns between records; `null` under 3 records or with zero variance. */
  sharpe: number | null;
  /** Largest fall below a running peak, a positive fraction; `null` under 2 records. */
  max_drawdown: number | null;
}

/**
 * Summarises claimed NAV records in any order; throws `ValidationError` on a bad date, a repeated date or a
 * non-positive NAV.
 */
export function summarizeClaimed(records: readonly NavPoint[]): ClaimedSummary {
  const sorted = toSortedNavPoints(records, "records");
  const n = sorted.length;
  const navs = sorted.map((p) => p.nav);
  const returns = navs.slice(1).map((nav, i) => nav / navs[i] - 1);
  const total = n < 2 ? null : navs[n - 1] / navs[0] - 1;
  return {
    data_points: n,
    start_date: n === 0 ? null : sorted[0].date,
    end_date: n === 0 ? null : sorted[n - 1].date,
    total_return: total === null || !Number.isFinite(total) ? null : total,
    sharpe: annualisedSharpe(returns),
    max_drawdown: n < 2 ? null : maxDrawdownFraction(navs),
  };
}

/**
 * One claimed record as the API shows it. Conventions: `nav` is normalised to 1.0 at the first record
 * (`nav_value / first nav_value`); `daily_return` is the simple return since the previous record (0 on the
 * first); `cumulative_return` is `nav − 1`; `drawdown` is `1 − nav / running peak of nav` (a positive
 * fraction, 0 at a new peak); `benchmark_return` is the benchmark's simple return over the same
 * span (close as of this date / close as of the previous record's date − 1; 0 on the first record), `null`
 * when either close is unknown.
 */
export interface ClaimedPoint {
  date: string;
  /** NAV normalised to 1.0 at the first record. */
  nav: number;
  /** The NAV as uploaded (currency or any unit the researcher chose). */
  nav_value: number;
  daily_return: number;
  cumulative_return: number;
  drawdown: number;
  benchmark_return: number | null;
}

/**
 * The points of a claimed history in date order, normalised to 1.0 at the first, with `benchmarkCloseAsOf`
 * giving the benchmark's close as of a date (`null` = unknown); see `ClaimedPoint`. Throws `ValidationError`
 * on a bad or repeated date or a non-positive NAV.
 */
export function normaliseClaimed(
  records: readonly NavPoint[],
  benchmarkCloseAsOf: (date: string) => number | null,
): ClaimedPoint[] {
  const sorted = toSortedNavPoints(records, "records");
  if (sorted.length === 0) return [];
  const base = sorted[0].nav;
  const closes = sorted.map((p) => benchmarkCloseAsOf(p.date));
  const bench = (i: number): number | null => {
    const c = closes[i];
    return typeof c === "number" && Number.isFinite(c) && c > 0 ? c : null;
  };
  let peak = base;
  return sorted.map((p, i) => {
    const b = bench(i), prevB = i === 0 ? null : bench(i - 1);
    peak = Math.max(peak, p.nav);
    return {
      date: p.date,
      nav: p.nav / base,
      nav_value: p.nav,
      daily_return: i === 0 ? 0 : p.nav / sorted[i - 1].nav - 1,
      cumulative_return: p.nav / base - 1,
      drawdown: p.nav >= peak ? 0 : 1 - p.nav / peak,
      benchmark_return: i === 0
        ? (b === null ? null : 0)
        : b === null || prevB === null
        ? null
        : b / prevB - 1,
    };
  });
}
