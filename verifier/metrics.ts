/**
 * The `/performance` figures of a settled NAV series, re-derived from their stated conventions: simple daily
 * returns (day 0 against the initial capital); 252 trading days a year; sample standard deviations (ddof 1);
 * risk-free rate 0; max drawdown a positive fraction below the running peak, the initial capital being the first
 * peak; unknown benchmark returns count as 0; annual figures need 60 days; the rolling excess Sharpe covers each
 * window of 60 daily excess returns, dated by its last day. A figure that is undefined (too few points, zero
 * variance: all returns equal) is `null`, never NaN or Infinity.
 */

/** Trading days in a year. */
export const PERIODS_PER_YEAR = 252;
/** Days a record needs before it has annual figures. */
export const MIN_ANNUAL_DAYS = 60;
/** Daily excess returns in each rolling window. */
export const ROLLING_WINDOW = 60;

/** The metrics `/performance` publishes. */
export interface Metrics {
  total_return: number | null;
  annual_return: number | null;
  volatility: number | null;
  sharpe: number | null;
  max_drawdown: number | null;
  calmar: number | null;
  excess_return: number | null;
  excess_sharpe: number | null;
  benchmark_return: number | null;
  trading_days: number;
  benchmark_missing_days: number;
}

const orNull = (x: number) => (Number.isFinite(x) ? x : null);

function allEqual(x: readonly number[]): boolean {
  return x.every((v) => v === x[0]);
}

/** Mean and sample standard deviation (ddof 1) of at least two numbers. */
function meanAndSd(x: readonly number[]): { mean: number; sd: number } {
  let sum = 0;
  for (const v of x) sum += v;
  const mean = sum / x.length;
  let squares = 0;
  for (const v of x) squares += (v - mean) * (v - mean);
  return { mean, sd: Math.sqrt(squares / (x.length - 1)) };
}

/** mean / sd × √252 of daily returns; `null` with fewer than 2 or all equal. */
export function annualSharpe(r: readonly number[]): number | null {
  if (r.length < 2 || allEqual(r)) return null;
  const { mean, sd } = meanAndSd(r);
  return sd === 0 ? null : orNull((mean / sd) * Math.sqrt(PERIODS_PER_YEAR));
}

/** sd × √252 of daily returns; `null` with fewer than 2, exactly 0 when all are equal. */
export function annualVolatility(r: readonly number[]): number | null {
  if (r.length < 2) return null;
  if (allEqual(r)) return 0;
  return orNull(meanAndSd(r).sd * Math.sqrt(PERIODS_PER_YEAR));
}

/** The metrics and rolling excess Sharpe of NAVs `navs` (one per settled day) from `initial`. */
export function performanceOf(
  navs: readonly number[],
  benchmarkReturns: readonly (number | null)[],
  dates: readonly string[],
  initial: number,
): { metrics: Metrics; rolling: { date: string; value: number | null }[] } {
  const n = navs.length;
  const r = navs.map((v, i) => v / (i === 0 ? initial : navs[i - 1]) - 1);
  const excess = r.map((x, i) => x - (benchmarkReturns[i] ?? 0));
  let growth = 1, peak = initial, worst = 0;
  for (const b of benchmarkReturns) growth *= 1 + (b ?? 0);
  for (const v of navs) {
    peak = Math.max(peak, v);
    worst = Math.max(worst, 1 - v / peak);
  }
  const total = n === 0 ? null : orNull(navs[n - 1] / initial - 1);
  const bench = n === 0 ? null : orNull(growth - 1);
  const annual = n < MIN_ANNUAL_DAYS ? null : orNull((navs[n - 1] / initial) ** (PERIODS_PER_YEAR / n) - 1);
  const drawdown = n === 0 ? null : orNull(worst);
  const rolling = [];
  for (let end = ROLLING_WINDOW; end <= n; end++) {
    rolling.push({ date: dates[end - 1], value: annualSharpe(excess.slice(end - ROLLING_WINDOW, end)) });
  }
  return {
    metrics: {
      total_return: total,
      annual_return: annual,
      volatility: annualVolatility(r),
      sharpe: annualSharpe(r),
      max_drawdown: drawdown,
      calmar: annual === null || drawdown === null || drawdown === 0 ? null : orNull(annual / drawdown),
      excess_return: total === null || bench === null ? null : orNull(total - bench),
      excess_sharpe: annualSharpe(excess),
      benchmark_return: bench,
      trading_days: n,
      benchmark_missing_days: benchmarkReturns.filter((b) => b === null).length,
    },
    rolling,
  };
}
