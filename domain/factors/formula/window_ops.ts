/**
 * Time-series operators on a `D × N` panel (row-major by date, NaN = missing): every output row t reads rows
 * t − d + 1 … t of its input only (never a later row). A window that is not full yet (t < d − 1), or that holds a
 * missing value, gives NaN — never a partial value.
 *
 * All kernels walk the panel row by row with one running state per symbol (cache-friendly on a row-major
 * panel). Sums, means and linear decay are O(D·N): running sums of values shifted by a per-symbol reference
 * `c`, recomputed from scratch every d rows so rounding cannot drift. Standard deviations, covariances and
 * correlations run shifted sums too, with a bound on their rounding error that triggers an exact recomputation
 * of a window when it would show (`Moments`): O(D·N) apart from those rare recomputations. Minimum, maximum and
 * their positions use a monotonic deque per symbol, O(D·N). `ts_rank` keeps each symbol's window sorted (a
 * binary search and a short shift per value, O(D·N·d) at worst); `ts_product` recomputes each window, O(D·N·d).
 *
 * A window of constant values (detected exactly, by the run of equal values, not by a rounding-prone test) has
 * standard deviation exactly 0, covariance exactly 0, no correlation (NaN), and an exact sum, mean and linear
 * decay (d·v, v, v: a window of zeros sums to 0, not to a rounding residue).
 */

/** Whether v is a number (finite); NaN and ±Infinity are missing. */
const isNum = (v: number) => v - v === 0;

/** Per symbol, the row of its last missing value (−∞ before any). */
const lastMissing = (N: number) => new Float64Array(N).fill(-Infinity);

