import assert from "node:assert/strict";
import { adminUpdateUser } from "../../domain/auth/accounts.ts";
import { assertDetail } from "../_helpers/identity.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

function login(w: TestWorld, email: string, password: string) {
  return w.request("POST", "/api/v1/auth/login", {
    json: { email, password },
    headers: { "x-forwarded-for": "10.0.0.7" },
  });
}

/** Signs `email` up, sets `password`, then disables the account. */
async function disabledAccount(w: TestWorld, email: string, password: string) {
  const pair = await signInWithOtp(w, email);
  const res = await w.request("PATCH", "/api/v1/auth/profile", {
    json: { password },
    token: pair.access_token,
  });
  assert.equal(res.status, 200, await res.text());
  await adminUpdateUser(w.deps.auth, pair.user.id, { disabled: true });
}

Deno.test("POST /auth/login answers a disabled account the same for the right and a wrong password", async () => {
  const w = await openTestWorld();
  try {
    await disabledAccount(w, "off@example.com", "right password 1");
    const right = await login(w, "off@example.com", "right password 1");
    const wrong = await login(w, "off@example.com", "wrong password 1");
    const unknown = await login(w, "nobody@example.com", "right password 1");
    const bodies = [];
    for (const res of [right, wrong, unknown]) {
      bodies.push(await assertDetail(res, 401, "Incorrect email or password"));
    }
    assert.deepEqual(bodies[0], bodies[1]);
    assert.deepEqual(bodies[0], bodies[2]);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/login with the right password of a disabled account does not reset the failure count", async () => {
  const w = await openTestWorld({ RATE_LIMIT_LOGIN: "3/15m" });
  try {
    await disabledAccount(w, "off2@example.com", "right password 2");
    for (let i = 0; i < 3; i++) {
      await assertDetail(
        await login(w, "off2@example.com", "right password 2"),
        401,
        "Incorrect email or password",
      );
    }
    await assertDetail(await login(w, "off2@example.com", "right password 2"), 429);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/login signs the account in again once it is re-enabled", async () => {
  const w = await openTestWorld();
  try {
    await disabledAccount(w, "back@example.com", "right password 3");
    const user = await w.deps.auth.users.getByEmail("back@example.com");
    await adminUpdateUser(w.deps.auth, user!.id, { disabled: false });
    assert.equal((await login(w, "back@example.com", "right password 3")).status, 200);
  } finally {
    await w.close();
  }
});
