import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { buildMarketDeps } from "../../domain/market/market_deps.ts";
import { DEMO_SLUGS, replayDemo } from "../../scripts/demo_replay.ts";
import { verifyRecord } from "../../scripts/verify_record.ts";
import { openTestWorld } from "../_helpers/test_app.ts";

Deno.test("replayDemo() builds three demo records through the real code, and they verify", async () => {
  const w = await openTestWorld();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
  try {
    const now = Date.UTC(2026, 10, 20, 12, 0); // Friday 20:00 CST
    const market = buildMarketDeps(w.kv, fixedClock(now), {
      seed: w.config.marketSeed,
      cacheBytes: 64 << 20,
      yahoo: w.config.yahoo,
    });
    const report = await replayDemo(
      { ...w.deps.track, market: market.data, clock: w.clock },
      w.deps.auth.users,
      {
        days: 30,
        nowMs: now,
      },
    );
    assert.equal(report.created, true);
    assert.equal(report.last_day, "2026-11-20");
    assert.equal(report.settled_days, 90);
    for (const slug of DEMO_SLUGS) {
      const s = await w.deps.track.strategies.get(slug);
      assert.equal(s!.is_demo, true);
      const v = await verifyRecord(`http://127.0.0.1:${server.addr.port}`, slug);
      assert.equal(v.ok, true, slug);
      assert.equal(v.days.length, 30);
    }
    const claimed = await w.deps.track.claimed.get("demo-reversal");
    assert.equal(claimed!.records.length, 60);
    const again = await replayDemo(
      { ...w.deps.track, market: market.data, clock: w.clock },
      w.deps.auth.users,
      {
        days: 30,
        nowMs: now,
      },
    );
    assert.equal(again.created, false);
  } finally {
    await server.shutdown();
    await w.close();
  }
});
