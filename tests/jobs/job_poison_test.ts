/**
 * Poison-pill safety of backtest jobs in both delivery modes (`kv.enqueue` and the polled table): bounded
 * attempts over worker deaths and lease takeovers, a wall-clock budget per attempt, cancel that works while data
 * loads and for a job whose worker died.
 */
import assert from "node:assert/strict";
import {
  type BacktestJobDeps,
  cancelBacktestJob,
  createSemaphore,
  DEFAULT_JOB_MAX_MS,
  JOB_LEASE_MS,
  pollBacktestJobs,
  runMessage,
  submitBacktestJob,
} from "../../domain/backtest/queued_runs.ts";
import type { Clock } from "../../domain/clock.ts";
import { buildMarketServices } from "../../app/market_services.ts";
import type { MarketData } from "../../domain/market/types.ts";
import { type BacktestJobRecord, createBacktestJobRepo } from "../../domain/store/backtest_job_repo.ts";
import { createHealthRepo } from "../../domain/store/health_repo.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";
import { startJobPoller } from "../../jobs/poller.ts";
import { createQueueRepo } from "../../domain/store/queue_repo.ts";
import { startQueueWorker } from "../../jobs/queue.ts";

const SPEC = StrategySpecSchema.parse({
  universe: { tickers: ["600519.SH", "601318.SH"] },
  entry: "rsi(close, 14) < 35",
  exit: "rsi(close, 14) > 60",
  start: "2018-01-01",
  end: "2020-12-31",
});

/** A clock at real time plus a skew the test moves forward (leases and budgets read it). */
function skewedClock() {
  let skew = 0;
  const clock: Clock & { advance(ms: number): void } = {
    now: () => Date.now() + skew,
    advance: (ms) => void (skew += ms),
  } as Clock & { advance(ms: number): void };
  return clock;
}

/**
 * A worker of the given kind on its own KV file, over a market whose `getBars` the test wraps; `stop` ends it
 * and removes the file.
 */
