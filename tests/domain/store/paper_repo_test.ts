/** The paper repository's start guard: concurrent starts of one owner never take more places than the cap. */
import assert from "node:assert/strict";
import { createPaperRepo, type PaperInstanceRecord } from "../../../domain/store/paper_repo.ts";
import { StrategySpecSchema } from "../../../domain/strategy/spec.ts";

const spec = StrategySpecSchema.parse({
  universe: { tickers: ["600519.SH"] },
  entry: "close > sma(close, 5)",
  exit: "close < sma(close, 5)",
  start: "2026-01-05",
  end: "2026-01-05",
});

/** A running instance record `id` of `userId`. */
const record = (id: string, userId: string): PaperInstanceRecord => ({
  id,
  user_id: userId,
  strategy_id: "strat_1",
  strategy_name: "S",
  version: 1,
  status: "running",
  is_public: false,
  spec,
  symbols: ["600519.SH"],
  exchanges: ["SSE"],
  start_date: "2026-01-05",
  started_at: 0,
  stopped_at: null,
  stop_reason: null,
  last_bar_date: null,
  bars_processed: 0,
  initial_capital: 100_000,
  equity: 100_000,
  cash: 100_000,
  holdings_value: 0,
  state: null,
  last_close: {},
  lot_sizes: { "600519.SH": 100 },
  trades_count: 0,
  last_seq: 0,
  error: null,
  updated_at: 0,
});

Deno.test("paper repo: starts racing for the last free place under the cap: exactly one is stored", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createPaperRepo(kv);
    const none = { events: [], trades: [] };
    assert.equal(await repo.create(record("pi_0", "u1"), none, 2), true);
    const raced = await Promise.all(
      Array.from({ length: 8 }, (_, i) => repo.create(record(`pi_${i + 1}`, "u1"), none, 2)),
    );
    assert.equal(raced.filter((ok) => ok).length, 1, JSON.stringify(raced));
    const stored = await Promise.all(Array.from({ length: 9 }, (_, i) => repo.get(`pi_${i}`)));
    assert.equal(stored.filter((e) => e !== null).length, 2);
    // Another owner is not held back by this one's starts.
    assert.equal(await repo.create(record("pi_x", "u2"), none, 2), true);
    // A stopped instance frees its place.
    const first = (await repo.get("pi_0"))!;
    assert.ok(await repo.commit(first.versionstamp, { ...first.record, status: "stopped" }, none));
    assert.equal(await repo.create(record("pi_y", "u1"), none, 2), true);
    assert.equal(await repo.create(record("pi_z", "u1"), none, 2), false);
  } finally {
    kv.close();
  }
});
