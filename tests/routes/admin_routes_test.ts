import assert from "node:assert/strict";
import { assert422, assertDetail, createInviteCode, ok, type Pair, redeem } from "../_helpers/identity.ts";
import {
  lastOtp,
  openTestWorld,
  signInAdmin,
  signInWithOtp,
  T0,
  type TestWorld,
} from "../_helpers/test_app.ts";

function patchUser(w: TestWorld, token: string, userId: string, json: Record<string, unknown>) {
  return w.request("PATCH", `/api/v1/admin/users/${userId}`, { json, token });
}

Deno.test("admin routes answer 403 'Admin only' to a signed-in non-admin and 401 without credentials", async (t) => {
  const w = await openTestWorld();
  try {
    const user = await signInWithOtp(w, "plain@example.com");
    const calls: [string, string, unknown?][] = [
      ["POST", "/api/v1/admin/invite-codes", { max_uses: 1 }],
      ["GET", "/api/v1/admin/invite-codes"],
      ["POST", "/api/v1/admin/invite-codes/ABCD/disable"],
      ["GET", "/api/v1/admin/users"],
      ["GET", `/api/v1/admin/users/${user.user.id}`],
      ["PATCH", `/api/v1/admin/users/${user.user.id}`, { tier: "licensed" }],
    ];
    for (const [method, path, json] of calls) {
      await t.step(`${method} ${path}`, async () => {
        await assertDetail(
          await w.request(method, path, { json, token: user.access_token }),
          403,
          "Admin only",
        );
        await assertDetail(await w.request(method, path, { json }), 401, "Not authenticated");
      });
    }
    const me = await ok(await w.request("GET", "/api/v1/auth/me", { token: user.access_token }));
    assert.equal(me.tier, "free", "the refused PATCH changed nothing");
  } finally {
    await w.close();
  }
});

Deno.test("an account that merely claims an admin email (unverified) is not an admin", async () => {
  const w = await openTestWorld({ ADMIN_EMAILS: "admin@example.com,boss@example.com" });
  try {
    const { code } = await createInviteCode(w, { max_uses: 1 });
    const anon = await ok<Pair>(await redeem(w, code));
    const claimed = await w.request("PATCH", "/api/v1/auth/profile", {
      json: { email: "boss@example.com" },
      token: anon.access_token,
    });
    assert.equal((await ok(claimed)).is_admin, false);
    await assertDetail(
      await w.request("GET", "/api/v1/admin/users", { token: anon.access_token }),
      403,
      "Admin only",
    );
  } finally {
    await w.close();
  }
});

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

const createCode = (w: TestWorld, token: string, json: Record<string, unknown>) =>
  w.request("POST", "/api/v1/admin/invite-codes", { json, token });

/** The admin's token, with the code QE-ALPHA-2026 (3 uses, until the end of 2026) created. */
async function adminWithCode(w: TestWorld) {
  const admin = (await signInAdmin(w)).access_token;
  const res = await createCode(w, admin, {
    code: "qe-alpha-2026",
    max_uses: 3,
    expires_at: "2026-12-31T23:59:59Z",
    note: "beta",
  });
  return { admin, res };
}

Deno.test("POST /admin/invite-codes creates a named code, upper-cased, with its limits and note", () =>
  withWorld(async (w) => {
    const admin = await signInAdmin(w);
    assert.equal(admin.user.email, "admin@example.com");
    const res = await createCode(w, admin.access_token, {
      code: "qe-alpha-2026",
      max_uses: 3,
      expires_at: "2026-12-31T23:59:59Z",
      note: "beta",
    });
    const created = await ok(res, 201);
    assert.deepEqual(created, {
      code: "QE-ALPHA-2026",
      max_uses: 3,
      uses: 0,
      remaining_uses: 3,
      expires_at: "2026-12-31T23:59:59.000Z",
      disabled: false,
      active: true,
      note: "beta",
      created_at: new Date(T0).toISOString(),
    });
  }));

Deno.test("POST /admin/invite-codes with an empty body creates a random single-use code", () =>
  withWorld(async (w) => {
    const admin = (await signInAdmin(w)).access_token;
    const random = await ok(await createCode(w, admin, {}), 201);
    assert.match(String(random.code), /^[A-Z2-9]{10}$/);
    assert.equal(random.max_uses, 1);
  }));

Deno.test("POST /admin/invite-codes refuses a code that already exists with 409", () =>
  withWorld(async (w) => {
    const { admin } = await adminWithCode(w);
    await assertDetail(await createCode(w, admin, { code: "QE-ALPHA-2026" }), 409);
  }));

Deno.test("GET /admin/invite-codes lists every code with its uses", () =>
  withWorld(async (w) => {
    const { admin } = await adminWithCode(w);
    await createCode(w, admin, {});
    assert.equal((await redeem(w, "QE-ALPHA-2026")).status, 200);
    const list = await ok<{ items: { code: string; uses: number }[]; total: number }>(
      await w.request("GET", "/api/v1/admin/invite-codes", { token: admin }),
    );
    assert.equal(list.total, 2);
    assert.equal(list.items.find((i) => i.code === "QE-ALPHA-2026")?.uses, 1);
  }));

Deno.test("POST /admin/invite-codes/{code}/disable makes the code inactive, whatever its case", () =>
  withWorld(async (w) => {
    const { admin } = await adminWithCode(w);
    const disabled = await ok(
      await w.request("POST", "/api/v1/admin/invite-codes/qe-alpha-2026/disable", { token: admin }),
    );
    assert.equal(disabled.disabled, true);
    assert.equal(disabled.active, false);
  }));

