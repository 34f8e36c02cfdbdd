import assert from "node:assert/strict";
import { tierInfo, TIERS } from "../../../domain/auth/tiers.ts";

Deno.test("TIERS lists free (3 tracked strategies) then licensed (20)", () => {
  assert.deepEqual(TIERS.map((t) => [t.tier, t.limits.max_tracked_strategies]), [["free", 3], [
    "licensed",
    20,
  ]]);
});

Deno.test("tierInfo() returns the limits of a tier", () => {
  assert.equal(tierInfo("free").limits.max_api_keys, 10);
  assert.equal(tierInfo("licensed").limits.max_tracked_strategies, 20);
  assert.equal(tierInfo("licensed").name, "Licensed");
});
