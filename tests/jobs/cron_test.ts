import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import type { QueueMessage } from "../../jobs/messages.ts";
import type { LogFn } from "../../domain/log.ts";
import {
  CRON_JOBS,
  type CronDeps,
  type CronFn,
  enqueueMarketRefresh,
  registerCronJobs,
} from "../../jobs/cron.ts";

const T0 = Date.UTC(2026, 4, 14, 1, 0, 0);

/** Field bounds of a 5-field cron expression: minute, hour, day of month, month, day of week. */
const FIELDS: [string, number, number][] = [["minute", 0, 59], ["hour", 0, 23], ["day of month", 1, 31], [
  "month",
  1,
  12,
], ["day of week", 0, 7]];

/** Problems with a cron expression (empty when valid): 5 fields of `*`, `n`, `a-b`, lists and `/step`. */
function cronProblems(expr: string): string[] {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) return [`expected 5 fields, got ${fields.length}`];
  const problems: string[] = [];
  fields.forEach((field, i) => {
    const [name, lo, hi] = FIELDS[i];
    for (const part of field.split(",")) {
      const m = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(part);
      if (!m) {
        problems.push(`${name}: cannot read "${part}"`);
        continue;
      }
      const from = m[2] === undefined ? lo : Number(m[2]);
      const to = m[3] === undefined ? (m[2] === undefined ? hi : from) : Number(m[3]);
      if (from < lo || to > hi || from > to) problems.push(`${name}: "${part}" is outside ${lo}-${hi}`);
      if (m[4] !== undefined && Number(m[4]) < 1) {
        problems.push(`${name}: step must be at least 1 in "${part}"`);
      }
    }
  });
  return problems;
}

type LogLine = { level: string; msg: string; fields?: Record<string, unknown> };

function deps(
  enqueueHeartbeat: () => Promise<void>,
  enqueued: QueueMessage[] = [],
): { deps: CronDeps; logs: LogLine[] } {
  const logs: LogLine[] = [];
  const log: LogFn = (level, msg, fields) => logs.push({ level, msg, fields });
  const enqueue = (m: QueueMessage) => (enqueued.push(m), Promise.resolve());
  return { deps: { queue: { enqueueHeartbeat, enqueue }, clock: fixedClock(T0), log }, logs };
}

/** A registrar that records what would be scheduled instead of scheduling it. */
function recordingCron() {
  const registered: { name: string; schedule: string; handler: () => Promise<void> }[] = [];
  const cron: CronFn = (name, schedule, handler) => registered.push({ name, schedule, handler });
  return { cron, registered };
}

Deno.test("the cron validator used here accepts good and rejects bad expressions", () => {
  for (const good of ["15 10 * * *", "*/5 * * * *", "0 1 * * 1-5", "0,30 0-23/2 1 1,6 0"]) {
    assert.deepEqual(cronProblems(good), [], good);
  }
  for (
    const bad of ["* * * *", "60 * * * *", "0 24 * * *", "*/0 * * * *", "0 0 0 * *", "5-1 * * * *", "@daily"]
  ) {
    assert.notDeepEqual(cronProblems(bad), [], bad);
  }
});

