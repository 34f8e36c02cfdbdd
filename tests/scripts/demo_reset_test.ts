/**
 * The demo writes only to its own log; a KV holding a demo record of an earlier version (its signals in the
 * production log) is detected and not re-verified, and `resetDemo` deletes only the demo's data and log.
 */
import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { buildMarketServices } from "../../app/market_services.ts";
import { keys } from "../../domain/store/keys.ts";
import { createDemoResetRepo } from "../../domain/store/demo_reset_repo.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import { createTrackedStrategy } from "../../domain/track_record/signals/tracked_strategies.ts";
import type { TrackRecordServices } from "../../domain/track_record/services.ts";
import {
  DEMO_PLAN_SETTING,
  DEMO_SLUGS,
  legacyDemoSignal,
  replayDemo,
  resetDemo,
} from "../../scripts/demo_replay.ts";
import { verifyRecord } from "../../scripts/verify_record.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

const NOW = Date.UTC(2026, 10, 20, 12, 0); // Friday 20:00 CST
const DAYS = 3;

function replay(w: TestWorld, track: (t: TrackRecordServices) => TrackRecordServices = (t) => t) {
  const market = buildMarketServices(w.kv, fixedClock(NOW), {
    seed: w.config.marketSeed,
    cacheBytes: 64 << 20,
    yahoo: w.config.yahoo,
  });
  return replayDemo(
    { ...track({ ...w.deps.track, market: market.data }), clock: w.clock },
    w.deps.auth.users,
    createSettingsRepo(w.kv),
    { days: DAYS, nowMs: NOW },
  );
}

Deno.test("a fresh demo replay logs only to the demo log and is not reported as legacy", async () => {
  const w = await openTestWorld();
  try {
    await replay(w);
    const track = w.deps.track;
    assert.equal(
      (await track.tlog.checkpoint()).tree_size,
      0,
      "the production log never receives a demo leaf",
    );
    assert.ok((await track.demoTlog.checkpoint()).tree_size >= DAYS);
    assert.equal(await legacyDemoSignal(track), null);
  } finally {
    await w.close();
  }
});

Deno.test("an earlier version's demo record is detected; the reset deletes only the demo's data and log", async () => {
  const w = await openTestWorld();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    const track = w.deps.track;
    // Another (non-demo) strategy whose data must survive the reset.
    await createTrackedStrategy(track, "usr_other", 10, {
      name: "Kept",
      slug: "kept-strategy",
      universe: "hs300",
      execution_price: "open",
      holding_period: 10,
      initial_capital: 1_000_000,
      commission_rate: 0.0003,
      slippage_rate: 0.002,
    });
    // As an earlier version did: the demo's signals appended to the production log.
    await replay(w, (t) => ({ ...t, demoTlog: t.tlog }));
    const productionSize = (await track.tlog.checkpoint()).tree_size;
    assert.ok(productionSize >= DAYS);
    const legacy = await legacyDemoSignal(track);
    assert.ok(legacy, "detected");
    assert.ok(DEMO_SLUGS.includes(legacy.slug as (typeof DEMO_SLUGS)[number]));
    const demoHashes = (await track.signals.listAll(legacy.slug)).map((s) => s.signal_hash);

    const { slugs, deleted } = await resetDemo(track, createDemoResetRepo(w.kv));
    assert.deepEqual([...slugs].sort(), [...DEMO_SLUGS].sort());
    assert.ok(deleted > 0);
    for (const slug of DEMO_SLUGS) {
      assert.equal(await track.strategies.get(slug), null, slug);
      assert.deepEqual(await track.signals.listAll(slug), []);
      assert.equal(await track.settlements.head(slug), null);
    }
    for (const h of demoHashes) assert.equal(await track.signals.byHash(h), null);
    assert.equal((await w.kv.get(keys.setting(DEMO_PLAN_SETTING))).value, null, "the replay plan is gone");
    assert.ok(await track.strategies.get("kept-strategy"), "another strategy is untouched");
    assert.equal(
      (await track.tlog.checkpoint()).tree_size,
      productionSize,
      "the production log is untouched",
    );
    assert.equal((await track.demoTlog.checkpoint()).tree_size, 0);
    assert.equal(await legacyDemoSignal(track), null);

    // The demo replays into its own log and verifies.
    await replay(w);
    assert.equal(await legacyDemoSignal(track), null);
    assert.ok((await track.demoTlog.checkpoint()).tree_size >= DAYS);
    w.clock.set(NOW);
    for (const slug of DEMO_SLUGS) {
      const v = await verifyRecord(base, slug);
      assert.equal(
        v.ok,
        true,
        `${slug}: ${v.failures.join("; ")} ${JSON.stringify(v.days.map((d) => d.failures))}`,
      );
    }
  } finally {
    await server.shutdown();
    await w.close();
  }
});
