import assert from "node:assert/strict";
import { assertDetail, ok, type Pair } from "../_helpers/identity.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

function refresh(w: TestWorld, refresh_token: string) {
  return w.request("POST", "/api/v1/auth/refresh", { json: { refresh_token } });
}

function me(w: TestWorld, token: string) {
  return w.request("GET", "/api/v1/auth/me", { token });
}

function setPassword(w: TestWorld, token: string, password: string) {
  return w.request("PATCH", "/api/v1/auth/profile", { json: { password }, token });
}

Deno.test("PATCH /auth/profile changing the password ends every other session, grace replays included", async () => {
  const w = await openTestWorld();
  try {
    // A session someone else holds (its refresh just rotated, so its old token is inside the grace window) …
    const stolen = await signInWithOtp(w, "owner@example.com");
    const thief = await ok<Pair>(await refresh(w, stolen.refresh_token));
    // … and the owner's own session, from which the password is changed.
    const mine = await signInWithOtp(w, "owner@example.com");
    assert.equal((await setPassword(w, mine.access_token, "a brand new secret")).status, 200);

    await assertDetail(await me(w, thief.access_token), 401);
    await assertDetail(await refresh(w, thief.refresh_token), 401);
    await assertDetail(await refresh(w, stolen.refresh_token), 401);

    // The session that changed it carries on, and signing in with the new password works.
    assert.equal((await me(w, mine.access_token)).status, 200);
    const next = await ok<Pair>(await refresh(w, mine.refresh_token));
    assert.equal((await me(w, next.access_token)).status, 200);
    await ok(
      await w.request("POST", "/api/v1/auth/login", {
        json: { email: "owner@example.com", password: "a brand new secret" },
      }),
    );
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile without a password change ends no session", async () => {
  const w = await openTestWorld();
  try {
    const other = await signInWithOtp(w, "nick@example.com");
    const mine = await signInWithOtp(w, "nick@example.com");
    await ok(
      await w.request("PATCH", "/api/v1/auth/profile", {
        json: { nickname: "nick_lab" },
        token: mine.access_token,
      }),
    );
    assert.equal((await me(w, other.access_token)).status, 200);
    await ok<Pair>(await refresh(w, other.refresh_token));
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile changing the password with an API key ends every session and keeps the key", async () => {
  const w = await openTestWorld();
  try {
    const session = await signInWithOtp(w, "keys@example.com");
    const key = await ok<{ api_key: string }>(
      await w.request("POST", "/api/v1/billing/api-keys", {
        json: { name: "ci" },
        token: session.access_token,
      }),
      201,
    );
    assert.equal((await setPassword(w, key.api_key, "a brand new secret")).status, 200);
    await assertDetail(await me(w, session.access_token), 401);
    await assertDetail(await refresh(w, session.refresh_token), 401);
    assert.equal((await me(w, key.api_key)).status, 200);
  } finally {
    await w.close();
  }
});
