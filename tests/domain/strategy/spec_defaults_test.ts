/**
 * A spec's left-out dates follow the clock, never a fixed day: `end` = today (UTC), `start` = five years before
 * `end`. The README's "Strategies and backtests" documents both, and `universe.name`.
 */
import assert from "node:assert/strict";
import { fixedClock, systemClock } from "../../../domain/clock.ts";
import {
  DEFAULT_SPAN_YEARS,
  StrategySpecSchema,
  useSpecDateClock,
  yearsBefore,
} from "../../../domain/strategy/spec.ts";
import { UNIVERSE_NAMES } from "../../../domain/market/types.ts";

const BASE = { universe: { name: "hs300" }, entry: "close > 0", exit: "close < 0" };

/** Parses `extra` over BASE with the spec clock at `at`; the dates, or the issues. */
function datesAt(at: string, extra: Record<string, unknown> = {}) {
  useSpecDateClock(fixedClock(Date.parse(at)));
  try {
    const r = StrategySpecSchema.safeParse({ ...BASE, ...extra });
    return r.success ? [r.data.start, r.data.end] : r.error.issues.map((i) => [i.path.join("."), i.message]);
  } finally {
    useSpecDateClock(systemClock);
  }
}

Deno.test("left-out dates: end is today (UTC) and start five years before it", () => {
  assert.equal(DEFAULT_SPAN_YEARS, 5);
  assert.deepEqual(datesAt("2026-12-06T11:00:00Z"), ["2021-12-06", "2026-12-06"]);
  // The UTC date, not the server's zone: 23:30 UTC on 31 Dec is still 31 Dec.
  assert.deepEqual(datesAt("2030-12-31T23:30:00Z"), ["2025-12-31", "2030-12-31"]);
  // Another day, other defaults: nothing is fixed.
  assert.deepEqual(datesAt("2040-03-01T00:00:00Z"), ["2035-03-01", "2040-03-01"]);
});

Deno.test("left-out start follows a given end; left-out end follows the clock", () => {
  assert.deepEqual(datesAt("2026-12-06T11:00:00Z", { end: "2016-06-30" }), ["2011-06-30", "2016-06-30"]);
  assert.deepEqual(datesAt("2026-12-06T11:00:00Z", { start: "2024-01-01" }), ["2024-01-01", "2026-12-06"]);
  assert.deepEqual(datesAt("2026-12-06T11:00:00Z", { start: "2018-01-02", end: "2019-03-04" }), [
    "2018-01-02",
    "2019-03-04",
  ]);
});

Deno.test("a start after the (left-out) end is a 422 naming start and saying what end defaulted to", () => {
  assert.deepEqual(datesAt("2026-12-06T11:00:00Z", { start: "2027-01-04" }), [
    ["start", "start must not be after end (a left-out end is today)"],
  ]);
});

Deno.test("yearsBefore keeps the day, and 29 February becomes 28 February in a common year", () => {
  assert.equal(yearsBefore("2024-02-29", 5), "2019-02-28");
  assert.equal(yearsBefore("2024-02-29", 4), "2020-02-29");
  assert.equal(yearsBefore("2105-02-28", 5), "2100-02-28");
  assert.equal(yearsBefore("2026-12-31", 5), "2021-12-31");
});

Deno.test("universe.name takes each named universe of the market; a bare string universe is refused", () => {
  for (const name of UNIVERSE_NAMES) {
    assert.equal(StrategySpecSchema.safeParse({ ...BASE, universe: { name } }).success, true, name);
  }
  const bare = StrategySpecSchema.safeParse({ ...BASE, universe: "hs300" });
  assert.equal(bare.success, false);
  assert.deepEqual(bare.error!.issues[0].path, ["universe"]);
  assert.equal(StrategySpecSchema.safeParse({ ...BASE, universe: { name: "sp500" } }).success, false);
});
