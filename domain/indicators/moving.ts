/**
 * Moving-window indicators over `Float64Array`s, TA-Lib conventions. Output has the input's length and is NaN
 * during warm-up (and wherever the window contains NaN). Windows include the current bar: no value ever reads a
 * later bar.
 */

const out = (n: number) => new Float64Array(n).fill(NaN);

/** Most decimal places `sma` reads values with exactly (prices have 2–4, crypto up to 8; volumes 0). */
const MAX_EXACT_DECIMALS = 8;

/**
 * A column read as exact decimals: every finite value is m/`scale` for an integer m (`scale` = 10^k, k ≤
 * MAX_EXACT_DECIMALS), `ints` holds those m (NaN where the column is NaN) and `largest` is the largest magnitude.
 * Computed once per column by `decimalColumn`; every `sma` of the column reuses it.
 */
export interface DecimalColumn {
  scale: number;
  largest: number;
  ints: Float64Array;
}

/** `x` as exact decimals (see `DecimalColumn`), or `null` when some value is not m/10^k for any k ≤ 8. */
export function decimalColumn(x: Float64Array): DecimalColumn | null {
  let first = 0;
  while (first < x.length && Number.isNaN(x[first])) first++;
  if (first === x.length) return { scale: 1, largest: 0, ints: x }; // no value: the column is all NaN
  // The first value alone settles most columns that are not decimal, before anything is allocated.
  let k = 0, scale = 1;
  const v0 = x[first];
  while (Math.round(v0 * scale) / scale !== v0) {
    if (++k > MAX_EXACT_DECIMALS || !Number.isFinite(v0)) return null;
    scale *= 10;
  }
  let largest = 0;
  const ints = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) {
      ints[i] = NaN;
      continue;
    }
    let m = Math.round(v * scale);
    if (m / scale !== v) {
      while (m / scale !== v) {
        if (++k > MAX_EXACT_DECIMALS || !Number.isFinite(v)) return null;
        scale *= 10;
        m = Math.round(v * scale);
      }
      // A decimal exact at 10^k is exact at any larger scale (the quotient m·10/10^(k+1) rounds the same):
      // the values before are read again at the new scale.
      for (let j = 0; j < i; j++) ints[j] = Math.round(x[j] * scale);
    }
    ints[i] = m;
    const a = Math.abs(v);
    if (a > largest) largest = a;
  }
  return { scale, largest, ints };
}

/**
 * Simple moving average of the last `n` values; first value at index n−1. Drift-free: a window's mean depends on
 * that window's values only, never on where the series starts, so mathematically equal means compare equal.
 * Decimal data (prices, volumes: every value some m/10^k, k ≤ 8) sums as exact integers and is divided once
 * (the correctly rounded quotient) when a window of `n` of them sums exactly in a double; other data sums each
 * window afresh in bar order (n additions per bar). `decimals` is `decimalColumn(x)` when the caller has it.
 */
export function sma(x: Float64Array, n: number, decimals = decimalColumn(x)): Float64Array {
  if (decimals && Math.round(decimals.largest * decimals.scale) * n <= Number.MAX_SAFE_INTEGER) {
    const { ints } = decimals;
    const r = new Float64Array(ints.length); // every bar is written below
    const divisor = n * decimals.scale;
    let sum = 0; // an exact integer: at most n terms each of magnitude at most MAX_SAFE_INTEGER / n
    let valid = 0;
    for (let i = 0; i < ints.length; i++) {
      const m = ints[i];
      if (Number.isNaN(m)) {
        sum = 0;
        valid = 0;
        r[i] = NaN;
        continue;
      }
      valid++;
      // In and out (bar i − n's) in one step: with n ≥ 2 every term is an integer of at most
      // MAX_SAFE_INTEGER / n, so the difference and the sum are exact, as subtracting, then adding was.
      if (valid <= n) sum += m;
      else sum = n === 1 ? m : sum + (m - ints[i - n]);
      r[i] = valid >= n ? sum / divisor : NaN;
    }
    return r;
  }
  return windowMeans(x, n);
}

/** `sma` of data that is not decimal: each window summed afresh, left to right from 0. */
function windowMeans(x: Float64Array, n: number): Float64Array {
  const r = out(x.length);
  let gaps = false;
  for (let i = 0; i < x.length && !gaps; i++) gaps = Number.isNaN(x[i]);
  if (!gaps) {
    let i = n - 1;
    for (; i + 3 < x.length; i += 4) fourMeans(x, n, i, r);
    for (; i < x.length; i++) r[i] = windowSum(x, i - n + 1, i) / n;
    return r;
  }
  // Values without NaN ending at each bar.
  const run = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) run[i] = Number.isNaN(x[i]) ? 0 : (i > 0 ? run[i - 1] : 0) + 1;
  for (let i = 0; i < x.length;) {
    if (i + 3 < x.length && run[i + 3] >= n + 3) {
      fourMeans(x, n, i, r);
      i += 4;
      continue;
    }
    if (run[i] >= n) r[i] = windowSum(x, i - n + 1, i) / n;
    i++;
  }
  return r;
}

/** x[from] + … + x[to], left to right from 0. */
function windowSum(x: Float64Array, from: number, to: number): number {
  let sum = 0;
  for (let j = from; j <= to; j++) sum += x[j];
  return sum;
}

/**
 * The means of the four windows of `n` ending at bars i … i+3 (each summed left to right from 0) into `r`. The
 * four sums are kept side by side: their additions do not depend on one another, so they overlap in the
 * processor, and each window's order is unchanged. At step j they add x[j], x[j+1], x[j+2], x[j+3]: three of
 * those were read at step j−1, so each step reads one value and passes the others along.
 */
