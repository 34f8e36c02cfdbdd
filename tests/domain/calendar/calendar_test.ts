import assert from "node:assert/strict";
import { getCalendar, isSupportedCalendarDate } from "../../../domain/calendar/calendar.ts";
import {
  SSE_COVERED_YEARS,
  SSE_TRADING_DAYS_PER_YEAR,
  SSE_WEEKDAY_CLOSURES,
} from "../../../domain/calendar/sse_holidays.ts";

const FIXTURES = new URL("../../fixtures/", import.meta.url);
const REFERENCE = JSON.parse(await Deno.readTextFile(new URL("reference/sse_holidays.json", FIXTURES))) as {
  years: Record<string, string[]>;
  trading_days_per_year: Record<string, number>;
};

/** Session dates of a real daily file in `tests/fixtures/market/cn/` (first column, header and BOM dropped). */
async function fileDates(name: string): Promise<string[]> {
  const text = await Deno.readTextFile(new URL(`market/cn/${name}`, FIXTURES));
  return text.replace(/^\uFEFF/, "").trim().split(/\r?\n/).slice(1).map((l) => l.split(",")[0]);
}

const iso = (ms: number) => new Date(ms).toISOString();
const sse = getCalendar("SSE");

Deno.test("SSE_WEEKDAY_CLOSURES equals the reference file's years, date by date", () => {
  assert.deepEqual(
    Object.fromEntries(Object.entries(SSE_WEEKDAY_CLOSURES).map(([y, d]) => [y, [...d]])),
    REFERENCE.years,
  );
  assert.deepEqual(
    Object.fromEntries(Object.entries(SSE_TRADING_DAYS_PER_YEAR).map(([y, n]) => [y, n])),
    REFERENCE.trading_days_per_year,
  );
  assert.deepEqual(
    Object.keys(REFERENCE.years).map(Number),
    [
      ...Array(SSE_COVERED_YEARS.last - SSE_COVERED_YEARS.first + 1).keys(),
    ].map((i) => SSE_COVERED_YEARS.first + i),
  );
});

Deno.test("SSE and SZSE trading-day counts equal the reference file for every year 2015-2026", async (t) => {
  for (const [year, expected] of Object.entries(REFERENCE.trading_days_per_year)) {
    await t.step(year, () => {
      assert.equal(sse.tradingDaysBetween(`${year}-01-01`, `${year}-12-31`).length, expected);
      assert.equal(sse.countTradingDays(`${year}-01-01`, `${year}-12-31`), expected);
      assert.equal(getCalendar("SZSE").countTradingDays(`${year}-01-01`, `${year}-12-31`), expected);
    });
  }
});

Deno.test("SSE trading days equal the session dates of the real 600519.SH and 000300.SH files (2015-01-01..2026-06-16)", async () => {
  const expected = sse.tradingDaysBetween("2015-01-01", "2026-06-16");
  assert.equal(expected.length, 2781);
  for (const file of ["600519.SH.csv", "000300.SH.csv"]) {
    const dates = (await fileDates(file)).filter((d) => d >= "2015-01-01");
    assert.deepEqual(dates, expected, file);
  }
});

Deno.test("every session date of the real A-share files since 2015 is a trading day of its exchange", async () => {
  for (const [file, exchange] of [["000858.SZ.csv", "SZSE"], ["600036.SH.csv", "SSE"]] as const) {
    const cal = getCalendar(exchange);
    const dates = (await fileDates(file)).filter((d) => d >= "2015-01-01");
    assert.ok(dates.length > 2700, file);
    assert.deepEqual(dates.filter((d) => !cal.isTradingDay(d)), [], file);
  }
});

Deno.test("Spring Festival 2024 closes SSE from 2024-02-09 to 2024-02-16", () => {
  assert.deepEqual(sse.tradingDaysBetween("2024-02-01", "2024-02-29"), [
    "2024-02-01",
    "2024-02-02",
    "2024-02-05",
    "2024-02-06",
    "2024-02-07",
    "2024-02-08",
    "2024-02-19",
    "2024-02-20",
    "2024-02-21",
    "2024-02-22",
    "2024-02-23",
    "2024-02-26",
    "2024-02-27",
    "2024-02-28",
    "2024-02-29",
  ]);
  for (const d of ["2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14", "2024-02-15", "2024-02-16"]) {
    assert.equal(sse.isTradingDay(d), false, d);
  }
  assert.equal(sse.isTradingDay("2024-02-04"), false, "a weekend make-up workday is not a trading day");
  assert.equal(sse.isTradingDay("2024-02-18"), false, "a weekend make-up workday is not a trading day");
  assert.equal(sse.nextTradingDay("2024-02-08"), "2024-02-19");
  assert.equal(sse.nextTradingDay("2024-02-12"), "2024-02-19");
  assert.equal(sse.previousTradingDay("2024-02-19"), "2024-02-08");
  assert.equal(sse.previousTradingDay("2024-02-16"), "2024-02-08");
});

