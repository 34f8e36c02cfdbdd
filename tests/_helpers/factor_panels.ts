/** Random factor panels for the factor-statistics tests and benchmark (seeded, reproducible). */
import type { FactorPanel } from "../../domain/factors/factor_stats.ts";

/** mulberry32: a small seeded PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weekdays(from: string, count: number): string[] {
  const out: string[] = [];
  const d = new Date(`${from}T00:00:00Z`);
  while (out.length < count) {
    const w = d.getUTCDay();
    if (w !== 0 && w !== 6) out.push(d.toISOString().slice(0, 10));
    d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

/** A random panel: returns with a planted signal, ~5 % missing factor values, rounded (tied) values, bad prices. */
export function randomPanel(symbols: number, days: number, seed: number, others = 2) {
  const rnd = prng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const D = days, N = symbols;
  const close = new Float64Array(D * N);
  const r = new Float64Array(D * N);
  for (let t = 0; t < D; t++) for (let j = 0; j < N; j++) r[t * N + j] = 0.02 * gauss();
  for (let j = 0; j < N; j++) close[j] = 10 + 90 * rnd();
  for (let t = 1; t < D; t++) {
    for (let j = 0; j < N; j++) close[t * N + j] = close[(t - 1) * N + j] * (1 + r[(t - 1) * N + j]);
  }
  const values = new Float64Array(D * N);
  for (let t = 0; t < D; t++) {
    for (let j = 0; j < N; j++) {
      // the factor at t leans on the return from t+1 to t+2 (row t+1 of r)
      const signal = t + 1 < D ? r[(t + 1) * N + j] : 0;
      let v = 0.3 * signal / 0.02 + gauss();
      if (j % 7 === 0) v = Math.round(v * 2) / 2; // ties
      values[t * N + j] = rnd() < 0.05 ? NaN : v;
    }
  }
  for (let i = 0; i < D * N; i++) {
    const u = rnd();
    if (u < 0.01) close[i] = NaN;
    else if (u < 0.012) close[i] = 0;
  }
  values.fill(1.5, 17 * N, 18 * N); // a constant day
  values.fill(NaN, 40 * N, 41 * N); // a day without values
  const otherPanels: Float64Array[] = [];
  for (let k = 0; k < others; k++) {
    const o = new Float64Array(D * N);
    for (let i = 0; i < D * N; i++) {
      o[i] = rnd() < 0.03 ? NaN : (k === 0 ? values[i] * 0.8 + 0.5 * gauss() : Math.round(gauss() * 3));
    }
    otherPanels.push(o);
  }
  const panel: FactorPanel = {
    dates: weekdays("2023-06-01", D),
    symbols: Array.from({ length: N }, (_, j) => `S${j}`),
    values,
    close,
  };
  return { panel, others: otherPanels };
}
