/** The QuantOS licence routes: requests, admin decisions, my licence, downloads, the image redirect, the kit. */
import assert from "node:assert/strict";
import { verifyLicenseFile } from "../../domain/licenses/license_file.ts";
import { assert422, assertDetail, ok } from "../_helpers/identity.ts";
import { openTestWorld, signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const FP = "9f2c4e1a7b3d5c6e8f0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60";
const OTHER_FP = "0".repeat(64);

interface Actors {
  w: TestWorld;
  user: string;
  userId: string;
  admin: string;
}

async function world(env: Record<string, string> = {}): Promise<Actors> {
  const w = await openTestWorld(env);
  const alice = await signInWithOtp(w, "alice@example.com", "10.0.0.2");
  const admin = await signInAdmin(w);
  return { w, user: alice.access_token, userId: alice.user.id, admin: admin.access_token };
}

async function request(
  a: Actors,
  body: Record<string, unknown> = { customer: "Acme Corp", fingerprint: FP },
) {
  return await ok<{ id: string }>(
    await a.w.request("POST", "/api/v1/deploy/license-request", { json: body, token: a.user }),
    201,
  );
}

function approve(a: Actors, id: string, body: Record<string, unknown> = {}) {
  return a.w.request("POST", `/api/v1/admin/license-requests/${id}/approve`, {
    json: { expires: "2027-05-14", max_cores: 16, max_memory_gb: 64, ...body },
    token: a.admin,
  });
}

async function tierOf(a: Actors): Promise<string> {
  return (await ok<{ tier: string }>(await a.w.request("GET", "/api/v1/auth/me", { token: a.user }))).tier;
}

async function notificationKinds(a: Actors): Promise<string[]> {
  const body = await ok<{ items: { kind: string }[] }>(
    await a.w.request("GET", "/api/v1/notifications", { token: a.user }),
  );
  return body.items.map((n) => n.kind);
}

/** Moves the clock to `ms` and signs both actors in again (access tokens live 24 hours). */
async function travel(a: Actors, ms: number): Promise<void> {
  a.w.clock.set(ms);
  a.user = (await signInWithOtp(a.w, "alice@example.com", "10.0.0.2")).access_token;
  a.admin = (await signInAdmin(a.w)).access_token;
}

Deno.test("licence user routes answer 401 without credentials", async () => {
  const a = await world();
  try {
    for (
      const [method, path] of [
        ["POST", "/api/v1/deploy/license-request"],
        ["GET", "/api/v1/deploy/license-request"],
        ["GET", "/api/v1/deploy/my-license"],
        ["GET", "/api/v1/deploy/my-license/download"],
        ["GET", "/api/v1/deploy/quantos-image/download?arch=amd64"],
        ["GET", "/api/v1/admin/license-requests"],
      ]
    ) {
      const res = await a.w.request(
        method,
        path,
        method === "POST" ? { json: { customer: "x", fingerprint: FP } } : {},
      );
      await assertDetail(res, 401);
    }
  } finally {
    await a.w.close();
  }
});

Deno.test("license-request: 201 pending (fingerprint stored lower-case), GET answers it, a second is 409", async () => {
  const a = await world();
  try {
    const none = await ok(await a.w.request("GET", "/api/v1/deploy/license-request", { token: a.user }));
    assert.deepEqual(none, { has_request: false });
    const res = await a.w.request("POST", "/api/v1/deploy/license-request", {
      json: { customer: "  Acme Corp ", fingerprint: FP.toUpperCase(), note: "two servers\nsame rack" },
      token: a.user,
    });
    const created = await ok<Record<string, unknown>>(res, 201);
    assert.match(String(created.id), /^lr_/);
    assert.deepEqual({ ...created, id: "x" }, {
      id: "x",
      customer: "Acme Corp",
      fingerprint: FP,
      status: "pending",
      note: "two servers\nsame rack",
      created_at: "2026-05-14T01:00:00.000Z",
    });
    const mine = await ok(await a.w.request("GET", "/api/v1/deploy/license-request", { token: a.user }));
    assert.deepEqual(mine, {
      has_request: true,
      id: created.id,
      customer: "Acme Corp",
      fingerprint: FP,
      note: "two servers\nsame rack",
      status: "pending",
      admin_reply: null,
      created_at: "2026-05-14T01:00:00.000Z",
      decided_at: null,
    });
    const again = await a.w.request("POST", "/api/v1/deploy/license-request", {
      json: { customer: "Acme", fingerprint: OTHER_FP },
      token: a.user,
    });
    await assertDetail(again, 409, /already have a pending license request/);
  } finally {
    await a.w.close();
  }
});

Deno.test("license-request: two concurrent requests give exactly one 201 and one 409", async () => {
  const a = await world();
  try {
    const send = () =>
      a.w.request("POST", "/api/v1/deploy/license-request", {
        json: { customer: "Acme Corp", fingerprint: FP },
        token: a.user,
      });
    const results = await Promise.all([send(), send()]);
    assert.deepEqual(results.map((r) => r.status).sort(), [201, 409]);
    const list = await ok<{ total: number }>(
      await a.w.request("GET", "/api/v1/admin/license-requests?status=pending", { token: a.admin }),
    );
    assert.equal(list.total, 1);
  } finally {
    await a.w.close();
  }
});

Deno.test("license-request: bad fingerprint, control characters, unknown fields and long text are 422", async () => {
  const a = await world();
  try {
    const send = (json: unknown) =>
      a.w.request("POST", "/api/v1/deploy/license-request", { json, token: a.user });
    await assert422(await send({ customer: "Acme", fingerprint: "abc" }), ["body", "fingerprint"]);
    await assert422(await send({ customer: "Acme", fingerprint: "g".repeat(64) }), ["body", "fingerprint"]);
    await assert422(await send({ customer: "Ac\u0000me", fingerprint: FP }), ["body", "customer"]);
    await assert422(await send({ customer: "Ac\nme", fingerprint: FP }), ["body", "customer"]);
    await assert422(await send({ customer: "Acme", fingerprint: FP, note: "x\u202Ey" }), ["body", "note"]);
    await assert422(await send({ customer: "", fingerprint: FP }), ["body", "customer"]);
    await assert422(await send({ customer: "x".repeat(201), fingerprint: FP }), ["body", "customer"]);
    await assert422(await send({ customer: "Acme", fingerprint: FP, note: "x".repeat(2001) }), [
      "body",
      "note",
    ]);
    await assert422(await send({ customer: "Acme", fingerprint: FP, tier: "licensed" }));
    await assert422(await send({ fingerprint: FP }), ["body", "customer"]);
  } finally {
    await a.w.close();
  }
});

Deno.test("admin licence routes: non-admin 403, unknown id 404, bad bodies 422", async () => {
  const a = await world();
  try {
    const { id } = await request(a);
    await assertDetail(await a.w.request("GET", "/api/v1/admin/license-requests", { token: a.user }), 403);
    await assertDetail(
      await a.w.request("POST", `/api/v1/admin/license-requests/${id}/approve`, {
        json: { expires: "2027-01-01", max_cores: 4, max_memory_gb: 8 },
        token: a.user,
      }),
      403,
    );
    await assertDetail(
      await a.w.request("POST", `/api/v1/admin/license-requests/${id}/reject`, {
        json: { reply: "no" },
        token: a.user,
      }),
      403,
    );
    await assertDetail(await approve(a, "lr_nope"), 404, 'License request "lr_nope" not found');
    await assertDetail(
      await a.w.request("POST", "/api/v1/admin/license-requests/lr_nope/reject", {
        json: { reply: "no" },
        token: a.admin,
      }),
      404,
    );
    // expires must be after today (2026-05-14 UTC at T0).
    await assert422(await approve(a, id, { expires: "2026-05-14" }), ["body", "expires"]);
    await assert422(await approve(a, id, { expires: "2026-05-13" }), ["body", "expires"]);
    await assert422(await approve(a, id, { expires: "2026-02-30" }), ["body", "expires"]);
    await assert422(await approve(a, id, { max_cores: 0 }), ["body", "max_cores"]);
    await assert422(await approve(a, id, { max_cores: 4097 }), ["body", "max_cores"]);
    await assert422(await approve(a, id, { max_memory_gb: 1.5 }), ["body", "max_memory_gb"]);
    await assert422(await approve(a, id, { max_memory_gb: 65_537 }), ["body", "max_memory_gb"]);
    await assert422(await approve(a, id, { extra: 1 }));
    await assert422(
      await a.w.request("POST", `/api/v1/admin/license-requests/${id}/reject`, {
        json: { reply: "" },
        token: a.admin,
      }),
      ["body", "reply"],
    );
    // Nothing was decided by the refused calls.
    const mine = await ok<{ status: string }>(
      await a.w.request("GET", "/api/v1/deploy/license-request", { token: a.user }),
    );
    assert.equal(mine.status, "pending");
  } finally {
    await a.w.close();
  }
});

Deno.test("approve: issues the licence, sets tier licensed, notifies; deciding twice is 409", async () => {
  const a = await world();
  try {
    assert.equal(await tierOf(a), "free");
    const { id } = await request(a);
    const approved = await ok<{ request: Record<string, unknown>; license: Record<string, unknown> }>(
      await approve(a, id, { expires: "2026-05-15", max_cores: 8, max_memory_gb: 32, reply: "Welcome" }),
    );
    assert.equal(approved.request.status, "approved");
    assert.equal(approved.request.admin_reply, "Welcome");
    assert.equal(approved.request.decided_at, "2026-05-14T01:00:00.000Z");
    assert.equal(approved.request.user_id, a.userId);
    assert.match(String(approved.license.id), /^lic_/);
    assert.match(String(approved.license.key_id), /^[0-9a-f]{16}$/);
    const mine = await ok(await a.w.request("GET", "/api/v1/deploy/my-license", { token: a.user }));
    assert.deepEqual(mine, {
      has_license: true,
      id: approved.license.id,
      customer: "Acme Corp",
      fingerprint: FP,
      expires: "2026-05-15",
      max_cores: 8,
      max_memory_gb: 32,
      created_at: "2026-05-14T01:00:00.000Z",
      expired: false,
      key_id: approved.license.key_id,
    });
    assert.deepEqual(approved.license, mine);
    assert.equal(await tierOf(a), "licensed");
    assert.deepEqual(await notificationKinds(a), ["license_approved"]);
    await assertDetail(await approve(a, id), 409, /already approved/);
    await assertDetail(
      await a.w.request("POST", `/api/v1/admin/license-requests/${id}/reject`, {
        json: { reply: "changed my mind" },
        token: a.admin,
      }),
      409,
    );
    const latest = await ok<Record<string, unknown>>(
      await a.w.request("GET", "/api/v1/deploy/license-request", { token: a.user }),
    );
    assert.equal(latest.status, "approved");
    assert.equal(latest.admin_reply, "Welcome");
  } finally {
    await a.w.close();
  }
});

Deno.test("approve racing reject: exactly one decision wins, the other is 409", async () => {
  for (let round = 0; round < 3; round++) {
    const a = await world();
    try {
      const { id } = await request(a);
      const [approved, rejected] = await Promise.all([
        approve(a, id),
        a.w.request("POST", `/api/v1/admin/license-requests/${id}/reject`, {
          json: { reply: "no" },
          token: a.admin,
        }),
      ]);
      assert.deepEqual([approved.status, rejected.status].sort(), [200, 409]);
      const mine = await ok<{ status: string }>(
        await a.w.request("GET", "/api/v1/deploy/license-request", { token: a.user }),
      );
      const license = await ok<{ has_license: boolean }>(
        await a.w.request("GET", "/api/v1/deploy/my-license", { token: a.user }),
      );
      assert.equal(mine.status, approved.status === 200 ? "approved" : "rejected");
      assert.equal(license.has_license, approved.status === 200);
      assert.equal(await tierOf(a), approved.status === 200 ? "licensed" : "free");
    } finally {
      await a.w.close();
    }
  }
});

Deno.test("reject: the user sees the reply, is notified, and may request again", async () => {
  const a = await world();
  try {
    const { id } = await request(a);
    const rejected = await ok<Record<string, unknown>>(
      await a.w.request("POST", `/api/v1/admin/license-requests/${id}/reject`, {
        json: { reply: "Fingerprint does not match the order" },
        token: a.admin,
      }),
    );
    assert.equal(rejected.status, "rejected");
    assert.equal(rejected.admin_reply, "Fingerprint does not match the order");
    const mine = await ok<Record<string, unknown>>(
      await a.w.request("GET", "/api/v1/deploy/license-request", { token: a.user }),
    );
    assert.equal(mine.status, "rejected");
    assert.equal(mine.admin_reply, "Fingerprint does not match the order");
    assert.deepEqual(await notificationKinds(a), ["license_rejected"]);
    assert.equal(await tierOf(a), "free");
    a.w.clock.advance(60_000);
    const second = await request(a, { customer: "Acme Corp", fingerprint: OTHER_FP });
    assert.notEqual(second.id, id);
    const latest = await ok<{ id: string; status: string }>(
      await a.w.request("GET", "/api/v1/deploy/license-request", { token: a.user }),
    );
    assert.deepEqual([latest.id, latest.status], [second.id, "pending"]);
    const all = await ok<{ requests: { id: string; status: string }[]; total: number }>(
      await a.w.request("GET", "/api/v1/admin/license-requests", { token: a.admin }),
    );
    assert.deepEqual(all.requests.map((r) => [r.id, r.status]), [[second.id, "pending"], [id, "rejected"]]);
    const rejectedOnly = await ok<{ total: number }>(
      await a.w.request("GET", "/api/v1/admin/license-requests?status=rejected&limit=1", { token: a.admin }),
    );
    assert.equal(rejectedOnly.total, 1);
  } finally {
    await a.w.close();
  }
});

Deno.test("download: license.json and the armored block verify offline; a changed byte or fingerprint fails", async () => {
  const a = await world();
  try {
    await assertDetail(
      await a.w.request("GET", "/api/v1/deploy/my-license/download", { token: a.user }),
      404,
      /no QuantOS license/,
    );
    const { id } = await request(a);
    await ok(await approve(a, id));
    const res = await a.w.request("GET", "/api/v1/deploy/my-license/download", { token: a.user });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^application\/json/);
    assert.equal(res.headers.get("content-disposition"), 'attachment; filename="license.json"');
    assert.equal(res.headers.get("cache-control"), "no-store");
    const json = await res.text();
    const armoredRes = await a.w.request("GET", "/api/v1/deploy/my-license/download?format=armored", {
      token: a.user,
    });
    assert.match(armoredRes.headers.get("content-type")!, /^text\/plain/);
    assert.equal(armoredRes.headers.get("content-disposition"), 'attachment; filename="quantos.lic"');
    assert.equal(armoredRes.headers.get("cache-control"), "no-store");
    const armored = await armoredRes.text();
    assert.match(armored, /^-----BEGIN QUANTOS LICENSE-----/);
    assert.equal(JSON.parse(json).armored, armored);
    const key = await ok<{ public_key_pem: string; key_id: string; algorithm: string }>(
      await a.w.request("GET", "/api/v1/deploy/license-public-key"),
    );
    assert.equal(key.algorithm, "Ed25519");
    assert.equal(JSON.parse(json).key_id, key.key_id);
    const today = "2026-05-14";
    for (const text of [json, armored]) {
      const good = await verifyLicenseFile(text, key.public_key_pem, { today, fingerprint: FP });
      assert.equal(good.ok, true, JSON.stringify(good.checks));
      assert.equal(good.payload?.customer, "Acme Corp");
      const otherMachine = await verifyLicenseFile(text, key.public_key_pem, {
        today,
        fingerprint: OTHER_FP,
      });
      assert.equal(otherMachine.ok, false);
      const tampered = text.replace("Acme Corp", "Acme Corq");
      assert.notEqual(tampered, text);
      assert.equal((await verifyLicenseFile(tampered, key.public_key_pem, { today })).ok, false);
    }
    const pem = await a.w.request("GET", "/deploy-kit/license-public-key.pem");
    assert.equal(pem.status, 200);
    assert.equal(await pem.text(), key.public_key_pem);
  } finally {
    await a.w.close();
  }
});

