/**
 * Cross-sectional ranks and Spearman correlation on rows of a date × symbol panel (row-major `Float64Array`,
 * NaN = missing). One job: rank a row once, then correlate it with another row in linear time.
 *
 * Conventions:
 * - ranks run 1..n over the names kept; tied values share the average of the ranks they span;
 * - missing values are removed pairwise: a name counts only when both rows have a finite value for it;
 * - Spearman = Pearson correlation of the two rank vectors; NaN when fewer than {@link MIN_PAIRS} pairs remain or
 *   either side is constant (all its kept values equal).
 */

/** Fewest pairs a Spearman correlation is computed on. */
export const MIN_PAIRS = 3;

/**
 * The finite entries of each row of a `days × symbols` panel, each row sorted by value ascending: row `t`'s
 * column indices are `order[start[t] .. start[t+1])`. Built once per panel (one sort per row), then every
 * correlation that involves the row walks it without sorting again.
 */
export interface SortedRows {
  readonly values: Float64Array;
  readonly symbols: number;
  readonly order: Uint32Array;
  readonly start: Uint32Array;
}

/** Sorts the finite entries of every row of `values` (`rows` × `symbols`). */
export function sortRows(values: Float64Array, rows: number, symbols: number): SortedRows {
  const order = new Uint32Array(rows * symbols);
  const start = new Uint32Array(rows + 1);
  const row = new Uint32Array(symbols);
  const keys = new Float64Array(symbols);
  let k = 0;
  for (let t = 0; t < rows; t++) {
    start[t] = k;
    const off = t * symbols;
    let n = 0;
    for (let j = 0; j < symbols; j++) {
      const v = values[off + j];
      if (Number.isFinite(v)) {
        keys[n] = v;
        row[n++] = j;
      }
    }
    sortPairs(keys, row, 0, n - 1);
    order.set(row.subarray(0, n), k);
    k += n;
  }
  start[rows] = k;
  return { values, symbols, order, start };
}

/**
 * Sorts `keys[lo..hi]` ascending, moving `idx` along (quicksort, median of three, insertion sort under 16
 * entries; the recursion goes into the smaller part, so its depth is at most log2 of the length). Ties end up
 * adjacent in any order, which is all average ranks need. Several times faster than a comparator sort.
 */
function sortPairs(keys: Float64Array, idx: Uint32Array, lo: number, hi: number): void {
  while (hi - lo >= 16) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < keys[lo]) swap(keys, idx, mid, lo);
    if (keys[hi] < keys[lo]) swap(keys, idx, hi, lo);
    if (keys[hi] < keys[mid]) swap(keys, idx, hi, mid);
    const pivot = keys[mid];
    let i = lo, j = hi;
    while (i <= j) {
      while (keys[i] < pivot) i++;
      while (keys[j] > pivot) j--;
      if (i <= j) {
        swap(keys, idx, i, j);
        i++;
        j--;
      }
    }
    if (j - lo < hi - i) {
      sortPairs(keys, idx, lo, j);
      lo = i;
    } else {
      sortPairs(keys, idx, i, hi);
      hi = j;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const k = keys[i], x = idx[i];
    let j = i - 1;
    while (j >= lo && keys[j] > k) {
      keys[j + 1] = keys[j];
      idx[j + 1] = idx[j];
      j--;
    }
    keys[j + 1] = k;
    idx[j + 1] = x;
  }
}

function swap(keys: Float64Array, idx: Uint32Array, a: number, b: number): void {
  const k = keys[a];
  keys[a] = keys[b];
  keys[b] = k;
  const x = idx[a];
  idx[a] = idx[b];
  idx[b] = x;
}

/**
 * Average ranks of row `t` of `rows` over the names where `keep[j]` is 1 (all finite names when `keep` is null),
 * written into `rank[j]` for the kept names (other entries untouched). Returns the number of names ranked.
 * Linear in the row's length: the row is already sorted, so ties are adjacent runs.
 */
export function rankRow(
  rows: SortedRows,
  t: number,
  keep: Uint8Array | null,
  rank: Float64Array,
  scratch: Uint32Array,
): number {
  const { values, order, start } = rows;
  const off = t * rows.symbols;
  let n = 0;
  for (let p = start[t]; p < start[t + 1]; p++) {
    const j = order[p];
    if (keep === null || keep[j] === 1) scratch[n++] = j;
  }
  let i = 0;
  while (i < n) {
    const v = values[off + scratch[i]];
    let e = i + 1;
    while (e < n && values[off + scratch[e]] === v) e++;
    const avg = (i + 1 + e) / 2; // ranks i+1 .. e
    for (let q = i; q < e; q++) rank[scratch[q]] = avg;
    i = e;
  }
  return n;
}

/** Scratch buffers for {@link spearmanRows}, sized for one row. */
export interface RankScratch {
  keep: Uint8Array;
  rx: Float64Array;
  ry: Float64Array;
  idx: Uint32Array;
  kept: Uint32Array;
}

/** Allocates scratch buffers for rows of `symbols` names. */
export function rankScratch(symbols: number): RankScratch {
  return {
    keep: new Uint8Array(symbols),
    rx: new Float64Array(symbols),
    ry: new Float64Array(symbols),
    idx: new Uint32Array(symbols),
    kept: new Uint32Array(symbols),
  };
}

/**
 * Spearman correlation of row `tx` of `x` with row `ty` of `y` (same number of symbols), missing values removed
 * pairwise. Leaves the x ranks of the kept names in `s.rx`, the kept names in `s.kept[0..n)` and returns
 * `{ rho, n }` through `out` (rho NaN when fewer than {@link MIN_PAIRS} pairs or a constant side).
 */
export function spearmanRows(
  x: SortedRows,
  tx: number,
  y: SortedRows,
  ty: number,
  s: RankScratch,
  out: { rho: number; n: number },
): void {
  const N = x.symbols;
  const { keep, rx, ry, kept } = s;
  keep.fill(0);
  const yOff = ty * N;
  let n = 0;
  for (let p = x.start[tx]; p < x.start[tx + 1]; p++) {
    const j = x.order[p];
    if (Number.isFinite(y.values[yOff + j])) {
      keep[j] = 1;
      kept[n++] = j;
    }
  }
  out.n = n;
  if (n < MIN_PAIRS) {
    out.rho = NaN;
    return;
  }
  rankRow(x, tx, keep, rx, s.idx);
  rankRow(y, ty, keep, ry, s.idx);
  const m = (n + 1) / 2; // the mean of average ranks 1..n is exactly (n+1)/2
  let sxy = 0, sxx = 0, syy = 0;
  for (let q = 0; q < n; q++) {
    const j = kept[q];
    const a = rx[j] - m, b = ry[j] - m;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  out.rho = sxx === 0 || syy === 0 ? NaN : sxy / Math.sqrt(sxx * syy);
}