function fourMeans(x: Float64Array, n: number, i: number, r: Float64Array): void {
  const from = i - n + 1;
  let v0 = x[from], v1 = x[from + 1], v2 = x[from + 2];
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (let j = from; j <= i; j++) {
    const v3 = x[j + 3];
    s0 += v0;
    s1 += v1;
    s2 += v2;
    s3 += v3;
    v0 = v1;
    v1 = v2;
    v2 = v3;
  }
  r[i] = s0 / n;
  r[i + 1] = s1 / n;
  r[i + 2] = s2 / n;
  r[i + 3] = s3 / n;
}

/**
 * Exponential moving average with k = 2/(n+1), seeded (TA-Lib default) with the SMA of the first `n` valid
 * values, so the first value is at the n-th valid bar; leading NaNs (e.g. an EMA of MACD) are skipped.
 */
export function ema(x: Float64Array, n: number): Float64Array {
  const r = out(x.length);
  let start = 0;
  while (start < x.length && Number.isNaN(x[start])) start++;
  if (start + n > x.length) return r;
  let prev = 0;
  for (let i = start; i < start + n; i++) prev += x[i];
  prev /= n;
  r[start + n - 1] = prev;
  const k = 2 / (n + 1);
  for (let i = start + n; i < x.length; i++) {
    prev = Number.isNaN(x[i]) ? NaN : prev + k * (x[i] - prev);
    r[i] = prev;
  }
  return r;
}

/** Rolling population standard deviation (ddof 0) of the last `n` values (TA-Lib STDDEV with nbDev 1). */
export function stdev(x: Float64Array, n: number): Float64Array {
  const r = out(x.length);
  const mean = sma(x, n);
  for (let i = n - 1; i < x.length; i++) {
    if (Number.isNaN(mean[i])) continue;
    let ss = 0;
    for (let j = i - n + 1; j <= i; j++) ss += (x[j] - mean[i]) ** 2;
    r[i] = Math.sqrt(ss / n);
  }
  return r;
}

/** Rolling z-score: (x − SMA(n)) / population stdev(n); NaN when the stdev is 0. */
export function zscore(x: Float64Array, n: number): Float64Array {
  const m = sma(x, n), s = stdev(x, n);
  const r = out(x.length);
  for (let i = 0; i < x.length; i++) r[i] = s[i] > 0 ? (x[i] - m[i]) / s[i] : NaN;
  return r;
}

/** Highest value of the last `n` bars (current included). */
export function highest(x: Float64Array, n: number): Float64Array {
  const r = out(x.length);
  for (let i = n - 1; i < x.length; i++) {
    let m = -Infinity;
    for (let j = i - n + 1; j <= i; j++) m = x[j] > m ? x[j] : m;
    r[i] = m;
  }
  return r;
}

/** Lowest value of the last `n` bars (current included). */
export function lowest(x: Float64Array, n: number): Float64Array {
  const r = out(x.length);
  for (let i = n - 1; i < x.length; i++) {
    let m = Infinity;
    for (let j = i - n + 1; j <= i; j++) m = x[j] < m ? x[j] : m;
    r[i] = m;
  }
  return r;
}

/** Rate of change in percent: (x[t] / x[t−n] − 1) × 100 (TA-Lib ROC). */
export function roc(x: Float64Array, n: number): Float64Array {
  const r = out(x.length);
  for (let i = n; i < x.length; i++) r[i] = x[i - n] !== 0 ? (x[i] / x[i - n] - 1) * 100 : NaN;
  return r;
}

/** x[t − n] (NaN for the first n bars). */
export function delay(x: Float64Array, n: number): Float64Array {
  const r = out(x.length);
  for (let i = n; i < x.length; i++) r[i] = x[i - n];
  return r;
}

/** x[t] − x[t − n]. */
export function delta(x: Float64Array, n: number): Float64Array {
  const r = out(x.length);
  for (let i = n; i < x.length; i++) r[i] = x[i] - x[i - n];
  return r;
}

/**
 * Time-series rank of x[t] within its last `n` values, scaled to [0, 1]:
 * (#values below x[t] + (#equal − 1)/2) / (n − 1).
 */
export function tsRank(x: Float64Array, n: number): Float64Array {
  const r = out(x.length);
  for (let i = n - 1; i < x.length; i++) {
    let below = 0, equal = 0, bad = false;
    for (let j = i - n + 1; j <= i; j++) {
      if (Number.isNaN(x[j])) bad = true;
      else if (x[j] < x[i]) below++;
      else if (x[j] === x[i]) equal++;
    }
    if (!bad && n > 1) r[i] = (below + (equal - 1) / 2) / (n - 1);
  }
  return r;
}

/** Rolling Pearson correlation of x and y over `n` bars; NaN when either is constant. */
export function correlation(x: Float64Array, y: Float64Array, n: number): Float64Array {
  const r = out(x.length);
  for (let i = n - 1; i < x.length; i++) {
    let sx = 0, sy = 0;
    for (let j = i - n + 1; j <= i; j++) (sx += x[j]), (sy += y[j]);
    const mx = sx / n, my = sy / n;
    let sxy = 0, sxx = 0, syy = 0;
    for (let j = i - n + 1; j <= i; j++) {
      const dx = x[j] - mx, dy = y[j] - my;
      sxy += dx * dy;
      sxx += dx * dx;
      syy += dy * dy;
    }
    r[i] = sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
  }
  return r;
}
