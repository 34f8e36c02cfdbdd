/**
 * Time-series operators on a `D × N` panel (row-major by date, NaN = missing): every output row t reads rows
 * t − d + 1 … t of its input only (never a later row). A window that is not full yet (t < d − 1), or that holds a
 * missing value, gives NaN — never a partial value.
 *
 * All kernels walk the panel row by row with one running state per symbol (cache-friendly on a row-major
 * panel). Sums, means, standard deviations, covariances, correlations and linear decay are O(D·N): running sums
 * of values shifted by a per-symbol reference `c`, recomputed from scratch every d rows so rounding cannot
 * drift (the shift keeps the variance sums free of cancellation). Minimum, maximum and their positions use a
 * monotonic deque per symbol, also O(D·N). `ts_rank` and `ts_product` recompute each window, O(D·N·d).
 *
 * A window of constant values has standard deviation exactly 0, covariance exactly 0 and no correlation (NaN);
 * this is detected exactly (the run of equal values), not by a rounding-prone test of the variance.
 */

/** Output rows before the first full window (and windows with a missing value) are NaN. */
const isNum = (v: number) => v - v === 0;

/** Row index of the last missing value per symbol, updated as rows are read. */
class MissingTracker {
  readonly last: Float64Array;
  constructor(n: number) {
    this.last = new Float64Array(n).fill(-Infinity);
  }
}

/** `ts_sum` (mean = false) or `ts_mean` (mean = true) of the last d values. */
export function rollingSum(x: Float64Array, D: number, N: number, d: number, mean: boolean): Float64Array {
  const out = new Float64Array(D * N);
  const s = new Float64Array(N), c = new Float64Array(N), bad = new Int32Array(N);
  for (let t = 0; t < D; t++) {
    const row = t * N;
    if (t % d === d - 1) {
      resyncStart(x, row, N, c, bad);
      s.fill(0);
      for (let k = t - d + 1; k <= t; k++) {
        const r = k * N;
        for (let j = 0; j < N; j++) {
          const v = x[r + j];
          if (isNum(v)) s[j] += v - c[j];
          else bad[j]++;
        }
      }
    } else {
      const old = (t - d) * N;
      for (let j = 0; j < N; j++) {
        const v = x[row + j];
        if (isNum(v)) s[j] += v - c[j];
        else bad[j]++;
        if (t >= d) {
          const u = x[old + j];
          if (isNum(u)) s[j] -= u - c[j];
          else bad[j]--;
        }
      }
    }
    if (t < d - 1) {
      out.fill(NaN, row, row + N);
      continue;
    }
    for (let j = 0; j < N; j++) {
      out[row + j] = bad[j] > 0 ? NaN : mean ? s[j] / d + c[j] : s[j] + d * c[j];
    }
  }
  return out;
}

/** Picks each symbol's shift for the next stretch (its value at `row` when present) and clears `bad`. */
function resyncStart(x: Float64Array, row: number, N: number, c: Float64Array, bad: Int32Array): void {
  for (let j = 0; j < N; j++) {
    const v = x[row + j];
    if (isNum(v)) c[j] = v;
  }
  bad.fill(0);
}

/** Updates the run of equal trailing values per symbol with row `t` (0 when the value is missing). */
function updateRuns(x: Float64Array, t: number, N: number, run: Int32Array): void {
  const row = t * N, prev = row - N;
  for (let j = 0; j < N; j++) {
    const v = x[row + j];
    if (!isNum(v)) run[j] = 0;
    else if (t > 0 && run[j] > 0 && x[prev + j] === v) run[j]++;
    else run[j] = 1;
  }
}

/**
 * Running sums of the shifted pairs (x − cx, y − cy) over the last d rows where both sides are present: counts
 * `bad` rows with a missing side. `y` = null computes the one-sided sums only (sx, sxx).
 */
class PairSums {
  readonly sx: Float64Array;
  readonly sy: Float64Array;
  readonly sxx: Float64Array;
  readonly syy: Float64Array;
  readonly sxy: Float64Array;
  readonly cx: Float64Array;
  readonly cy: Float64Array;
  readonly bad: Int32Array;
  constructor(readonly N: number) {
    this.sx = new Float64Array(N);
    this.sy = new Float64Array(N);
    this.sxx = new Float64Array(N);
    this.syy = new Float64Array(N);
    this.sxy = new Float64Array(N);
    this.cx = new Float64Array(N);
    this.cy = new Float64Array(N);
    this.bad = new Int32Array(N);
  }

  /** Adds (sign +1) or removes (sign −1) row `r` (an offset into the panels). */
  step(x: Float64Array, y: Float64Array, r: number, sign: number): void {
    const { sx, sy, sxx, syy, sxy, cx, cy, bad, N } = this;
    for (let j = 0; j < N; j++) {
      const u = x[r + j], v = y[r + j];
      if (isNum(u) && isNum(v)) {
        const a = u - cx[j], b = v - cy[j];
        sx[j] += sign * a;
        sy[j] += sign * b;
        sxx[j] += sign * a * a;
        syy[j] += sign * b * b;
        sxy[j] += sign * a * b;
      } else bad[j] += sign;
    }
  }

