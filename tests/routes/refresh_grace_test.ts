import assert from "node:assert/strict";
import { assertDetail, ok, type Pair } from "../_helpers/identity.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const SECOND = 1000;

function refresh(w: TestWorld, refresh_token: string) {
  return w.request("POST", "/api/v1/auth/refresh", { json: { refresh_token } });
}

function me(w: TestWorld, token: string) {
  return w.request("GET", "/api/v1/auth/me", { token });
}

Deno.test("POST /auth/refresh twice at once with one token: both answer the same pair, and it works", async () => {
  const w = await openTestWorld();
  try {
    const first = await signInWithOtp(w, "tabs@example.com");
    const [ra, rb] = await Promise.all([refresh(w, first.refresh_token), refresh(w, first.refresh_token)]);
    const [a, b] = [await ok<Pair>(ra), await ok<Pair>(rb)];
    assert.equal(a.refresh_token, b.refresh_token);
    assert.equal(a.access_token, b.access_token);
    assert.notEqual(a.refresh_token, first.refresh_token);
    assert.equal((await me(w, a.access_token)).status, 200);
    const next = await ok<Pair>(await refresh(w, a.refresh_token));
    assert.equal((await me(w, next.access_token)).status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/refresh retried after a lost response answers the same pair, and the session lives on", async () => {
  const w = await openTestWorld();
  try {
    const first = await signInWithOtp(w, "retry@example.com");
    const lost = await ok<Pair>(await refresh(w, first.refresh_token)); // the client never saw this answer
    w.clock.advance(10 * SECOND);
    const retried = await ok<Pair>(await refresh(w, first.refresh_token));
    assert.equal(retried.refresh_token, lost.refresh_token);
    assert.equal(retried.access_token, lost.access_token);
    assert.equal((await me(w, retried.access_token)).status, 200);
    const next = await ok<Pair>(await refresh(w, retried.refresh_token));
    assert.notEqual(next.refresh_token, retried.refresh_token);
    assert.equal((await me(w, next.access_token)).status, 200);
    assert.equal((await me(w, first.access_token)).status, 200, "the session was not revoked");
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/refresh replaying an old token once the 30 s grace window has passed revokes the family", async () => {
  const w = await openTestWorld();
  try {
    const first = await signInWithOtp(w, "late@example.com");
    const second = await ok<Pair>(await refresh(w, first.refresh_token));
    w.clock.advance(30 * SECOND);
    await assertDetail(await refresh(w, first.refresh_token), 401, /already used/);
    await assertDetail(await refresh(w, second.refresh_token), 401);
    await assertDetail(await me(w, second.access_token), 401);
    await assertDetail(await me(w, first.access_token), 401);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/refresh accepts the old token just before the window ends, not after the successor was used", async () => {
  const w = await openTestWorld();
  try {
    const first = await signInWithOtp(w, "edge@example.com");
    const second = await ok<Pair>(await refresh(w, first.refresh_token));
    w.clock.advance(30 * SECOND - 1);
    assert.equal((await ok<Pair>(await refresh(w, first.refresh_token))).refresh_token, second.refresh_token);
    const third = await ok<Pair>(await refresh(w, second.refresh_token));
    // `first` is no longer the just-rotated token: its successor has been rotated in turn.
    await assertDetail(await refresh(w, first.refresh_token), 401, /already used/);
    await assertDetail(await refresh(w, third.refresh_token), 401);
    await assertDetail(await me(w, third.access_token), 401);
  } finally {
    await w.close();
  }
});

Deno.test("REFRESH_GRACE_SECONDS sets the window; 0 turns it off", async (t) => {
  await t.step("0: any replay revokes", async () => {
    const w = await openTestWorld({ REFRESH_GRACE_SECONDS: "0" });
    try {
      const first = await signInWithOtp(w, "strict@example.com");
      const second = await ok<Pair>(await refresh(w, first.refresh_token));
      await assertDetail(await refresh(w, first.refresh_token), 401, /already used/);
      await assertDetail(await me(w, second.access_token), 401);
    } finally {
      await w.close();
    }
  });
  await t.step("120: a replay after 100 s is still accepted", async () => {
    const w = await openTestWorld({ REFRESH_GRACE_SECONDS: "120" });
    try {
      const first = await signInWithOtp(w, "lenient@example.com");
      const second = await ok<Pair>(await refresh(w, first.refresh_token));
      w.clock.advance(100 * SECOND);
      assert.equal(
        (await ok<Pair>(await refresh(w, first.refresh_token))).refresh_token,
        second.refresh_token,
      );
    } finally {
      await w.close();
    }
  });
});

Deno.test("POST /auth/refresh after logout refuses the just-rotated token even inside the window", async () => {
  const w = await openTestWorld();
  try {
    const first = await signInWithOtp(w, "gone@example.com");
    const second = await ok<Pair>(await refresh(w, first.refresh_token));
    assert.equal(
      (await w.request("POST", "/api/v1/auth/logout", { json: { refresh_token: second.refresh_token } }))
        .status,
      200,
    );
    await assertDetail(await refresh(w, first.refresh_token), 401);
  } finally {
    await w.close();
  }
});
