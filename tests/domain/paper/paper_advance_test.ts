/**
 * The advance at the operation level: a year of catch-up for 50 symbols (public) goes in a handful of commits
 * under KV's limits and equals the backtest; a runner error marks the instance failed (logged, never retried);
 * a stop racing an advance leaves one consistent, gapless log.
 */
import assert from "node:assert/strict";
import { EngineDataError } from "../../../domain/backtest/engine.ts";
import { runBacktest } from "../../../domain/backtest/run_backtest.ts";
import { advanceInstance, advanceInstances } from "../../../domain/paper/paper_advance.ts";
import { instanceLogs, startInstance, stopInstance } from "../../../domain/paper/paper_instances.ts";
import type { PaperServices } from "../../../domain/paper/paper_services.ts";
import type { PaperFillData } from "../../../domain/store/paper_repo.ts";
import { StrategySpecSchema } from "../../../domain/strategy/spec.ts";
import { saveStrategy } from "../../../domain/strategy/library.ts";
import { openTestWorld, type TestWorld } from "../../_helpers/test_app.ts";
import { userRecord } from "../../_helpers/user_record.ts";

/** A user and a saved strategy of `spec` (version 1, not promoted: starts name the version). */
async function world(spec: Record<string, unknown>) {
  const w = await openTestWorld();
  const userId = "u_paper";
  await w.deps.auth.users.create(userRecord(userId, { tier: "licensed", email: "u@example.com" }));
  const { strategy } = await saveStrategy(w.deps.library, userId, {
    name: "S",
    prompt: null,
    spec: StrategySpecSchema.parse(spec),
  });
  return { w, userId, sid: strategy.id };
}

/** Every event of an instance. */
async function events(deps: PaperServices, userId: string, sid: string, id: string) {
  const out = [];
  let since: string | undefined;
  for (let i = 0; i < 100; i++) {
    const page = await instanceLogs(deps, userId, sid, id, { since, limit: 1000 });
    out.push(...page.events);
    if (!page.has_more) break;
    since = String(page.next_since);
  }
  return out;
}

const close = (w: TestWorld) => w.close();

Deno.test("a year of catch-up on 50 symbols (public) is a handful of commits and equals the backtest", async () => {
  const probe = await openTestWorld();
  const tickers = (await probe.deps.market.data.getUniverse("hs300")).slice(0, 50);
  await close(probe);
  assert.equal(tickers.length, 50);
  const spec = {
    universe: { tickers },
    entry: "crosses_above(sma(close, 3), sma(close, 8))",
    exit: "crosses_below(sma(close, 3), sma(close, 8))",
    sizing: { method: "percent_equity", percent: 4, max_positions: 25 },
    capital: 10_000_000,
  };
  const { w, userId, sid } = await world(spec);
  try {
    let commits = 0;
    const repo = w.deps.paper.instances;
    const deps: PaperServices = {
      ...w.deps.paper,
      instances: { ...repo, commit: (...a) => (commits++, repo.commit(...a)) },
    };
    const inst = await startInstance(deps, userId, sid, {
      version: 1,
      start_date: "2025-05-14",
      is_public: true,
    });
    assert.equal(inst.status, "running", inst.error ?? "");
    assert.equal(inst.last_bar_date, "2026-05-13");
    assert.ok(inst.trades_count > 1000, `${inst.trades_count} fills`);
    assert.ok(commits >= 2 && commits <= 10, `${commits} commits`);
    const log = await events(deps, userId, sid, inst.id);
    assert.deepEqual(log.map((e) => e.seq), log.map((_, i) => i + 1));
    assert.equal(log.filter((e) => e.type === "fill").length, inst.trades_count);

    const report = await runBacktest(
      StrategySpecSchema.parse({ ...spec, start: "2025-05-14", end: "2026-05-13", close_at_end: false }),
      w.deps.market.data,
      { ownerId: userId, maxSymbolBars: 1e9, now: () => 0 },
    );
    assert.equal(report.trades.length, inst.trades_count);
    assert.equal(inst.equity, report.summary.finalValue);
    const fills = log.filter((e) => e.type === "fill").map((e) => ({
      date: e.date,
      data: e.data as PaperFillData,
    }));
    assert.deepEqual(
      fills.map((e) => [e.date, e.data.symbol, e.data.action, e.data.quantity, e.data.price, e.data.fees]),
      report.trades.map((t) => [t.date, t.ticker, t.action, t.quantity, t.price, t.fees]),
    );
    assert.deepEqual(
      log.filter((e) => e.type === "daily_summary").map((e) => (e.data as { equity: number }).equity),
      report.dailyPortfolio.map((d) => d.portfolioValue),
    );
  } finally {
    await close(w);
  }
});