Deno.test("POST /admin/invite-codes/{code}/disable answers 404 for an unknown code", () =>
  withWorld(async (w) => {
    const admin = (await signInAdmin(w)).access_token;
    await assertDetail(
      await w.request("POST", "/api/v1/admin/invite-codes/NOPE-NOPE/disable", { token: admin }),
      404,
    );
  }));

Deno.test("POST /admin/invite-codes refuses max_uses below 1 with 422", async () => {
  const w = await openTestWorld();
  try {
    const admin = await signInAdmin(w);
    const res = await w.request("POST", "/api/v1/admin/invite-codes", {
      json: { max_uses: 0 },
      token: admin.access_token,
    });
    await assert422(res, ["body", "max_uses"]);
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /admin/users/{id} sets the tier to licensed, which raises the user's limits", async () => {
  const w = await openTestWorld();
  try {
    const admin = await signInAdmin(w);
    const user = await signInWithOtp(w, "pro@example.com");
    const updated = await ok(await patchUser(w, admin.access_token, user.user.id, { tier: "licensed" }));
    assert.equal(updated.tier, "licensed");
    const tier = await ok(await w.request("GET", "/api/v1/billing/tier", { token: user.access_token }));
    assert.equal(tier.tier, "licensed");
    assert.deepEqual(tier.limits, {
      max_tracked_strategies: 20,
      max_api_keys: 50,
      max_active_backtests: 10,
      max_running_instances: 20,
    });
    const looked = await ok<{ items: { id: string; tier: string }[] }>(
      await w.request("GET", "/api/v1/admin/users?email=PRO@example.com", { token: admin.access_token }),
    );
    assert.deepEqual(looked.items.map((u) => [u.id, u.tier]), [[user.user.id, "licensed"]]);
    await assertDetail(await patchUser(w, admin.access_token, "usr_missing", { tier: "free" }), 404);
    await assertDetail(
      await w.request("GET", "/api/v1/admin/users/usr_missing", { token: admin.access_token }),
      404,
    );
  } finally {
    await w.close();
  }
});

Deno.test("a disabled account gets 403 'Account disabled' for its access token and its API keys", async () => {
  const w = await openTestWorld();
  try {
    const admin = await signInAdmin(w);
    const user = await signInWithOtp(w, "banned@example.com");
    const key = await ok<{ api_key: string }>(
      await w.request("POST", "/api/v1/billing/api-keys", { json: { name: "k" }, token: user.access_token }),
      201,
    );
    assert.equal(
      (await ok(await patchUser(w, admin.access_token, user.user.id, { disabled: true }))).disabled,
      true,
    );
    for (const token of [user.access_token, key.api_key]) {
      await assertDetail(await w.request("GET", "/api/v1/auth/me", { token }), 403, "Account disabled");
      await assertDetail(await w.request("GET", "/api/v1/billing/tier", { token }), 403, "Account disabled");
      await assertDetail(
        await w.request("GET", "/api/v1/billing/api-keys", { token }),
        403,
        "Account disabled",
      );
      await assertDetail(
        await w.request("PATCH", "/api/v1/auth/profile", { json: { nickname: "still-here" }, token }),
        403,
        "Account disabled",
      );
    }
    await patchUser(w, admin.access_token, user.user.id, { disabled: false });
    assert.equal(
      (await w.request("GET", "/api/v1/auth/me", { token: key.api_key })).status,
      200,
      "re-enabled",
    );
  } finally {
    await w.close();
  }
});

Deno.test("a disabled account cannot sign in by OTP (403), password (401 as if wrong) or refresh token (403)", async () => {
  const w = await openTestWorld();
  try {
    const admin = await signInAdmin(w);
    const user = await signInWithOtp(w, "locked@example.com");
    await w.request("PATCH", "/api/v1/auth/profile", {
      json: { password: "locked password" },
      token: user.access_token,
    });
    await patchUser(w, admin.access_token, user.user.id, { disabled: true });

    const headers = { "x-forwarded-for": "10.0.0.1" };
    assert.equal(
      (await w.request("POST", "/api/v1/auth/request-otp", {
        json: { email: "locked@example.com" },
        headers,
      })).status,
      200,
      "request-otp reveals nothing",
    );
    const otp = lastOtp(w.sent, "locked@example.com");
    await assertDetail(
      await w.request("POST", "/api/v1/auth/verify-otp", {
        json: { email: "locked@example.com", otp_code: otp },
        headers,
      }),
      403,
      "Account disabled",
    );
    await assertDetail(
      await w.request("POST", "/api/v1/auth/login", {
        json: { email: "locked@example.com", password: "locked password" },
        headers,
      }),
      401,
      "Incorrect email or password",
      // the right password answers like a wrong one, so it cannot be told apart
    );
    await assertDetail(
      await w.request("POST", "/api/v1/auth/login", {
        json: { email: "locked@example.com", password: "wrong one" },
        headers,
      }),
      401,
      "Incorrect email or password",
    );
    await assertDetail(
      await w.request("POST", "/api/v1/auth/refresh", { json: { refresh_token: user.refresh_token } }),
      403,
      "Account disabled",
    );
  } finally {
    await w.close();
  }
});

Deno.test("GET /admin/users pages through accounts", async () => {
  const w = await openTestWorld();
  try {
    const admin = await signInAdmin(w);
    for (const e of ["p1@example.com", "p2@example.com", "p3@example.com"]) await signInWithOtp(w, e);
    const page = await ok<{ items: { email: string }[]; total: number; limit: number; offset: number }>(
      await w.request("GET", "/api/v1/admin/users?limit=2&offset=1", { token: admin.access_token }),
    );
    assert.equal(page.total, 4);
    assert.equal(page.limit, 2);
    assert.equal(page.offset, 1);
    assert.equal(page.items.length, 2);
  } finally {
    await w.close();
  }
});
