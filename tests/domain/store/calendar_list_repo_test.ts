import assert from "node:assert/strict";
import { clearInstalledClosures, getCalendar } from "../../../domain/calendar/calendar.ts";
import { loadOfficialLists } from "../../../domain/calendar/official_lists.ts";
import { createCalendarListRepo } from "../../../domain/store/calendar_list_repo.ts";

Deno.test("a list installed through one KV handle reaches another isolate's calendar through watch()", async () => {
  const kv = await Deno.openKv(":memory:");
  const abort = new AbortController();
  try {
    const repo = createCalendarListRepo(kv);
    let reloads = 0;
    let notify: () => void = () => {};
    const watching = repo.watch(async () => {
      reloads++;
      await loadOfficialLists(repo);
      notify();
    }, abort.signal);
    const next = () => new Promise<void>((r) => notify = r);
    // The first notification is the current state.
    await next();
    const changed = next();
    // Another isolate stores a list: only KV changes here, never this isolate's table directly.
    const record = {
      exchange: "SSE",
      year: 2027,
      closures: ["2027-03-03"],
      source: "test",
      installed_at: 0,
      installed_by: "admin@example.com",
    };
    await repo.put(record, {
      id: "cal-1",
      at: 0,
      actor: "admin@example.com",
      exchange: "SSE",
      year: 2027,
      source: "test",
      closures: record.closures,
      previous: null,
    });
    await changed;
    assert.ok(reloads >= 2);
    assert.equal(getCalendar("SSE").isTradingDay("2027-03-03"), false);
    assert.equal(getCalendar("SSE").officialThrough(), "2027-12-31");
    abort.abort();
    await watching;
  } finally {
    abort.abort();
    clearInstalledClosures();
    kv.close();
  }
});