async function rig(
  mode: "queue" | "poll" | "none",
  wrap: (market: MarketData) => MarketData = (m) => m,
  extra: Partial<BacktestJobDeps> = {},
) {
  const dir = await Deno.makeTempDir({ prefix: `qe_poison_${mode}_` });
  const kv = await Deno.openKv(`${dir}/kv.sqlite`);
  const clock = skewedClock();
  const market = buildMarketServices(kv, clock, { seed: 42, cacheBytes: 64 * 1024 * 1024 });
  const deps: BacktestJobDeps = {
    jobs: createBacktestJobRepo(kv),
    market: wrap(market.data),
    clock,
    maxJobSymbolBars: 1e8,
    semaphore: createSemaphore(8),
    mode: mode === "none" ? "poll" : mode,
    ...extra,
  };
  const log = () => {};
  let stopPoller = () => {};
  let worker: ReturnType<typeof startQueueWorker> | null = null;
  if (mode === "queue") {
    worker = startQueueWorker({
      messages: createQueueRepo(kv),
      clock,
      health: createHealthRepo(kv),
      log,
      market,
      backtests: deps,
    });
  } else if (mode === "poll") stopPoller = startJobPoller(deps, log, 50);
  return {
    kv,
    clock,
    deps,
    async waitFor(id: string, status: string, ms = 30_000) {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if ((await deps.jobs.get(id))?.status === status) return (await deps.jobs.get(id))!;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.fail(`job ${id} did not reach ${status} (now ${(await deps.jobs.get(id))?.status})`);
    },
    async stop() {
      stopPoller();
      await new Promise((r) => setTimeout(r, 100));
      kv.close();
      const until = Date.now() + 5000;
      while (worker?.listening() && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** A market whose `getBars` waits at a gate the test opens (a worker that hangs while loading). */
function gated() {
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let calls = 0;
  return {
    open: () => open(),
    calls: () => calls,
    wrap: (m: MarketData): MarketData => ({
      ...m,
      getSymbol: (...a) => m.getSymbol(...a),
      getBars: async (...a) => {
        calls++;
        await gate;
        return await m.getBars(...a);
      },
    }),
  };
}

const until = async (check: () => boolean | Promise<boolean>, what: string) => {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

for (const mode of ["queue", "poll"] as const) {
  Deno.test(`JobQueue (${mode}): a job whose worker dies on every attempt is failed after 3 and never runs again`, async () => {
    const hang = gated();
    const r = await rig(mode, hang.wrap);
    try {
      const job = await submitBacktestJob(r.deps, "usr_a", SPEC);
      const sweeps: Promise<unknown>[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        // The worker claimed it and hangs in loading (as the old engine did), so its lease is never renewed.
        await until(async () => (await r.deps.jobs.get(job.id))?.attempt === attempt, `attempt ${attempt}`);
        assert.equal((await r.deps.jobs.get(job.id))?.status, "running");
        r.clock.advance(JOB_LEASE_MS + 1_000); // the lease runs out: the worker is taken for dead
        // The minute sweep takes it over (both modes); that worker hangs too, so it is not awaited here.
        if (attempt < 3) sweeps.push(pollBacktestJobs(r.deps));
      }
      // The fourth claim finds three attempts that never finished.
      const outcomes = await pollBacktestJobs(r.deps);
      assert.deepEqual(outcomes, [{ id: job.id, outcome: "failed" }]);
      const failed = await r.waitFor(job.id, "failed");
      assert.equal(failed.attempt, 3);
      assert.match(failed.error ?? "", /Gave up after 3 attempts that did not finish/);
      assert.deepEqual(await r.deps.jobs.listActive(10), [], "out of the active table");
      // A late redelivery of its message, a later sweep, or the hung workers waking up change nothing.
      if (mode === "queue") await r.kv.enqueue(runMessage(job.id));
      hang.open();
      await Promise.all(sweeps);
      await pollBacktestJobs(r.deps);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = (await r.deps.jobs.get(job.id))!;
      assert.equal(after.status, "failed");
      assert.equal(after.attempt, 3);
      assert.equal(await r.deps.jobs.getReport(job.id), null);
    } finally {
      hang.open();
      await r.stop();
    }
  });

  Deno.test(`JobQueue (${mode}): a redelivered job left running by a dead worker at its last attempt ends failed without running`, async () => {
    const r = await rig(mode);
    try {
      const now = r.clock.now();
      const job: BacktestJobRecord = {
        ...(await submitBacktestJob({ ...r.deps, mode: "poll" }, "usr_a", SPEC)),
        status: "running",
        attempt: 3,
        lease_until: now - 1,
      };
      await r.deps.jobs.update(job.id, () => job);
      // Queue mode: a redelivery of its message; poll mode: the poller finds it in the active table.
      if (mode === "queue") await r.kv.enqueue(runMessage(job.id));
      const failed = await r.waitFor(job.id, "failed");
      assert.match(failed.error ?? "", /Gave up after 3 attempts/);
      assert.equal(failed.attempt, 3, "not claimed a fourth time");
    } finally {
      await r.stop();
    }
  });

  Deno.test(`JobQueue (${mode}): an attempt past its wall-clock budget is stopped and failed`, async () => {
    let loads = 0;
    const r: Awaited<ReturnType<typeof rig>> = await rig(mode, (m) => ({
      ...m,
      getBars: async (...a) => {
        loads++;
        r.clock.advance(DEFAULT_JOB_MAX_MS + 1_000); // this load "took" longer than the whole budget
        return await m.getBars(...a);
      },
    }));
    try {
      assert.equal(r.deps.maxRunMs, undefined, "the default budget applies");
      const job = await submitBacktestJob(r.deps, "usr_a", SPEC);
      const failed = await r.waitFor(job.id, "failed");
      assert.match(failed.error ?? "", /past its time budget of 900 s/);
      assert.equal(loads, 1, "stopped before loading the next symbol");
      assert.equal(await r.deps.jobs.getReport(job.id), null);
    } finally {
      await r.stop();
    }
  });

  Deno.test(`JobQueue (${mode}): cancel takes effect while a slow loader loads a universe`, async () => {
    let loads = 0;
    let cancelAsked = -1;
    const r = await rig(mode, (m) => ({
      ...m,
      getBars: async (...a) => {
        loads++;
        await new Promise((res) => setTimeout(res, 5)); // a slow first-time load
        return await m.getBars(...a);
      },
    }));
    try {
      const spec = StrategySpecSchema.parse({ ...SPEC, universe: { name: "csi500" } });
      const job = await submitBacktestJob(r.deps, "usr_a", spec);
      await until(() => loads >= 3, "loading to start");
      await cancelBacktestJob(r.deps, "usr_a", job.id);
      cancelAsked = loads;
      const done = await r.waitFor(job.id, "cancelled");
      assert.equal(done.summary, null);
      assert.ok(
        loads < cancelAsked + 150,
        `stopped loading soon after the cancel (${cancelAsked} → ${loads} of 500)`,
      );
      await new Promise((res) => setTimeout(res, 100));
      const settled = loads;
      await new Promise((res) => setTimeout(res, 100));
      assert.equal(loads, settled, "no more loads after it ended");
    } finally {
      await r.stop();
    }
  });

  Deno.test(`JobQueue (${mode}): a job flagged for cancel whose worker died is ended, not run again`, async () => {
    const r = await rig(mode);
    try {
      // Flagged for cancel while its worker was alive, which then died: the next claim ends it, not runs it.
      const flagged = await submitBacktestJob({ ...r.deps, mode: "poll" }, "usr_a", SPEC);
      await r.deps.jobs.update(
        flagged.id,
        (j) => ({ ...j, status: "running", attempt: 1, lease_until: 0, cancel_requested: true }),
      );
      if (mode === "queue") await r.kv.enqueue(runMessage(flagged.id));
      else await pollBacktestJobs(r.deps);
      const done = await r.waitFor(flagged.id, "cancelled");
      assert.equal(done.attempt, 1, "not claimed again");
      assert.equal(await r.deps.jobs.getReport(flagged.id), null);
      assert.deepEqual(await r.deps.jobs.listActive(10), []);
    } finally {
      await r.stop();
    }
  });
}

Deno.test("cancelling a running job whose worker died (lease passed) ends it at once", async () => {
  const r = await rig("none");
  try {
    const orphan = await submitBacktestJob(r.deps, "usr_a", SPEC);
    await r.deps.jobs.update(orphan.id, (j) => ({ ...j, status: "running", attempt: 1, lease_until: 0 }));
    const done = await cancelBacktestJob(r.deps, "usr_a", orphan.id);
    assert.equal(done.status, "cancelled");
    assert.equal(done.lease_until, null);
    assert.deepEqual(await r.deps.jobs.listActive(10), []);
    // A live worker's job is only flagged: it stops itself at its next slice or symbol.
    const live = await submitBacktestJob(r.deps, "usr_a", SPEC);
    await r.deps.jobs.update(
      live.id,
      (j) => ({ ...j, status: "running", attempt: 1, lease_until: r.clock.now() + JOB_LEASE_MS }),
    );
    const flagged = await cancelBacktestJob(r.deps, "usr_a", live.id);
    assert.deepEqual([flagged.status, flagged.cancel_requested], ["running", true]);
  } finally {
    await r.stop();
  }
});
