/**
 * Performance statistics of a published track record: the platform's own daily NAVs against a benchmark index.
 * Conventions: simple (arithmetic) daily returns; 252 trading days a year; standard deviations are sample
 * (ddof 1); risk-free rate 0, so Sharpe = mean(r) / sd(r) × √252; max drawdown is a positive fraction
 * (0.1 = 10 % below the running peak, the starting capital counting as the first peak); every figure is a
 * fraction, not a percent. Functions return `null` for an undefined value (too few points, zero variance),
 * never NaN or Infinity. Pure: no I/O, no clock.
 */
import { isIsoDate } from "../calendar/dates.ts";
import { ValidationError } from "../errors.ts";
import {
  annualisedReturn,
  drawdowns,
  MIN_DAYS_FOR_ANNUALISED,
  sampleStd,
  sharpeRatio,
  TRADING_DAYS_PER_YEAR,
} from "../metrics/stats.ts";

/** One settled NAV: `date` is `"YYYY-MM-DD"`, `nav` a finite positive number. */
export interface NavPoint {
  date: string;
  nav: number;
}

/** One value of a dated series, `null` where it is undefined. */
export interface DatedValue {
  date: string;
  value: number | null;
}

/** Number of daily excess returns in each window of `rolling_excess_sharpe`. */
export const ROLLING_SHARPE_WINDOW_DAYS = 60;

/** The conventions every track-record figure follows, stated in each `Performance`. */
export const TRACK_RECORD_CONVENTIONS = {
  returns: "simple daily returns; day 0 is measured against the initial capital",
  periods_per_year: TRADING_DAYS_PER_YEAR,
  std_ddof: 1,
  risk_free_rate: 0,
  sharpe: "mean(r) / sample sd(r) × √252; null with fewer than 2 returns or zero variance",
  annual_return:
    `(1 + total_return)^(252 / trading_days) − 1; null under ${MIN_DAYS_FOR_ANNUALISED} trading days`,
  max_drawdown: "positive fraction below the running peak; the initial capital is the first peak",
  benchmark: "unknown daily benchmark returns count as 0 in compounding and excess returns",
  excess_return: "total_return − compounded benchmark return",
  excess_sharpe: "mean(r − b) / sample sd(r − b) × √252 over daily excess returns",
  calmar: "annual_return / max_drawdown; null when either is null or the drawdown is 0",
  rolling_window_days: ROLLING_SHARPE_WINDOW_DAYS,
  rolling_excess_sharpe:
    `excess Sharpe of each window of ${ROLLING_SHARPE_WINDOW_DAYS} daily excess returns, ` +
    "dated by the window's last day; none before the 60th trading day",
  units: "fractions (0.05 = 5 %)",
} as const;

/** Performance of a platform-tracked NAV series against its benchmark; see `TRACK_RECORD_CONVENTIONS`. */
export interface Performance {
  /** Last NAV / initial capital − 1; `null` with no points. */
  total_return: number | null;
  /** Compound annual growth; `null` under `MIN_DAYS_FOR_ANNUALISED` trading days. */
  annual_return: number | null;
  /** Sample sd of daily returns × √252; `null` under 2 returns, 0 for a constant return. */
  volatility: number | null;
  /** Annualised Sharpe of daily returns (risk-free 0); `null` under 2 returns or with zero variance. */
  sharpe: number | null;
  /** Largest fall from a running peak, a positive fraction; `null` with no points. */
  max_drawdown: number | null;
  /** `annual_return / max_drawdown`; `null` when either is `null` or the drawdown is 0. */
  calmar: number | null;
  /** `total_return − benchmark_return`; `null` with no points. */
  excess_return: number | null;
  /** Annualised Sharpe of the daily excess returns r − b; `null` under 2 returns or with zero variance. */
  excess_sharpe: number | null;
  /** The benchmark's daily returns compounded, unknown days as 0; `null` with no points. */
  benchmark_return: number | null;
  /** Number of daily benchmark returns that were unknown (`null`) and counted as 0. */
  benchmark_missing_days: number;
  /** Number of daily returns, one per NAV point (day 0 against the initial capital). */
  trading_days: number;
  /** Sharpe of the last 60 excess returns, dated from the 60th daily return on; `null` for zero variance. */
  rolling_excess_sharpe: DatedValue[];
  /** The conventions above, stated with the figures. */
  conventions: typeof TRACK_RECORD_CONVENTIONS;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

function isConstant(x: ArrayLike<number>): boolean {
  for (let i = 1; i < x.length; i++) if (x[i] !== x[0]) return false;
  return true;
}

function checkPoint(p: NavPoint, label: string, i: number): void {
  if (typeof p.date !== "string" || !isIsoDate(p.date)) {
    throw new ValidationError(`Cannot use ${label}[${i}]: date "${p.date}" is not a YYYY-MM-DD date`);
  }
  if (typeof p.nav !== "number" || !Number.isFinite(p.nav) || p.nav <= 0) {
    throw new ValidationError(
      `Cannot use ${label}[${i}] on "${p.date}": NAV ${p.nav} is not a positive number`,
    );
  }
}

/**
 * Checks a NAV series and returns a copy sorted by date; throws `ValidationError` on a malformed date, a
 * repeated date or a NAV that is not a finite positive number.
 */
export function toSortedNavPoints(points: readonly NavPoint[], label = "points"): NavPoint[] {
  points.forEach((p, i) => checkPoint(p, label, i));
  const sorted = points.map((p) => ({ date: p.date, nav: p.nav }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].date === sorted[i - 1].date) {
      throw new ValidationError(`Cannot use ${label}: date "${sorted[i].date}" appears more than once`);
    }
  }
  return sorted;
}

