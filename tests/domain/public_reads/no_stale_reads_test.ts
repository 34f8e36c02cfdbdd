/**
 * No public answer is ever stale: over a replayed demo (public demo strategies, the demo log) and a user's public
 * strategy (the production log) with a loopback witness, every public record and log route is read through the
 * cached app, the data is changed through the real operation (signal submit, replace and withdraw, the log
 * append, settlement, a status change, a visibility change, claimed upload, replace and delete, a nickname
 * change, a witness cosignature, the demo reset), and every route is read again with the ETag it answered:
 * - every answer equals, byte for byte, what an app without a cache answers now (a 304 only when that answer
 *   is the one the client holds);
 * - every route the operation changes answers 200 (not 304) with a new ETag and the new answer.
 */
import assert from "node:assert/strict";
import { buildMarketServices } from "../../../app/market_services.ts";
import { updateProfile } from "../../../domain/auth/accounts.ts";
import { newUserRecord } from "../../../domain/auth/user_view.ts";
import { cosignHead } from "../../../domain/attestation/witness_collector.ts";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { fixedClock } from "../../../domain/clock.ts";
import { createSyntheticMarket } from "../../../domain/market/synthetic/generator.ts";
import { createResponseCache } from "../../../domain/public_reads/response_cache.ts";
import { createDemoResetRepo } from "../../../domain/store/demo_reset_repo.ts";
import { createSettingsRepo } from "../../../domain/store/settings_repo.ts";
import { deleteClaimedHistory, putClaimedHistory } from "../../../domain/track_record/claimed_history.ts";
import { settleStrategy } from "../../../domain/track_record/settlement/settle.ts";
import { attestPending } from "../../../domain/track_record/signals/attest_pending.ts";
import { submitSignal, withdrawSignal } from "../../../domain/track_record/signals/signals.ts";
import {
  createTrackedStrategy,
  patchTracked,
} from "../../../domain/track_record/signals/tracked_strategies.ts";
import { createApp } from "../../../routes/app.ts";
import { replayDemo, resetDemo } from "../../../scripts/demo_replay.ts";
import { openTestWorld } from "../../_helpers/test_app.ts";
import { startWitnessStandIn } from "../../_helpers/witness_standin.ts";

const sse = getCalendar("SSE");
const NOW = Date.UTC(2026, 10, 20, 12, 0); // Friday 2026-11-20 20:00 Asia/Shanghai
const DAY = sse.latestCompletedTradingDay(NOW); // 2026-11-20
const DEMO = "demo-reversal";
const MINE = "fresh-one";
const P = "/api/v1/public";

/** One read of a route: status, ETag and body. */
interface Seen {
  status: number;
  etag: string | null;
  body: string;
}

/** The public routes read after every step (proof routes for every signal hash logged so far). */
function routes(hashes: { hash: string; log: "production" | "demo" }[], firstDemoDay: string): string[] {
  const out = [
    `${P}/strategies`,
    `${P}/strategies?universe=hs300`,
    `${P}/strategies?limit=1&offset=1`,
  ];
  for (const slug of [DEMO, MINE]) {
    for (
      const tail of ["track-record", "performance", "verify", "audit", "audit?limit=2&offset=1", "claimed"]
    ) {
      out.push(`${P}/strategies/${slug}/${tail}`);
    }
  }
  out.push(`${P}/strategies/${DEMO}/verify?date=${firstDemoDay}`);
  out.push(`${P}/strategies/${MINE}/verify?date=${DAY}`);
  for (const log of ["production", "demo"]) {
    out.push(`${P}/log/checkpoint?log=${log}`);
    out.push(`${P}/log/checkpoints?log=${log}`);
    out.push(`${P}/log/checkpoints?log=${log}&from_size=2&limit=1`);
    out.push(`${P}/log/witnesses?log=${log}`);
    for (let second = 1; second <= 4; second++) {
      out.push(`${P}/log/consistency?log=${log}&first=1&second=${second}`);
    }
  }
  for (const { hash, log } of hashes) {
    out.push(`${P}/log/proof/${hash}?log=${log}`);
    out.push(`${P}/log/proof/${hash}?log=${log}&tree_size=1`);
  }
  return out;
}

