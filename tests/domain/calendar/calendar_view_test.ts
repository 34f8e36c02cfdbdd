import assert from "node:assert/strict";
import {
  basisWarning,
  calendarDate,
  calendarMonth,
  calendarView,
} from "../../../domain/calendar/calendar_view.ts";
import { installOfficialList } from "../../../domain/calendar/official_lists.ts";
import { fixedClock } from "../../../domain/clock.ts";
import { BadRequestError, ValidationError } from "../../../domain/errors.ts";
import { createCalendarListRepo } from "../../../domain/store/calendar_list_repo.ts";

/** 2026-05-16T02:00Z: Saturday 10:00 in Shanghai, Friday 22:00 in New York. */
const SATURDAY_CST = Date.UTC(2026, 4, 16, 2, 0);

Deno.test("calendarMonth() lists the month's sessions and today's status in the exchange's zone", () => {
  const v = calendarMonth("SSE", "2024-10", SATURDAY_CST);
  assert.deepEqual(v.trading_days.slice(0, 3), ["2024-10-08", "2024-10-09", "2024-10-10"]);
  assert.equal(v.count, 18); // 23 weekdays minus National Day 1-4 and 7 October
  assert.equal(v.today, "2026-05-16");
  assert.equal(v.today_is_trading_day, false);
  assert.equal(v.next_trading_day, "2026-05-18");
  assert.equal(v.basis, "published");
  assert.equal(v.warning, null);
  const ny = calendarMonth("NYSE", "2026-05", SATURDAY_CST);
  assert.equal(ny.today, "2026-05-15");
  assert.equal(ny.today_is_trading_day, true);
  assert.equal(ny.next_trading_day, "2026-05-18");
  assert.equal(ny.count, 20); // 21 weekdays minus Memorial Day
});

Deno.test("calendarMonth() handles month lengths, leap Februaries and December", () => {
  assert.equal(calendarMonth("CRYPTO", "2024-02", 0).count, 29);
  assert.equal(calendarMonth("CRYPTO", "2023-02", 0).count, 28);
  assert.equal(calendarMonth("CRYPTO", "2025-12", 0).trading_days.at(-1), "2025-12-31");
  assert.equal(calendarMonth("CRYPTO", "2025-04", 0).count, 30);
  assert.throws(() => calendarMonth("SSE", "2024-13", 0), RangeError);
});

Deno.test("calendarMonth() flags a month outside the published years with a warning", () => {
  const v = calendarMonth("SSE", "2027-01", SATURDAY_CST);
  assert.equal(v.basis, "estimate");
  assert.equal(v.provisional, true);
  assert.match(v.warning!, /rule-based estimate/);
  assert.equal(calendarMonth("NSE", "2024-01", SATURDAY_CST).basis, "estimate");
  const old = calendarMonth("SSE", "2014-01", SATURDAY_CST);
  assert.equal(old.basis, "weekdays");
  assert.match(old.warning!, /weekday-only guess/);
});

Deno.test("calendarDate() gives neighbours and ISO session instants, null on a closed day", () => {
  const v = calendarDate("SSE", "2026-05-14", SATURDAY_CST);
  assert.deepEqual(v, {
    exchange: "SSE",
    date: "2026-05-14",
    is_trading_day: true,
    next_trading_day: "2026-05-15",
    previous_trading_day: "2026-05-13",
    today: "2026-05-16",
    basis: "published",
    official_through: "2026-12-31",
    provisional: false,
    warning: null,
    session: {
      time_zone: "Asia/Shanghai",
      open: "09:30",
      close: "15:00",
      open_at: "2026-05-14T01:30:00.000Z",
      close_at: "2026-05-14T07:00:00.000Z",
    },
  });
  const closed = calendarDate("SSE", "2023-10-02", SATURDAY_CST);
  assert.equal(closed.is_trading_day, false);
  assert.equal(closed.next_trading_day, "2023-10-09");
  assert.equal(closed.previous_trading_day, "2023-09-28");
  assert.equal(closed.session.open_at, null);
  assert.equal(closed.session.close_at, null);
});

Deno.test("basisWarning() is set for weekday guesses only", () => {
  assert.equal(basisWarning("published", "SSE"), null);
  assert.equal(basisWarning("rules", "NYSE"), null);
  assert.equal(basisWarning("always", "CRYPTO"), null);
  assert.match(basisWarning("weekdays", "IDX")!, /IDX/);
});

Deno.test("calendarView() answers a month or a date at the clock's now, and needs exactly one of them", () => {
  const clock = fixedClock(SATURDAY_CST);
  assert.deepEqual(
    calendarView({ clock }, { exchange: "SSE", month: "2024-10" }),
    calendarMonth("SSE", "2024-10", SATURDAY_CST),
  );
  assert.deepEqual(
    calendarView({ clock }, { exchange: "NYSE", date: "2026-05-14" }),
    calendarDate("NYSE", "2026-05-14", SATURDAY_CST),
  );
  for (const both of [{}, { month: "2024-10", date: "2024-10-08" }]) {
    assert.throws(
      () => calendarView({ clock }, { exchange: "SSE", ...both }),
      (e) => e instanceof ValidationError && e.loc.length === 0,
    );
  }
});

Deno.test("installOfficialList() names refused fields relative to its input (year, closures)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const deps = { lists: createCalendarListRepo(kv), clock: fixedClock(SATURDAY_CST) };
    const locOf = async (year: number, closures: string[]) => {
      try {
        await installOfficialList(deps, "admin@example.com", "SSE", year, { closures, source: "test" });
      } catch (e) {
        if (e instanceof ValidationError) return e.issues?.map((i) => i.loc) ?? [e.loc];
        throw e;
      }
      throw new Error("installed");
    };
    assert.deepEqual(await locOf(1800, []), [["year"]]);
    assert.deepEqual(await locOf(2027, ["2027-01-01", "2026-12-31", "2027-02-30"]), [["closures", 1], [
      "closures",
      2,
    ]]);
    const january = Array.from({ length: 31 }, (_, i) => `2027-01-${String(i + 1).padStart(2, "0")}`);
    assert.deepEqual(await locOf(2027, january), [["closures"]]);
    await assert.rejects(
      installOfficialList(deps, "admin@example.com", "CRYPTO", 2027, { closures: [], source: "test" }),
      BadRequestError,
    );
    assert.equal(await deps.lists.get("SSE", 2027), null, "nothing was installed");
  } finally {
    kv.close();
  }
});
