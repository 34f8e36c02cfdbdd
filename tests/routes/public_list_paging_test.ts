/**
 * The public list's pages are slices of one sorted list held per universe at the list's version: any offset or
 * limit reads the list's range reads at most once per version, every page equals the uncached build, and an
 * offset past the end answers the empty page without keeping an entry per offset.
 */
import assert from "node:assert/strict";
import { listPublicStrategies } from "../../domain/track_record/public_record.ts";
import { LIST_SCOPE } from "../../domain/public_reads/scopes.ts";
import { seedPublicStrategies } from "../_helpers/public_list_world.ts";
import { openTestWorld } from "../_helpers/test_app.ts";

Deno.test("list pages: one list build per version for any offset; past the end nothing is kept", async () => {
  const w = await openTestWorld();
  try {
    const seeded = await seedPublicStrategies(w.kv, w.deps.track, w.deps.auth.users, 120);
    const total = seeded.listed.length;
    const strategies = w.deps.track.strategies;
    let listReads = 0;
    w.deps.track.strategies = {
      ...strategies,
      listAll: () => {
        listReads++;
        return strategies.listAll();
      },
    };
    const page = async (query: string) => {
      const res = await w.app.request(`/api/v1/public/strategies?${query}`);
      assert.equal(res.status, 200, query);
      return await res.json();
    };
    const first = await page("limit=50");
    assert.equal(first.total, total);
    const reads = listReads;
    const queries = [
      "limit=50&offset=50",
      "limit=7&offset=13",
      "limit=200&offset=1",
      "universe=hs300&offset=3",
    ];
    for (const query of queries) {
      const params = new URLSearchParams(query);
      const filter = {
        ...(params.get("universe") ? { universe: params.get("universe") as "hs300" } : {}),
        limit: Number(params.get("limit") ?? 50),
        offset: Number(params.get("offset") ?? 0),
      };
      const expected = await listPublicStrategies(w.deps.track, filter);
      listReads--; // the reference build's own read
      assert.deepEqual(await page(query), JSON.parse(JSON.stringify(expected)), query);
    }
    assert.equal(listReads, reads + 1, "one more list read: the hs300 filter's own listing");

    // Offsets past the end: the empty page, no list read, no new cache entry.
    const entries = w.deps.publicReads.cache.stats().entries;
    for (let i = 0; i < 50; i++) {
      const offset = total + i * 997;
      const body = await page(`offset=${offset}`);
      assert.deepEqual(body, { strategies: [], items: [], total, limit: 50, offset });
    }
    assert.equal(w.deps.publicReads.cache.stats().entries, entries);
    assert.equal(listReads, reads + 1);

    // A change of the list's version reads the list again, once.
    await w.deps.publicReads.versions.bump([LIST_SCOPE], w.clock.now());
    await page("offset=60");
    await page("offset=61");
    assert.equal(listReads, reads + 2);
  } finally {
    await w.close();
  }
});