Deno.test("Spring Festival 2025 closes SSE from 2025-01-28 to 2025-02-04", () => {
  assert.equal(sse.nextTradingDay("2025-01-27"), "2025-02-05");
  assert.equal(sse.previousTradingDay("2025-02-05"), "2025-01-27");
  assert.equal(sse.countTradingDays("2025-01-28", "2025-02-04"), 0);
});

Deno.test("National Day weeks close SSE (2023-09-29..2023-10-06, 2024-10-01..2024-10-07)", () => {
  assert.deepEqual(sse.tradingDaysBetween("2023-09-25", "2023-10-10"), [
    "2023-09-25",
    "2023-09-26",
    "2023-09-27",
    "2023-09-28",
    "2023-10-09",
    "2023-10-10",
  ]);
  assert.equal(sse.nextTradingDay("2023-09-28"), "2023-10-09");
  assert.equal(sse.previousTradingDay("2023-10-09"), "2023-09-28");
  assert.equal(sse.isTradingDay("2023-10-07"), false, "Saturday make-up workday");
  assert.equal(sse.nextTradingDay("2024-09-30"), "2024-10-08");
  assert.equal(sse.previousTradingDay("2024-10-08"), "2024-09-30");
});

Deno.test("next/previous trading day cross year ends", () => {
  assert.equal(sse.nextTradingDay("2025-12-31"), "2026-01-05"); // 1-2 January 2026 closed
  assert.equal(sse.previousTradingDay("2026-01-05"), "2025-12-31");
  assert.equal(sse.nextTradingDay("2024-12-31"), "2025-01-02");
  assert.equal(sse.previousTradingDay("2024-01-02"), "2023-12-29");
  assert.equal(sse.previousTradingDay("2015-01-05"), "2014-12-31"); // 1-2 January 2015 closed
});

Deno.test("tradingDayOnOrAfter() and tradingDayOnOrBefore() keep a trading day and move off a closed one", () => {
  assert.equal(sse.tradingDayOnOrAfter("2024-02-08"), "2024-02-08");
  assert.equal(sse.tradingDayOnOrBefore("2024-02-08"), "2024-02-08");
  assert.equal(sse.tradingDayOnOrAfter("2024-02-12"), "2024-02-19");
  assert.equal(sse.tradingDayOnOrBefore("2024-02-12"), "2024-02-08");
  assert.equal(sse.tradingDayOnOrAfter("2026-05-16"), "2026-05-18");
  assert.equal(sse.tradingDayOnOrBefore("2026-05-16"), "2026-05-15");
});

Deno.test("tradingDayOffset() counts sessions either way, skipping closures", () => {
  assert.equal(sse.tradingDayOffset("2024-02-08", 1), "2024-02-19");
  assert.equal(sse.tradingDayOffset("2024-02-08", 5), "2024-02-23");
  assert.equal(sse.tradingDayOffset("2024-02-19", -1), "2024-02-08");
  assert.equal(sse.tradingDayOffset("2024-02-08", 0), "2024-02-08");
  assert.equal(sse.tradingDayOffset("2024-02-12", 0), "2024-02-19");
  assert.equal(
    sse.tradingDayOffset("2024-02-12", 1),
    "2024-02-19",
    "from a closed day, +1 is the next session",
  );
  assert.equal(sse.tradingDayOffset("2024-02-12", -1), "2024-02-08");
  // 2024 has 242 sessions (reference file): the 242nd after 2023's last session is 2024's last one.
  assert.equal(sse.tradingDayOffset("2023-12-29", 242), "2024-12-31");
  assert.equal(sse.tradingDayOffset("2025-01-02", -242), "2024-01-02");
  assert.throws(() => sse.tradingDayOffset("2024-02-08", 1.5), RangeError);
});

Deno.test("countTradingDays() agrees with tradingDaysBetween() and is 0 for an empty range", () => {
  assert.equal(sse.countTradingDays("2024-02-01", "2024-02-29"), 15);
  assert.equal(sse.countTradingDays("2024-02-09", "2024-02-18"), 0);
  assert.equal(sse.countTradingDays("2024-02-08", "2024-02-08"), 1);
  assert.equal(sse.countTradingDays("2024-03-01", "2024-02-01"), 0);
  assert.deepEqual(sse.tradingDaysBetween("2024-03-01", "2024-02-01"), []);
  assert.equal(sse.countTradingDays("2015-01-01", "2026-06-16"), 2781);
});

