import assert from "node:assert/strict";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { easterSunday, nyseHolidays } from "../../../domain/calendar/nyse_holidays.ts";

const nyse = getCalendar("NYSE");
const iso = (ms: number) => new Date(ms).toISOString();

/** Full-day closures as the NYSE published them (nyse.com holiday pages). */
const PUBLISHED: Record<number, string[]> = {
  2021: [
    "2021-01-01",
    "2021-01-18",
    "2021-02-15",
    "2021-04-02",
    "2021-05-31",
    "2021-07-05",
    "2021-09-06",
    "2021-11-25",
    "2021-12-24",
  ],
  2022: [
    "2022-01-17",
    "2022-02-21",
    "2022-04-15",
    "2022-05-30",
    "2022-06-20",
    "2022-07-04",
    "2022-09-05",
    "2022-11-24",
    "2022-12-26",
  ],
  2023: [
    "2023-01-02",
    "2023-01-16",
    "2023-02-20",
    "2023-04-07",
    "2023-05-29",
    "2023-06-19",
    "2023-07-04",
    "2023-09-04",
    "2023-11-23",
    "2023-12-25",
  ],
  2024: [
    "2024-01-01",
    "2024-01-15",
    "2024-02-19",
    "2024-03-29",
    "2024-05-27",
    "2024-06-19",
    "2024-07-04",
    "2024-09-02",
    "2024-11-28",
    "2024-12-25",
  ],
  2025: [
    "2025-01-01",
    "2025-01-09",
    "2025-01-20",
    "2025-02-17",
    "2025-04-18",
    "2025-05-26",
    "2025-06-19",
    "2025-07-04",
    "2025-09-01",
    "2025-11-27",
    "2025-12-25",
  ],
  2026: [
    "2026-01-01",
    "2026-01-19",
    "2026-02-16",
    "2026-04-03",
    "2026-05-25",
    "2026-06-19",
    "2026-07-03",
    "2026-09-07",
    "2026-11-26",
    "2026-12-25",
  ],
  2027: [
    "2027-01-01",
    "2027-01-18",
    "2027-02-15",
    "2027-03-26",
    "2027-05-31",
    "2027-06-18",
    "2027-07-05",
    "2027-09-06",
    "2027-11-25",
    "2027-12-24",
  ],
};

Deno.test("nyseHolidays() equals the published NYSE closures of 2021-2027", async (t) => {
  for (const [year, dates] of Object.entries(PUBLISHED)) {
    await t.step(year, () => assert.deepEqual([...nyseHolidays(Number(year))].sort(), dates));
  }
});

Deno.test("NYSE trading-day counts per year 2015-2026", () => {
  const expected: Record<number, number> = {
    2015: 252,
    2016: 252,
    2017: 251,
    2018: 251,
    2019: 252,
    2020: 253,
    2021: 252,
    2022: 251,
    2023: 250,
    2024: 252,
    2025: 250,
    2026: 251,
  };
  for (const [y, n] of Object.entries(expected)) {
    assert.equal(nyse.countTradingDays(`${y}-01-01`, `${y}-12-31`), n, y);
  }
});

Deno.test("easterSunday() gives the Gregorian Easter dates", () => {
  const known: Record<number, string> = {
    2000: "2000-04-23",
    2008: "2008-03-23",
    2011: "2011-04-24",
    2019: "2019-04-21",
    2024: "2024-03-31",
    2025: "2025-04-20",
    2026: "2026-04-05",
    2038: "2038-04-25",
  };
  for (const [y, d] of Object.entries(known)) assert.equal(easterSunday(Number(y)), d, y);
});

Deno.test("NYSE holiday rules: Good Friday, Juneteenth from 2022, observed weekend holidays", () => {
  assert.equal(nyse.isTradingDay("2024-03-29"), false, "Good Friday");
  assert.equal(nyse.isTradingDay("2021-06-18"), true, "no Juneteenth before 2022");
  assert.equal(nyse.isTradingDay("2022-06-20"), false, "Sunday Juneteenth observed Monday");
  assert.equal(nyse.isTradingDay("2023-06-19"), false, "Juneteenth");
  assert.equal(nyse.isTradingDay("2027-06-18"), false, "Saturday Juneteenth observed Friday");
  assert.equal(nyse.isTradingDay("2021-12-31"), true, "Saturday New Year's Day is not observed on Friday");
  assert.equal(nyse.isTradingDay("2022-12-26"), false, "Sunday Christmas observed Monday");
  assert.equal(nyse.isTradingDay("2021-12-24"), false, "Saturday Christmas observed Friday");
  assert.equal(nyse.isTradingDay("2020-07-03"), false, "Saturday Independence Day observed Friday");
  assert.equal(nyse.isTradingDay("2021-07-05"), false, "Sunday Independence Day observed Monday");
  assert.equal(nyse.isTradingDay("2023-01-02"), false, "Sunday New Year's Day observed Monday");
  assert.equal(nyse.isTradingDay("1997-01-20"), true, "no MLK Day closure before 1998");
  assert.equal(nyse.isTradingDay("1998-01-19"), false, "MLK Day");
});

