import assert from "node:assert/strict";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

Deno.test("OTP sign-in returns tokens that /auth/me accepts", async () => {
  const w = await openTestWorld();
  try {
    const pair = await signInWithOtp(w, "Alice@Example.com");
    assert.equal(pair.user.email, "alice@example.com");
    const me = await w.request("GET", "/api/v1/auth/me", { token: pair.access_token });
    assert.equal(me.status, 200);
    assert.equal((await me.json()).email, "alice@example.com");
  } finally {
    await w.close();
  }
});