Deno.test("every CRON_JOBS entry has a unique kebab-case name and a valid 5-field UTC schedule", async (t) => {
  assert.ok(CRON_JOBS.length > 0);
  assert.equal(new Set(CRON_JOBS.map((j) => j.name)).size, CRON_JOBS.length, "names are unique");
  for (const job of CRON_JOBS) {
    await t.step(job.name, () => {
      assert.match(job.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.deepEqual(cronProblems(job.schedule), [], `${job.name}: "${job.schedule}"`);
    });
  }
});

Deno.test("registerCronJobs() registers every CRON_JOBS entry with the injected cron", () => {
  const { cron, registered } = recordingCron();
  const names = registerCronJobs(deps(() => Promise.resolve()).deps, cron);
  assert.deepEqual(
    registered.map((r) => [r.name, r.schedule]),
    CRON_JOBS.map((j) => [j.name, j.schedule]),
  );
  for (const r of registered) assert.equal(typeof r.handler, "function");
  // What it reports (the worker's start-up line) is what it handed to cron.
  assert.deepEqual(names, registered.map((r) => r.name));
});

Deno.test("the queue-heartbeat job enqueues a heartbeat", async () => {
  let beats = 0;
  const { deps: d, logs } = deps(() => {
    beats++;
    return Promise.resolve();
  });
  const { cron, registered } = recordingCron();
  registerCronJobs(d, cron);
  await registered.find((r) => r.name === "queue-heartbeat")!.handler();
  assert.equal(beats, 1);
  assert.deepEqual(logs, []);
});

Deno.test("registerCronJobs() handlers log a failing job instead of throwing", async (t) => {
  const { deps: d, logs } = deps(() => Promise.reject(new Error("KV unavailable")));
  const { cron, registered } = recordingCron();
  registerCronJobs(d, cron);
  for (const r of registered) {
    await t.step(r.name, async () => {
      logs.length = 0;
      await r.handler(); // resolves
      const failures = logs.filter((l) => l.level === "error" && l.fields?.job === r.name);
      if (r.name === "queue-heartbeat") {
        assert.equal(failures.length, 1);
        assert.equal(failures[0].msg, "cron job failed");
        assert.match(String(failures[0].fields?.error), /KV unavailable/);
      }
    });
  }
});

Deno.test("registerCronJobs() handlers survive a job that throws synchronously or a non-Error", async () => {
  const { deps: d, logs } = deps(() => {
    throw "plain string failure";
  });
  const { cron, registered } = recordingCron();
  registerCronJobs(d, cron);
  await registered.find((r) => r.name === "queue-heartbeat")!.handler();
  assert.equal(logs.length, 1);
  assert.equal(logs[0].level, "error");
  assert.match(String(logs[0].fields?.error), /plain string failure/);
});

Deno.test("enqueueMarketRefresh() enqueues one message per exchange session and skips holidays", async () => {
  const enqueued: QueueMessage[] = [];
  const { deps: d, logs } = deps(() => Promise.resolve(), enqueued);
  await enqueueMarketRefresh(d, "SSE"); // T0 is 2026-05-14, a trading day
  assert.deepEqual(enqueued, [{
    type: "market.refresh",
    id: "refresh:SSE:2026-05-14",
    exchange: "SSE",
    date: "2026-05-14",
  }]);
  await enqueueMarketRefresh(d, "CRYPTO");
  assert.equal(enqueued[1].id, "refresh:CRYPTO:2026-05-13");
  const holiday = deps(() => Promise.resolve(), enqueued);
  (holiday.deps.clock as ReturnType<typeof fixedClock>).set(Date.UTC(2026, 9, 1, 8)); // National Day
  await enqueueMarketRefresh(holiday.deps, "SSE");
  assert.equal(enqueued.length, 2);
  assert.equal(holiday.logs[0].msg, "market refresh skipped: not a trading day");
  assert.equal(logs.length, 0);
});

Deno.test("the track-record jobs run at 09:10, 18:15, 18:30 and 18:45 Asia/Shanghai (UTC schedules)", () => {
  const byName = new Map(CRON_JOBS.map((j) => [j.name, j.schedule]));
  assert.equal(byName.get("retry-attestations"), "10 1 * * *");
  assert.equal(byName.get("settle-signals"), "15 10 * * *");
  assert.equal(byName.get("recompute-evaluations"), "30 10 * * *");
  assert.equal(byName.get("watchdog"), "45 10 * * *");
});

Deno.test("the settle-signals cron settles today's signals at 18:15 CST and does nothing on a holiday", async () => {
  const { openTestWorld, signInWithOtp } = await import("../_helpers/test_app.ts");
  const w = await openTestWorld();
  try {
    const token = (await signInWithOtp(w, "cron@example.com")).access_token;
    await w.request("POST", "/api/v1/strategies", { token, json: { name: "c", slug: "cron-1" } });
    await w.request("POST", "/api/v1/strategies/cron-1/signals", {
      token,
      json: { trade_date: "2026-05-14", signals: [{ symbol: "600519.SH", weight: 0.5 }] },
    });
    const job = CRON_JOBS.find((j) => j.name === "settle-signals")!;
    const logs: string[] = [];
    const deps: CronDeps = {
      queue: { enqueueHeartbeat: () => Promise.resolve(), enqueue: () => Promise.resolve() },
      clock: fixedClock(Date.UTC(2026, 4, 14, 10, 15)),
      log: (_l, msg) => logs.push(msg),
      track: { deps: w.deps.track, store: w.deps.dailyJobs },
    };
    w.clock.set(deps.clock.now()); // in production the cron and the services share one clock
    await job.run(deps);
    assert.equal((await w.deps.track.settlements.head("cron-1"))?.date, "2026-05-14");
    // 2026-10-01 is National Day: the handler runs and settles nothing.
    w.clock.set(Date.UTC(2026, 9, 1, 10, 15));
    await job.run({ ...deps, clock: fixedClock(Date.UTC(2026, 9, 1, 10, 15)) });
    assert.equal((await w.deps.track.settlements.head("cron-1"))?.date, "2026-05-14");
    assert.ok(logs.filter((m) => m === "daily job ran").length === 2);
  } finally {
    await w.close();
  }
});