Deno.test("a runner refusal (unusable data) marks the instance failed with the error logged; the job never retries it", async () => {
  const { w, userId, sid } = await world({
    universe: { tickers: ["600519.SH"] },
    entry: "close > sma(close, 5)",
    exit: "close < sma(close, 5)",
  });
  try {
    const market = w.deps.paper.market;
    let reads = 0;
    const deps: PaperServices = {
      ...w.deps.paper,
      market: {
        ...market,
        getSymbol: (s, o) => market.getSymbol(s, o),
        getBars: () => {
          reads++;
          return Promise.reject(new EngineDataError("600519.SH", 20_544, "close NaN is not a price"));
        },
      },
    };
    const inst = await startInstance(deps, userId, sid, { version: 1, start_date: "2026-04-01" });
    assert.equal(inst.status, "failed");
    assert.match(inst.error!, /close NaN is not a price/);
    assert.equal(inst.stop_reason, "error");
    const log = await events(deps, userId, sid, inst.id);
    assert.deepEqual(log.map((e) => e.type), ["started", "error"]);
    const readsBefore = reads;
    const summary = await advanceInstances(deps, { date: "2026-05-13" });
    assert.equal(summary.instances, 0, "a failed instance is not running");
    assert.equal(reads, readsBefore);
    assert.equal((await advanceInstance(deps, inst.id, "2026-05-13")).bars, 0);
  } finally {
    await close(w);
  }
});

Deno.test("a storage failure is not a refusal: the instance stays running and the next advance processes the bars", async () => {
  const { w, userId, sid } = await world({
    universe: { tickers: ["600519.SH"] },
    entry: "close > sma(close, 5)",
    exit: "close < sma(close, 5)",
  });
  try {
    const market = w.deps.paper.market;
    let broken = true;
    const deps: PaperServices = {
      ...w.deps.paper,
      market: {
        ...market,
        getSymbol: (s, o) => market.getSymbol(s, o),
        getBars: (...a) =>
          broken ? Promise.reject(new Error("the bar store is unreadable")) : market.getBars(...a),
      },
    };
    const inst = await startInstance(deps, userId, sid, { version: 1, start_date: "2026-04-01" });
    assert.equal(inst.status, "running");
    assert.equal(inst.last_bar_date, null);
    assert.equal(inst.error, null);
    const failing = await advanceInstances(deps, { date: "2026-05-13" });
    assert.equal(failing.errors.length, 1);
    assert.match(failing.errors[0].error, /unreadable/);
    assert.equal((await deps.instances.get(inst.id))!.record.status, "running");
    broken = false;
    const ok = await advanceInstances(deps, { date: "2026-05-13" });
    assert.equal(ok.advanced, 1);
    const log = await events(deps, userId, sid, inst.id);
    assert.deepEqual(log.map((e) => e.seq), log.map((_, i) => i + 1));
    assert.ok(!log.some((e) => e.type === "error"));
    assert.equal(log.filter((e) => e.type === "daily_summary").length, ok.bars);
  } finally {
    await close(w);
  }
});

