import assert from "node:assert/strict";
import { getCalendar } from "../../../../domain/calendar/calendar.ts";
import { fixedClock } from "../../../../domain/clock.ts";
import { buildMarketServices } from "../../../../app/market_services.ts";
import {
  createDayBarCache,
  settleAll,
  settleStrategy,
} from "../../../../domain/track_record/settlement/settle.ts";
import { submitSignal } from "../../../../domain/track_record/signals/signals.ts";
import type { TrackRecordServices } from "../../../../domain/track_record/services.ts";
import { createTrackedStrategy } from "../../../../domain/track_record/signals/tracked_strategies.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../../../_helpers/test_app.ts";

const sse = getCalendar("SSE");
const [D1, D2, D3] = sse.tradingDaysBetween("2026-06-01", "2026-06-30");
const POOL = ["600519.SH", "000001.SZ", "600036.SH", "000858.SZ"];
const SLUGS = ["share-a", "share-b", "share-c", "share-d"];

Deno.test("createDayBarCache(): one load per key however many ask at once; a failed load is tried again", async () => {
  const cache = createDayBarCache();
  let loads = 0;
  const load = () => new Promise<number>((r) => setTimeout(() => r(++loads), 5));
  const got = await Promise.all([cache.get("a", load), cache.get("a", load), cache.get("a", load)]);
  assert.deepEqual(got, [1, 1, 1]);
  assert.equal(await cache.get("b", load), 2);
  let fails = 0;
  const failing = () => Promise.reject(new Error(`no ${++fails}`));
  await assert.rejects(cache.get("c", failing), /no 1/);
  await assert.rejects(cache.get("c", failing), /no 2/);
});

/** Four strategies holding overlapping names over three days, with market reads counted per symbol. */
async function world(): Promise<{ w: TestWorld; deps: TrackRecordServices; reads: Map<string, number> }> {
  const w = await openTestWorld();
  const owner = (await signInWithOtp(w, "cache@example.com")).user.id;
  const market = buildMarketServices(w.kv, fixedClock(sse.instantAt(D3, "20:00")), {
    seed: w.config.marketSeed,
    cacheBytes: w.config.marketCacheBytes,
  });
  const reads = new Map<string, number>();
  const data = {
    ...market.data,
    getBars: (symbol: string, start: string, end: string, ownerId?: string | null) => {
      reads.set(symbol, (reads.get(symbol) ?? 0) + 1);
      return market.data.getBars(symbol, start, end, ownerId);
    },
  };
  const deps: TrackRecordServices = { ...w.deps.track, market: data };
  w.clock.set(sse.instantAt(D1, "08:00"));
  for (const [i, slug] of SLUGS.entries()) {
    await createTrackedStrategy(deps, owner, 20, {
      name: slug,
      slug,
      universe: "hs300",
      execution_price: "open",
      holding_period: 2,
      initial_capital: 1_000_000 * (i + 1),
      commission_rate: 0.0003,
      slippage_rate: 0.002,
    });
    for (const [k, d] of [D1, D2].entries()) {
      w.clock.set(sse.instantAt(d, "08:00"));
      const signals = [0, 1, 2].map((j) => ({ symbol: POOL[(i + j + k) % POOL.length], weight: 0.3 }));
      await submitSignal(deps, owner, slug, { trade_date: d, signals });
    }
  }
  return { w, deps, reads };
}

/** Every settled day, in key order. */
async function settled(w: TestWorld): Promise<string> {
  const out: unknown[] = [];
  for await (const e of w.kv.list({ prefix: ["settled_days"] })) out.push([e.key, e.value]);
  return JSON.stringify(out);
}

Deno.test("settleAll() reads each symbol's bars once per day for all its strategies and writes what one-by-one settlement writes", async () => {
  const shared = await world();
  const single = await world();
  try {
    for (const x of [shared, single]) x.w.clock.set(sse.instantAt(D3, "18:15"));
    shared.reads.clear();
    const out = await settleAll(shared.deps, D3);
    assert.deepEqual(
      out.outcomes.map((o) => [o.slug, o.status, o.days]),
      SLUGS.map((s) => [s, "settled", [D1, D2, D3]]),
    );
    // Per day: the benchmark once, each name once as a plain day bar and, once held, once for its dividend.
    assert.equal(shared.reads.get("000300.SH"), 3);
    for (const s of POOL) assert.ok(shared.reads.get(s)! <= 6, `${s} read ${shared.reads.get(s)} times`);

    single.reads.clear();
    for (const slug of SLUGS) await settleStrategy(single.deps, slug, D3);
    assert.ok(single.reads.get("000300.SH")! === 12, "without sharing every strategy reads the benchmark");
    assert.equal(await settled(shared.w), await settled(single.w));
  } finally {
    await shared.w.close();
    await single.w.close();
  }
});