/** `ts_sum` (mean = false) or `ts_mean` (mean = true) of the last d values. */
export function rollingSum(x: Float64Array, D: number, N: number, d: number, mean: boolean): Float64Array {
  const out = new Float64Array(D * N);
  const s = new Float64Array(N), c = new Float64Array(N), bad = new Int32Array(N), run = new Int32Array(N);
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
    updateRuns(x, t, N, run);
    if (t < d - 1) {
      out.fill(NaN, row, row + N);
      continue;
    }
    for (let j = 0; j < N; j++) {
      if (bad[j] > 0) out[row + j] = NaN;
      else if (run[j] >= d) out[row + j] = mean ? x[row + j] : d * x[row + j]; // exact on a constant window
      else out[row + j] = mean ? s[j] / d + c[j] : s[j] + d * c[j];
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

/** Unit roundoff of doubles. */
const EPS = 2 ** -52;
/** The relative error a variance (or the absolute error a correlation) may carry before it is recomputed. */
const MAX_ERROR = 1e-13;

/**
 * Running co-moments of the pairs (x, y) over the last d rows, per symbol: sums of the shifted values
 * u = x − cx, v = y − cy over the rows where both sides are present (`bad` counts the others), so that
 * Sxx = Σu² − (Σu)²/d, Syy likewise and Sxy = Σuv − Σu·Σv/d. The shifts are each window's mean when it was last
 * computed exactly, which keeps the subtraction short of cancellation.
 *
 * Rounding is bounded, not hoped away: each symbol carries an upper bound on the error its sums have gathered
 * (EPS × the magnitudes added and removed since their last exact computation). When that bound exceeds
 * `MAX_ERROR` × Sxx (or × Syy), or `MAX_ERROR` × √(Sxx·Syy) for Sxy, the symbol's window is recomputed exactly in
 * two passes (mean, then deviations) — O(d), rare on market data: it happens when a window's spread is tiny
 * next to the moves that passed through it. Every d-th row all symbols are recomputed (amortised O(1)).
 */
class Moments {
  readonly cx: Float64Array;
  readonly cy: Float64Array;
  readonly su: Float64Array;
  readonly sv: Float64Array;
  readonly suu: Float64Array;
  readonly svv: Float64Array;
  readonly suv: Float64Array;
  /** Error bounds (before the EPS factor) of suu, svv and suv. */
  readonly eu: Float64Array;
  readonly ev: Float64Array;
  readonly euv: Float64Array;
  readonly bad: Int32Array;
  /** The window's co-moments, after `moments(j, t)`. */
  sxx = 0;
  syy = 0;
  sxy = 0;

  constructor(readonly x: Float64Array, readonly y: Float64Array, readonly N: number, readonly d: number) {
    const f = () => new Float64Array(N);
    this.cx = f();
    this.cy = f();
    this.su = f();
    this.sv = f();
    this.suu = f();
    this.svv = f();
    this.suv = f();
    this.eu = f();
    this.ev = f();
    this.euv = f();
    this.bad = new Int32Array(N);
  }

  /** Adds (sign 1) or removes (sign −1) the row at offset r. */
  private step(r: number, sign: number): void {
    const { x, y, N, cx, cy, su, sv, suu, svv, suv, eu, ev, euv, bad } = this;
    if (x === y) {
      // one series (ts_std): only the u sums; `moments` reads them for v too
      for (let j = 0; j < N; j++) {
        const p = x[r + j];
        if (!isNum(p)) {
          bad[j] += sign;
          continue;
        }
        const u = p - cx[j], uu = u * u;
        su[j] += sign * u;
        suu[j] += sign * uu;
        eu[j] += uu;
      }
      return;
    }
    for (let j = 0; j < N; j++) {
      const p = x[r + j], q = y[r + j];
      if (!(isNum(p) && isNum(q))) {
        bad[j] += sign;
        continue;
      }
      const u = p - cx[j], v = q - cy[j];
      const uu = u * u, vv = v * v, uv = u * v;
      su[j] += sign * u;
      sv[j] += sign * v;
      suu[j] += sign * uu;
      svv[j] += sign * vv;
      suv[j] += sign * uv;
      eu[j] += uu;
      ev[j] += vv;
      euv[j] += Math.abs(uv);
    }
  }

  /** Moves the window to end at row t. */
  advance(t: number): void {
    if (t >= this.d - 1 && t % this.d === this.d - 1) {
      this.recomputeAll(t);
      return;
    }
    this.step(t * this.N, 1);
    if (t >= this.d) this.step((t - this.d) * this.N, -1);
  }

  /**
   * Puts symbol j's co-moments for the window ending at row t (which must be clean: `bad[j]` 0) into sxx, syy,
   * sxy, recomputing them exactly first when their error bound is too large.
   */
  moments(j: number, t: number): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      const d = this.d, one = this.x === this.y;
      const su = this.su[j], suu = this.suu[j], eu = this.eu[j];
      const sv = one ? su : this.sv[j], svv = one ? suu : this.svv[j], suv = one ? suu : this.suv[j];
      const ev = one ? eu : this.ev[j], euv = one ? eu : this.euv[j];
      const sxx = suu - su * su / d, syy = svv - sv * sv / d;
      const sxy = suv - su * sv / d;
      const ex = 4 * EPS * (eu + suu);
      const ey = 4 * EPS * (ev + svv);
      const exy = 4 * EPS * (euv + Math.abs(suv) + Math.abs(su * sv) / d);
      const fine = ex <= MAX_ERROR * sxx && ey <= MAX_ERROR * syy && exy * exy <= MAX_ERROR ** 2 * sxx * syy;
      if (fine || attempt === 1) {
        this.sxx = sxx > 0 ? sxx : 0;
        this.syy = syy > 0 ? syy : 0;
        this.sxy = sxy;
        return;
      }
      this.recompute(j, t);
    }
  }

  /** Two-pass sums of symbol j's (clean) window ending at row t, shifted by the window's means. */
  private recompute(j: number, t: number): void {
    const { x, y, N, d } = this;
    let sx = 0, sy = 0;
    for (let k = t - d + 1; k <= t; k++) {
      sx += x[k * N + j];
      sy += y[k * N + j];
    }
    const cx = sx / d, cy = sy / d;
    let su = 0, sv = 0, suu = 0, svv = 0, suv = 0;
    for (let k = t - d + 1; k <= t; k++) {
      const u = x[k * N + j] - cx, v = y[k * N + j] - cy;
      su += u;
      sv += v;
      suu += u * u;
      svv += v * v;
      suv += u * v;
    }
    this.cx[j] = cx;
    this.cy[j] = cy;
    this.su[j] = su;
    this.sv[j] = sv;
    this.suu[j] = suu;
    this.svv[j] = svv;
    this.suv[j] = suv;
    this.eu[j] = this.ev[j] = this.euv[j] = 0;
  }

  /** Two-pass sums of every symbol's window ending at row t over its present pairs (row by row). */
  private recomputeAll(t: number): void {
    const { x, y, N, d, cx, cy, su, sv, suu, svv, suv, bad } = this;
    const n = new Int32Array(N);
    su.fill(0);
    sv.fill(0);
    for (let k = t - d + 1; k <= t; k++) {
      const r = k * N;
      for (let j = 0; j < N; j++) {
        const p = x[r + j], q = y[r + j];
        if (isNum(p) && isNum(q)) {
          su[j] += p;
          sv[j] += q;
          n[j]++;
        }
      }
    }
    for (let j = 0; j < N; j++) {
      cx[j] = n[j] > 0 ? su[j] / n[j] : 0;
      cy[j] = n[j] > 0 ? sv[j] / n[j] : 0;
      bad[j] = d - n[j];
    }
    for (const a of [su, sv, suu, svv, suv, this.eu, this.ev, this.euv]) a.fill(0);
    for (let k = t - d + 1; k <= t; k++) {
      const r = k * N;
      for (let j = 0; j < N; j++) {
        const p = x[r + j], q = y[r + j];
        if (isNum(p) && isNum(q)) {
          const u = p - cx[j], v = q - cy[j];
          su[j] += u;
          sv[j] += v;
          suu[j] += u * u;
          svv[j] += v * v;
          suv[j] += u * v;
        }
      }
    }
  }
}

