/**
 * Common factor returns of the synthetic market, per market group: a market factor with GARCH(1,1) volatility
 * clustering and Student-t₄ shocks, and one sector factor per sector. Values are keyed by day number, generated
 * sequentially from the first day, so a longer run never changes earlier values.
 */
import { SECTORS } from "./catalog.ts";
import { studentT4 } from "./prng.ts";

/** Market groups sharing a market factor. */
export type MarketGroup = "CN" | "NSE" | "IDX" | "US" | "CRYPTO";

/** Long-run daily volatility of each group's market factor. */
const MARKET_VOL: Readonly<Record<MarketGroup, number>> = {
  CN: 0.012,
  NSE: 0.009,
  IDX: 0.008,
  US: 0.009,
  CRYPTO: 0.03,
};
/** Daily volatility of a sector factor. */
const SECTOR_VOL = 0.006;
/** GARCH(1,1) weights: h = ω + α ε² + β h, with ω = σ²(1 − α − β). */
export const GARCH_ALPHA = 0.08;
export const GARCH_BETA = 0.9;

const GROUP_STREAM: Readonly<Record<MarketGroup, number>> = { CN: 1, NSE: 2, IDX: 3, US: 4, CRYPTO: 5 };

/** Factor returns of one group over a list of day numbers. */
export interface FactorSeries {
  days: Int32Array;
  market: Float64Array;
  /** `sector[k][i]`: return of sector k on `days[i]`. */
  sector: Float64Array[];
}

/** Generates the factor returns of `group` for `days` (ascending day numbers starting at the history start). */
export function generateFactors(seed: number, group: MarketGroup, days: Int32Array): FactorSeries {
  const stream = GROUP_STREAM[group] * 1000;
  const sigma = MARKET_VOL[group];
  const omega = sigma * sigma * (1 - GARCH_ALPHA - GARCH_BETA);
  const market = new Float64Array(days.length);
  let h = sigma * sigma;
  for (let i = 0; i < days.length; i++) {
    const eps = studentT4(seed, stream, days[i], 0) * Math.sqrt(h);
    market[i] = eps + 0.0001;
    h = omega + GARCH_ALPHA * eps * eps + GARCH_BETA * h;
  }
  const sector = SECTORS.map((_, k) => {
    const out = new Float64Array(days.length);
    for (let i = 0; i < days.length; i++) out[i] = SECTOR_VOL * studentT4(seed, stream + 1 + k, days[i], 0);
    return out;
  });
  return { days, market, sector };
}
