import assert from "node:assert/strict";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { addDays, dateInZone, isIsoDate, weekday } from "../../../domain/calendar/dates.ts";
import { easterSunday, nyseHolidays } from "../../../domain/calendar/nyse_holidays.ts";
import { SSE_WEEKDAY_CLOSURES } from "../../../domain/calendar/sse_holidays.ts";

const REFERENCE = JSON.parse(
  await Deno.readTextFile(new URL("../../../../shared/reference/sse_holidays.json", import.meta.url)),
) as { years: Record<string, string[]>; trading_days_per_year: Record<string, number> };

Deno.test("SSE closures in the product equal the reference file, year by year", () => {
  assert.deepEqual(
    Object.fromEntries(Object.entries(SSE_WEEKDAY_CLOSURES).map(([y, d]) => [y, [...d]])),
    REFERENCE.years,
  );
});

Deno.test("SSE trading-day counts match the reference for every year 2015-2026", async (t) => {
  const cal = getCalendar("SSE");
  for (const [year, expected] of Object.entries(REFERENCE.trading_days_per_year)) {
    await t.step(year, () => {
      assert.equal(cal.tradingDaysBetween(`${year}-01-01`, `${year}-12-31`).length, expected);
    });
  }
});

Deno.test("SSE trading days equal the session dates of the real 600519.SH file (2015-01-01 .. 2026-06-16)", async () => {
  const text = await Deno.readTextFile(new URL("../../../../shared/data/cn/600519.SH.csv", import.meta.url));
  const dates = text.replace(/^\uFEFF/, "").trim().split(/\r?\n/).slice(1).map((l) => l.split(",")[0])
    .filter((d) => d >= "2015-01-01");
  const expected = getCalendar("SSE").tradingDaysBetween("2015-01-01", "2026-06-16");
  assert.equal(expected.length, 2781);
  assert.deepEqual(dates, expected);
});

Deno.test("Spring Festival 2024 closes SSE from 2024-02-09 to 2024-02-16", () => {
  const cal = getCalendar("SSE");
  for (const d of ["2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14", "2024-02-15", "2024-02-16"]) {
    assert.equal(cal.isTradingDay(d), false, d);
  }
  assert.equal(cal.isTradingDay("2024-02-08"), true);
  assert.equal(cal.isTradingDay("2024-02-18"), false, "a weekend make-up workday is not a trading day");
  assert.equal(cal.nextTradingDay("2024-02-08"), "2024-02-19");
  assert.equal(cal.previousTradingDay("2024-02-19"), "2024-02-08");
});

Deno.test("National Day 2023 closes SSE from 2023-09-29 to 2023-10-06", () => {
  const cal = getCalendar("SSE");
  assert.equal(cal.nextTradingDay("2023-09-28"), "2023-10-09");
  assert.deepEqual(cal.tradingDaysBetween("2023-09-25", "2023-10-10"), [
    "2023-09-25",
    "2023-09-26",
    "2023-09-27",
    "2023-09-28",
    "2023-10-09",
    "2023-10-10",
  ]);
});

Deno.test("next/previous trading day cross year ends", () => {
  const cal = getCalendar("SSE");
  assert.equal(cal.nextTradingDay("2025-12-31"), "2026-01-05");
  assert.equal(cal.previousTradingDay("2026-01-05"), "2025-12-31");
});

Deno.test("deadline instants cross the UTC date line (CST = UTC+8)", () => {
  const cal = getCalendar("SSE");
  assert.equal(new Date(cal.instantAt("2026-05-14", "09:15")).toISOString(), "2026-05-14T01:15:00.000Z");
  assert.equal(new Date(cal.instantAt("2026-05-14", "15:00")).toISOString(), "2026-05-14T07:00:00.000Z");
  assert.equal(new Date(cal.instantAt("2026-05-14", "07:00")).toISOString(), "2026-05-13T23:00:00.000Z");
  assert.equal(cal.today(Date.UTC(2026, 4, 13, 23, 30)), "2026-05-14");
  assert.equal(cal.today(Date.UTC(2026, 4, 13, 15, 59)), "2026-05-13");
});

