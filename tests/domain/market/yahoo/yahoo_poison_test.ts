/**
 * Poison quotes from Yahoo: the CSV import refuses prices outside `MIN_PRICE` … `MAX_PRICE` and volumes outside
 * 0 … `MAX_VOLUME` (they overflow order sizes and position values downstream), but Yahoo quotes only had to be
 * positive and finite, so a 1e-305 close or an infinite volume (`1e400` in JSON) was stored and served to
 * backtests and settlement. Such a quote is now dropped and reported like any other unusable row.
 */
import assert from "node:assert/strict";
import { fromDayNumber } from "../../../../domain/calendar/dates.ts";
import { MAX_PRICE, MAX_VOLUME, MIN_PRICE } from "../../../../domain/market/csv/parse_bars_csv.ts";
import { quotesToSeries } from "../../../../domain/market/yahoo/yahoo_provider.ts";

const day = (d: number) => Date.UTC(2024, 0, d, 7); // 15:00 in Shanghai
const row = (d: number, close: number, over: Record<string, number | null> = {}) => ({
  time: day(d),
  open: close,
  high: close,
  low: close,
  close,
  volume: 100,
  adjclose: close,
  ...over,
});

Deno.test("quotesToSeries() drops quotes with a price or volume outside the bounds the CSV import enforces", () => {
  const { series, dropped } = quotesToSeries("X", [
    row(2, 10),
    row(3, 1e-305), // tiny close
    row(4, 10, { low: MIN_PRICE / 10 }), // tiny low
    row(5, MAX_PRICE * 2), // huge price
    row(8, 10, { volume: Infinity }), // `1e400` in the JSON
    row(9, 10, { volume: -5 }),
    row(10, 10, { volume: MAX_VOLUME * 10 }),
    row(15, 10, { adjclose: Infinity }),
    row(11, MIN_PRICE, { high: MAX_PRICE, volume: MAX_VOLUME }), // at the bounds: kept
    row(12, 11, { volume: null }), // no volume: kept as 0
  ], "Asia/Shanghai");
  assert.deepEqual(Array.from(series.days, fromDayNumber), ["2024-01-02", "2024-01-11", "2024-01-12"]);
  assert.deepEqual(dropped, [
    "2024-01-03",
    "2024-01-04",
    "2024-01-05",
    "2024-01-08",
    "2024-01-09",
    "2024-01-10",
    "2024-01-15",
  ]);
  assert.deepEqual(Array.from(series.close), [10, MIN_PRICE, 11]);
  assert.deepEqual(Array.from(series.volume), [100, MAX_VOLUME, 0]);
  for (const col of [series.open, series.high, series.low, series.close, series.volume, series.adj_factor]) {
    assert.ok(col.every(Number.isFinite));
  }
});
