/**
 * Return statistics on daily series. Conventions: 252 periods a year; standard deviations are sample (ddof 1);
 * Sharpe = mean(r − rf/252) / sd(r) × √252; Sortino uses the downside deviation √(mean(min(r − rf/252, 0)²));
 * max drawdown is the most negative (equity / running peak − 1), in percent. Every function returns `null` when
 * a value is undefined (too few points, zero variance), never NaN or Infinity.
 */

/** Trading periods per year used to annualise. */
export const TRADING_DAYS_PER_YEAR = 252;
/** Records shorter than this have no annualised figures. */
export const MIN_DAYS_FOR_ANNUALISED = 60;

const finite = (x: number) => (Number.isFinite(x) ? x : null);

/** Arithmetic mean; `null` for no data. */
export function mean(x: ArrayLike<number>): number | null {
  if (x.length === 0) return null;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Sample standard deviation (ddof 1); `null` for fewer than 2 points. */
export function sampleStd(x: ArrayLike<number>): number | null {
  if (x.length < 2) return null;
  const m = mean(x)!;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i] - m) ** 2;
  return Math.sqrt(ss / (x.length - 1));
}

/** Simple daily returns of an equity curve (length n−1). */
export function dailyReturns(equity: ArrayLike<number>): Float64Array {
  const r = new Float64Array(Math.max(0, equity.length - 1));
  for (let i = 1; i < equity.length; i++) r[i - 1] = equity[i] / equity[i - 1] - 1;
  return r;
}

/** Annualised Sharpe ratio; `null` with fewer than 2 returns or zero variance. */
export function sharpeRatio(r: ArrayLike<number>, riskFreeAnnual = 0): number | null {
  const sd = sampleStd(r);
  if (sd === null || sd === 0) return null;
  return finite(
    ((mean(r)! - riskFreeAnnual / TRADING_DAYS_PER_YEAR) / sd) * Math.sqrt(TRADING_DAYS_PER_YEAR),
  );
}

/** Annualised Sortino ratio; `null` when there is no downside. */
export function sortinoRatio(r: ArrayLike<number>, riskFreeAnnual = 0): number | null {
  if (r.length < 2) return null;
  const rf = riskFreeAnnual / TRADING_DAYS_PER_YEAR;
  let dd = 0;
  for (let i = 0; i < r.length; i++) dd += Math.min(r[i] - rf, 0) ** 2;
  const downside = Math.sqrt(dd / r.length);
  if (downside === 0) return null;
  return finite(((mean(r)! - rf) / downside) * Math.sqrt(TRADING_DAYS_PER_YEAR));
}

/** Drawdown series (fraction ≤ 0) and the maximum drawdown in percent (≤ 0). */
export function drawdowns(equity: ArrayLike<number>): { series: Float64Array; max: number } {
  const series = new Float64Array(equity.length);
  let peak = -Infinity, max = 0;
  for (let i = 0; i < equity.length; i++) {
    peak = Math.max(peak, equity[i]);
    series[i] = equity[i] / peak - 1;
    max = Math.min(max, series[i]);
  }
  return { series, max: max * 100 };
}

/** Compound annual growth over `days` trading days, percent; `null` under 60 days. */
export function annualisedReturn(first: number, last: number, days: number): number | null {
  if (days < MIN_DAYS_FOR_ANNUALISED || first <= 0) return null;
  return finite(((last / first) ** (TRADING_DAYS_PER_YEAR / days) - 1) * 100);
}

/** OLS of r on b: beta = cov/var(b), alpha annualised = (mean r − beta·mean b) × 252 (percent). */
export function alphaBeta(
  r: ArrayLike<number>,
  b: ArrayLike<number>,
): { alpha: number | null; beta: number | null } {
  const n = Math.min(r.length, b.length);
  if (n < 2) return { alpha: null, beta: null };
  let mr = 0, mb = 0;
  for (let i = 0; i < n; i++) (mr += r[i]), (mb += b[i]);
  (mr /= n), (mb /= n);
  let cov = 0, v = 0;
  for (let i = 0; i < n; i++) (cov += (r[i] - mr) * (b[i] - mb)), (v += (b[i] - mb) ** 2);
  if (v === 0) return { alpha: null, beta: null };
  const beta = cov / v;
  return { beta: finite(beta), alpha: finite((mr - beta * mb) * TRADING_DAYS_PER_YEAR * 100) };
}

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 -
    (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Inverse standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376,
    220.9460984245205,
    -275.9285104469687,
    138.357751867269,
    -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406,
    161.5858368580409,
    -155.6989798598866,
    66.80131188771972,
    -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293,
    -0.3223964580411365,
    -2.400758277161838,
    -2.549732539343734,
    4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/**
 * Probabilistic Sharpe ratio (Bailey & López de Prado): P(true SR > benchmark SR) from the per-period Sharpe,
 * skewness γ₃ and (non-excess) kurtosis γ₄ of n returns: Φ((SR − SR*)·√(n−1) / √(1 − γ₃·SR + (γ₄−1)/4·SR²)).
 */
export function probabilisticSharpe(r: ArrayLike<number>, benchmarkSr = 0): number | null {
  const n = r.length, sd = sampleStd(r);
  if (sd === null || sd === 0 || n < 3) return null;
  const m = mean(r)!, sr = m / sd;
  let m3 = 0, m4 = 0;
  for (let i = 0; i < n; i++) (m3 += (r[i] - m) ** 3), (m4 += (r[i] - m) ** 4);
  const pop = Math.sqrt(((n - 1) / n) * sd * sd);
  const skew = m3 / n / pop ** 3, kurt = m4 / n / pop ** 4;
  const denom = 1 - skew * sr + ((kurt - 1) / 4) * sr * sr;
  if (!(denom > 0)) return null;
  return finite(normalCdf(((sr - benchmarkSr) * Math.sqrt(n - 1)) / Math.sqrt(denom)));
}

/**
 * Deflated Sharpe ratio: the PSR against the Sharpe expected from the best of `trials` unskilled variants,
 * SR* = √V · ((1−γ)·Φ⁻¹(1 − 1/N) + γ·Φ⁻¹(1 − 1/(N·e))), γ the Euler–Mascheroni constant and V the variance of
 * the Sharpe estimator ≈ 1/(n−1) (per period).
 */
export function deflatedSharpe(r: ArrayLike<number>, trials: number): number | null {
  if (trials < 2 || r.length < 3) return null;
  const gamma = 0.5772156649015329;
  const v = 1 / (r.length - 1);
  const srStar = Math.sqrt(v) *
    ((1 - gamma) * normalQuantile(1 - 1 / trials) + gamma * normalQuantile(1 - 1 / (trials * Math.E)));
  return probabilisticSharpe(r, srStar);
}
