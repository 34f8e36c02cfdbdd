/**
 * The public list with 1,000 strategies (779 listed: public and not pending; 25 owners): the list build
 * (`publicStrategiesPage`, what a miss of every layer runs: strategy records, scope versions and summary rows in
 * three range reads, the page's nicknames), the build when one strategy changed (its row read again), and the
 * route with the in-process cache off (`PUBLIC_CACHE_MB=0`): answered from the materialised copy in KV (the
 * miss path of another isolate), or built and materialised (the list's scope bumped before each request).
 */
import { openTestWorld } from "../tests/_helpers/test_app.ts";
import { seededSlug, seedPublicStrategies } from "../tests/_helpers/public_list_world.ts";
import { publicStrategiesPage } from "../domain/track_record/operations.ts";
import { LIST_SCOPE, strategyScope } from "../domain/public_reads/scopes.ts";

const w = await openTestWorld({ PUBLIC_CACHE_MB: "0" });
const seeded = await seedPublicStrategies(w.kv, w.deps.track, w.deps.auth.users, 1000);
console.log(`listed strategies: ${seeded.listed.length} of ${seeded.all.length}`);
const versions = w.deps.publicReads.versions;
await publicStrategiesPage(w.deps.track, { limit: 50, offset: 0 }); // the summary rows, once

async function get(): Promise<void> {
  const res = await w.app.request("/api/v1/public/strategies");
  if (res.status !== 200) throw new Error(`answered ${res.status}`);
  await res.arrayBuffer();
}

Deno.bench("list build, 1,000 strategies, first page of 50", async () => {
  await publicStrategiesPage(w.deps.track, { limit: 50, offset: 0 });
});

Deno.bench("list build, 1,000 strategies, one universe, page of 200", async () => {
  await publicStrategiesPage(w.deps.track, { universe: "hs300", limit: 200, offset: 0 });
});

let changed = 0;
Deno.bench("list build after one strategy changed (its summary row read again)", async (b) => {
  await versions.bump([strategyScope(seededSlug(changed++ % 1000))], Date.now());
  b.start();
  await publicStrategiesPage(w.deps.track, { limit: 50, offset: 0 });
  b.end();
});

Deno.bench("GET /api/v1/public/strategies, in-process miss: the materialised answer from KV", async () => {
  await get();
});

Deno.bench("GET /api/v1/public/strategies, every layer missed: built and materialised", async (b) => {
  await versions.bump([LIST_SCOPE], Date.now());
  b.start();
  await get();
  b.end();
});
