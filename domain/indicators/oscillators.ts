/** RSI, MACD, Bollinger bands, ATR and volume indicators, TA-Lib conventions (stated per function). */
import { ema, sma, stdev } from "./moving.ts";

const out = (n: number) => new Float64Array(n).fill(NaN);

/**
 * RSI with Wilder smoothing: changes from bar 1; the first average gain/loss is the simple mean of the first `n`
 * changes (value at index n), then avg = (avg·(n−1) + current)/n. RSI = 100·gain/(gain+loss), 0 when both are 0.
 */
export function rsi(x: Float64Array, n: number): Float64Array {
  const r = out(x.length);
  if (x.length <= n) return r;
  let gain = 0, loss = 0;
  for (let i = 1; i <= n; i++) {
    const d = x[i] - x[i - 1];
    if (d > 0) gain += d;
    else loss -= d;
  }
  gain /= n;
  loss /= n;
  r[n] = gain + loss === 0 ? 0 : (100 * gain) / (gain + loss);
  for (let i = n + 1; i < x.length; i++) {
    const d = x[i] - x[i - 1];
    gain = (gain * (n - 1) + (d > 0 ? d : 0)) / n;
    loss = (loss * (n - 1) + (d < 0 ? -d : 0)) / n;
    r[i] = gain + loss === 0 ? 0 : (100 * gain) / (gain + loss);
  }
  return r;
}

/**
 * MACD as TA-Lib computes it: the slow EMA is seeded with the SMA of the first `slow` values (index slow−1) and
 * the fast EMA is seeded at that same bar with the SMA of the `fast` values ending there, so both lines start
 * together at index slow−1. The signal line is an EMA(signal) of MACD (first value at slow+signal−2); the
 * histogram is MACD − signal.
 */
export function macd(
  x: Float64Array,
  fast = 12,
  slow = 26,
  signal = 9,
): { macd: Float64Array; signal: Float64Array; hist: Float64Array } {
  const [f, s] = fast <= slow ? [fast, slow] : [slow, fast];
  const line = out(x.length);
  if (x.length >= s) {
    const slowEma = ema(x, s);
    const offset = s - f; // start the fast EMA so its seed window ends at index s−1
    const fastEma = ema(x.subarray(offset), f);
    for (let i = s - 1; i < x.length; i++) line[i] = fastEma[i - offset] - slowEma[i];
  }
  const sig = ema(line, signal);
  const hist = out(x.length);
  for (let i = 0; i < x.length; i++) hist[i] = line[i] - sig[i];
  return { macd: line, signal: sig, hist };
}

/** Bollinger bands: middle SMA(n), upper/lower = middle ± k·population stdev(n). */
export function bollinger(
  x: Float64Array,
  n = 20,
  k = 2,
): { upper: Float64Array; middle: Float64Array; lower: Float64Array } {
  const middle = sma(x, n), sd = stdev(x, n);
  const upper = out(x.length), lower = out(x.length);
  for (let i = 0; i < x.length; i++) {
    upper[i] = middle[i] + k * sd[i];
    lower[i] = middle[i] - k * sd[i];
  }
  return { upper, middle, lower };
}

/**
 * Average true range with Wilder smoothing: TR[t] = max(high−low, |high−close[t−1]|, |low−close[t−1]|) from bar 1;
 * the first ATR (index n) is the mean of TR[1..n], then ATR = (ATR·(n−1) + TR)/n (TA-Lib ATR).
 */
export function atr(high: Float64Array, low: Float64Array, close: Float64Array, n = 14): Float64Array {
  const r = out(close.length);
  if (close.length <= n) return r;
  const tr = (i: number) =>
    Math.max(high[i] - low[i], Math.abs(high[i] - close[i - 1]), Math.abs(low[i] - close[i - 1]));
  let a = 0;
  for (let i = 1; i <= n; i++) a += tr(i);
  a /= n;
  r[n] = a;
  for (let i = n + 1; i < close.length; i++) {
    a = (a * (n - 1) + tr(i)) / n;
    r[i] = a;
  }
  return r;
}

/** On-balance volume (TA-Lib): OBV[0] = volume[0]; then ± volume as the close rises or falls (unchanged: same). */
export function obv(close: Float64Array, volume: Float64Array): Float64Array {
  const r = new Float64Array(close.length);
  if (close.length === 0) return r;
  r[0] = volume[0];
  for (let i = 1; i < close.length; i++) {
    r[i] = r[i - 1] + (close[i] > close[i - 1] ? volume[i] : close[i] < close[i - 1] ? -volume[i] : 0);
  }
  return r;
}

/**
 * Rolling VWAP over `n` bars with typical price (high+low+close)/3; NaN when the window has no volume. Each window
 * is summed afresh in bar order (n steps per bar), so a value never depends on where the series starts.
 */
export function vwap(
  high: Float64Array,
  low: Float64Array,
  close: Float64Array,
  volume: Float64Array,
  n = 20,
): Float64Array {
  const r = out(close.length);
  for (let i = n - 1; i < close.length; i++) {
    let pv = 0, v = 0;
    for (let j = i - n + 1; j <= i; j++) {
      pv += ((high[j] + low[j] + close[j]) / 3) * volume[j];
      v += volume[j];
    }
    r[i] = v > 0 ? pv / v : NaN;
  }
  return r;
}

/** Volume-price trend: VPT[0] = 0; VPT[t] = VPT[t−1] + volume[t]·(close[t] − close[t−1])/close[t−1]. */
export function vpt(close: Float64Array, volume: Float64Array): Float64Array {
  const r = new Float64Array(close.length);
  for (let i = 1; i < close.length; i++) {
    r[i] = r[i - 1] + (volume[i] * (close[i] - close[i - 1])) / close[i - 1];
  }
  return r;
}
