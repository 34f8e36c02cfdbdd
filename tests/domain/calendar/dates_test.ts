import assert from "node:assert/strict";
import {
  addDays,
  dateInZone,
  daysInMonth,
  fromDayNumber,
  isIsoDate,
  parseWallTime,
  toDayNumber,
  wallClock,
  weekday,
  zonedInstant,
  zoneOffsetMs,
} from "../../../domain/calendar/dates.ts";

const iso = (ms: number) => new Date(ms).toISOString();

Deno.test("isIsoDate() accepts real dates only", () => {
  for (const ok of ["2024-02-29", "2000-02-29", "2026-12-31", "0024-01-01", "9999-12-31"]) {
    assert.equal(isIsoDate(ok), true, ok);
  }
  for (
    const bad of [
      "2023-02-29",
      "1900-02-29",
      "2024-13-01",
      "2024-00-10",
      "2024-04-31",
      "2024-01-00",
      "2024-1-1",
      "",
      "x",
    ]
  ) {
    assert.equal(isIsoDate(bad), false, bad);
  }
});

Deno.test("daysInMonth() follows the Gregorian leap-year rule", () => {
  assert.equal(daysInMonth(2024, 2), 29);
  assert.equal(daysInMonth(2023, 2), 28);
  assert.equal(daysInMonth(1900, 2), 28);
  assert.equal(daysInMonth(2000, 2), 29);
  assert.equal(daysInMonth(2026, 4), 30);
  assert.equal(daysInMonth(2026, 12), 31);
});

Deno.test("toDayNumber() and fromDayNumber() agree with known day numbers", () => {
  assert.equal(toDayNumber("1970-01-01"), 0);
  assert.equal(toDayNumber("1969-12-31"), -1);
  assert.equal(toDayNumber("2000-03-01"), 11_017);
  assert.equal(toDayNumber("2024-02-29"), 19_782);
  assert.equal(fromDayNumber(19_782), "2024-02-29");
  assert.equal(fromDayNumber(-719_528), "0000-01-01");
  assert.equal(fromDayNumber(2_932_896), "9999-12-31");
});

Deno.test("toDayNumber() keeps years 0000-0099 (Date.UTC would move them to 1900-1999)", () => {
  assert.equal(toDayNumber("0024-01-01"), toDayNumber("2024-01-01") - 2000 * 365.2425);
  assert.equal(fromDayNumber(toDayNumber("0024-01-01")), "0024-01-01");
});

Deno.test("fromDayNumber() round-trips every day of 1900-2199", () => {
  const first = toDayNumber("1900-01-01"), last = toDayNumber("2199-12-31");
  for (let n = first; n <= last; n++) {
    const d = fromDayNumber(n);
    if (toDayNumber(d) !== n || d !== new Date(n * 86_400_000).toISOString().slice(0, 10)) {
      assert.fail(`day ${n} → ${d}`);
    }
  }
});

Deno.test("fromDayNumber() and addDays() refuse results outside years 0000-9999", () => {
  assert.throws(() => fromDayNumber(2_932_897), RangeError);
  assert.throws(() => fromDayNumber(-719_529), RangeError);
  assert.throws(() => fromDayNumber(1.5), RangeError);
  assert.throws(() => addDays("9999-12-31", 1), RangeError);
  assert.throws(() => toDayNumber("2024-13-01"), RangeError);
  assert.throws(() => toDayNumber("20240101"), RangeError);
});

Deno.test("addDays() crosses month, leap-day and year boundaries", () => {
  assert.equal(addDays("2024-02-28", 1), "2024-02-29");
  assert.equal(addDays("2024-02-28", 2), "2024-03-01");
  assert.equal(addDays("2023-02-28", 1), "2023-03-01");
  assert.equal(addDays("2025-12-31", 1), "2026-01-01");
  assert.equal(addDays("2026-01-01", -1), "2025-12-31");
  assert.equal(addDays("2026-05-14", 0), "2026-05-14");
});

