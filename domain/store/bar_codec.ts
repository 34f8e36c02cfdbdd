/**
 * Packs a slice of a `BarSeries` into one compact byte array and back. Layout (little-endian): an 8-byte header
 * (Uint32 row count, 4 bytes zero), then the open, high, low, close, volume and adj_factor columns as Float64
 * (8-byte aligned), then the day numbers as Int32. 52 bytes per bar, so a year of daily bars (≤ 366) packs to
 * ≤ 19,040 bytes — well under Deno KV's 64 KiB value limit. Values round-trip bit for bit.
 */
import type { BarSeries, DataSource } from "../market/types.ts";

/** Bytes per packed bar (one Int32 day and six Float64 values). */
export const BYTES_PER_BAR = 4 + 6 * 8;

/** Bytes of the packed header. */
const HEADER_BYTES = 8;

const COLUMNS = ["open", "high", "low", "close", "volume", "adj_factor"] as const;

/** Packed size of `n` bars. */
export function packedSize(n: number): number {
  return HEADER_BYTES + n * BYTES_PER_BAR;
}

/** An empty series for `symbol` (`n` zeroed rows when `n > 0`). */
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

/** Packs rows `[from, to)` of `series`; throws `RangeError` when the range is outside the series. */
export function packBars(series: BarSeries, from = 0, to = series.days.length): Uint8Array {
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to < from || to > series.days.length) {
    throw new RangeError(`Rows [${from}, ${to}) are outside a series of ${series.days.length}`);
  }
  for (const col of COLUMNS) {
    if (series[col].length !== series.days.length) {
      throw new RangeError(`Column ${col} has ${series[col].length} rows, days has ${series.days.length}`);
    }
  }
  const n = to - from;
  const buf = new ArrayBuffer(packedSize(n));
  new DataView(buf).setUint32(0, n, true);
  let at = HEADER_BYTES;
  for (const col of COLUMNS) {
    new Float64Array(buf, at, n).set(series[col].subarray(from, to));
    at += n * 8;
  }
  new Int32Array(buf, at, n).set(series.days.subarray(from, to));
  return new Uint8Array(buf);
}

/**
 * Unpacks bytes made by `packBars` (any byte offset: an unaligned view is copied first). Throws `RangeError`
 * when the length does not match the row count in the header.
 */
export function unpackBars(bytes: Uint8Array, symbol: string, source: DataSource): BarSeries {
  if (bytes.length < HEADER_BYTES) throw new RangeError(`Packed bars need ${HEADER_BYTES} bytes of header`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES).getUint32(0, true);
  if (bytes.length !== packedSize(n)) {
    throw new RangeError(`Packed bars of ${n} rows need ${packedSize(n)} bytes, got ${bytes.length}`);
  }
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  const buf = aligned.buffer;
  const out = emptySeries(symbol, source, n);
  let at = aligned.byteOffset + HEADER_BYTES;
  for (const col of COLUMNS) {
    out[col].set(new Float64Array(buf, at, n));
    at += n * 8;
  }
  out.days.set(new Int32Array(buf, at, n));
  return out;
}

/** Concatenates series of one symbol (already in date order, non-overlapping) into a new series. */
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

/** Index of the first row whose day is ≥ `day` (the series is ascending). */
function lowerBound(days: Int32Array, day: number): number {
  let lo = 0, hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid] < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Rows of `series` with `startDay ≤ day ≤ endDay` (a copy; empty when `endDay < startDay`). */
export function sliceSeries(series: BarSeries, startDay: number, endDay: number): BarSeries {
  const lo = lowerBound(series.days, startDay);
  const hi = Math.max(lo, lowerBound(series.days, endDay + 1));
  const out = emptySeries(series.symbol, series.source, hi - lo);
  out.days.set(series.days.subarray(lo, hi));
  for (const col of COLUMNS) out[col].set(series[col].subarray(lo, hi));
  return out;
}

/**
 * Rows of `series` with `startDay ≤ day ≤ endDay` as views of its columns (no copy): for readers that never
 * write into what they get.
 */
export function viewSeries(series: BarSeries, startDay: number, endDay: number): BarSeries {
  const lo = lowerBound(series.days, startDay);
  const hi = Math.max(lo, lowerBound(series.days, endDay + 1));
  return {
    symbol: series.symbol,
    source: series.source,
    days: series.days.subarray(lo, hi),
    open: series.open.subarray(lo, hi),
    high: series.high.subarray(lo, hi),
    low: series.low.subarray(lo, hi),
    close: series.close.subarray(lo, hi),
    volume: series.volume.subarray(lo, hi),
    adj_factor: series.adj_factor.subarray(lo, hi),
  };
}
