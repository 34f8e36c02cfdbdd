/**
 * Cross-sectional operators: each date's row of a `D × N` panel on its own (NaN = missing, left missing).
 */
import { rankRow, sortRows } from "../cross_section_ranks.ts";

/**
 * `rank`: per date, the average rank (1 … n, ties share the mean of the ranks they span) of each present value
 * divided by n, the number of present values that date, so in (0, 1] (1 = the highest).
 */
export function crossRank(x: Float64Array, D: number, N: number): Float64Array {
  const out = new Float64Array(D * N).fill(NaN);
  const rows = sortRows(x, D, N);
  const rank = new Float64Array(N), scratch = new Uint32Array(N);
  for (let t = 0; t < D; t++) {
    const n = rankRow(rows, t, null, rank, scratch);
    const row = t * N;
    for (let p = rows.start[t]; p < rows.start[t + 1]; p++) {
      const j = rows.order[p];
      out[row + j] = rank[j] / n;
    }
  }
  return out;
}

/** `scale(x, a)`: x·a / Σ|x| per date over the present values; a date whose Σ|x| is 0 is missing. */
export function crossScale(x: Float64Array, D: number, N: number, a: number): Float64Array {
  const out = new Float64Array(D * N).fill(NaN);
  for (let t = 0; t < D; t++) {
    const row = t * N;
    let sum = 0;
    for (let j = 0; j < N; j++) {
      const v = x[row + j];
      if (v - v === 0) sum += Math.abs(v);
    }
    if (!(sum > 0) || sum === Infinity) continue;
    const k = a / sum;
    for (let j = 0; j < N; j++) {
      const v = x[row + j] * k;
      if (v - v === 0) out[row + j] = v;
    }
  }
  return out;
}

/**
 * `indneutralize(x, sector)`: per date, x minus the mean of the present values of x in the symbol's sector. A
 * symbol without a sector (`null`) has nothing to be neutral against: its value is missing.
 */
export function sectorNeutralize(
  x: Float64Array,
  D: number,
  N: number,
  sectors: readonly (string | null)[],
): Float64Array {
  const ids = new Int32Array(N);
  const index = new Map<string, number>();
  for (let j = 0; j < N; j++) {
    const s = sectors[j];
    if (s === null) ids[j] = -1;
    else {
      if (!index.has(s)) index.set(s, index.size);
      ids[j] = index.get(s)!;
    }
  }
  const G = index.size;
  const sum = new Float64Array(G), count = new Float64Array(G);
  const out = new Float64Array(D * N).fill(NaN);
  for (let t = 0; t < D; t++) {
    const row = t * N;
    sum.fill(0);
    count.fill(0);
    for (let j = 0; j < N; j++) {
      const v = x[row + j], g = ids[j];
      if (g >= 0 && v - v === 0) {
        sum[g] += v;
        count[g]++;
      }
    }
    for (let j = 0; j < N; j++) {
      const v = x[row + j], g = ids[j];
      if (g >= 0 && v - v === 0) {
        const r = v - sum[g] / count[g];
        out[row + j] = r - r === 0 ? r : NaN;
      }
    }
  }
  return out;
}
