import assert from "node:assert/strict";
import {
  clearInstalledClosures,
  getCalendar,
  installOfficialClosures,
} from "../../../domain/calendar/calendar.ts";
import { calendarDate } from "../../../domain/calendar/calendar_view.ts";
import { estimateIdxClosures, estimateSseClosures } from "../../../domain/calendar/holiday_estimate.ts";

const REFERENCE = JSON.parse(
  await Deno.readTextFile(new URL("../../fixtures/reference/sse_holidays.json", import.meta.url)),
) as { years: Record<string, string[]> };

/** Days the estimate gets wrong in one year: official closures it misses plus closures it invents. */
function wrongDays(year: number): { missed: string[]; extra: string[] } {
  const est = new Set(estimateSseClosures(year));
  const official = new Set(REFERENCE.years[String(year)]);
  return {
    missed: [...official].filter((d) => !est.has(d)),
    extra: [...est].filter((d) => !official.has(d)),
  };
}

/** Wrong days per year as the README table states them (2015–2026, from the rules alone). */
const README_WRONG_DAYS: Record<number, number> = {
  2015: 3,
  2016: 0,
  2017: 0,
  2018: 0,
  2019: 2,
  2020: 1,
  2021: 1,
  2022: 1,
  2023: 2,
  2024: 1,
  2025: 0,
  2026: 0,
};

Deno.test("SSE estimate vs the official lists 2015-2026: wrong days per year match the README table", () => {
  const measured: Record<number, number> = {};
  for (let y = 2015; y <= 2026; y++) {
    const w = wrongDays(y);
    measured[y] = w.missed.length + w.extra.length;
  }
  assert.deepEqual(measured, README_WRONG_DAYS);
  const total = Object.values(measured).reduce((a, b) => a + b, 0);
  const officialTotal = Object.values(REFERENCE.years).reduce((a, d) => a + d.length, 0);
  assert.ok(total / officialTotal < 0.06, `${total} wrong of ${officialTotal}`);
});

Deno.test("SSE 2027 estimate: New Year, Spring Festival week and National Day week are closed", () => {
  const sse = getCalendar("SSE");
  assert.equal(sse.isTradingDay("2027-01-01"), false);
  // Lunar New Year 2027 is Saturday 6 February: the eve (Friday 5th) through the following Friday are closed.
  for (const d of ["2027-02-05", "2027-02-08", "2027-02-09", "2027-02-10", "2027-02-11", "2027-02-12"]) {
    assert.equal(sse.isTradingDay(d), false, d);
  }
  assert.equal(sse.isTradingDay("2027-02-04"), true);
  assert.equal(sse.isTradingDay("2027-02-15"), true);
  for (const d of ["2027-10-01", "2027-10-04", "2027-10-05", "2027-10-06", "2027-10-07"]) {
    assert.equal(sse.isTradingDay(d), false, d);
  }
  assert.equal(sse.isTradingDay("2027-10-08"), true);
  for (const d of ["2027-05-03", "2027-05-04", "2027-05-05"]) assert.equal(sse.isTradingDay(d), false, d);
  assert.equal(sse.nextTradingDay("2026-12-31"), "2027-01-04");
  assert.equal(getCalendar("SZSE").isTradingDay("2027-02-10"), false);
  assert.equal(sse.basisFor("2027-03-01"), "estimate");
});

Deno.test("GET-calendar view of 2027-01-01: closed and provisional, official_through 2026-12-31", () => {
  const v = calendarDate("SSE", "2027-01-01", Date.UTC(2026, 11, 6));
  assert.equal(v.is_trading_day, false);
  assert.equal(v.provisional, true);
  assert.equal(v.official_through, "2026-12-31");
  assert.match(v.warning!, /estimate/);
  const inside = calendarDate("SSE", "2026-12-31", Date.UTC(2026, 11, 6));
  assert.equal(inside.provisional, false);
  assert.equal(inside.warning, null);
});

Deno.test("an installed official list replaces the estimate at once and moves the horizon", () => {
  const sse = getCalendar("SSE");
  try {
    assert.equal(sse.isTradingDay("2027-02-12"), false);
    // A list that closes 2027-03-03 (estimate open) and opens 2027-02-12 (estimate closed).
    installOfficialClosures("SSE", 2027, [
      "2027-01-01",
      "2027-02-05",
      "2027-02-08",
      "2027-03-03",
      "2027-03-06",
    ]);
    assert.equal(sse.isTradingDay("2027-03-03"), false);
    assert.equal(sse.isTradingDay("2027-02-12"), true);
    assert.equal(sse.isProvisional("2027-06-01"), false);
    assert.equal(sse.isProvisional("2028-01-03"), true);
    assert.equal(sse.officialThrough(), "2027-12-31");
    assert.equal(sse.basisFor("2027-06-01"), "published");
    assert.equal(getCalendar("SZSE").officialThrough(), "2026-12-31");
  } finally {
    clearInstalledClosures();
  }
  assert.equal(sse.isTradingDay("2027-03-03"), true);
  assert.equal(sse.officialThrough(), "2026-12-31");
});

Deno.test("NSE and IDX estimate holidays from rules: IDX 2024-01-01 and NSE Republic Day are closed", () => {
  assert.equal(getCalendar("IDX").isTradingDay("2024-01-01"), false);
  assert.ok(estimateIdxClosures(2024).includes("2024-01-01"));
  assert.equal(getCalendar("NSE").isTradingDay("2024-01-26"), false);
  assert.equal(getCalendar("NSE").isProvisional("2024-01-26"), true);
  assert.equal(getCalendar("NSE").officialThrough(), null);
  assert.equal(getCalendar("NYSE").officialThrough(), "2028-12-31");
  assert.equal(getCalendar("NYSE").isProvisional("2029-01-02"), true);
  assert.equal(getCalendar("CRYPTO").isProvisional("2040-01-02"), false);
});