/**
 * Simple daily returns of a NAV series, one per point: day 0 is `nav₀ / initialNav − 1`, day i is
 * `navᵢ / navᵢ₋₁ − 1`; throws `ValidationError` on a non-positive NAV or initial capital.
 */
export function dailyReturnsFromNav(points: readonly NavPoint[], initialNav: number): number[] {
  if (!Number.isFinite(initialNav) || initialNav <= 0) {
    throw new ValidationError(`Cannot compute returns: initial NAV ${initialNav} is not a positive number`);
  }
  const out: number[] = [];
  let prev = initialNav;
  points.forEach((p, i) => {
    checkPoint(p, "points", i);
    out.push(p.nav / prev - 1);
    prev = p.nav;
  });
  return out;
}

/** Running compounded return ∏(1 + rᵢ) − 1 after each simple return, `null` returns counted as 0. */
export function cumulativeReturns(returns: readonly (number | null)[]): number[] {
  const out: number[] = [];
  let growth = 1;
  for (const r of returns) {
    growth *= 1 + (r ?? 0);
    out.push(growth - 1);
  }
  return out;
}

/** Sample sd (ddof 1) of daily returns × √252; `null` under 2 returns, exactly 0 when all returns are equal. */
export function annualisedVolatility(returns: ArrayLike<number>): number | null {
  if (returns.length < 2) return null;
  if (isConstant(returns)) return 0;
  const sd = sampleStd(returns);
  return sd === null ? null : finite(sd * Math.sqrt(TRADING_DAYS_PER_YEAR));
}

/**
 * Annualised Sharpe ratio of daily returns with risk-free 0 (`sharpeRatio` of stats.ts); `null` under 2
 * returns or when all returns are equal (which rounding could otherwise turn into a huge ratio).
 */
export function annualisedSharpe(returns: ArrayLike<number>): number | null {
  if (returns.length < 2 || isConstant(returns)) return null;
  return sharpeRatio(returns);
}

/** Largest fall below a running peak of an equity curve as a positive fraction; `null` for an empty curve. */
export function maxDrawdownFraction(equity: ArrayLike<number>): number | null {
  if (equity.length === 0) return null;
  let worst = 0;
  for (const d of drawdowns(equity).series) worst = Math.min(worst, d);
  return worst === 0 ? 0 : finite(-worst);
}

/**
 * Performance of daily platform NAVs (strictly ascending dates) from `initialNav`, against benchmark simple
 * returns aligned by index (`null` = unknown, counted as 0); throws `ValidationError` on misaligned or bad input.
 */
export function computePerformance(
  points: readonly NavPoint[],
  benchmarkReturns: readonly (number | null)[],
  initialNav: number,
): Performance {
  if (benchmarkReturns.length !== points.length) {
    throw new ValidationError(
      `Cannot compute performance: ${points.length} NAV points but ${benchmarkReturns.length} benchmark returns`,
    );
  }
  const r = dailyReturnsFromNav(points, initialNav);
  for (let i = 1; i < points.length; i++) {
    if (!(points[i].date > points[i - 1].date)) {
      throw new ValidationError(
        `Cannot compute performance: "${points[i].date}" does not follow "${points[i - 1].date}"`,
      );
    }
  }
  let missing = 0;
  const excess = benchmarkReturns.map((b, i) => {
    if (b === null) {
      missing++;
      return r[i];
    }
    if (typeof b !== "number" || !Number.isFinite(b)) {
      throw new ValidationError(`Cannot compute performance: benchmark return ${b} on "${points[i].date}"`);
    }
    return r[i] - b;
  });

  const n = points.length;
  const total = n === 0 ? null : finite(points[n - 1].nav / initialNav - 1);
  const benchmark = n === 0 ? null : finite(cumulativeReturns(benchmarkReturns)[n - 1]);
  const annualPct = n === 0 ? null : annualisedReturn(initialNav, points[n - 1].nav, n);
  const annual = annualPct === null ? null : annualPct / 100;
  const mdd = maxDrawdownFraction([initialNav, ...points.map((p) => p.nav)]);
  const rolling: DatedValue[] = [];
  for (let end = ROLLING_SHARPE_WINDOW_DAYS; end <= n; end++) {
    rolling.push({
      date: points[end - 1].date,
      value: annualisedSharpe(excess.slice(end - ROLLING_SHARPE_WINDOW_DAYS, end)),
    });
  }
  return {
    total_return: total,
    annual_return: annual,
    volatility: annualisedVolatility(r),
    sharpe: annualisedSharpe(r),
    max_drawdown: n === 0 ? null : mdd,
    calmar: annual === null || mdd === null || mdd === 0 ? null : finite(annual / mdd),
    excess_return: total === null || benchmark === null ? null : finite(total - benchmark),
    excess_sharpe: annualisedSharpe(excess),
    benchmark_return: benchmark,
    benchmark_missing_days: missing,
    trading_days: n,
    rolling_excess_sharpe: rolling,
    conventions: TRACK_RECORD_CONVENTIONS,
  };
}