Deno.test("instantAt() gives CST deadline instants across the UTC date line", () => {
  assert.equal(iso(sse.instantAt("2026-05-14", "09:15")), "2026-05-14T01:15:00.000Z");
  assert.equal(iso(sse.instantAt("2026-05-14", "15:00")), "2026-05-14T07:00:00.000Z");
  assert.equal(iso(sse.instantAt("2026-05-14", "07:00")), "2026-05-13T23:00:00.000Z");
  assert.equal(iso(sse.instantAt("2026-01-01", "00:00")), "2025-12-31T16:00:00.000Z");
  assert.throws(() => sse.instantAt("2026-05-14", "9:15"), RangeError);
  assert.throws(() => sse.instantAt("2026-02-30", "09:15"), RangeError);
});

Deno.test("today() and wallClock() read the clock in Shanghai time", () => {
  assert.equal(sse.today(Date.UTC(2026, 4, 13, 23, 30)), "2026-05-14");
  assert.equal(sse.today(Date.UTC(2026, 4, 13, 15, 59, 59)), "2026-05-13");
  assert.equal(sse.today(Date.UTC(2026, 4, 13, 16, 0, 0)), "2026-05-14");
  assert.deepEqual(sse.wallClock(Date.UTC(2026, 4, 13, 23, 30, 5)), {
    date: "2026-05-14",
    hour: 7,
    minute: 30,
    second: 5,
  });
  assert.deepEqual(getCalendar("IDX").wallClock(Date.UTC(2026, 4, 13, 23, 30, 5)), {
    date: "2026-05-14",
    hour: 6,
    minute: 30,
    second: 5,
  });
});

Deno.test("session() and isSessionOpen() follow the 09:30-15:00 CST session on trading days only", () => {
  const s = sse.session("2026-05-14")!;
  assert.equal(iso(s.open), "2026-05-14T01:30:00.000Z");
  assert.equal(iso(s.close), "2026-05-14T07:00:00.000Z");
  assert.equal(sse.session("2024-02-12"), null);
  assert.equal(sse.session("2026-05-16"), null);
  assert.equal(sse.isSessionOpen(Date.UTC(2026, 4, 14, 1, 29, 59)), false);
  assert.equal(sse.isSessionOpen(Date.UTC(2026, 4, 14, 1, 30)), true);
  assert.equal(sse.isSessionOpen(Date.UTC(2026, 4, 14, 6, 59, 59)), true);
  assert.equal(sse.isSessionOpen(Date.UTC(2026, 4, 14, 7, 0)), false);
  assert.equal(sse.isSessionOpen(Date.UTC(2024, 1, 14, 3, 0)), false, "Spring Festival");
});

Deno.test("latestCompletedTradingDay() waits for the close and skips weekends and holidays", () => {
  assert.equal(sse.latestCompletedTradingDay(Date.UTC(2026, 4, 14, 6, 59, 59)), "2026-05-13");
  assert.equal(sse.latestCompletedTradingDay(Date.UTC(2026, 4, 14, 7, 0)), "2026-05-14");
  assert.equal(sse.latestCompletedTradingDay(Date.UTC(2026, 4, 14, 20, 0)), "2026-05-14"); // 04:00 CST on the 15th
  assert.equal(sse.latestCompletedTradingDay(Date.UTC(2026, 4, 16, 3, 0)), "2026-05-15"); // Saturday
  assert.equal(sse.latestCompletedTradingDay(Date.UTC(2024, 1, 14, 10, 0)), "2024-02-08"); // Spring Festival
  assert.equal(sse.latestCompletedTradingDay(Date.UTC(2024, 1, 19, 2, 0)), "2024-02-08"); // first day back, open
  assert.equal(sse.latestCompletedTradingDay(Date.UTC(2024, 1, 19, 7, 0)), "2024-02-19");
  assert.equal(sse.latestCompletedTradingDay(Date.UTC(2026, 0, 1, 9, 0)), "2025-12-31"); // New Year's Day
});

