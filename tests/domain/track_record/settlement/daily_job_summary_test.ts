import assert from "node:assert/strict";
import { getCalendar } from "../../../../domain/calendar/calendar.ts";
import {
  compactSettleSummary,
  runDailyJob,
  STORED_FAILURES,
} from "../../../../domain/track_record/daily_tasks.ts";
import type { SettleOutcome } from "../../../../domain/track_record/settlement/settle.ts";
import { keys } from "../../../../domain/store/keys.ts";
import { openTestWorld } from "../../../_helpers/test_app.ts";

Deno.test("a settlement run of 10,000 strategies stores counts and the first failures, within one KV value", () => {
  const outcomes: SettleOutcome[] = Array.from({ length: 10_000 }, (_, i) => ({
    slug: `strategy-${String(i).padStart(5, "0")}`,
    status: i % 50 === 7 ? "failed" : i % 10 === 3 ? "already_settled" : "settled",
    days: i % 10 === 3 ? [] : ["2026-06-01", "2026-06-02"].slice(0, 1 + (i % 2)),
    ...(i % 50 === 7 ? { error: `no bar for strategy ${i}` } : {}),
  }));
  const full = { date: "2026-06-02", outcomes };
  assert.ok(JSON.stringify(full).length > 65_536, "the whole summary would not fit a KV value");
  const stored = compactSettleSummary(full) as Record<string, unknown>;
  assert.ok(JSON.stringify(stored).length < 65_536 / 2);
  assert.equal(stored.date, "2026-06-02");
  assert.equal(stored.strategies, 10_000);
  assert.deepEqual(stored.by_status, { settled: 8_800, already_settled: 1_000, failed: 200 });
  assert.equal(stored.days_written, outcomes.reduce((n, o) => n + o.days.length, 0));
  assert.equal((stored.failed as SettleOutcome[]).length, STORED_FAILURES);
  assert.equal((stored.failed as SettleOutcome[])[0].error, "no bar for strategy 7");
  assert.equal(stored.failed_not_stored, 100);
});

Deno.test("runDailyJob() answers the whole settlement summary and stores the compact one", async () => {
  const w = await openTestWorld();
  try {
    const sse = getCalendar("SSE");
    const date = sse.previousTradingDay(sse.today(w.clock.now()));
    const out = await runDailyJob(w.deps.track, w.deps.dailyJobs, "settle-signals", date);
    assert.deepEqual(out.summary, { date, outcomes: [] });
    const stored = (await w.kv.get<{ summary: unknown }>(keys.dailyJobRun("settle-signals"))).value!;
    assert.deepEqual(stored.summary, {
      date,
      strategies: 0,
      by_status: {},
      days_written: 0,
      failed: [],
      failed_not_stored: 0,
    });
  } finally {
    await w.close();
  }
});
