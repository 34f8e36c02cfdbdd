/**
 * The 18:40 CST `factor-os-tracking` cron: scheduled at 10:40Z, tracks active factors for today in Asia/Shanghai,
 * does nothing on a day the SSE does not trade or without factor services.
 */
import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import type { LogFn } from "../../domain/log.ts";
import type { FactorServices } from "../../domain/factors/services.ts";
import { createFactorRepo } from "../../domain/store/factor_repo.ts";
import { CRON_JOBS, type CronDeps, type CronFn, registerCronJobs } from "../../jobs/cron.ts";
import { activeFactor, cstInstant, fwdReturn, putRows, walkMarket } from "../_helpers/os_fake_market.ts";

const FIVE = ["600000.SH", "600001.SH", "600002.SH", "600003.SH", "600004.SH"];

Deno.test("factor-os-tracking is scheduled at 18:40 CST (10:40Z), after settlement and evaluations", () => {
  const job = CRON_JOBS.find((j) => j.name === "factor-os-tracking");
  assert.ok(job);
  assert.equal(job.schedule, "40 10 * * *");
  const names = CRON_JOBS.map((j) => j.name);
  assert.ok(names.indexOf("recompute-evaluations") < names.indexOf("factor-os-tracking"));
});

Deno.test("the factor-os-tracking cron tracks today's (Asia/Shanghai) OS ICs on trading days only", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const m = walkMarket("2026-04-01", "2026-05-13", FIVE);
    const repo = createFactorRepo(kv);
    await repo.create(activeFactor("f1", cstInstant("2026-04-20", 12)));
    const rows: Record<string, Record<string, number>> = {};
    m.dates.forEach((d, t) => {
      if (d <= "2026-04-20") return;
      rows[d] = Object.fromEntries(FIVE.map((s, j) => {
        const r = fwdReturn(m.close, t, j);
        return [s, Number.isFinite(r) ? r : j];
      }));
    });
    await putRows(repo, "f1", rows);
    const logs: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
    const log: LogFn = (level, msg, fields) => logs.push({ level, msg, fields });
    // A Saturday's 18:40 CST first: nothing.
    const clock = fixedClock(cstInstant("2026-05-09", 18, 40));
    const factors: FactorServices = {
      factors: repo,
      market: m.market,
      notifications: {} as FactorServices["notifications"],
      clock,
      log,
    };
    const deps: CronDeps = {
      queue: { enqueueHeartbeat: () => Promise.resolve(), enqueue: () => Promise.resolve() },
      clock,
      log,
      factors,
    };
    const registered: { name: string; handler: () => Promise<void> }[] = [];
    const cron: CronFn = (name, _schedule, handler) => registered.push({ name, handler });
    registerCronJobs(deps, cron);
    const run = registered.find((r) => r.name === "factor-os-tracking")!.handler;

    await run();
    assert.equal((await repo.get("f1"))!.os, null, "a Saturday tracks nothing");
    assert.ok(logs.some((l) => l.msg.includes("not an SSE trading day") && l.fields?.date === "2026-05-09"));

    // Wednesday 2026-05-13 18:40 CST = 10:40Z.
    clock.set(Date.UTC(2026, 4, 13, 10, 40));
    await run();
    const os = (await repo.get("f1"))!.os;
    assert.ok(os);
    assert.equal(os.last_date, "2026-05-11", "the last factor date with a forward return (T+2 = 05-13)");
    assert.ok(Math.abs(os.ic_mean_30d! - 1) < 1e-12, String(os.ic_mean_30d));
    assert.equal(os.updated_at, Date.UTC(2026, 4, 13, 10, 40));
    const ran = logs.findLast((l) => l.fields?.job === "factor-os-tracking");
    assert.ok(ran, "the run is logged");
    assert.equal(ran.fields?.date, "2026-05-13");
    assert.equal(logs.filter((l) => l.level === "error").length, 0, JSON.stringify(logs));
  } finally {
    kv.close();
  }
});

Deno.test("without factor services the factor-os-tracking cron does nothing", async () => {
  const logs: string[] = [];
  const deps: CronDeps = {
    queue: { enqueueHeartbeat: () => Promise.resolve(), enqueue: () => Promise.resolve() },
    clock: fixedClock(Date.UTC(2026, 4, 13, 10, 40)),
    log: (_level, msg) => logs.push(msg),
  };
  await CRON_JOBS.find((j) => j.name === "factor-os-tracking")!.run(deps);
  assert.deepEqual(logs, []);
});