  /** Recomputes the sums over rows t − d + 1 … t from scratch, with fresh shifts from row t. */
  resync(x: Float64Array, y: Float64Array, t: number, d: number): void {
    const { N } = this;
    const row = t * N;
    for (let j = 0; j < N; j++) {
      const u = x[row + j], v = y[row + j];
      if (isNum(u)) this.cx[j] = u;
      if (isNum(v)) this.cy[j] = v;
    }
    for (const a of [this.sx, this.sy, this.sxx, this.syy, this.sxy]) a.fill(0);
    this.bad.fill(0);
    for (let k = t - d + 1; k <= t; k++) this.step(x, y, k * N, 1);
  }

  /** Slides the window to end at row t. */
  advance(x: Float64Array, y: Float64Array, t: number, d: number): void {
    if (t % d === d - 1) this.resync(x, y, t, d);
    else {
      this.step(x, y, t * this.N, 1);
      if (t >= d) this.step(x, y, (t - d) * this.N, -1);
    }
  }
}

/** `ts_std`: sample standard deviation (ddof 1) of the last d values (d ≥ 2); exactly 0 on a constant window. */
export function rollingStd(x: Float64Array, D: number, N: number, d: number): Float64Array {
  const out = new Float64Array(D * N).fill(NaN);
  const sums = new PairSums(N);
  const run = new Int32Array(N);
  for (let t = 0; t < D; t++) {
    sums.advance(x, x, t, d);
    updateRuns(x, t, N, run);
    if (t < d - 1) continue;
    const row = t * N;
    for (let j = 0; j < N; j++) {
      if (sums.bad[j] > 0) continue;
      if (run[j] >= d) {
        out[row + j] = 0;
        continue;
      }
      const ss = sums.sxx[j] - sums.sx[j] * sums.sx[j] / d;
      out[row + j] = ss > 0 ? Math.sqrt(ss / (d - 1)) : 0;
    }
  }
  return out;
}

/**
 * `ts_cov` (sample, ddof 1) or `ts_corr` (Pearson) of x and y over the last d rows (d ≥ 2). A row where either
 * side is missing makes the window missing. Correlation is NaN when either side is constant over the window;
 * covariance is then exactly 0.
 */
export function rollingCov(
  x: Float64Array,
  y: Float64Array,
  D: number,
  N: number,
  d: number,
  corr: boolean,
): Float64Array {
  const out = new Float64Array(D * N).fill(NaN);
  const sums = new PairSums(N);
  const runX = new Int32Array(N), runY = new Int32Array(N);
  for (let t = 0; t < D; t++) {
    sums.advance(x, y, t, d);
    updateRuns(x, t, N, runX);
    updateRuns(y, t, N, runY);
    if (t < d - 1) continue;
    const row = t * N;
    for (let j = 0; j < N; j++) {
      if (sums.bad[j] > 0) continue;
      const constant = runX[j] >= d || runY[j] >= d;
      if (!corr) {
        out[row + j] = constant ? 0 : (sums.sxy[j] - sums.sx[j] * sums.sy[j] / d) / (d - 1);
        continue;
      }
      if (constant) continue;
      const sxx = sums.sxx[j] - sums.sx[j] * sums.sx[j] / d;
      const syy = sums.syy[j] - sums.sy[j] * sums.sy[j] / d;
      if (!(sxx > 0 && syy > 0)) continue;
      const r = (sums.sxy[j] - sums.sx[j] * sums.sy[j] / d) / Math.sqrt(sxx * syy);
      out[row + j] = r > 1 ? 1 : r < -1 ? -1 : r;
    }
  }
  return out;
}

/**
 * `decay_linear`: Σ w_k·x[t−k] with w_k = (d − k) / (d(d+1)/2), k = 0 … d − 1 (today weighs d, the oldest 1).
 * Running: W_t = W_{t−1} + d·x_t − S_{t−1}, S the plain sum of the previous window (missing values count 0 in
 * both, and a window holding one is NaN anyway).
 */
export function decayLinear(x: Float64Array, D: number, N: number, d: number): Float64Array {
  const out = new Float64Array(D * N).fill(NaN);
  const W = new Float64Array(N), S = new Float64Array(N), c = new Float64Array(N), bad = new Int32Array(N);
  const total = d * (d + 1) / 2;
  for (let t = 0; t < D; t++) {
    const row = t * N;
    if (t % d === d - 1) {
      resyncStart(x, row, N, c, bad);
      W.fill(0);
      S.fill(0);
      for (let k = t - d + 1; k <= t; k++) {
        const r = k * N, weight = k - (t - d);
        for (let j = 0; j < N; j++) {
          const v = x[r + j];
          if (isNum(v)) {
            W[j] += weight * (v - c[j]);
            S[j] += v - c[j];
          } else bad[j]++;
        }
      }
    } else {
      const old = (t - d) * N;
      for (let j = 0; j < N; j++) {
        const v = x[row + j];
        const z = isNum(v) ? v - c[j] : 0;
        if (!isNum(v)) bad[j]++;
        let zOld = 0;
        if (t >= d) {
          const u = x[old + j];
          if (isNum(u)) zOld = u - c[j];
          else bad[j]--;
        }
        W[j] += d * z - S[j];
        S[j] += z - zOld;
      }
    }
    if (t < d - 1) continue;
    for (let j = 0; j < N; j++) if (bad[j] === 0) out[row + j] = W[j] / total + c[j];
  }
  return out;
}

