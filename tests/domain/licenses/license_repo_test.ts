/** The licence repository: one pending request per user, decided once, expiry index processed once. */
import assert from "node:assert/strict";
import {
  createLicenseRepo,
  type LicenseRecord,
  type LicenseRequestRecord,
} from "../../../domain/store/license_repo.ts";

function pendingRequest(id: string, userId = "u1"): LicenseRequestRecord {
  return {
    id,
    user_id: userId,
    customer: "Acme",
    fingerprint: "a".repeat(64),
    note: null,
    status: "pending",
    admin_reply: null,
    created_at: 1,
    decided_at: null,
    decided_by: null,
    license_id: null,
  };
}

function license(id: string, requestId: string, expires: string): LicenseRecord {
  return {
    id,
    user_id: "u1",
    request_id: requestId,
    customer: "Acme",
    fingerprint: "a".repeat(64),
    expires,
    max_cores: 4,
    max_memory_gb: 8,
    created_at: 2,
    key_id: "0123456789abcdef",
    file_json: "{}",
    file_armored: "",
    expiry_processed_at: null,
  };
}

Deno.test("createRequest(): of ten concurrent requests by one user exactly one is stored", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createLicenseRepo(kv);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => repo.createRequest(pendingRequest(`lr_${i}`))),
    );
    assert.equal(results.filter((ok) => ok).length, 1);
    const winner = `lr_${results.indexOf(true)}`;
    assert.equal(await repo.pendingRequestId("u1"), winner);
    assert.equal((await repo.listRequests("pending", { limit: 50, offset: 0 })).total, 1);
    assert.equal((await repo.listRequests(undefined, { limit: 50, offset: 0 })).total, 1);
    // Another user is not affected.
    assert.equal(await repo.createRequest(pendingRequest("lr_other", "u2")), true);
  } finally {
    kv.close();
  }
});

Deno.test("decideRequest(): concurrent decisions of one request: one decides, the others see it decided", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createLicenseRepo(kv);
    await repo.createRequest(pendingRequest("lr_1"));
    const outcomes = await Promise.all(
      ["approved", "rejected", "approved", "rejected"].map((status, i) =>
        repo.decideRequest("lr_1", (current) =>
          Promise.resolve({
            request: { ...current, status: status as "approved" | "rejected", decided_at: 10 + i },
            license: status === "approved" ? license(`lic_${i}`, "lr_1", "2026-06-01") : null,
          }))
      ),
    );
    const decided = outcomes.filter((o) => o.kind === "decided");
    assert.equal(decided.length, 1);
    assert.equal(outcomes.filter((o) => o.kind === "not_pending").length, 3);
    const stored = (await repo.getRequest("lr_1"))!;
    assert.equal(stored.status, decided[0].kind === "decided" ? decided[0].request.status : "");
    assert.equal(await repo.pendingRequestId("u1"), null);
    assert.equal((await repo.listRequests("pending", { limit: 50, offset: 0 })).total, 0);
    assert.equal((await repo.listRequests(stored.status, { limit: 50, offset: 0 })).total, 1);
    assert.deepEqual(await repo.decideRequest("lr_missing", () => Promise.reject(new Error("not called"))), {
      kind: "not_found",
    });
  } finally {
    kv.close();
  }
});

Deno.test("expiry index: a replaced licence leaves no entry; a processed one is marked once", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createLicenseRepo(kv);
    const approve = async (requestId: string, lic: LicenseRecord) => {
      await repo.createRequest(pendingRequest(requestId));
      await repo.decideRequest(
        requestId,
        (current) => Promise.resolve({ request: { ...current, status: "approved" }, license: lic }),
      );
    };
    await approve("lr_1", license("lic_1", "lr_1", "2026-06-01"));
    await approve("lr_2", license("lic_2", "lr_2", "2026-07-01"));
    assert.deepEqual(await repo.listExpiringBefore("2026-12-31", 10), [
      { expires: "2026-07-01", user_id: "u1", license_id: "lic_2" },
    ]);
    assert.deepEqual(await repo.listExpiringBefore("2026-07-01", 10), []);
    const entry = { expires: "2026-07-01", user_id: "u1", license_id: "lic_2" };
    const [a, b] = await Promise.all([
      repo.markExpiryProcessed(entry, 5),
      repo.markExpiryProcessed(entry, 6),
    ]);
    assert.equal([a, b].filter((x) => x !== null).length, 1);
    assert.deepEqual(await repo.listExpiringBefore("2026-12-31", 10), []);
    assert.notEqual((await repo.getLicense("u1"))!.expiry_processed_at, null);
  } finally {
    kv.close();
  }
});