Deno.test("a start's catch-up stops after its time budget and goes on in the background from the last commit", async () => {
  const probe = await openTestWorld();
  const tickers = (await probe.deps.market.data.getUniverse("hs300")).slice(0, 50);
  await close(probe);
  const { w, userId, sid } = await world({
    universe: { tickers },
    entry: "crosses_above(sma(close, 3), sma(close, 8))",
    exit: "crosses_below(sma(close, 3), sma(close, 8))",
    sizing: { method: "percent_equity", percent: 4, max_positions: 25 },
    capital: 10_000_000,
  });
  try {
    // A zero budget: the start commits one batch, answers, and the background finishes the year.
    const deps: PaperServices = { ...w.deps.paper, startCatchUpMs: 0 };
    const inst = await startInstance(deps, userId, sid, { version: 1, start_date: "2025-05-14" });
    assert.equal(inst.status, "running");
    assert.ok(inst.last_bar_date !== null && inst.last_bar_date < "2026-05-13", `${inst.last_bar_date}`);
    await w.deps.track.background.drain();
    const after = (await deps.instances.get(inst.id))!.record;
    assert.equal(after.last_bar_date, "2026-05-13");
    assert.equal((await advanceInstance(deps, inst.id, "2026-05-13")).bars, 0, "nothing is processed twice");
    const log = await events(deps, userId, sid, inst.id);
    assert.deepEqual(log.map((e) => e.seq), log.map((_, i) => i + 1));
    assert.equal(log.filter((e) => e.type === "daily_summary").length, after.bars_processed);

    // The budget on its own: one batch, `complete: false`; the next call goes on from there.
    const other = await startInstance({ ...deps, background: undefined }, userId, sid, {
      version: 1,
      start_date: "2025-05-14",
    });
    const part = await advanceInstance(deps, other.id, "2026-05-13", { budgetMs: 0 });
    assert.equal(part.complete, false);
    assert.ok(part.bars > 0);
    const rest = await advanceInstance(deps, other.id, "2026-05-13");
    assert.equal(rest.complete, true);
    assert.equal(
      (await deps.instances.get(other.id))!.record.bars_processed,
      after.bars_processed,
      "both instances processed the same sessions",
    );
  } finally {
    await w.deps.track.background.drain();
    await close(w);
  }
});

Deno.test("a start over the synchronous bar budget answers at once; its whole catch-up runs after the answer", async () => {
  const { w, userId, sid } = await world({
    universe: { tickers: ["600519.SH", "000001.SZ"] },
    entry: "crosses_above(sma(close, 3), sma(close, 8))",
    exit: "crosses_below(sma(close, 3), sma(close, 8))",
  });
  try {
    const deps: PaperServices = { ...w.deps.paper, maxSyncSymbolBars: 100 };
    const inst = await startInstance(deps, userId, sid, { version: 1, start_date: "2026-01-05" });
    assert.equal(inst.status, "running");
    assert.equal(inst.last_bar_date, null, "nothing processed in the request");
    await w.deps.track.background.drain();
    const after = (await deps.instances.get(inst.id))!.record;
    assert.equal(after.last_bar_date, "2026-05-13");
    // The same start within the budget processes in the request, to the same place.
    const inline = await startInstance(w.deps.paper, userId, sid, { version: 1, start_date: "2026-01-05" });
    assert.equal(inline.last_bar_date, "2026-05-13");
    assert.equal(inline.equity, after.equity);
    assert.equal(inline.trades_count, after.trades_count);
  } finally {
    await w.deps.track.background.drain();
    await close(w);
  }
});

Deno.test("a stop racing an advance: one of them lands first, the log stays gapless and ends with the stop", async () => {
  const { w, userId, sid } = await world({
    universe: { tickers: ["600519.SH"] },
    entry: "crosses_above(sma(close, 3), sma(close, 10))",
    exit: "crosses_below(sma(close, 3), sma(close, 10))",
  });
  try {
    const deps = w.deps.paper;
    w.clock.set(Date.UTC(2026, 0, 5, 1));
    const inst = await startInstance(deps, userId, sid, { version: 1, start_date: "2026-01-05" });
    w.clock.set(Date.UTC(2026, 4, 14, 1));
    const [advanced, stopped] = await Promise.all([
      advanceInstance(deps, inst.id, "2026-05-13"),
      stopInstance(deps, userId, sid, inst.id, { liquidate: true }),
    ]);
    assert.equal(stopped.status, "stopped");
    const log = await events(deps, userId, sid, inst.id);
    assert.deepEqual(log.map((e) => e.seq), log.map((_, i) => i + 1));
    assert.equal(log.at(-1)!.type, "stopped");
    assert.equal(log.filter((e) => e.type === "daily_summary").length, advanced.bars);
    const record = (await deps.instances.get(inst.id))!.record;
    assert.equal(record.status, "stopped");
    assert.equal(record.bars_processed, advanced.bars);
    assert.equal((await advanceInstance(deps, inst.id, "2026-05-13")).bars, 0);
  } finally {
    await close(w);
  }
});