/** `ts_std`: sample standard deviation (ddof 1) of the last d values (d ≥ 2); exactly 0 on a constant window. */
export function rollingStd(x: Float64Array, D: number, N: number, d: number): Float64Array {
  const out = new Float64Array(D * N).fill(NaN);
  const m = new Moments(x, x, N, d);
  const run = new Int32Array(N);
  for (let t = 0; t < D; t++) {
    m.advance(t);
    updateRuns(x, t, N, run);
    if (t < d - 1) continue;
    const row = t * N;
    for (let j = 0; j < N; j++) {
      if (m.bad[j] > 0) continue;
      if (run[j] >= d) {
        out[row + j] = 0;
        continue;
      }
      m.moments(j, t);
      out[row + j] = Math.sqrt(m.sxx / (d - 1));
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
  const m = new Moments(x, y, N, d);
  const runX = new Int32Array(N), runY = new Int32Array(N);
  for (let t = 0; t < D; t++) {
    m.advance(t);
    updateRuns(x, t, N, runX);
    updateRuns(y, t, N, runY);
    if (t < d - 1) continue;
    const row = t * N;
    for (let j = 0; j < N; j++) {
      if (m.bad[j] > 0) continue;
      const constant = runX[j] >= d || runY[j] >= d;
      if (constant) {
        if (!corr) out[row + j] = 0;
        continue;
      }
      m.moments(j, t);
      if (!corr) {
        out[row + j] = m.sxy / (d - 1);
        continue;
      }
      if (!(m.sxx > 0 && m.syy > 0)) continue;
      const r = m.sxy / Math.sqrt(m.sxx * m.syy);
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
  const run = new Int32Array(N);
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
    updateRuns(x, t, N, run);
    if (t < d - 1) continue;
    for (let j = 0; j < N; j++) {
      if (bad[j] === 0) out[row + j] = run[j] >= d ? x[row + j] : W[j] / total + c[j]; // exact when constant
    }
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
  // Symbol j's deque lives in slots j·d … j·d + d − 1 (a ring: row index and value of each entry).
  const rows = new Int32Array(N * d), vals = new Float64Array(N * d);
  const head = new Int32Array(N), size = new Int32Array(N);
  const missing = lastMissing(N);
  for (let t = 0; t < D; t++) {
    const row = t * N;
    for (let j = 0; j < N; j++) {
      const base = j * d;
      let h = head[j], n = size[j];
      if (n > 0 && rows[base + h] <= t - d) {
        h = h + 1 === d ? 0 : h + 1;
        n--;
      }
      const v = x[row + j];
      if (!isNum(v)) {
        missing[j] = t;
        head[j] = h;
        size[j] = n;
        continue;
      }
      // Drop the back while it is no better than v (ties too: the most recent extreme stays in front).
      while (n > 0) {
        let b = h + n - 1;
        if (b >= d) b -= d;
        const bv = vals[base + b];
        if (max ? bv <= v : bv >= v) n--;
        else break;
      }
      let p = h + n;
      if (p >= d) p -= d;
      rows[base + p] = t;
      vals[base + p] = v;
      head[j] = h;
      size[j] = n + 1;
      if (t >= d - 1 && missing[j] <= t - d) out[row + j] = position ? t - rows[base + h] : vals[base + h];
    }
  }
  return out;
}

/**
 * `ts_rank`: the rank of today's value among the last d values (today included), average ranks for ties, divided
 * by d, so in (0, 1] (1 = the highest of the window). Each symbol keeps its window's present values sorted (a
 * slice of d slots): a bar leaves and enters by binary search and a shift, and today's rank is read off the
 * insertion point — O(log d + d) per value with a short, branch-predictable shift.
 */
export function tsRank(x: Float64Array, D: number, N: number, d: number): Float64Array {
  const out = new Float64Array(D * N).fill(NaN);
  const sorted = new Float64Array(N * d), size = new Int32Array(N);
  const missing = lastMissing(N);
  for (let t = 0; t < D; t++) {
    const row = t * N, old = (t - d) * N;
    for (let j = 0; j < N; j++) {
      const base = j * d;
      let n = size[j];
      if (t >= d) {
        const u = x[old + j];
        if (isNum(u)) {
          const at = base + lowerBound(sorted, base, n, u);
          for (let q = at; q < base + n - 1; q++) sorted[q] = sorted[q + 1];
          n--;
        }
      }
      const v = x[row + j];
      if (!isNum(v)) {
        missing[j] = t;
        size[j] = n;
        continue;
      }
      const less = lowerBound(sorted, base, n, v);
      let above = less;
      while (above < n && sorted[base + above] === v) above++;
      // today's average rank: less + (ties including today + 1) / 2
      const rank = less + (above - less + 2) / 2;
      for (let q = base + n; q > base + less; q--) sorted[q] = sorted[q - 1];
      sorted[base + less] = v;
      size[j] = n + 1;
      if (t >= d - 1 && missing[j] <= t - d) out[row + j] = rank / d;
    }
  }
  return out;
}

/** The first position in `a[base … base + n)` (sorted ascending) whose value is not below v. */
function lowerBound(a: Float64Array, base: number, n: number, v: number): number {
  let lo = 0, hi = n;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (a[base + m] < v) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** `ts_product`: the product of the last d values (recomputed per window; non-finite products → NaN). */
export function rollingProduct(x: Float64Array, D: number, N: number, d: number): Float64Array {
  const out = new Float64Array(D * N).fill(NaN);
  const p = new Float64Array(N);
  const missing = lastMissing(N);
  for (let t = 0; t < D; t++) {
    const row = t * N;
    for (let j = 0; j < N; j++) if (!isNum(x[row + j])) missing[j] = t;
    if (t < d - 1) continue;
    p.fill(1);
    for (let k = t - d + 1; k <= t; k++) {
      const r = k * N;
      for (let j = 0; j < N; j++) p[j] *= x[r + j];
    }
    for (let j = 0; j < N; j++) {
      if (missing[j] <= t - d && isNum(p[j])) out[row + j] = p[j];
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
