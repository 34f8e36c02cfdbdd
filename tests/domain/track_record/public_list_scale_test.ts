/**
 * The public list with 1,000 strategies (779 listed): order (most trading days first, then slug), paging, the
 * universe filter, the total and every row's figures against what was stored; the summary rows (a second build
 * reads no settlement head; a change to one strategy re-reads only that one); and through HTTP, a real
 * settlement of one strategy among the thousand visible on the next read with a new ETag.
 */
import assert from "node:assert/strict";
import { openTestWorld, type TestWorld } from "../../_helpers/test_app.ts";
import { seededSlug, type SeededStrategies, seedPublicStrategies } from "../../_helpers/public_list_world.ts";
import { listPublicStrategies, type PublicStrategyRow } from "../../../domain/track_record/public_record.ts";
import type { TrackRecordServices } from "../../../domain/track_record/services.ts";
import { TRACKED_BENCHMARKS } from "../../../domain/track_record/signals/tracked_strategies.ts";
import { CHAIN_DAYS, chainDeps, chainStrategy, settleChainDays } from "./chain_world.ts";

const N = 1000;

/** The list's order of `slugs`, computed from what the seed stored. */
function expectedOrder(seed: SeededStrategies, slugs: readonly string[]): string[] {
  const days = (slug: string) => seed.settled.get(slug)?.trading_days ?? 0;
  return [...slugs].sort((a, b) => days(b) - days(a) || (a < b ? -1 : 1));
}

/** The row the list must answer for `slug`, from what the seed stored (nicknames: owner<o>, none when o % 5 = 4). */
function expectedRow(seed: SeededStrategies, slug: string): PublicStrategyRow {
  const s = seed.all.find((x) => x.slug === slug)!;
  const day = seed.settled.get(slug);
  const owner = Number(s.owner_id.slice("usr-owner-".length));
  return {
    slug,
    name: s.name,
    description: s.description,
    creator: owner % 5 === 4 ? null : `owner${owner}`,
    universe: s.universe,
    benchmark: TRACKED_BENCHMARKS[s.universe],
    holding_period: s.holding_period,
    execution_price: s.execution_price,
    status: s.status,
    is_demo: false,
    created_at: new Date(s.created_at).toISOString(),
    activated_at: s.activated_at === null ? null : new Date(s.activated_at).toISOString(),
    start_date: s.start_date,
    trading_days: day?.trading_days ?? 0,
    latest_date: day ? "2026-05-13" : null,
    nav: day?.nav ?? null,
    latest_nav: day?.nav ?? null,
    total_return: day ? day.nav / s.initial_capital - 1 : null,
    daily_return: day?.daily_return ?? null,
    has_claimed: seed.claimed.has(slug),
  };
}

/** The track services with the settlement heads read counted. */
function countingHeads(track: TrackRecordServices): { deps: TrackRecordServices; heads: () => number } {
  let n = 0;
  const settlements = {
    ...track.settlements,
    head: (slug: string) => {
      n++;
      return track.settlements.head(slug);
    },
  };
  return { deps: { ...track, settlements }, heads: () => n };
}

async function world(): Promise<{ w: TestWorld; seed: SeededStrategies }> {
  const w = await openTestWorld();
  const seed = await seedPublicStrategies(w.kv, w.deps.track, w.deps.auth.users, N);
  return { w, seed };
}

Deno.test("public list of 1,000 strategies: order, total, paging, universe filter and every row's figures", async () => {
  const { w, seed } = await world();
  try {
    assert.equal(seed.listed.length, 779);
    const order = expectedOrder(seed, seed.listed);
    const rows: PublicStrategyRow[] = [];
    for (let offset = 0; offset < 1000; offset += 200) {
      const page = await listPublicStrategies(w.deps.track, { limit: 200, offset });
      assert.equal(page.total, 779);
      assert.equal(page.offset, offset);
      assert.equal(page.limit, 200);
      assert.deepEqual(page.items, page.strategies);
      rows.push(...page.strategies);
    }
    assert.deepEqual(rows.map((r) => r.slug), order);
    assert.deepEqual(rows, order.map((slug) => expectedRow(seed, slug)));
    // Ties in trading days are ordered by slug; strategies with no settled day come last.
    assert.equal(rows.at(-1)!.trading_days, 0);
    assert.ok(rows.some((r, i) => i > 0 && rows[i - 1].trading_days === r.trading_days));

    const inCsi500 = seed.all.filter((s) => s.universe === "csi500").map((s) => s.slug);
    const csi500 = await listPublicStrategies(w.deps.track, { universe: "csi500", limit: 50, offset: 50 });
    const expected = expectedOrder(seed, seed.listed.filter((slug) => inCsi500.includes(slug)));
    assert.equal(csi500.total, expected.length);
    assert.deepEqual(csi500.strategies.map((r) => r.slug), expected.slice(50, 100));
    assert.ok(csi500.strategies.every((r) => r.universe === "csi500"));

    const beyond = await listPublicStrategies(w.deps.track, { limit: 10, offset: 5000 });
    assert.deepEqual(beyond, { strategies: [], items: [], total: 779, limit: 10, offset: 5000 });
  } finally {
    await w.close();
  }
});

