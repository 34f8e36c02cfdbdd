/**
 * Paper instances end to end (issue 16), in process on the synthetic market with an in-memory KV, the test
 * clock at 2026-05-14 09:00 CST:
 * - a start of a 50-symbol instance one year back (`startInstance`: checks, then every session since
 *   2025-05-14 processed and committed in batches under KV's limits);
 * - one stored daily advance of such an instance (`advanceInstance`: the runner through the new session, the
 *   log events, the record and the trade feed in one checked commit).
 * `benchmarks/paper_advance_bench.ts` times the runner alone.
 */
import { advanceInstance } from "../domain/paper/paper_advance.ts";
import { startInstance, stopInstance } from "../domain/paper/paper_instances.ts";
import { saveStrategy } from "../domain/strategy/library.ts";
import { StrategySpecSchema } from "../domain/strategy/spec.ts";
import { openTestWorld } from "../tests/_helpers/test_app.ts";
import { userRecord } from "../tests/_helpers/user_record.ts";

const w = await openTestWorld();
const userId = "u_bench";
await w.deps.auth.users.create(userRecord(userId, { tier: "licensed", email: "bench@example.com" }));
const tickers = (await w.deps.market.data.getUniverse("hs300")).slice(0, 50);
const { strategy } = await saveStrategy(w.deps.library, userId, {
  name: "Bench",
  prompt: null,
  spec: StrategySpecSchema.parse({
    universe: { tickers },
    entry: "crosses_above(sma(close, 3), sma(close, 8))",
    exit: "crosses_below(sma(close, 3), sma(close, 8))",
    sizing: { method: "percent_equity", percent: 4, max_positions: 25 },
    capital: 10_000_000,
  }),
});
// No start rate in a benchmark; no background: the start finishes its catch-up before answering.
const deps = { ...w.deps.paper, rate: undefined, background: undefined, startCatchUpMs: Infinity };
const start = (date: string) => startInstance(deps, userId, strategy.id, { version: 1, start_date: date });

Deno.bench({
  name: "paper start: 50 symbols, one year back (about 245 sessions, ~1,100 fills)",
  group: "paper instance",
  n: 3,
  warmup: 1,
  async fn() {
    const inst = await start("2025-05-14");
    if (inst.last_bar_date !== "2026-05-13" || inst.trades_count < 1000) {
      throw new Error(`caught up to ${inst.last_bar_date} with ${inst.trades_count} fills`);
    }
    // Stopped again, so the tier's cap on running instances (20) never ends the benchmark.
    await stopInstance(deps, userId, strategy.id, inst.id, { liquidate: false });
  },
});

// Instances a year in, one session behind (the clock stands a day earlier while they start).
const ready: string[] = [];
w.clock.set(Date.UTC(2026, 4, 13, 1));
// More than n + warmup: the bench runner may call fn a few more times than asked while it calibrates.
for (let i = 0; i < 12; i++) ready.push((await start("2025-05-14")).id);
w.clock.set(Date.UTC(2026, 4, 14, 1));

Deno.bench({
  name: "paper daily advance: 50 symbols a year in, one new session, stored",
  group: "paper instance",
  n: 6,
  warmup: 1,
  async fn() {
    const id = ready.pop();
    if (!id) throw new Error("no instance left");
    const a = await advanceInstance(deps, id, "2026-05-13");
    if (a.bars !== 1) throw new Error(`advanced ${a.bars} sessions`);
  },
});
