import assert from "node:assert/strict";
import {
  type BacktestJobDeps,
  cancelBacktestJob,
  createSemaphore,
  runBacktestJob,
  submitBacktestJob,
} from "../../../domain/backtest/queued_runs.ts";
import { runBacktest } from "../../../domain/backtest/run_backtest.ts";
import { fixedClock } from "../../../domain/clock.ts";
import { buildMarketServices } from "../../../app/market_services.ts";
import { createBacktestJobRepo } from "../../../domain/store/backtest_job_repo.ts";
import { StrategySpecSchema } from "../../../domain/strategy/spec.ts";

const T0 = Date.UTC(2026, 4, 14, 1);

async function world() {
  const kv = await Deno.openKv(":memory:");
  const clock = fixedClock(T0);
  const market = buildMarketServices(kv, clock, { seed: 42, cacheBytes: 64 * 1024 * 1024 });
  const deps: BacktestJobDeps = {
    jobs: createBacktestJobRepo(kv),
    market: market.data,
    clock,
    maxJobSymbolBars: 20_000_000,
    semaphore: createSemaphore(2),
  };
  return { kv, clock, deps, close: () => kv.close() };
}

const spec = (tickers: string[], extra: Record<string, unknown> = {}) =>
  StrategySpecSchema.parse({
    universe: { tickers },
    entry: "rsi(close, 14) < 35",
    exit: "rsi(close, 14) > 60",
    sizing: { method: "percent_equity", percent: 20, max_positions: 5 },
    start: "2016-01-01",
    end: "2020-12-31",
    ...extra,
  });

Deno.test("a submitted job runs to completed once, with the same report as a synchronous run", async () => {
  const w = await world();
  try {
    const s = spec(["600519.SH", "000001.SZ", "600036.SH"]);
    const job = await submitBacktestJob(w.deps, "usr_a", s);
    assert.equal(job.status, "queued");
    assert.equal(await runBacktestJob(w.deps, job.id), "completed");
    assert.equal(await runBacktestJob(w.deps, job.id), "skipped", "a redelivered message does nothing");
    const done = (await w.deps.jobs.get(job.id))!;
    assert.equal(done.status, "completed");
    assert.equal(done.progress, 100);
    const report = (await w.deps.jobs.getReport(job.id)) as { summary: unknown; trades: unknown[] };
    const sync = await runBacktest(s, w.deps.market, { ownerId: "usr_a", maxSymbolBars: 1e9, now: () => 0 });
    assert.deepEqual(report.summary, sync.summary);
    assert.deepEqual(report.trades, sync.trades);
    assert.equal(done.summary?.total_trades, sync.trades.length);
  } finally {
    w.close();
  }
});

Deno.test("cancelling a queued job ends it at once; a running one stops within a slice", async () => {
  const w = await world();
  try {
    const queued = await submitBacktestJob(w.deps, "usr_a", spec(["600519.SH"]));
    assert.equal((await cancelBacktestJob(w.deps, "usr_a", queued.id)).status, "cancelled");
    assert.equal(await runBacktestJob(w.deps, queued.id), "skipped");
    await assert.rejects(() => cancelBacktestJob(w.deps, "usr_a", queued.id), /already cancelled/);
    await assert.rejects(() => cancelBacktestJob(w.deps, "usr_b", queued.id), /not found/);

    const big = await submitBacktestJob(w.deps, "usr_a", spec([], { universe: { name: "csi500" } }));
    const running = runBacktestJob(w.deps, big.id);
    while (
      (await w.deps.jobs.get(big.id))!.status !== "running" || (await w.deps.jobs.get(big.id))!.progress === 0
    ) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await cancelBacktestJob(w.deps, "usr_a", big.id);
    assert.equal(await running, "cancelled");
    const after = (await w.deps.jobs.get(big.id))!;
    assert.equal(after.status, "cancelled");
    assert.ok(after.progress > 0 && after.progress < 100);
  } finally {
    w.close();
  }
});

Deno.test("a job whose worker died is taken over after its lease and completes once", async () => {
  const w = await world();
  try {
    const job = await submitBacktestJob(w.deps, "usr_a", spec(["600036.SH"]));
    // A worker claimed it and died: running, lease still valid.
    await w.deps.jobs.update(
      job.id,
      (j) => ({ ...j, status: "running", attempt: 1, lease_until: T0 + 60_000 }),
    );
    assert.equal(
      await runBacktestJob(w.deps, job.id),
      "busy",
      "a live lease is respected (and redelivered later)",
    );
    w.clock.advance(61_000);
    const [a, b] = await Promise.all([runBacktestJob(w.deps, job.id), runBacktestJob(w.deps, job.id)]);
    assert.deepEqual(
      [a, b].sort(),
      ["busy", "completed"],
      "two workers racing: one runs it, the other is told to retry",
    );
    const done = (await w.deps.jobs.get(job.id))!;
    assert.equal(done.status, "completed");
    assert.equal(done.attempt, 2);
  } finally {
    w.close();
  }
});

Deno.test("a job whose spec fails at run time ends failed with the reason", async () => {
  const w = await world();
  try {
    const job = await submitBacktestJob(w.deps, "usr_a", spec(["NOPE.SH"]));
    assert.equal(await runBacktestJob(w.deps, job.id), "failed");
    const failed = (await w.deps.jobs.get(job.id))!;
    assert.equal(failed.status, "failed");
    assert.match(failed.error!, /Unknown symbol "NOPE.SH"/);
  } finally {
    w.close();
  }
});

Deno.test("createSemaphore() admits n holders and queues the rest in order", async () => {
  const s = createSemaphore(2);
  const r1 = await s.acquire(), r2 = await s.acquire();
  const order: number[] = [];
  const third = s.acquire().then((r) => (order.push(3), r));
  await new Promise((r) => setTimeout(r, 5));
  assert.deepEqual(order, []);
  assert.equal(s.active(), 2);
  r1();
  r1(); // releasing twice is harmless
  const r3 = await third;
  assert.deepEqual(order, [3]);
  assert.equal(s.active(), 2);
  r2();
  r3();
  assert.equal(s.active(), 0);
});
