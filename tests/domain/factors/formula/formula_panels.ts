/** Panels for the formula tests and benchmark: tiny hand-written ones and seeded random ones. */
import type { FormulaInputs } from "../../../../domain/factors/formula/formula.ts";

type Rows = readonly (readonly number[])[];
const FIELDS = ["open", "high", "low", "close", "volume", "vwap"] as const;

/** Inputs from row lists (`rows[t][j]`); fields left out are 1 everywhere. */
export function inputsOf(
  fields: Partial<Record<typeof FIELDS[number], Rows>>,
  sectors?: (string | null)[],
): FormulaInputs {
  const any = Object.values(fields)[0]!;
  const D = any.length, N = any[0].length;
  const flat = (rows: Rows | undefined) => {
    const a = new Float64Array(D * N).fill(1);
    if (rows) rows.forEach((r, t) => r.forEach((v, j) => (a[t * N + j] = v)));
    return a;
  };
  return {
    dates: Array.from({ length: D }, (_, t) => `2024-01-${String(t + 2).padStart(2, "0")}`),
    symbols: Array.from({ length: N }, (_, j) => `S${j}`),
    sectors: sectors ?? Array.from({ length: N }, () => "all"),
    open: flat(fields.open),
    high: flat(fields.high),
    low: flat(fields.low),
    close: flat(fields.close),
    volume: flat(fields.volume),
    vwap: flat(fields.vwap),
  };
}

/** Row `t` of a `D × N` result as a plain array. */
export function row(values: Float64Array, N: number, t: number): number[] {
  return Array.from(values.subarray(t * N, (t + 1) * N));
}

/** mulberry32: a small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A random market: random-walk prices around 10–100, high ≥ close ≥ low, volumes ~1e5–1e6, sectors among four
 * (and a few null). With `messy`: ~3 % missing bars, some symbols with rounded (tied) prices, a constant stretch
 * and a zero price.
 */
export function randomInputs(symbols: number, dates: number, seed: number, messy = true): FormulaInputs {
  const rnd = prng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const D = dates, N = symbols, size = D * N;
  const open = new Float64Array(size), high = new Float64Array(size), low = new Float64Array(size);
  const close = new Float64Array(size), volume = new Float64Array(size), vwap = new Float64Array(size);
  for (let j = 0; j < N; j++) {
    let p = 10 + 90 * rnd();
    for (let t = 0; t < D; t++) {
      const i = t * N + j;
      const o = p * (1 + 0.005 * gauss());
      p = p * (1 + 0.02 * gauss());
      let c = p;
      if (messy && j % 5 === 1) c = Math.round(c); // ties
      open[i] = o;
      close[i] = c;
      high[i] = Math.max(o, c) * (1 + 0.01 * rnd());
      low[i] = Math.min(o, c) * (1 - 0.01 * rnd());
      volume[i] = Math.round(1e5 + 9e5 * rnd());
      vwap[i] = (high[i] + low[i] + close[i]) / 3;
    }
  }
  if (messy) {
    for (let i = 0; i < size; i++) {
      if (rnd() < 0.03) {
        for (const a of [open, high, low, close, volume, vwap]) a[i] = NaN;
      }
    }
    if (N > 3 && D > 12) {
      for (let t = 3; t < 12; t++) close[t * N + 3] = 42; // a constant stretch
      volume.fill(5e5, 4 * N, 5 * N); // a tied row
    }
    if (N > 2 && D > 8) close[7 * N + 2] = 0;
  }
  const sectors = Array.from(
    { length: N },
    (_, j) => (j % 9 === 8 ? null : ["bank", "tech", "energy", "food"][j % 4]),
  );
  return {
    dates: Array.from({ length: D }, (_, t) => `d${t}`),
    symbols: Array.from({ length: N }, (_, j) => `S${j}`),
    sectors,
    open,
    high,
    low,
    close,
    volume,
    vwap,
  };
}
