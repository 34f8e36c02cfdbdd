/**
 * The step after a settlement commit: a real settlement (signal submission and settlement code) materialises
 * the strategy's track record, performance, latest verify (and under its date), first audit page, claimed history
 * and the list's
 * first pages at their current tokens, byte-identical to a fresh build; the routes find them under the same keys
 * (a second app on the same KV answers the materialised copy without building); a private strategy's answers are
 * not materialised.
 */
import assert from "node:assert/strict";
import { openTestWorld, type TestWorld } from "../../_helpers/test_app.ts";
import { createApp } from "../../../routes/app.ts";
import { buildServices } from "../../../app/services.ts";
import { currentToken } from "../../../domain/public_reads/answer_layers.ts";
import {
  auditAnswer,
  claimedAnswer,
  LIST_PAGE_SIZE,
  listAnswer,
  performanceAnswer,
  type PublicAnswer,
  trackRecordAnswer,
  verifyAnswer,
} from "../../../domain/public_reads/public_answers.ts";
import { CHAIN_DAYS, chainDeps, chainStrategy, settleChainDays } from "../track_record/chain_world.ts";

/** Another app (own in-process caches) on the world's KV, as a second isolate would be. */
async function secondApp(w: TestWorld) {
  const deps = await buildServices({
    config: w.config,
    kv: w.kv,
    clock: w.clock,
    mailer: w.mailer,
    log: () => {},
    queue: { listening: () => true, enqueueHeartbeat: () => Promise.resolve() },
  });
  return createApp(deps);
}

Deno.test("after a settlement its public answers are materialised at their tokens and the routes serve them", async () => {
  const w = await openTestWorld();
  try {
    const deps = chainDeps(w);
    await chainStrategy(deps, "warm-pub");
    await chainStrategy(deps, "warm-private");
    await w.deps.track.strategies.update("warm-private", (s) => ({ ...s, is_public: false }));
    await w.deps.track.claimed.put({
      strategy_slug: "warm-pub",
      records: CHAIN_DAYS.slice(0, 2).map((date, i) => ({ date, nav: 1 + i / 100 })),
      uploaded_at: w.clock.now(),
    });
    await settleChainDays(w, deps, "warm-pub", [0, 1]);
    await settleChainDays(w, deps, "warm-private", [0]);
    await w.deps.track.background.drain();

    const track = w.deps.track;
    const stores = w.deps.publicReads;
    const expected: PublicAnswer[] = [
      trackRecordAnswer(track, "warm-pub"),
      performanceAnswer(track, "warm-pub"),
      verifyAnswer(track, "warm-pub"),
      verifyAnswer(track, "warm-pub", CHAIN_DAYS[1]),
      auditAnswer(track, "warm-pub", LIST_PAGE_SIZE, 0),
      claimedAnswer(track, "warm-pub"),
      listAnswer(track, { limit: LIST_PAGE_SIZE, offset: 0 }),
      listAnswer(track, { universe: "hs300", limit: LIST_PAGE_SIZE, offset: 0 }),
    ];
    for (const a of expected) {
      const held = await stores.materialized!.get(a.key, await currentToken(stores, a.scopes));
      assert.ok(held, `${a.key} is materialised at its current token`);
      assert.equal(new TextDecoder().decode(held), JSON.stringify(await a.build()), a.key);
    }
    const list = JSON.parse(JSON.stringify(await expected[6].build()));
    assert.deepEqual(list.strategies.map((r: { slug: string }) => r.slug), ["warm-pub"]);
    assert.equal(list.strategies[0].trading_days, 2);

    for (const a of [trackRecordAnswer(track, "warm-private"), verifyAnswer(track, "warm-private")]) {
      assert.equal(await stores.materialized!.get(a.key, await currentToken(stores, a.scopes)), null, a.key);
    }

    // The route answers exactly the materialised bytes, and a second app reads them without building: a marker
    // put in place of the materialised answer is what it serves.
    const path = "/api/v1/public/strategies/warm-pub/track-record";
    const here = await w.request("GET", path);
    assert.equal(here.status, 200);
    const a = expected[0];
    const token = await currentToken(stores, a.scopes);
    assert.equal(
      await here.text(),
      new TextDecoder().decode((await stores.materialized!.get(a.key, token))!),
    );
    await stores.materialized!.put(a.key, token, new TextEncoder().encode('{"materialised":true}'));
    const other = await secondApp(w);
    const there = await other.request(path);
    assert.equal(there.status, 200);
    assert.equal(there.headers.get("ETag"), `"${token}"`);
    assert.equal(await there.text(), '{"materialised":true}');
  } finally {
    await w.close();
  }
});