Deno.test("approving a later request replaces the licence (the earlier file is no longer served)", async () => {
  const a = await world();
  try {
    const first = await request(a);
    const l1 = await ok<{ license: { id: string } }>(await approve(a, first.id, { expires: "2026-06-01" }));
    const second = await request(a, { customer: "Acme Two", fingerprint: OTHER_FP });
    const l2 = await ok<{ license: { id: string } }>(await approve(a, second.id, { expires: "2027-06-01" }));
    assert.notEqual(l1.license.id, l2.license.id);
    const mine = await ok<{ id: string; customer: string; fingerprint: string }>(
      await a.w.request("GET", "/api/v1/deploy/my-license", { token: a.user }),
    );
    assert.deepEqual([mine.id, mine.customer, mine.fingerprint], [l2.license.id, "Acme Two", OTHER_FP]);
    const file = JSON.parse(
      await (await a.w.request("GET", "/api/v1/deploy/my-license/download", { token: a.user })).text(),
    );
    assert.equal(file.license_id, l2.license.id);
    // The first licence's expiry day passes: it was replaced, so nothing expires and the tier stays.
    await travel(a, Date.UTC(2026, 5, 3, 1));
    const run = await ok<{ summary: unknown }>(
      await a.w.request("POST", "/api/v1/admin/jobs/license-expiry/run", { token: a.admin }),
    );
    assert.deepEqual(run.summary, { date: "2026-06-03", expired: 0, downgraded: 0 });
    assert.equal(await tierOf(a), "licensed");
  } finally {
    await a.w.close();
  }
});