Deno.test("NYSE one-off closures: 2018-12-05, 2025-01-09, September 2001, Hurricane Sandy", () => {
  for (const d of ["2018-12-05", "2025-01-09", "2001-09-11", "2001-09-14", "2012-10-29", "2012-10-30"]) {
    assert.equal(nyse.isTradingDay(d), false, d);
  }
  assert.equal(nyse.nextTradingDay("2001-09-10"), "2001-09-17");
  assert.equal(nyse.nextTradingDay("2025-01-08"), "2025-01-10");
});

Deno.test("NYSE next/previous trading day cross holidays and year ends", () => {
  assert.equal(nyse.nextTradingDay("2024-03-28"), "2024-04-01"); // Good Friday
  assert.equal(nyse.nextTradingDay("2024-12-31"), "2025-01-02");
  assert.equal(nyse.previousTradingDay("2025-01-02"), "2024-12-31");
  assert.equal(nyse.previousTradingDay("2024-01-02"), "2023-12-29");
  assert.equal(nyse.nextTradingDay("2026-11-25"), "2026-11-27"); // Thanksgiving
});

Deno.test("NYSE 09:30 open follows daylight saving time around 2026-03-08 and 2026-11-01", () => {
  const open = (d: string) => iso(nyse.session(d)!.open);
  assert.equal(open("2026-03-06"), "2026-03-06T14:30:00.000Z"); // EST, UTC-5
  assert.equal(open("2026-03-09"), "2026-03-09T13:30:00.000Z"); // EDT, UTC-4
  assert.equal(open("2026-10-30"), "2026-10-30T13:30:00.000Z");
  assert.equal(open("2026-11-02"), "2026-11-02T14:30:00.000Z");
  assert.equal(iso(nyse.session("2026-03-06")!.close), "2026-03-06T21:00:00.000Z");
  assert.equal(iso(nyse.session("2026-03-09")!.close), "2026-03-09T20:00:00.000Z");
  assert.equal(iso(nyse.instantAt("2026-03-08", "09:30")), "2026-03-08T13:30:00.000Z"); // the Sunday itself
  assert.equal(iso(nyse.instantAt("2026-11-01", "09:30")), "2026-11-01T14:30:00.000Z");
});

Deno.test("NYSE today() and latestCompletedTradingDay() use New York time", () => {
  assert.equal(nyse.today(Date.UTC(2026, 4, 14, 1, 0)), "2026-05-13");
  assert.equal(nyse.latestCompletedTradingDay(Date.UTC(2026, 4, 14, 19, 59)), "2026-05-13");
  assert.equal(nyse.latestCompletedTradingDay(Date.UTC(2026, 4, 14, 20, 0)), "2026-05-14");
  assert.equal(nyse.latestCompletedTradingDay(Date.UTC(2026, 4, 15, 3, 0)), "2026-05-14"); // 23:00 EDT
  assert.equal(nyse.latestCompletedTradingDay(Date.UTC(2026, 10, 26, 22, 0)), "2026-11-25"); // Thanksgiving
  assert.equal(nyse.latestCompletedTradingDay(Date.UTC(2026, 0, 5, 20, 59)), "2026-01-02"); // 15:59 EST
  assert.equal(nyse.latestCompletedTradingDay(Date.UTC(2026, 0, 5, 21, 0)), "2026-01-05"); // 16:00 EST
});

Deno.test("NYSE dates before 1990 are flagged weekday guesses", () => {
  assert.equal(nyse.basisFor("1989-12-29"), "weekdays");
  assert.equal(nyse.basisFor("1990-01-02"), "rules");
  assert.equal(nyse.isTradingDay("1989-12-25"), true, "a weekday guess knows no holidays");
  assert.equal(nyse.isTradingDay("1990-12-25"), false);
});
