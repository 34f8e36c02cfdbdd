/**
 * Two apps on one KV file (two `buildServices`, two KV handles on the same path, as two processes or isolates
 * sharing a store): a write through one is visible on the very next read through the other (each read checks its
 * scopes' versions), and the other's stream bridge, hearing the `public_reads` marker, drops the changed scopes'
 * cached answers and keeps the rest.
 */
import assert from "node:assert/strict";
import { buildMarketServices } from "../../../app/market_services.ts";
import { buildServices, type Services } from "../../../app/services.ts";
import { newUserRecord } from "../../../domain/auth/user_view.ts";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { fixedClock } from "../../../domain/clock.ts";
import { parseConfig } from "../../../domain/config.ts";
import { createSyntheticMarket } from "../../../domain/market/synthetic/generator.ts";
import { createResponseCache } from "../../../domain/public_reads/response_cache.ts";
import { settleStrategy } from "../../../domain/track_record/settlement/settle.ts";
import { attestPending } from "../../../domain/track_record/signals/attest_pending.ts";
import { submitSignal } from "../../../domain/track_record/signals/signals.ts";
import {
  createTrackedStrategy,
  patchTracked,
} from "../../../domain/track_record/signals/tracked_strategies.ts";
import { startStreamBridge } from "../../../jobs/stream_bridge.ts";
import { createApp } from "../../../routes/app.ts";
import { captureMailer } from "../../_helpers/test_app.ts";

const sse = getCalendar("SSE");
const NOW = Date.UTC(2026, 10, 20, 12, 0);
const DAY = sse.latestCompletedTradingDay(NOW);
const SLUG = "shared-one";
const P = "/api/v1/public";

async function openApp(path: string, clock: ReturnType<typeof fixedClock>) {
  const kv = await Deno.openKv(path);
  const config = parseConfig({
    DENO_ENV: "test",
    KV_PATH: path,
    JWT_SECRET: "shared-kv-secret-shared-kv-secret-0123456789",
    LOG_REQUESTS: "false",
  });
  const services: Services = await buildServices({
    config,
    kv,
    clock,
    mailer: captureMailer(),
    log: () => {},
    queue: { listening: () => true, enqueueHeartbeat: () => Promise.resolve() },
  });
  const app = createApp(services);
  const uncached = createApp({
    ...services,
    publicReads: { ...services.publicReads, cache: createResponseCache({ maxEntries: 0 }) },
  });
  return { kv, services, app, uncached, config };
}

async function read(
  app: { request: (p: string, i?: RequestInit) => Response | Promise<Response> },
  path: string,
  etag?: string,
) {
  const res = await app.request(path, { headers: etag ? { "if-none-match": etag } : {} });
  return {
    status: res.status,
    etag: res.headers.get("etag") ?? "",
    cache: res.headers.get("x-cache"),
    body: await res.text(),
  };
}