Deno.test("weekday() numbers days from Sunday = 0", () => {
  assert.equal(weekday("1970-01-01"), 4); // a Thursday
  assert.equal(weekday("2026-05-14"), 4);
  assert.equal(weekday("2026-11-21"), 6);
  assert.equal(weekday("2024-02-18"), 0);
  assert.equal(weekday("1969-12-29"), 1);
});

Deno.test("parseWallTime() reads HH:MM from 00:00 to 24:00 and refuses the rest", () => {
  assert.equal(parseWallTime("00:00"), 0);
  assert.equal(parseWallTime("09:15"), 555);
  assert.equal(parseWallTime("24:00"), 1440);
  for (const bad of ["9:15", "24:01", "25:00", "12:60", "12:5", "noon", ""]) {
    assert.throws(() => parseWallTime(bad), RangeError, bad);
  }
});

Deno.test("wallClock() gives the local date and time of an instant", () => {
  const at = Date.UTC(2026, 4, 13, 23, 30, 5);
  assert.deepEqual(wallClock(at, "Asia/Shanghai"), { date: "2026-05-14", hour: 7, minute: 30, second: 5 });
  assert.deepEqual(wallClock(at, "America/New_York"), {
    date: "2026-05-13",
    hour: 19,
    minute: 30,
    second: 5,
  });
  assert.deepEqual(wallClock(at, "Asia/Kolkata"), { date: "2026-05-14", hour: 5, minute: 0, second: 5 });
  assert.deepEqual(wallClock(Date.UTC(2026, 4, 13, 16), "Asia/Shanghai"), {
    date: "2026-05-14",
    hour: 0,
    minute: 0,
    second: 0,
  });
  assert.equal(dateInZone(Date.UTC(2026, 0, 1, 20), "Asia/Jakarta"), "2026-01-02");
});

Deno.test("zoneOffsetMs() follows New York daylight saving time", () => {
  assert.equal(zoneOffsetMs(Date.UTC(2026, 0, 15), "America/New_York"), -5 * 3_600_000);
  assert.equal(zoneOffsetMs(Date.UTC(2026, 6, 15), "America/New_York"), -4 * 3_600_000);
  assert.equal(zoneOffsetMs(Date.UTC(2026, 6, 15), "Asia/Shanghai"), 8 * 3_600_000);
  assert.equal(zoneOffsetMs(Date.UTC(2026, 6, 15), "Asia/Kolkata"), 5.5 * 3_600_000);
});

Deno.test("zonedInstant() resolves wall times across the UTC date line and DST changes", () => {
  assert.equal(iso(zonedInstant("2026-05-14", "09:15", "Asia/Shanghai")), "2026-05-14T01:15:00.000Z");
  assert.equal(iso(zonedInstant("2026-05-14", "07:00", "Asia/Shanghai")), "2026-05-13T23:00:00.000Z");
  assert.equal(iso(zonedInstant("2026-05-14", "24:00", "UTC")), "2026-05-15T00:00:00.000Z");
  // 2026-03-08: New York springs forward at 02:00 EST (07:00Z); 03:00 EDT is the same instant.
  assert.equal(iso(zonedInstant("2026-03-08", "01:59", "America/New_York")), "2026-03-08T06:59:00.000Z");
  assert.equal(iso(zonedInstant("2026-03-08", "03:00", "America/New_York")), "2026-03-08T07:00:00.000Z");
  assert.equal(iso(zonedInstant("2026-03-08", "02:30", "America/New_York")), "2026-03-08T06:30:00.000Z");
  // 2026-11-01: 01:30 happens twice; the first (EDT) occurrence is taken.
  assert.equal(iso(zonedInstant("2026-11-01", "01:30", "America/New_York")), "2026-11-01T05:30:00.000Z");
  assert.equal(iso(zonedInstant("2026-11-01", "03:00", "America/New_York")), "2026-11-01T08:00:00.000Z");
});