Deno.test("quantos-image: 403 without a valid licence, 404 naming the setting when unset, 302 when set", async () => {
  const a = await world({ QUANTOS_IMAGE_URL_AMD64: "https://downloads.example.com/quantos-amd64.tar.gz" });
  try {
    await assertDetail(
      await a.w.request("GET", "/api/v1/deploy/quantos-image/download", { token: a.user }),
      403,
      /needs a valid QuantOS license; you have none/,
    );
    await assert422(
      await a.w.request("GET", "/api/v1/deploy/quantos-image/download?arch=x86", { token: a.user }),
      ["query", "arch"],
    );
    const { id } = await request(a);
    await ok(await approve(a, id, { expires: "2026-05-15" }));
    const res = await a.w.request("GET", "/api/v1/deploy/quantos-image/download", { token: a.user });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "https://downloads.example.com/quantos-amd64.tar.gz");
    assert.equal(res.headers.get("cache-control"), "no-store");
    await assertDetail(
      await a.w.request("GET", "/api/v1/deploy/quantos-image/download?arch=arm64", { token: a.user }),
      404,
      "QuantOS image for arm64 is not configured (QUANTOS_IMAGE_URL_ARM64)",
    );
    // Valid through the end of 2026-05-15 UTC; expired from 2026-05-16 00:00Z even before the job runs.
    await travel(a, Date.UTC(2026, 4, 15, 23, 59, 59));
    assert.equal(
      (await a.w.request("GET", "/api/v1/deploy/quantos-image/download", { token: a.user })).status,
      302,
    );
    await travel(a, Date.UTC(2026, 4, 16, 0, 0, 0));
    await assertDetail(
      await a.w.request("GET", "/api/v1/deploy/quantos-image/download", { token: a.user }),
      403,
      /yours expired on 2026-05-15/,
    );
    const mine = await ok<{ expired: boolean }>(
      await a.w.request("GET", "/api/v1/deploy/my-license", { token: a.user }),
    );
    assert.equal(mine.expired, true);
  } finally {
    await a.w.close();
  }
});

