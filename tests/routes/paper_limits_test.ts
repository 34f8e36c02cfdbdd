/**
 * The work budget of a start (symbol-bars, expression cost), the start rate (the backtest rate), and the
 * per-exchange advance crons.
 */
import assert from "node:assert/strict";
import { CRON_JOBS } from "../../jobs/cron.ts";
import { openTestWorld, T0 } from "../_helpers/test_app.ts";
import { JAN5, savePromoted, SMA_SPEC, startRun, tokenOf, withWorld } from "./paper_world.ts";

Deno.test("paper run: over MAX_JOB_SYMBOL_BARS or MAX_JOB_EXPRESSION_COST is a 422 naming the budget", async () => {
  for (
    const [env, pattern] of [
      [{ MAX_JOB_SYMBOL_BARS: "100" }, /symbol-bars.*MAX_JOB_SYMBOL_BARS/],
      [{ MAX_JOB_EXPRESSION_COST: "1000" }, /MAX_JOB_EXPRESSION_COST/],
    ] as const
  ) {
    const w = await openTestWorld({ ...env });
    try {
      const t = await tokenOf(w, "budget@example.com");
      const sid = await savePromoted(w, t, "Big");
      const res = await startRun(w, t, sid, { start_date: "2026-01-05" });
      assert.equal(res.status, 422);
      assert.match(JSON.stringify(await res.json()), pattern);
      const none = await (await w.request("GET", `/api/v1/strategies/${sid}/instances`, { token: t })).json();
      assert.equal(none.total, 0, "nothing was created");
    } finally {
      await w.close();
    }
  }
});

Deno.test("paper run: starts are rate-limited with the backtest rate (10 a minute): the 11th is a 429", () =>
  withWorld(async (w) => {
    const t = await tokenOf(w, "rate@example.com");
    const sid = await savePromoted(w, t, "Rated");
    for (let i = 0; i < 10; i++) assert.equal((await startRun(w, t, sid, { version: 9 })).status, 404);
    const res = await startRun(w, t, sid, { version: 9 });
    assert.equal(res.status, 429);
    assert.ok(res.headers.get("retry-after"));
    await res.body?.cancel();
  }));

Deno.test("paper crons: one per market close; each advances only the instances trading there", () =>
  withWorld(async (w) => {
    const schedules = Object.fromEntries(
      CRON_JOBS.filter((j) => j.name.startsWith("paper-advance")).map((j) => [j.name, j.schedule]),
    );
    assert.deepEqual(schedules, {
      "paper-advance-sse": "30 8 * * 1-5",
      "paper-advance-idx": "0 10 * * 1-5",
      "paper-advance-nse": "0 11 * * 1-5",
      "paper-advance-nyse": "30 22 * * 1-5",
      "paper-advance-crypto": "30 0 * * *",
    });
    w.clock.set(JAN5);
    const early = await tokenOf(w, "cron@example.com");
    const sid = await savePromoted(w, early, "Cron", SMA_SPEC);
    const inst = await (await startRun(w, early, sid, { start_date: "2026-01-05" })).json();
    w.clock.set(T0);
    const t = await tokenOf(w, "cron@example.com");
    const deps = {
      queue: { enqueueHeartbeat: () => Promise.resolve(), enqueue: () => Promise.resolve() },
      clock: w.clock,
      log: () => {},
      paper: w.deps.paper,
    };
    const job = (name: string) => CRON_JOBS.find((j) => j.name === name)!.run(deps);
    const view = async () =>
      await (await w.request("GET", `/api/v1/strategies/${sid}/instances/${inst.id}`, { token: t })).json();
    await job("paper-advance-nyse");
    await job("paper-advance-crypto");
    assert.equal((await view()).bars_processed, 0, "other markets' crons leave an SSE instance alone");
    await job("paper-advance-sse");
    assert.equal((await view()).last_bar_date, "2026-05-13", "the SSE cron advances it to the last close");
  }));
