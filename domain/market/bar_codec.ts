/**
 * Packs a slice of a `BarSeries` into one compact byte array and back: a 4-byte row count, then the day numbers
 * (Int32) and the open, high, low, close, volume and adj_factor columns (Float64). 52 bytes per bar, so a year of
 * daily bars (≤ 366) is ≤ 19 KiB — well under Deno KV's 64 KiB value limit.
 */
import type { BarSeries, DataSource } from "./types.ts";

/** Bytes per packed bar. */
export const BYTES_PER_BAR = 4 + 6 * 8;

const COLUMNS = ["open", "high", "low", "close", "volume", "adj_factor"] as const;

/** An empty series for `symbol`. */
export function emptySeries(symbol: string, source: DataSource, n = 0): BarSeries {
  return {
    symbol,
    source,
    days: new Int32Array(n),
    open: new Float64Array(n),
    high: new Float64Array(n),
    low: new Float64Array(n),
    close: new Float64Array(n),
    volume: new Float64Array(n),
    adj_factor: new Float64Array(n),
  };
}

/** Packs rows `[from, to)` of `series`. */
export function packBars(series: BarSeries, from = 0, to = series.days.length): Uint8Array {
  const n = to - from;
  // Float64 columns first (8-byte aligned after an 8-byte header), then the Int32 days.
  const buf = new ArrayBuffer(8 + n * BYTES_PER_BAR);
  new DataView(buf).setUint32(0, n, true);
  let at = 8;
  for (const col of COLUMNS) {
    new Float64Array(buf, at, n).set(series[col].subarray(from, to));
    at += n * 8;
  }
  new Int32Array(buf, at, n).set(series.days.subarray(from, to));
  return new Uint8Array(buf);
}

/** Unpacks bytes made by `packBars`. */
export function unpackBars(bytes: Uint8Array, symbol: string, source: DataSource): BarSeries {
  const copy = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const buf = copy.buffer;
  const base = copy.byteOffset;
  const n = new DataView(buf, base, 8).getUint32(0, true);
  const out = emptySeries(symbol, source, n);
  let at = base + 8;
  for (const col of COLUMNS) {
    out[col].set(new Float64Array(buf, at, n));
    at += n * 8;
  }
  out.days.set(new Int32Array(buf, at, n));
  return out;
}

/** Concatenates series of one symbol (already in date order, non-overlapping). */
export function concatSeries(parts: BarSeries[], symbol: string, source: DataSource): BarSeries {
  const n = parts.reduce((s, p) => s + p.days.length, 0);
  const out = emptySeries(symbol, source, n);
  let at = 0;
  for (const p of parts) {
    out.days.set(p.days, at);
    for (const col of COLUMNS) out[col].set(p[col], at);
    at += p.days.length;
  }
  return out;
}

/** Rows of `series` with `startDay ≤ day ≤ endDay` (a copy). */
export function sliceSeries(series: BarSeries, startDay: number, endDay: number): BarSeries {
  let lo = 0;
  while (lo < series.days.length && series.days[lo] < startDay) lo++;
  let hi = lo;
  while (hi < series.days.length && series.days[hi] <= endDay) hi++;
  const out = emptySeries(series.symbol, series.source, hi - lo);
  out.days.set(series.days.subarray(lo, hi));
  for (const col of COLUMNS) out[col].set(series[col].subarray(lo, hi));
  return out;
}