/**
 * `ts_min` / `ts_max` (position = false) or `ts_argmin` / `ts_argmax` (position = true): the extreme of the last
 * d values, or how many bars ago it was (0 = today, d − 1 = the oldest bar of the window); among equal extremes
 * the most recent counts. A monotonic deque per symbol (indices of rows, ring buffer of d slots).
 */
export function rollingExtreme(
  x: Float64Array,
  D: number,
  N: number,
  d: number,
  max: boolean,
  position: boolean,
): Float64Array {
  const out = new Float64Array(D * N).fill(NaN);
  const ring = new Int32Array(N * d), head = new Int32Array(N), size = new Int32Array(N);
  const lastBad = new Float64Array(N).fill(-Infinity);
  for (let t = 0; t < D; t++) {
    const row = t * N;
    for (let j = 0; j < N; j++) {
      const base = j * d;
      if (size[j] > 0 && ring[base + head[j]] <= t - d) {
        head[j] = (head[j] + 1) % d;
        size[j]--;
      }
      const v = x[row + j];
      if (!isNum(v)) {
        lastBad[j] = t;
        continue;
      }
      // Drop the back while it is no better than v (ties too: the most recent extreme stays in front).
      while (size[j] > 0) {
        const back = ring[base + (head[j] + size[j] - 1) % d];
        const b = x[back * N + j];
        if (max ? b <= v : b >= v) size[j]--;
        else break;
      }
      ring[base + (head[j] + size[j]) % d] = t;
      size[j]++;
      if (t >= d - 1 && lastBad[j] <= t - d) {
        const front = ring[base + head[j]];
        out[row + j] = position ? t - front : x[front * N + j];
      }
    }
  }
  return out;
}

/**
 * `ts_rank`: the rank of today's value among the last d values (today included), average ranks for ties, divided
 * by d, so in (0, 1] (1 = the highest of the window). O(d) per value.
 */
export function tsRank(x: Float64Array, D: number, N: number, d: number): Float64Array {
  const out = new Float64Array(D * N).fill(NaN);
  const less = new Float64Array(N), equal = new Float64Array(N);
  const missing = new MissingTracker(N);
  for (let t = 0; t < D; t++) {
    const row = t * N;
    for (let j = 0; j < N; j++) if (!isNum(x[row + j])) missing.last[j] = t;
    if (t < d - 1) continue;
    less.fill(0);
    equal.fill(0);
    for (let k = t - d + 1; k <= t; k++) {
      const r = k * N;
      for (let j = 0; j < N; j++) {
        const v = x[r + j], today = x[row + j];
        if (v < today) less[j]++;
        else if (v === today) equal[j]++;
      }
    }
    for (let j = 0; j < N; j++) {
      if (missing.last[j] <= t - d) out[row + j] = (less[j] + (equal[j] + 1) / 2) / d;
    }
  }
  return out;
}

/** `ts_product`: the product of the last d values (recomputed per window; non-finite products → NaN). */
export function rollingProduct(x: Float64Array, D: number, N: number, d: number): Float64Array {
  const out = new Float64Array(D * N).fill(NaN);
  const p = new Float64Array(N);
  const missing = new MissingTracker(N);
  for (let t = 0; t < D; t++) {
    const row = t * N;
    for (let j = 0; j < N; j++) if (!isNum(x[row + j])) missing.last[j] = t;
    if (t < d - 1) continue;
    p.fill(1);
    for (let k = t - d + 1; k <= t; k++) {
      const r = k * N;
      for (let j = 0; j < N; j++) p[j] *= x[r + j];
    }
    for (let j = 0; j < N; j++) {
      if (missing.last[j] <= t - d && isNum(p[j])) out[row + j] = p[j];
    }
  }
  return out;
}

/** `delay` (diff = false): x[t − d]; `delta` (diff = true): x[t] − x[t − d]. NaN for the first d rows. */
export function lagged(x: Float64Array, D: number, N: number, d: number, diff: boolean): Float64Array {
  const out = new Float64Array(D * N).fill(NaN);
  for (let i = d * N; i < D * N; i++) {
    const v = diff ? x[i] - x[i - d * N] : x[i - d * N];
    out[i] = isNum(v) ? v : NaN;
  }
  return out;
}