Deno.test("two apps on one KV file: a write through one is fresh on the next read through the other; the bridge evicts", async () => {
  await Deno.mkdir(".tmp", { recursive: true });
  const dir = await Deno.makeTempDir({ dir: ".tmp", prefix: "shared-kv-" });
  const path = `${dir}/kv.sqlite3`;
  const clock = fixedClock(sse.instantAt(DAY, "08:00"));
  const a = await openApp(path, clock);
  const b = await openApp(path, clock);
  const bridge = startStreamBridge(
    {
      streams: b.services.streams,
      jobs: b.services.backtests.jobs,
      publicCache: b.services.publicReads.cache,
    },
    b.services.hub,
    () => clock.now(),
    { pollMs: 25 },
  );
  try {
    await bridge.ready;
    const market = buildMarketServices(a.kv, fixedClock(NOW), {
      seed: a.config.marketSeed,
      cacheBytes: 64 << 20,
      yahoo: a.config.yahoo,
    });
    const deps = { ...a.services.track, market: market.data, clock };
    const user = newUserRecord(
      { id: "usr_shared", email: "shared@example.com", nickname: "sharer" },
      clock.now(),
    );
    await a.services.auth.users.create(user);
    await createTrackedStrategy(deps, user.id, 5, {
      name: "Shared",
      slug: SLUG,
      universe: "hs300",
      execution_price: "open",
      holding_period: 20,
      initial_capital: 1_000_000,
      commission_rate: 0.0003,
      slippage_rate: 0.002,
    });

    const list = `${P}/strategies`;
    const record = `${P}/strategies/${SLUG}/track-record`;
    const audit = `${P}/strategies/${SLUG}/audit`;
    const logHead = `${P}/log/checkpoint?log=production`;
    /** Reads `path` through B (with its old ETag), checks it against B's uncached answer, returns it. */
    const fresh = async (path: string, old?: { etag: string; body: string }) => {
      const now = await read(b.app, path, old?.etag);
      const truth = await read(b.uncached, path);
      assert.equal(now.status, truth.status, path);
      assert.equal(now.body, truth.body, `${path} is stale through the other app`);
      if (old) {
        assert.notEqual(now.body, old.body, `${path} should have changed`);
        assert.notEqual(now.etag, old.etag);
      }
      return now;
    };

    // B caches the list, the record and the audit; the empty log's head (signed when asked) is never kept.
    let seenList = await fresh(list);
    assert.equal(JSON.parse(seenList.body).total, 0, "a pending strategy is not listed");
    let seenRecord = await fresh(record);
    let seenAudit = await fresh(audit);
    await fresh(logHead);
    assert.equal((await read(b.app, record)).cache, "hit");
    assert.equal(b.services.publicReads.cache.stats().entries, 3);

    // A submits the first signal (activation): B's next reads show it.
    clock.set(sse.instantAt(DAY, "09:00"));
    const stocks = createSyntheticMarket({ seed: a.config.marketSeed }).universe("hs300")
      .filter((s) => /^\d{6}\.SH$/.test(s)).sort().slice(0, 2);
    await submitSignal(deps, user.id, SLUG, {
      trade_date: DAY,
      signals: [{ symbol: stocks[0], weight: 0.5 }, { symbol: stocks[1], weight: 0.4 }],
    });
    await attestPending(deps);
    seenList = await fresh(list, seenList);
    assert.equal(JSON.parse(seenList.body).strategies[0].slug, SLUG);
    seenAudit = await fresh(audit, seenAudit);

    // A settles the day: B's next read of the record holds it.
    clock.set(sse.instantAt(DAY, "18:15"));
    assert.equal((await settleStrategy(deps, SLUG, DAY)).status, "settled");
    seenRecord = await fresh(record, seenRecord);
    assert.deepEqual(JSON.parse(seenRecord.body).records.map((r: { date: string }) => r.date), [DAY]);
    seenList = await fresh(list, seenList);
    assert.equal(JSON.parse(seenList.body).strategies[0].trading_days, 1);
    seenAudit = await fresh(audit, seenAudit);

    // The marker eviction: B's bridge drops the strategy's and the list's entries on A's status change, and
    // keeps the log's (its head, no longer empty, is kept now).
    await fresh(logHead);
    const cache = b.services.publicReads.cache;
    assert.equal(cache.stats().entries, 4);
    const evictedBefore = cache.stats().evictions;
    await patchTracked(deps, user.id, SLUG, { status: "paused" });
    const deadline = Date.now() + 5_000;
    while (cache.stats().entries > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(cache.stats().entries, 1, "the strategy's and the list's answers were dropped");
    assert.equal(cache.stats().evictions - evictedBefore, 3);
    assert.equal((await read(b.app, logHead)).cache, "hit");
    const afterList = await fresh(list, seenList);
    assert.equal(JSON.parse(afterList.body).strategies[0].status, "paused");
    await fresh(audit, seenAudit);
  } finally {
    bridge.stop();
    await a.services.track.background.drain();
    await b.services.track.background.drain();
    a.kv.close();
    b.kv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