Deno.test("license-expiry job: downgrades once, notifies, and a second run does nothing", async () => {
  const a = await world();
  try {
    const { id } = await request(a);
    await ok(await approve(a, id, { expires: "2026-05-15" }));
    const run = async (date?: string) => (await ok<{ job: string; date: string; summary: unknown }>(
      await a.w.request("POST", `/api/v1/admin/jobs/license-expiry/run${date ? `?date=${date}` : ""}`, {
        token: a.admin,
      }),
    ));
    // A date after today is refused (licences expire by the real calendar) and changes nothing.
    const ahead = await a.w.request("POST", "/api/v1/admin/jobs/license-expiry/run?date=2099-01-01", {
      token: a.admin,
    });
    assert.equal(ahead.status, 422);
    assert.deepEqual((await ahead.json()).detail[0].loc, ["query", "date"]);
    assert.equal(await tierOf(a), "licensed");
    // On the expiry day itself the licence is still valid.
    await travel(a, Date.UTC(2026, 4, 15, 0, 10));
    assert.deepEqual((await run("2026-05-15")).summary, { date: "2026-05-15", expired: 0, downgraded: 0 });
    assert.equal(await tierOf(a), "licensed");
    await travel(a, Date.UTC(2026, 4, 16, 0, 10));
    const first = await run();
    assert.equal(first.job, "license-expiry");
    assert.deepEqual(first.summary, { date: "2026-05-16", expired: 1, downgraded: 1 });
    assert.equal(await tierOf(a), "free");
    assert.deepEqual(await notificationKinds(a), ["license_expired", "license_approved"]);
    assert.deepEqual((await run()).summary, { date: "2026-05-16", expired: 0, downgraded: 0 });
    assert.deepEqual(await notificationKinds(a), ["license_expired", "license_approved"]);
    await assertDetail(
      await a.w.request("POST", "/api/v1/admin/jobs/license-expiry/run", { token: a.user }),
      403,
    );
  } finally {
    await a.w.close();
  }
});

