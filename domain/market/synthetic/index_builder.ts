/**
 * Cap-weighted price indexes from constituents: on each index day, the index return is Σ wᵢ·rᵢ / Σ wᵢ over the
 * constituents that traded today and on the previous index day, with rᵢ = closeᵢ/prev closeᵢ − 1 and
 * wᵢ = prev closeᵢ × sharesᵢ (a suspended name has weight 0 that day). Open, high and low chain the same
 * weighted averages of the constituents' open/high/low relative to their previous closes; volume is the sum.
 */
import { emptySeries } from "../../store/bar_codec.ts";
import type { BarSeries } from "../types.ts";

/** Accumulates constituents one at a time (so all their bars never need to be in memory at once). */
export interface IndexAccumulator {
  add(series: BarSeries, shares: number): void;
  /** The index bars, starting at `baseLevel` (the level before the first day). */
  finish(symbol: string, baseLevel: number): BarSeries;
}

/** Starts an index on `days` (ascending day numbers of the index's calendar). */
export function createIndexAccumulator(days: Int32Array): IndexAccumulator {
  const n = days.length;
  const pos = new Map<number, number>();
  for (let i = 0; i < n; i++) pos.set(days[i], i);
  const weight = new Float64Array(n);
  const sums = {
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
  };
  const volume = new Float64Array(n);
  return {
    add(series, shares) {
      for (let k = 1; k < series.days.length; k++) {
        const i = pos.get(series.days[k]);
        if (i === undefined || i === 0 || days[i - 1] !== series.days[k - 1]) continue; // must have traded yesterday
        const prev = series.close[k - 1];
        const w = prev * shares;
        weight[i] += w;
        sums.open[i] += w * (series.open[k] / prev - 1);
        sums.high[i] += w * (series.high[k] / prev - 1);
        sums.low[i] += w * (series.low[k] / prev - 1);
        sums.close[i] += w * (series.close[k] / prev - 1);
      }
      for (let k = 0; k < series.days.length; k++) {
        const i = pos.get(series.days[k]);
        if (i !== undefined) volume[i] += series.volume[k];
      }
    },
    finish(symbol, baseLevel) {
      const out = emptySeries(symbol, "synthetic", n);
      let level = baseLevel;
      for (let i = 0; i < n; i++) {
        const w = weight[i];
        const r = (x: Float64Array) => (w > 0 ? x[i] / w : 0);
        const close = level * (1 + r(sums.close));
        const open = level * (1 + r(sums.open));
        out.days[i] = days[i];
        out.open[i] = open;
        out.close[i] = close;
        out.high[i] = Math.max(level * (1 + r(sums.high)), open, close);
        out.low[i] = Math.min(level * (1 + r(sums.low)), open, close);
        out.volume[i] = volume[i];
        out.adj_factor[i] = 1;
        level = close;
      }
      return out;
    },
  };
}