Deno.test("NYSE 09:30 follows daylight saving time in 2026", () => {
  const cal = getCalendar("NYSE");
  const open = (d: string) => new Date(cal.instantAt(d, "09:30")).toISOString();
  assert.equal(open("2026-03-06"), "2026-03-06T14:30:00.000Z");
  assert.equal(open("2026-03-09"), "2026-03-09T13:30:00.000Z");
  assert.equal(open("2026-10-30"), "2026-10-30T13:30:00.000Z");
  assert.equal(open("2026-11-02"), "2026-11-02T14:30:00.000Z");
});

Deno.test("NYSE trading-day counts and holiday rules", () => {
  const cal = getCalendar("NYSE");
  assert.equal(cal.tradingDaysBetween("2024-01-01", "2024-12-31").length, 252);
  assert.equal(cal.tradingDaysBetween("2023-01-01", "2023-12-31").length, 250);
  assert.equal(easterSunday(2024), "2024-03-31");
  assert.equal(easterSunday(2025), "2025-04-20");
  assert.equal(cal.isTradingDay("2024-03-29"), false, "Good Friday");
  assert.equal(cal.isTradingDay("2021-06-18"), true, "no Juneteenth before 2022");
  assert.equal(cal.isTradingDay("2023-06-19"), false, "Juneteenth");
  assert.equal(cal.isTradingDay("2021-12-31"), true, "Saturday New Year's Day is not observed on Friday");
  assert.equal(cal.isTradingDay("2022-12-26"), false, "Sunday Christmas observed Monday");
  assert.equal(cal.isTradingDay("2020-07-03"), false, "Saturday Independence Day observed Friday");
  assert.equal(cal.isTradingDay("2018-12-05"), false);
  assert.equal(cal.isTradingDay("2025-01-09"), false);
  assert.ok(nyseHolidays(2026).has("2026-11-26"), "Thanksgiving 2026");
});

Deno.test("crypto trades every day and other weekday calendars are flagged guesses", () => {
  const crypto = getCalendar("CRYPTO");
  assert.equal(crypto.tradingDaysBetween("2024-01-01", "2024-12-31").length, 366);
  assert.equal(getCalendar("NSE").basisFor("2024-01-26"), "weekdays");
  assert.equal(getCalendar("SSE").basisFor("2024-01-02"), "published");
  assert.equal(getCalendar("SSE").basisFor("2027-01-04"), "weekdays");
  assert.equal(getCalendar("SSE").basisFor("2014-12-31"), "weekdays");
});

Deno.test("latestCompletedTradingDay() waits for the close and skips holidays", () => {
  const cal = getCalendar("SSE");
  assert.equal(cal.latestCompletedTradingDay(Date.UTC(2026, 4, 14, 6, 59)), "2026-05-13");
  assert.equal(cal.latestCompletedTradingDay(Date.UTC(2026, 4, 14, 7, 0)), "2026-05-14");
  assert.equal(cal.latestCompletedTradingDay(Date.UTC(2024, 1, 14, 10, 0)), "2024-02-08");
  assert.equal(getCalendar("CRYPTO").latestCompletedTradingDay(Date.UTC(2026, 4, 14, 12)), "2026-05-13");
});

Deno.test("date helpers validate and compute weekdays", () => {
  assert.equal(isIsoDate("2024-02-29"), true);
  assert.equal(isIsoDate("2023-02-29"), false);
  assert.equal(isIsoDate("2024-13-01"), false);
  assert.equal(weekday("2026-11-21"), 6);
  assert.equal(addDays("2024-02-28", 2), "2024-03-01");
  assert.equal(dateInZone(Date.UTC(2026, 0, 1, 20), "Asia/Jakarta"), "2026-01-02");
});