Deno.test("license-expiry job: a user whose tier is no longer licensed is notified but not counted as downgraded", async () => {
  const a = await world();
  try {
    const { id } = await request(a);
    await ok(await approve(a, id, { expires: "2026-05-15" }));
    await ok(
      await a.w.request("PATCH", `/api/v1/admin/users/${a.userId}`, {
        json: { tier: "free" },
        token: a.admin,
      }),
    );
    await travel(a, Date.UTC(2026, 4, 17, 0, 10));
    const run = await ok<{ summary: unknown }>(
      await a.w.request("POST", "/api/v1/admin/jobs/license-expiry/run", { token: a.admin }),
    );
    assert.deepEqual(run.summary, { date: "2026-05-17", expired: 1, downgraded: 0 });
    assert.equal((await notificationKinds(a))[0], "license_expired");
  } finally {
    await a.w.close();
  }
});

Deno.test("deploy kit: the fingerprint scripts and the public key are served without auth", async () => {
  const a = await world();
  try {
    for (
      const [path, name] of [["/deploy-kit/fingerprint.sh", "fingerprint.sh"], [
        "/deploy-kit/fingerprint.bat",
        "fingerprint.bat",
      ]]
    ) {
      const res = await a.w.request("GET", path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type")!, /^text\/plain/);
      assert.equal(res.headers.get("content-disposition"), `attachment; filename="${name}"`);
      assert.ok((await res.text()).length > 100);
    }
    const key = await ok<Record<string, string>>(
      await a.w.request("GET", "/api/v1/deploy/license-public-key"),
    );
    assert.deepEqual(Object.keys(key).sort(), ["algorithm", "key_id", "public_key_base64", "public_key_pem"]);
    assert.equal(atob(key.public_key_base64).length, 32);
    assert.match(key.public_key_pem, /^-----BEGIN PUBLIC KEY-----/);
  } finally {
    await a.w.close();
  }
});
