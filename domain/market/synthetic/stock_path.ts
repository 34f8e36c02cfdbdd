/**
 * One stock's (or ETF's or crypto pair's) daily bars. Each day: return = drift + β·market + 0.5·sector + ε + α,
 * with ε a Student-t₄ shock under GARCH(1,1) volatility and α the planted A-share signals:
 *   α = σ·(−REVERSAL_COEF·z20 + VALUE_COEF·v), z20 = past-20-bar log return ÷ (σ√20), v = the value score.
 * A-shares then obey the daily price limit (close within ±limit of the previous close, rounded to the tick),
 * lots of 100, yearly dividends (ex-date in July, price drops, `adj_factor` steps up) and occasional suspensions
 * (days with no bar). Volume rises with |return|.
 */
import { emptySeries } from "../../store/bar_codec.ts";
import type { BarSeries } from "../types.ts";
import type { SeriesParams } from "./catalog.ts";
import type { FactorSeries } from "./factors.ts";
import { GARCH_ALPHA, GARCH_BETA } from "./factors.ts";
import { normal, studentT4, uniform } from "./prng.ts";

/** Strength of the planted 20-day reversal (fraction of daily vol per unit z-score). */
const REVERSAL_COEF = 0.045;
/** Strength of the planted value signal (fraction of daily vol per unit value score). */
const VALUE_COEF = 0.035;
/** Daily persistence of the value score (AR(1)); half-life ≈ 350 trading days. */
const VALUE_PERSISTENCE = 0.998;
/** Probability per trading day that an A-share stock starts a suspension. */
const SUSPENSION_RATE = 0.0008;

/** A generated path: the bars plus the value score on each bar (for fundamentals). */
export interface StockPath {
  series: BarSeries;
  value: Float64Array;
}

/** Day number of the first July 10 strictly after day `d`. */
function julyTenthAfter(d: number): number {
  const y = new Date(d * 86_400_000).getUTCFullYear();
  const thisYear = Math.round(Date.UTC(y, 6, 10) / 86_400_000);
  return thisYear > d ? thisYear : Math.round(Date.UTC(y + 1, 6, 10) / 86_400_000);
}

const roundTo = (x: number, tick: number) => (tick > 0 ? Math.round(x / tick) * tick : x);
const round2 = (
  x: number,
  tick: number,
) => (tick > 0 ? Number(roundTo(x, tick).toFixed(tick >= 0.01 ? 2 : 3)) : x);

/** Generates the path of `p` on the trading days of `factors` (its exchange's calendar). */
export function generateStockPath(seed: number, p: SeriesParams, factors: FactorSeries): StockPath {
  const n = factors.days.length;
  const out = emptySeries(p.info.symbol, "synthetic", n);
  const value = new Float64Array(n);
  const s = 10_000 + p.id * 16; // RNG streams of this series
  const limit = p.info.price_limit;
  const lot = p.info.lot_size;
  const aShare = p.info.exchange === "SSE" || p.info.exchange === "SZSE";
  const suspendable = aShare && p.info.kind === "stock";
  const omega = p.vol * p.vol * (1 - GARCH_ALPHA - GARCH_BETA);
  const ring = new Float64Array(20);
  let ringSum = 0, ringCount = 0;
  let h = p.vol * p.vol;
  let prev = p.startPrice;
  let adj = 1;
  let v = normal(seed, s + 9, 0, 0);
  let suspendedLeft = 0;
  let nextExDay = factors.days.length ? julyTenthAfter(factors.days[0] - 1) : 0;
  let k = 0;
  for (let i = 0; i < n; i++) {
    const d = factors.days[i];
    v = VALUE_PERSISTENCE * v + Math.sqrt(1 - VALUE_PERSISTENCE ** 2) * normal(seed, s + 9, d, 1);
    if (suspendable) {
      if (suspendedLeft > 0) {
        suspendedLeft--;
        continue;
      }
      if (i > 0 && uniform(seed, s + 8, d, 0) < SUSPENSION_RATE) {
        suspendedLeft = Math.floor(uniform(seed, s + 8, d, 1) * 15);
        continue;
      }
    }
    const eps = studentT4(seed, s, d, 0) * Math.sqrt(h);
    h = omega + GARCH_ALPHA * eps * eps + GARCH_BETA * h;
    let alpha = 0;
    if (p.planted && ringCount === 20) {
      alpha = p.vol * (-REVERSAL_COEF * (ringSum / (p.vol * Math.sqrt(20))) + VALUE_COEF * v);
    } else if (p.planted) {
      alpha = p.vol * VALUE_COEF * v;
    }
    const sector = p.sector >= 0 ? 0.5 * factors.sector[p.sector][i] : 0;
    let r = p.drift + p.beta * factors.market[i] + sector + eps + alpha;
    // Yearly dividend: ex-date is the first trading day on or after July 10.
    let dividend = 0;
    if (p.dividendYield > 0 && d >= nextExDay) {
      dividend = p.dividendYield;
      nextExDay = julyTenthAfter(d);
    }
    let close = prev * Math.exp(r) * (1 - dividend);
    let lo = 0, hi = Infinity;
    if (limit !== null) {
      lo = Math.max(p.tick, roundTo(prev * (1 - limit) + 1e-9, p.tick));
      hi = roundTo(prev * (1 + limit) - 1e-9, p.tick);
    }
    const clamp = (x: number) => Math.min(hi, Math.max(lo, round2(x, p.tick)));
    close = Math.max(clamp(close), p.tick || 1e-6);
    const open = clamp(prev * (1 - dividend) * Math.exp(0.3 * r + 0.3 * p.vol * normal(seed, s + 1, d, 0)));
    const spread = 0.5 * Math.sqrt(h);
    let high = clamp(Math.max(open, close) * (1 + spread * Math.abs(normal(seed, s + 2, d, 0))));
    let low = clamp(Math.min(open, close) * (1 - spread * Math.abs(normal(seed, s + 3, d, 0))));
    high = Math.max(high, open, close);
    low = Math.max(Math.min(low, open, close), p.tick || 1e-6);
    r = Math.log(close / prev) - Math.log(1 - dividend);
    if (dividend > 0) adj *= 1 / (1 - dividend);
    const rawVolume = p.baseVolume * (0.4 + 30 * Math.abs(r)) * Math.exp(0.25 * normal(seed, s + 4, d, 0));
    out.days[k] = d;
    out.open[k] = open;
    out.high[k] = high;
    out.low[k] = low;
    out.close[k] = close;
    out.volume[k] = Math.max(lot, Math.round(rawVolume / lot) * lot);
    out.adj_factor[k] = adj;
    value[k] = v;
    k++;
    const logRet = Math.log(close / prev);
    ringSum += logRet - ring[k % 20];
    ring[k % 20] = logRet;
    if (ringCount < 20) ringCount++;
    prev = close;
  }
  return { series: trim(out, k), value: value.slice(0, k) };
}

function trim(s: BarSeries, k: number): BarSeries {
  return {
    symbol: s.symbol,
    source: s.source,
    days: s.days.slice(0, k),
    open: s.open.slice(0, k),
    high: s.high.slice(0, k),
    low: s.low.slice(0, k),
    close: s.close.slice(0, k),
    volume: s.volume.slice(0, k),
    adj_factor: s.adj_factor.slice(0, k),
  };
}
