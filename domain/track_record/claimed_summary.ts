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
