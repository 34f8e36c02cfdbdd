/** expireLicenses(): an approval that lands while the job downgrades its holder keeps the `licensed` tier. */
import assert from "node:assert/strict";
import { expireLicenses } from "../../../domain/licenses/license_expiry.ts";
import { approveLicenseRequest, requestLicense } from "../../../domain/licenses/license_requests.ts";
import type { LicenseServices } from "../../../domain/licenses/services.ts";
import { openTestWorld, signInWithOtp } from "../../_helpers/test_app.ts";

const FP = "ab".repeat(32);

Deno.test("expireLicenses() restores the tier when a new licence is approved just before the downgrade", async () => {
  const w = await openTestWorld();
  try {
    const deps = w.deps.licenses;
    const alice = await signInWithOtp(w, "alice@example.com");
    const userId = alice.user.id;
    const first = await requestLicense(deps, userId, { customer: "Acme", fingerprint: FP });
    await approveLicenseRequest(deps, "admin", first.id, {
      expires: "2026-05-15",
      max_cores: 2,
      max_memory_gb: 4,
    });
    w.clock.set(Date.UTC(2026, 4, 16, 0, 10));
    const second = await requestLicense(deps, userId, { customer: "Acme", fingerprint: FP });
    // The admin approves the renewal (licence and tier) just before the job's downgrade commits.
    let raced = false;
    const users = deps.auth.users;
    const racing: LicenseServices = {
      ...deps,
      auth: {
        ...deps.auth,
        users: {
          ...users,
          update: async (id, change) => {
            const current = (await users.get(id))!;
            if (!raced && change(current).tier === "free") {
              raced = true;
              await approveLicenseRequest(deps, "admin", second.id, {
                expires: "2027-05-16",
                max_cores: 2,
                max_memory_gb: 4,
              });
            }
            return await users.update(id, change);
          },
        },
      },
    };
    const summary = await expireLicenses(racing);
    assert.equal(raced, true);
    assert.deepEqual(summary, { date: "2026-05-16", expired: 1, downgraded: 0 });
    assert.equal((await users.get(userId))!.tier, "licensed");
    assert.deepEqual(await expireLicenses(deps), { date: "2026-05-16", expired: 0, downgraded: 0 });
  } finally {
    await w.close();
  }
});
