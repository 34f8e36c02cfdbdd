import assert from "node:assert/strict";
import {
  BYTES_PER_BAR,
  concatSeries,
  emptySeries,
  packBars,
  packedSize,
  sliceSeries,
  unpackBars,
} from "../../../domain/store/bar_codec.ts";
import type { BarSeries } from "../../../domain/market/types.ts";

const COLUMNS = ["open", "high", "low", "close", "volume", "adj_factor"] as const;

/** Finite values that a sloppy codec would bend: signed zero, extremes, subnormals, 2^53, awkward fractions. */
const EDGE_VALUES = [
  0,
  -0,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MIN_VALUE,
  2.2250738585072014e-308,
  Number.EPSILON,
  2 ** 53,
  -(2 ** 53),
  0.1 + 0.2,
  1 / 3,
  123456789.123456789,
  1e-300,
];

/** A series of `n` rows whose every value differs, mixed with the edge values. */
function edgeSeries(n: number, firstDay = 19_000): BarSeries {
  const s = emptySeries("EDGE", "csv", n);
  for (let i = 0; i < n; i++) {
    s.days[i] = firstDay + i;
    COLUMNS.forEach((col, c) => {
      s[col][i] = (i + c) % 3 === 0 ? EDGE_VALUES[(i + c) % EDGE_VALUES.length] : Math.PI * (i + 1) * (c + 1);
    });
  }
  return s;
}

/** Asserts two series are bit-for-bit equal (so -0 and 0 differ). */
function assertSameBits(a: BarSeries, b: BarSeries) {
  assert.deepEqual(Array.from(a.days), Array.from(b.days));
  for (const col of COLUMNS) {
    assert.deepEqual(
      new Uint8Array(a[col].buffer, a[col].byteOffset, a[col].byteLength),
      new Uint8Array(b[col].buffer, b[col].byteOffset, b[col].byteLength),
      col,
    );
  }
}

Deno.test("packBars()/unpackBars() round-trip bit for bit for 0, 1, 2, 250 and 366 rows", () => {
  for (const n of [0, 1, 2, 250, 366]) {
    const s = edgeSeries(n);
    const bytes = packBars(s);
    assert.equal(bytes.length, packedSize(n));
    const back = unpackBars(bytes, "EDGE", "csv");
    assert.equal(back.symbol, "EDGE");
    assert.equal(back.source, "csv");
    assertSameBits(back, s);
  }
});

Deno.test("packBars() keeps -0 distinct from 0 and the int32 day extremes", () => {
  const s = emptySeries("Z", "csv", 3);
  s.days.set([-2_147_483_648, 0, 2_147_483_647]);
  s.close.set([-0, 0, -0]);
  const back = unpackBars(packBars(s), "Z", "csv");
  assert.deepEqual(Array.from(back.days), [-2_147_483_648, 0, 2_147_483_647]);
  assert.ok(Object.is(back.close[0], -0));
  assert.ok(Object.is(back.close[1], 0));
});

Deno.test("unpackBars() reads a view at every byte offset (unaligned buffers are copied)", () => {
  const s = edgeSeries(37);
  const bytes = packBars(s);
  for (let offset = 0; offset < 8; offset++) {
    const host = new Uint8Array(bytes.length + 16);
    host.set(bytes, offset);
    const view = host.subarray(offset, offset + bytes.length);
    assertSameBits(unpackBars(view, "EDGE", "csv"), s);
  }
});

Deno.test("packBars() packs only rows [from, to) and refuses ranges outside the series", () => {
  const s = edgeSeries(10);
  const back = unpackBars(packBars(s, 3, 7), "EDGE", "csv");
  assertSameBits(back, sliceSeries(s, s.days[3], s.days[6]));
  assert.equal(unpackBars(packBars(s, 5, 5), "EDGE", "csv").days.length, 0);
  assert.throws(() => packBars(s, -1, 3), RangeError);
  assert.throws(() => packBars(s, 4, 3), RangeError);
  assert.throws(() => packBars(s, 0, 11), RangeError);
});

Deno.test("packBars() refuses a series whose columns have different lengths", () => {
  const s = edgeSeries(5);
  s.volume = new Float64Array(4);
  assert.throws(() => packBars(s), RangeError);
});

Deno.test("packed bytes are a little-endian header plus 52 bytes a bar, a leap year under 19 KiB", () => {
  assert.equal(BYTES_PER_BAR, 52);
  const bytes = packBars(edgeSeries(366));
  assert.equal(bytes.length, 8 + 366 * 52);
  assert.ok(bytes.length < 19_500 && bytes.length < 65_536);
  assert.deepEqual(Array.from(bytes.subarray(0, 8)), [110, 1, 0, 0, 0, 0, 0, 0]); // 366 = 0x016E
});

Deno.test("unpackBars() refuses bytes whose length does not match the header", () => {
  const bytes = packBars(edgeSeries(3));
  assert.throws(() => unpackBars(bytes.subarray(0, bytes.length - 1), "X", "csv"), RangeError);
  assert.throws(() => unpackBars(new Uint8Array(4), "X", "csv"), RangeError);
  const padded = new Uint8Array(bytes.length + 8);
  padded.set(bytes);
  assert.throws(() => unpackBars(padded, "X", "csv"), RangeError);
});

Deno.test("packBars() and unpackBars() copy: later changes to either side do not leak", () => {
  const s = edgeSeries(4);
  const bytes = packBars(s);
  s.close[0] = 999;
  const back = unpackBars(bytes, "EDGE", "csv");
  assert.notEqual(back.close[0], 999);
  bytes.fill(0, 8);
  assert.notEqual(back.close[1], 0);
});

Deno.test("sliceSeries() keeps days within [startDay, endDay] across gaps, and nothing when end < start", () => {
  const s = emptySeries("G", "csv", 5);
  s.days.set([10, 11, 14, 15, 20]);
  s.close.set([1, 2, 3, 4, 5]);
  assert.deepEqual(Array.from(sliceSeries(s, 11, 15).close), [2, 3, 4]);
  assert.deepEqual(Array.from(sliceSeries(s, 12, 13).days), []);
  assert.deepEqual(Array.from(sliceSeries(s, 12, 19).days), [14, 15]);
  assert.deepEqual(Array.from(sliceSeries(s, -Infinity, Infinity).days), [10, 11, 14, 15, 20]);
  assert.deepEqual(Array.from(sliceSeries(s, 21, 30).days), []);
  assert.deepEqual(Array.from(sliceSeries(s, 15, 11).days), []);
  assert.deepEqual(Array.from(sliceSeries(s, 20, 20).close), [5]);
});

Deno.test("concatSeries() joins parts in order, including empty ones", () => {
  const a = edgeSeries(3, 100), b = edgeSeries(2, 200);
  const joined = concatSeries([a, emptySeries("EDGE", "csv"), b], "EDGE", "csv");
  assert.deepEqual(Array.from(joined.days), [100, 101, 102, 200, 201]);
  assertSameBits(sliceSeries(joined, 200, 201), b);
  assert.equal(concatSeries([], "EDGE", "csv").days.length, 0);
});
