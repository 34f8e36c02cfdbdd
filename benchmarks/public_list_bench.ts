/**
 * The public list with 1,000 strategies (779 listed: public and not pending; 25 owners): the list build
 * (`publicStrategiesPage`, what a cache miss runs), and the same through the app with the in-process cache
 * off (`PUBLIC_CACHE_MB=0`), so every request is a miss answered by the build.
 */
import { openTestWorld } from "../tests/_helpers/test_app.ts";
import { seedPublicStrategies } from "../tests/_helpers/public_list_world.ts";
import { publicStrategiesPage } from "../domain/track_record/operations.ts";

const w = await openTestWorld({ PUBLIC_CACHE_MB: "0" });
const seeded = await seedPublicStrategies(w.kv, w.deps.track, w.deps.auth.users, 1000);
console.log(`listed strategies: ${seeded.listed.length} of ${seeded.all.length}`);

Deno.bench("list build, 1,000 strategies, first page of 50", async () => {
  await publicStrategiesPage(w.deps.track, { limit: 50, offset: 0 });
});

Deno.bench("list build, 1,000 strategies, one universe, page of 200", async () => {
  await publicStrategiesPage(w.deps.track, { universe: "hs300", limit: 200, offset: 0 });
});

Deno.bench("GET /api/v1/public/strategies (in-process cache off: every request builds)", async () => {
  const res = await w.app.request("/api/v1/public/strategies");
  if (res.status !== 200) throw new Error(`answered ${res.status}`);
  await res.arrayBuffer();
});