Deno.test("public list summary rows: a second build reads no head; a change re-reads only the changed strategy", async () => {
  const { w, seed } = await world();
  try {
    const { deps, heads } = countingHeads(w.deps.track);
    const first = await listPublicStrategies(deps, { limit: 50, offset: 0 });
    assert.equal(heads(), 779, "the first build reads every listed strategy's head once");
    const again = await listPublicStrategies(deps, { limit: 50, offset: 0 });
    assert.equal(heads(), 779, "the second build reads none");
    assert.deepEqual(again, first);

    // A claimed history uploaded for one strategy (its repository bumps the strategy's scope).
    const slug = seededSlug(4);
    assert.equal(seed.claimed.has(slug), false);
    await w.deps.track.claimed.put({
      strategy_slug: slug,
      records: [{ date: "2026-01-05", nav: 1 }],
      uploaded_at: 1_700_000_000_000,
    });
    const all = await listPublicStrategies(deps, { limit: 200, offset: 0 });
    assert.equal(heads(), 780, "only the changed strategy is read again");
    const rowsAfter = [...all.strategies];
    for (let offset = 200; offset < 779; offset += 200) {
      rowsAfter.push(...(await listPublicStrategies(deps, { limit: 200, offset })).strategies);
    }
    assert.equal(rowsAfter.find((r) => r.slug === slug)!.has_claimed, true);
    assert.equal(heads(), 780);

    // Made private: it leaves the list (no head read); an owner's nickname change shows on their rows.
    await w.deps.track.strategies.update(seededSlug(0), (s) => ({ ...s, is_public: false }));
    await w.deps.auth.users.update("usr-owner-1", (u) => ({ ...u, nickname: "renamed1", updated_at: 1 }));
    const after = await listPublicStrategies(deps, { limit: 200, offset: 0 });
    assert.equal(after.total, 778);
    assert.ok(!after.strategies.some((r) => r.slug === seededSlug(0)));
    const owned = after.strategies.filter((r) =>
      seed.all.find((s) => s.slug === r.slug)!.owner_id === "usr-owner-1"
    );
    assert.ok(owned.length > 0);
    assert.ok(owned.every((r) => r.creator === "renamed1"));
    assert.equal(heads(), 780);
  } finally {
    await w.close();
  }
});

Deno.test("public list over HTTP with 1,000 strategies: a real settlement among them is on the next read", async () => {
  const { w, seed } = await world();
  try {
    const deps = chainDeps(w);
    await chainStrategy(deps, "chain-listed");
    const read = async (etag?: string) => {
      const res = await w.request("GET", "/api/v1/public/strategies?universe=hs300&limit=200", {
        headers: etag ? { "If-None-Match": etag } : {},
      });
      return { res, body: res.status === 200 ? await res.json() : null };
    };
    const before = await read();
    assert.equal(before.res.status, 200);
    const hs300 = seed.listed.filter((slug) => seed.all.find((s) => s.slug === slug)!.universe === "hs300");
    assert.equal(before.body.total, hs300.length, "pending: not listed yet");
    const etag = before.res.headers.get("ETag")!;
    assert.equal((await read(etag)).res.status, 304);

    await settleChainDays(w, deps, "chain-listed", [0]);
    const after = await read(etag);
    assert.equal(after.res.status, 200, "the old ETag is not current any more");
    assert.notEqual(after.res.headers.get("ETag"), etag);
    assert.equal(after.body.total, hs300.length + 1);
    const row = (after.body.strategies as PublicStrategyRow[]).find((r) => r.slug === "chain-listed");
    const head = await w.deps.track.settlements.head("chain-listed");
    assert.ok(row && head);
    assert.equal(row.trading_days, 1);
    assert.equal(row.latest_date, CHAIN_DAYS[0]);
    assert.equal(row.nav, head.nav);
    assert.equal(row.status, "active");
  } finally {
    await w.close();
  }
});