Deno.test("no stale public answer: every public route after every real change equals an uncached answer", async () => {
  const keys: Record<string, string> = {};
  const witness = await startWitnessStandIn({ logs: keys, name: "gamma" });
  const w = await openTestWorld({ WITNESS_URLS: witness.url });
  try {
    const track = w.deps.track;
    keys[track.tlog.origin] = (await track.tlog.publicKey()).public_key;
    keys[track.demoTlog.origin] = (await track.demoTlog.publicKey()).public_key;
    const market = buildMarketServices(w.kv, fixedClock(NOW), {
      seed: w.config.marketSeed,
      cacheBytes: 64 << 20,
      yahoo: w.config.yahoo,
    });
    const deps = { ...track, market: market.data, clock: w.clock };
    await replayDemo(deps, w.deps.auth.users, createSettingsRepo(w.kv), { days: 3, nowMs: NOW });
    const firstDemoDay = (await track.settlements.navSeries(DEMO))[0].date;
    const hashes: { hash: string; log: "production" | "demo" }[] = [];
    for (const s of await track.signals.listAll(DEMO)) hashes.push({ hash: s.signal_hash, log: "demo" });

    // The same services without a cache: what each route answers now, built afresh.
    const uncached = createApp({
      ...w.deps,
      publicReads: { ...w.deps.publicReads, cache: createResponseCache({ maxEntries: 0 }) },
    });
    const read = async (app: { request: typeof w.app.request }, path: string, etag?: string | null) => {
      const res = await app.request(path, { headers: etag ? { "if-none-match": etag } : {} });
      return { status: res.status, etag: res.headers.get("etag"), body: await res.text() };
    };
    let seen = new Map<string, Seen>();
    const snapshot = async () => {
      seen = new Map();
      for (const path of routes(hashes, firstDemoDay)) seen.set(path, await read(w.app, path));
    };
    /** Runs `op`, then checks every route; `changes` must each answer anew. */
    const step = async (name: string, changes: string[], op: () => Promise<unknown>) => {
      await snapshot();
      await op();
      for (const path of changes) assert.ok(seen.has(path), `${name}: ${path} is not a route read`);
      for (const [path, before] of seen) {
        const now = await read(w.app, path, before.status === 200 ? before.etag : null);
        const fresh = await read(uncached, path);
        const same = (a: string, b: string) => a === b;
        if (now.status === 304) {
          assert.ok(same(fresh.body, before.body), `${name}: ${path} answered 304 but its answer changed`);
          assert.equal(fresh.status, before.status, `${name}: ${path}`);
        } else {
          assert.equal(now.status, fresh.status, `${name}: ${path} status`);
          assert.ok(same(now.body, fresh.body), `${name}: ${path} is stale:\n${now.body}\n${fresh.body}`);
        }
        if (changes.includes(path)) {
          assert.notEqual(now.status, 304, `${name}: ${path} answered 304 to its old ETag`);
          assert.ok(
            now.status !== before.status || now.body !== before.body,
            `${name}: ${path} was expected to change`,
          );
          if (now.status === 200 && before.status === 200) assert.notEqual(now.etag, before.etag);
        }
      }
    };
    const mine = (tail: string) => `${P}/strategies/${MINE}/${tail}`;
    const demo = (tail: string) => `${P}/strategies/${DEMO}/${tail}`;
    const list = `${P}/strategies`;
    const hs300 = `${P}/strategies?universe=hs300`;

    // A user's strategy (created pending: not listed yet).
    w.clock.set(sse.instantAt(DAY, "08:00"));
    const user = newUserRecord(
      { id: "usr_fresh", email: "fresh@example.com", nickname: "fresh", tier: "licensed" },
      w.clock.now(),
    );
    await w.deps.auth.users.create(user);
    await step(
      "strategy created",
      [mine("track-record"), mine("audit")],
      () =>
        createTrackedStrategy(deps, user.id, 20, {
          name: "Fresh",
          slug: MINE,
          universe: "hs300",
          execution_price: "open",
          holding_period: 20,
          initial_capital: 1_000_000,
          commission_rate: 0.0003,
          slippage_rate: 0.002,
        }),
    );
    const stocks = createSyntheticMarket({ seed: w.config.marketSeed }).universe("hs300")
      .filter((s) => /^\d{6}\.SH$/.test(s)).sort().slice(0, 3);
    const signal = (weights: number[]) => ({
      trade_date: DAY,
      signals: weights.map((weight, i) => ({ symbol: stocks[i], weight })),
    });

    // Witness pushes fail for now (the witness state records the error); its cosignature comes later.
    witness.failWith = 503;
    w.clock.set(sse.instantAt(DAY, "09:00"));
    await step(
      "signal submitted (activates)",
      [list, hs300, mine("audit"), mine("track-record")],
      () => submitSignal(deps, user.id, MINE, signal([0.5, 0.3])),
    );
    const logged = `${P}/log/checkpoint?log=production`;
    await step("log append", [
      logged,
      `${P}/log/checkpoints?log=production`,
      `${P}/log/witnesses?log=production`,
    ], () => attestPending(deps));
    hashes.push({ hash: (await track.signals.get(MINE, DAY))!.signal_hash, log: "production" });
    w.clock.set(sse.instantAt(DAY, "09:05"));
    await step(
      "signal replaced",
      [mine("audit")],
      () => submitSignal(deps, user.id, MINE, signal([0.4, 0.4])),
    );
    await step(
      "replacement logged",
      [logged, `${P}/log/consistency?log=production&first=1&second=2`],
      () => attestPending(deps),
    );
    hashes.push({ hash: (await track.signals.get(MINE, DAY))!.signal_hash, log: "production" });
    w.clock.set(sse.instantAt(DAY, "09:08"));
    await step("signal withdrawn", [mine("audit")], () => withdrawSignal(deps, user.id, MINE, DAY));
    w.clock.set(sse.instantAt(DAY, "09:10"));
    await step(
      "signal submitted again",
      [mine("audit")],
      () => submitSignal(deps, user.id, MINE, signal([0.6, 0.2, 0.1])),
    );
    await step(
      "logged again",
      [logged, `${P}/log/consistency?log=production&first=1&second=3`],
      () => attestPending(deps),
    );
    hashes.push({ hash: (await track.signals.get(MINE, DAY))!.signal_hash, log: "production" });

    w.clock.set(sse.instantAt(DAY, "18:15"));
    await step(
      "settlement",
      [
        list,
        hs300,
        mine("track-record"),
        mine("performance"),
        mine("verify"),
        mine(`verify?date=${DAY}`),
        mine("audit"),
      ],
      async () => {
        const out = await settleStrategy(deps, MINE, DAY);
        assert.equal(out.status, "settled", JSON.stringify(out));
        await attestPending(deps); // the day record's hash to the log
      },
    );

    witness.failWith = null;
    await step(
      "witness cosignature",
      [logged, `${P}/log/witnesses?log=production`, mine("verify")],
      async () => {
        const summary = await cosignHead(track, track.tlog);
        assert.equal(summary.cosigned, 1);
      },
    );

    w.clock.set(sse.instantAt(DAY, "20:00"));
    await step(
      "status change",
      [list, hs300, mine("audit")],
      () => patchTracked(deps, user.id, MINE, { status: "paused" }),
    );
    await step("made private", [
      list,
      hs300,
      mine("track-record"),
      mine("performance"),
      mine("verify"),
      mine("audit"),
    ], () => patchTracked(deps, user.id, MINE, { is_public: false }));
    await step(
      "made public again",
      [list, hs300, mine("track-record"), mine("verify"), mine("audit")],
      () => patchTracked(deps, user.id, MINE, { is_public: true }),
    );

    const claimed = (n: number) =>
      sse.tradingDaysBetween("2026-09-01", DAY).map((date, i) => ({ date, nav: 1 + (i * n) / 1000 }));
    await step(
      "claimed uploaded",
      [list, hs300, mine("track-record"), mine("claimed"), mine("audit")],
      () => putClaimedHistory(deps, user.id, MINE, claimed(1)),
    );
    await step(
      "claimed replaced",
      [mine("track-record"), mine("claimed"), mine("audit")],
      () => putClaimedHistory(deps, user.id, MINE, claimed(2)),
    );
    await step(
      "claimed deleted",
      [list, hs300, mine("track-record"), mine("claimed"), mine("audit")],
      () => deleteClaimedHistory(deps, user.id, MINE),
    );

    await step(
      "nickname changed",
      [list, hs300],
      () => updateProfile(w.deps.auth, user.id, { nickname: "renamed" }, "10.0.0.9"),
    );

    await step(
      "demo reset",
      [list, demo("track-record"), demo("verify"), demo("audit"), `${P}/log/checkpoint?log=demo`],
      () => resetDemo(deps, createDemoResetRepo(w.kv)),
    );
    const stats = w.deps.publicReads.cache.stats();
    assert.ok(stats.hits > 0, "the cached app served hits between the changes");
  } finally {
    await w.close();
    await witness.close();
  }
});