Deno.test("basisFor() flags SSE/SZSE dates before 2015 as weekday guesses, after 2026 and NSE/IDX as estimates", () => {
  assert.equal(sse.basisFor("2014-12-31"), "weekdays");
  assert.equal(sse.basisFor("2015-01-05"), "published");
  assert.equal(sse.basisFor("2026-12-31"), "published");
  assert.equal(sse.basisFor("2027-01-04"), "estimate");
  assert.equal(getCalendar("SZSE").basisFor("2027-01-04"), "estimate");
  assert.equal(getCalendar("NSE").basisFor("2024-01-26"), "estimate");
  assert.equal(getCalendar("IDX").basisFor("2024-06-17"), "estimate");
  assert.equal(getCalendar("NYSE").basisFor("2024-06-17"), "rules");
  assert.equal(getCalendar("CRYPTO").basisFor("2024-06-17"), "always");
});

Deno.test("a weekday-only guess trades every Monday to Friday; the estimate past 2026 closes holidays", () => {
  // 2014 (before the published lists) is a weekday-only guess: 261 weekdays.
  assert.equal(sse.countTradingDays("2014-01-01", "2014-12-31"), 261);
  // 2027 starts on a Friday: 261 weekdays minus the 18 estimated weekday holidays.
  assert.equal(sse.countTradingDays("2027-01-01", "2027-12-31"), 261 - 18);
  assert.equal(sse.nextTradingDay("2026-12-31"), "2027-01-04");
  assert.equal(sse.basisFor(sse.nextTradingDay("2026-12-31")), "estimate");
  assert.equal(getCalendar("NSE").isTradingDay("2024-01-26"), false); // Republic Day
  assert.equal(getCalendar("NSE").isTradingDay("2024-01-27"), false);
  assert.ok(getCalendar("IDX").countTradingDays("2024-01-01", "2024-12-31") < 262);
});

Deno.test("the NSE and IDX calendars keep their own zones and sessions", () => {
  const nse = getCalendar("NSE"), idx = getCalendar("IDX");
  assert.equal(iso(nse.session("2026-05-14")!.open), "2026-05-14T03:45:00.000Z"); // 09:15 IST
  assert.equal(iso(nse.session("2026-05-14")!.close), "2026-05-14T10:00:00.000Z"); // 15:30 IST
  assert.equal(iso(idx.session("2026-05-13")!.open), "2026-05-13T02:00:00.000Z"); // 09:00 WIB
  assert.equal(nse.latestCompletedTradingDay(Date.UTC(2026, 4, 14, 9, 59)), "2026-05-13");
  assert.equal(nse.latestCompletedTradingDay(Date.UTC(2026, 4, 14, 10, 0)), "2026-05-14");
});

Deno.test("crypto trades every UTC day and completes a day at the next midnight", () => {
  const crypto = getCalendar("CRYPTO");
  assert.equal(crypto.countTradingDays("2024-01-01", "2024-12-31"), 366);
  assert.equal(crypto.countTradingDays("2023-01-01", "2023-12-31"), 365);
  assert.equal(crypto.isTradingDay("2024-02-10"), true); // a Saturday in Spring Festival
  assert.equal(crypto.nextTradingDay("2024-02-29"), "2024-03-01");
  assert.equal(crypto.previousTradingDay("2024-01-01"), "2023-12-31");
  assert.equal(crypto.latestCompletedTradingDay(Date.UTC(2026, 4, 14, 0, 0)), "2026-05-13");
  assert.equal(crypto.latestCompletedTradingDay(Date.UTC(2026, 4, 14, 23, 59, 59)), "2026-05-13");
  const s = crypto.session("2024-02-10")!;
  assert.equal(iso(s.open), "2024-02-10T00:00:00.000Z");
  assert.equal(iso(s.close), "2024-02-11T00:00:00.000Z");
  assert.equal(crypto.isSessionOpen(Date.UTC(2024, 1, 10, 23, 59)), true);
});

Deno.test("calendar functions refuse impossible dates with RangeError", () => {
  assert.throws(() => sse.isTradingDay("2023-02-29"), RangeError);
  assert.throws(() => sse.nextTradingDay("2024-13-01"), RangeError);
  assert.throws(() => sse.basisFor("2024-02-30"), RangeError);
  assert.throws(() => sse.tradingDaysBetween("2024-01-01", "2024-02-30"), RangeError);
});

Deno.test("isSupportedCalendarDate() accepts real dates of 1900-2199 only", () => {
  assert.equal(isSupportedCalendarDate("1900-01-01"), true);
  assert.equal(isSupportedCalendarDate("2199-12-31"), true);
  assert.equal(isSupportedCalendarDate("1899-12-31"), false);
  assert.equal(isSupportedCalendarDate("2200-01-01"), false);
  assert.equal(isSupportedCalendarDate("2023-02-29"), false);
});
