import assert from "node:assert/strict";
import type { BacktestReport } from "../../../domain/backtest/report.ts";
import { createSyncRunRepo, type SyncRunRecord } from "../../../domain/store/sync_run_repo.ts";

const run = (id: string, at: number): SyncRunRecord => ({
  id,
  user_id: "usr_a",
  form: "report",
  name: `run ${id}`,
  backend: "rules",
  start_date: "2024-01-01",
  end_date: "2024-12-31",
  initial_capital: 1000,
  final_value: 1100,
  total_return_pct: 10,
  total_trades: 2,
  created_at: at,
});

/** A report big enough to span several blob chunks once compressed poorly (random digits). */
const report = (tag: string) =>
  ({
    tag,
    dailyPortfolio: Array.from({ length: 5000 }, (_, i) => ({ date: `d${i}`, v: Math.random() })),
  }) as unknown as BacktestReport;

Deno.test("sync run history: keeps the newest `keep` runs of a user with their reports, deletes older ones", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createSyncRunRepo(kv);
    await repo.record(run("run_1", 1), report("one"), 2);
    await repo.record(run("run_2", 2), report("two"), 2);
    await repo.record(run("run_3", 3), report("three"), 2);
    assert.deepEqual((await repo.listByUser("usr_a", 10)).map((r) => r.id), ["run_3", "run_2"]);
    assert.equal(await repo.get("run_1"), null);
    assert.equal(await repo.getReport("run_1"), null, "the oldest report is deleted with its run");
    const kept = await repo.getReport("run_2") as unknown as { tag: string; dailyPortfolio: unknown[] };
    assert.equal(kept.tag, "two");
    assert.equal(kept.dailyPortfolio.length, 5000, "the report round-trips through compression and chunks");
    assert.deepEqual(await repo.listByUser("usr_other", 10), []);
    // Nothing of run_1 is left in the store (record, index, blob manifest and chunks).
    const left: unknown[] = [];
    for await (const e of kv.list({ prefix: [] })) {
      if (JSON.stringify(e.key).includes("run_1")) left.push(e.key);
    }
    assert.deepEqual(left, []);
  } finally {
    kv.close();
  }
});
