import assert from "node:assert/strict";
import { createSmtpMailer } from "../../domain/mail/smtp_mailer.ts";
import { createJwtCodec } from "../../routes/jwt_codec.ts";
import { assert422, assertDetail, createInviteCode, ok, type Pair, redeem } from "../_helpers/identity.ts";
import { closedPort, otpFromRawMail, startSmtpServer } from "../_helpers/smtp_server.ts";
import { lastOtp, openTestWorld, signInWithOtp, T0, type TestWorld } from "../_helpers/test_app.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

function requestOtp(w: TestWorld, email: string, ip = "10.0.0.1") {
  return w.request("POST", "/api/v1/auth/request-otp", {
    json: { email },
    headers: { "x-forwarded-for": ip },
  });
}

function verifyOtp(w: TestWorld, email: string, otp_code: string, ip = "10.0.0.1") {
  return w.request("POST", "/api/v1/auth/verify-otp", {
    json: { email, otp_code },
    headers: { "x-forwarded-for": ip },
  });
}

function me(w: TestWorld, token: string) {
  return w.request("GET", "/api/v1/auth/me", { token });
}

function patchProfile(w: TestWorld, token: string, json: Record<string, unknown>) {
  return w.request("PATCH", "/api/v1/auth/profile", { json, token });
}

function login(w: TestWorld, email: string, password: string, ip = "10.0.0.1") {
  return w.request("POST", "/api/v1/auth/login", {
    json: { email, password },
    headers: { "x-forwarded-for": ip },
  });
}

function refresh(w: TestWorld, refresh_token: string) {
  return w.request("POST", "/api/v1/auth/refresh", { json: { refresh_token } });
}

/** A code that differs from `code` in every digit. */
const wrongCode = (code: string) => [...code].map((d) => String((Number(d) + 1) % 10)).join("");

// ---------------------------------------------------------------- OTP, end to end through SMTP

Deno.test("the OTP flow signs a user in through a real SMTP server: request, read the mail, verify, /auth/me", async () => {
  const smtp = await startSmtpServer();
  const mailer = createSmtpMailer({
    host: "127.0.0.1",
    port: smtp.port,
    secure: false,
    from: "QE <qe@example.com>",
  });
  const w = await openTestWorld({}, { mailer });
  try {
    const sent = await requestOtp(w, "Carol@Example.com");
    assert.deepEqual(await ok(sent), { message: "OTP sent to your email." });

    const mail = await smtp.nextMail();
    assert.deepEqual(mail.to, ["carol@example.com"]);
    assert.equal(mail.from, "qe@example.com");
    const code = otpFromRawMail(mail.raw);
    assert.match(code, /^\d{6}$/);

    const pair = await ok<Pair>(await verifyOtp(w, "carol@example.com", code));
    assert.equal(pair.token_type, "bearer");
    assert.equal(pair.user.email, "carol@example.com");
    assert.ok(pair.refresh_token.length > 20);

    const res = await me(w, pair.access_token);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const user = await res.json();
    assert.equal(user.id, pair.user.id);
    assert.equal(user.email, "carol@example.com");
    assert.equal(user.email_verified, true);
    assert.equal(user.tier, "free");
    assert.equal(user.profile_complete, true);
  } finally {
    await w.close();
    await smtp.close();
  }
});

// ---------------------------------------------------------------- OTP rules over HTTP

Deno.test("POST /auth/request-otp answers the same for an unknown and a known email", async () => {
  const w = await openTestWorld();
  try {
    await signInWithOtp(w, "known@example.com");
    const known = await requestOtp(w, "known@example.com");
    const unknown = await requestOtp(w, "nobody@example.com");
    assert.equal(known.status, 200);
    assert.equal(unknown.status, 200);
    assert.deepEqual(await known.json(), await unknown.json());
    assert.equal(w.sent.filter((m) => m.to === "nobody@example.com").length, 1);
    assert.equal(
      await w.deps.auth.users.getByEmail("nobody@example.com"),
      null,
      "no account before verification",
    );
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/request-otp rejects the reserved @quantedge.local domain with 422", async () => {
  const w = await openTestWorld();
  try {
    await assert422(await requestOtp(w, "user_abc123@quantedge.local"), ["body", "email"]);
    await assert422(await requestOtp(w, "Someone@QuantEdge.LOCAL"), ["body", "email"]);
    await assert422(await verifyOtp(w, "user_abc123@quantedge.local", "123456"), ["body", "email"]);
    assert.equal(w.sent.length, 0);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/request-otp answers 429 with Retry-After after 5 requests per email in 15 minutes", async () => {
  const w = await openTestWorld();
  try {
    for (let i = 0; i < 5; i++) {
      assert.equal((await requestOtp(w, "eve@example.com", `10.2.0.${i}`)).status, 200);
    }
    const limited = await requestOtp(w, "EVE@example.com", "10.2.1.1");
    assert.equal(limited.headers.get("retry-after"), "900");
    assert.deepEqual(await limited.json(), { detail: "Rate limit exceeded: 5 per 15 minutes" });
    assert.equal(limited.status, 429);
    assert.equal(w.sent.length, 5);

    assert.equal(
      (await requestOtp(w, "other@example.com", "10.2.1.1")).status,
      200,
      "other emails unaffected",
    );

    w.clock.advance(10 * MINUTE);
    const later = await requestOtp(w, "eve@example.com", "10.2.1.2");
    assert.equal(later.status, 429);
    assert.equal(later.headers.get("retry-after"), "300");

    w.clock.advance(5 * MINUTE);
    assert.equal((await requestOtp(w, "eve@example.com", "10.2.1.3")).status, 200, "a new window starts");
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/request-otp answers 429 after 30 requests from one IP in an hour", async () => {
  const w = await openTestWorld();
  try {
    for (let i = 0; i < 30; i++) {
      assert.equal((await requestOtp(w, `u${i}@example.com`, "10.3.0.1")).status, 200);
    }
    const limited = await requestOtp(w, "u99@example.com", "10.3.0.1");
    await assertDetail(limited, 429, /^Rate limit exceeded: 30 per 1 hour/);
    assert.equal(limited.headers.get("retry-after"), "3600");
    assert.equal((await requestOtp(w, "u99@example.com", "10.3.0.2")).status, 200, "other IPs unaffected");
    w.clock.advance(HOUR);
    assert.equal((await requestOtp(w, "u98@example.com", "10.3.0.1")).status, 200, "a new window starts");
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/verify-otp refuses a code once 10 minutes have passed", async () => {
  const w = await openTestWorld();
  try {
    await requestOtp(w, "late@example.com");
    const code = lastOtp(w.sent, "late@example.com");
    w.clock.advance(10 * MINUTE);
    await assertDetail(await verifyOtp(w, "late@example.com", code), 401, "Invalid or expired code");
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/verify-otp accepts a code just before 10 minutes", async () => {
  const w = await openTestWorld();
  try {
    await requestOtp(w, "prompt@example.com");
    w.clock.advance(10 * MINUTE - 1000);
    assert.equal(
      (await verifyOtp(w, "prompt@example.com", lastOtp(w.sent, "prompt@example.com"))).status,
      200,
    );
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/verify-otp voids the code after 5 wrong tries", async () => {
  const w = await openTestWorld();
  try {
    await requestOtp(w, "guess@example.com");
    const code = lastOtp(w.sent, "guess@example.com");
    for (let i = 0; i < 5; i++) {
      await assertDetail(
        await verifyOtp(w, "guess@example.com", wrongCode(code)),
        401,
        "Invalid or expired code",
      );
    }
    await assertDetail(await verifyOtp(w, "guess@example.com", code), 401, "Invalid or expired code");
    assert.equal(await w.deps.auth.users.getByEmail("guess@example.com"), null);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/verify-otp still accepts the right code after 4 wrong tries, and only once", async () => {
  const w = await openTestWorld();
  try {
    await requestOtp(w, "close@example.com");
    const code = lastOtp(w.sent, "close@example.com");
    for (let i = 0; i < 4; i++) {
      assert.equal((await verifyOtp(w, "close@example.com", wrongCode(code))).status, 401);
    }
    assert.equal((await verifyOtp(w, "close@example.com", code)).status, 200);
    assert.equal((await verifyOtp(w, "close@example.com", code)).status, 401, "a code works once");
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/request-otp replaces the pending code: the old one fails, the new one works", async () => {
  const w = await openTestWorld();
  try {
    await requestOtp(w, "twice@example.com");
    const first = lastOtp(w.sent, "twice@example.com");
    let second = first;
    // The new code is random; in the rare case it equals the first, ask again.
    while (second === first) {
      await requestOtp(w, "twice@example.com");
      second = lastOtp(w.sent, "twice@example.com");
    }
    assert.equal((await verifyOtp(w, "twice@example.com", first)).status, 401);
    assert.equal((await verifyOtp(w, "twice@example.com", second)).status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/verify-otp creates the account once and signs the same account in afterwards", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "again@example.com");
    const b = await signInWithOtp(w, "Again@Example.com");
    assert.equal(a.user.id, b.user.id);
    assert.notEqual(a.refresh_token, b.refresh_token);
  } finally {
    await w.close();
  }
});

// ---------------------------------------------------------------- invite sign-up

/** The one answer to an unknown, disabled, expired or used-up invite code (400). */
const INVITE_REFUSED = "Invalid invite code: it is unknown, disabled, expired or used up";

Deno.test("POST /auth/invite creates one anonymous account per use and refuses the code when used up", async () => {
  const w = await openTestWorld();
  try {
    const { code } = await createInviteCode(w, { max_uses: 2 });
    const a = await ok<Pair>(await redeem(w, code));
    const b = await ok<Pair>(await redeem(w, code.toLowerCase()));
    assert.notEqual(a.user.id, b.user.id);
    for (const pair of [a, b]) {
      assert.match(pair.user.email, /^user_[a-z0-9]{6}@quantedge\.local$/);
      assert.equal(pair.user.nickname, pair.user.email.split("@")[0]);
      assert.equal(pair.user.tier, "free");
      assert.equal(pair.user.profile_complete, false);
      const view = await ok(await me(w, pair.access_token));
      assert.equal(view.id, pair.user.id);
      assert.equal(view.is_anonymous, true);
    }
    assert.notEqual(a.user.email, b.user.email);
    const third = await redeem(w, code);
    await assertDetail(third, 400, INVITE_REFUSED);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/invite refuses an expired code with 400", async () => {
  const w = await openTestWorld();
  try {
    const { code } = await createInviteCode(w, {
      max_uses: 5,
      expires_at: new Date(T0 + HOUR).toISOString(),
    });
    assert.equal((await redeem(w, code)).status, 200);
    w.clock.advance(HOUR);
    await assertDetail(await redeem(w, code), 400, INVITE_REFUSED);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/invite refuses a disabled code with 400", async () => {
  const w = await openTestWorld();
  try {
    const { code, adminToken } = await createInviteCode(w, { max_uses: 5 });
    const res = await w.request("POST", `/api/v1/admin/invite-codes/${code}/disable`, { token: adminToken });
    assert.equal(res.status, 200);
    await assertDetail(await redeem(w, code), 400, INVITE_REFUSED);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/invite refuses an unknown code with 400 (the same answer as a used-up one)", async () => {
  const w = await openTestWorld();
  try {
    await assertDetail(await redeem(w, "NO-SUCH-CODE"), 400, INVITE_REFUSED);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/invite creates exactly one account when a 1-use code is redeemed concurrently", async () => {
  const w = await openTestWorld();
  try {
    const { code } = await createInviteCode(w, { max_uses: 1 });
    const before = (await w.deps.auth.users.list({ limit: 200, offset: 0 })).total;
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => redeem(w, code, `10.4.0.${i}`)));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [200, 400, 400, 400, 400, 400, 400, 400]);
    for (const r of results) await r.body?.cancel();
    const after = (await w.deps.auth.users.list({ limit: 200, offset: 0 })).total;
    assert.equal(after - before, 1);
  } finally {
    await w.close();
  }
});

// ---------------------------------------------------------------- profile and password

Deno.test("PATCH /auth/profile applies the nickname rules", async (t) => {
  const w = await openTestWorld();
  try {
    const { access_token } = await signInWithOtp(w, "nick@example.com");
    const cases: [string, number][] = [
      ["ab", 200],
      ["a", 422],
      ["中文名字", 200],
      ["bad name!", 422],
      ["under_score-dash9", 200],
      ["x".repeat(30), 200],
      ["x".repeat(31), 422],
      ["tab\tname", 422],
      ["emoji🙂", 422],
    ];
    for (const [nickname, status] of cases) {
      await t.step(`${JSON.stringify(nickname)} → ${status}`, async () => {
        const res = await patchProfile(w, access_token, { nickname });
        if (status === 422) await assert422(res, ["body", "nickname"]);
        else assert.equal((await ok(res)).nickname, nickname);
      });
    }
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile refuses a nickname another user holds, ignoring case, with 409", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "a@example.com");
    const b = await signInWithOtp(w, "b@example.com");
    assert.equal((await patchProfile(w, a.access_token, { nickname: "Alpha" })).status, 200);
    await assertDetail(
      await patchProfile(w, b.access_token, { nickname: "alpha" }),
      409,
      "Nickname already taken",
    );
    await assertDetail(
      await patchProfile(w, b.access_token, { nickname: "ALPHA" }),
      409,
      "Nickname already taken",
    );
    assert.equal((await ok(await patchProfile(w, a.access_token, { nickname: "ALPHA" }))).nickname, "ALPHA");
    assert.equal((await patchProfile(w, a.access_token, { nickname: "Beta" })).status, 200);
    assert.equal(
      (await patchProfile(w, b.access_token, { nickname: "alpha" })).status,
      200,
      "a released nickname",
    );
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile gives a nickname to exactly one of two users asking at once", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "racer-a@example.com");
    const b = await signInWithOtp(w, "racer-b@example.com");
    for (let round = 0; round < 5; round++) {
      const [ra, rb] = await Promise.all([
        patchProfile(w, a.access_token, { nickname: `Quant${round}` }),
        patchProfile(w, b.access_token, { nickname: `quant${round}` }),
      ]);
      assert.deepEqual([ra.status, rb.status].sort(), [200, 409], `round ${round}`);
      const winner = ra.status === 200 ? a : b;
      await (ra.status === 200 ? rb : ra).body?.cancel();
      const body = await (ra.status === 200 ? ra : rb).json();
      assert.equal(body.id, winner.user.id);
      const holder = await w.kv.get<string>(["users_by_nickname", `quant${round}`]);
      assert.equal(holder.value, winner.user.id);
    }
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile with an email another account uses answers 200 and attaches nothing", async () => {
  const w = await openTestWorld();
  try {
    const owner = await signInWithOtp(w, "taken@example.com");
    const b = await signInWithOtp(w, "mover@example.com");
    const res = await ok(await patchProfile(w, b.access_token, { email: "Taken@Example.com" }));
    assert.deepEqual([res.email, res.pending_email], ["mover@example.com", "taken@example.com"]);
    assert.equal((await w.deps.auth.users.getByEmail("taken@example.com"))?.id, owner.user.id);
    const moved = await ok(await patchProfile(w, b.access_token, { email: "new@example.com" }));
    assert.deepEqual([moved.email, moved.pending_email], ["mover@example.com", "new@example.com"]);
    assert.equal(
      (await w.deps.auth.users.getByEmail("mover@example.com"))?.id,
      b.user.id,
      "kept until confirmed",
    );
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile refuses the reserved local email domain with 422", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "real@example.com");
    await assert422(await patchProfile(w, a.access_token, { email: "me@quantedge.local" }), [
      "body",
      "email",
    ]);
    await assert422(await patchProfile(w, a.access_token, { email: "me@QUANTEDGE.local" }), [
      "body",
      "email",
    ]);
    // The QuantGPT guide's anonymous domain is reserved too.
    const issues = await assert422(
      await patchProfile(w, a.access_token, { email: "user_a1b2c3@quantgpt.local" }),
      [
        "body",
        "email",
      ],
    );
    assert.match(issues[0].msg, /reserved for anonymous accounts/);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/login signs in with a password set through PATCH /auth/profile", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "pw@example.com");
    const updated = await ok(await patchProfile(w, a.access_token, { password: "correct horse battery" }));
    assert.equal(updated.has_password, true);
    const pair = await ok<Pair>(await login(w, " PW@example.com ", "correct horse battery"));
    assert.equal(pair.user.id, a.user.id);
    assert.equal(pair.token_type, "bearer");
    assert.equal((await me(w, pair.access_token)).status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/login answers 401 'Incorrect email or password' for a wrong password or unknown email", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "pw2@example.com");
    await signInWithOtp(w, "nopw@example.com");
    assert.equal((await patchProfile(w, a.access_token, { password: "correct horse battery" })).status, 200);
    await assertDetail(
      await login(w, "pw2@example.com", "wrong password!"),
      401,
      "Incorrect email or password",
    );
    await assertDetail(
      await login(w, "ghost@example.com", "whatever123"),
      401,
      "Incorrect email or password",
    );
    await assertDetail(await login(w, "nopw@example.com", "whatever123"), 401, "Incorrect email or password");
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/login answers 429 once the login rate limit is used up", async () => {
  const w = await openTestWorld({ RATE_LIMIT_LOGIN: "2/15m" });
  try {
    const a = await signInWithOtp(w, "brute@example.com");
    assert.equal((await patchProfile(w, a.access_token, { password: "correct horse battery" })).status, 200);
    assert.equal((await login(w, "brute@example.com", "guess-one")).status, 401);
    assert.equal((await login(w, "brute@example.com", "guess-two")).status, 401);
    const limited = await login(w, "brute@example.com", "correct horse battery");
    await assertDetail(limited, 429, "Rate limit exceeded: 2 per 15 minutes");
    assert.equal(limited.headers.get("retry-after"), "900");
    w.clock.advance(15 * MINUTE);
    assert.equal((await login(w, "brute@example.com", "correct horse battery")).status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile stores passwords as PBKDF2 (≥600,000 iterations) with a salt per user", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "salt-a@example.com");
    const b = await signInWithOtp(w, "salt-b@example.com");
    assert.equal((await patchProfile(w, a.access_token, { password: "same password 1" })).status, 200);
    assert.equal((await patchProfile(w, b.access_token, { password: "same password 1" })).status, 200);
    const ha = (await w.deps.auth.users.get(a.user.id))!.password_hash!;
    const hb = (await w.deps.auth.users.get(b.user.id))!.password_hash!;
    for (const h of [ha, hb]) {
      const [scheme, iterations, salt, hash] = h.split("$");
      assert.equal(scheme, "pbkdf2-sha256");
      assert.ok(Number(iterations) >= 600_000);
      assert.equal(atob(salt).length, 16);
      assert.equal(atob(hash).length, 32);
      assert.ok(!h.includes("same password 1"));
    }
    assert.notEqual(ha.split("$")[2], hb.split("$")[2], "salts differ");
    assert.notEqual(ha, hb);
  } finally {
    await w.close();
  }
});

// ---------------------------------------------------------------- tokens

Deno.test("POST /auth/refresh rotates: the new refresh token works and the old one answers 401", async () => {
  const w = await openTestWorld();
  try {
    const first = await signInWithOtp(w, "rot@example.com");
    const second = await ok<Pair>(await refresh(w, first.refresh_token));
    assert.notEqual(second.refresh_token, first.refresh_token);
    assert.equal(second.user.id, first.user.id);
    assert.equal((await me(w, second.access_token)).status, 200);
    const third = await ok<Pair>(await refresh(w, second.refresh_token));
    assert.equal((await me(w, third.access_token)).status, 200);
    await assertDetail(await refresh(w, "qrt_not-a-real-token"), 401);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/refresh with a rotated refresh token after the grace window revokes the whole session", async () => {
  const w = await openTestWorld();
  try {
    const first = await signInWithOtp(w, "thief@example.com");
    const other = await signInWithOtp(w, "thief@example.com");
    const second = await ok<Pair>(await refresh(w, first.refresh_token));
    w.clock.advance(30_000);
    await assertDetail(await refresh(w, first.refresh_token), 401, /already used/);
    await assertDetail(await refresh(w, second.refresh_token), 401);
    await assertDetail(await me(w, second.access_token), 401);
    await assertDetail(await me(w, first.access_token), 401);
    assert.equal((await me(w, other.access_token)).status, 200, "other sessions live on");
    assert.equal((await refresh(w, other.refresh_token)).status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/logout revokes the refresh token and the session's access token", async () => {
  const w = await openTestWorld();
  try {
    const pair = await signInWithOtp(w, "bye@example.com");
    const res = await w.request("POST", "/api/v1/auth/logout", {
      json: { refresh_token: pair.refresh_token },
    });
    assert.deepEqual(await ok(res), { message: "Logged out" });
    await assertDetail(await refresh(w, pair.refresh_token), 401);
    await assertDetail(await me(w, pair.access_token), 401);
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/logout with only the bearer access token revokes its session", async () => {
  const w = await openTestWorld();
  try {
    const pair = await signInWithOtp(w, "bye2@example.com");
    assert.equal(
      (await w.request("POST", "/api/v1/auth/logout", { json: {}, token: pair.access_token })).status,
      200,
    );
    await assertDetail(await me(w, pair.access_token), 401);
    await assertDetail(await refresh(w, pair.refresh_token), 401);
  } finally {
    await w.close();
  }
});

Deno.test("an access token expires after 24 hours", async () => {
  const w = await openTestWorld();
  try {
    const pair = (await signInWithOtp(w, "day@example.com")) as Pair;
    assert.equal(pair.expires_in, 86_400);
    w.clock.advance(24 * HOUR - 1000);
    assert.equal((await me(w, pair.access_token)).status, 200);
    w.clock.advance(1000);
    await assertDetail(await me(w, pair.access_token), 401, "Invalid or expired token");
    const renewed = await ok<Pair>(await refresh(w, pair.refresh_token));
    assert.equal(
      (await me(w, renewed.access_token)).status,
      200,
      "the refresh token outlives the access token",
    );
  } finally {
    await w.close();
  }
});

Deno.test("OTP_ACCESS_TOKEN_TTL_HOURS sets the lifetime of access tokens from the OTP flow only", async () => {
  const w = await openTestWorld({ OTP_ACCESS_TOKEN_TTL_HOURS: "360" });
  try {
    const pair = (await signInWithOtp(w, "long@example.com")) as Pair;
    assert.equal(pair.expires_in, 360 * 3600);
    const refreshed = await ok<Pair>(await refresh(w, pair.refresh_token));
    assert.equal(refreshed.expires_in, 86_400, "refreshed tokens use ACCESS_TOKEN_TTL_HOURS");
    w.clock.advance(3 * 24 * HOUR);
    assert.equal((await me(w, pair.access_token)).status, 200);
    await assertDetail(await me(w, refreshed.access_token), 401);
    w.clock.advance(12 * 24 * HOUR);
    await assertDetail(await me(w, pair.access_token), 401);
  } finally {
    await w.close();
  }
});

Deno.test("a refresh token stops working after 7 days", async () => {
  const w = await openTestWorld();
  try {
    const pair = await signInWithOtp(w, "week@example.com");
    w.clock.advance(7 * 24 * HOUR);
    await assertDetail(await refresh(w, pair.refresh_token), 401);
  } finally {
    await w.close();
  }
});

Deno.test("an access token signed with another secret answers 401", async () => {
  const w = await openTestWorld();
  try {
    const pair = await signInWithOtp(w, "forge@example.com");
    const claims = JSON.parse(atob(pair.access_token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    const forged = await createJwtCodec("another-secret-another-secret-0123456789").sign(claims);
    await assertDetail(await me(w, forged), 401, "Invalid or expired token");
  } finally {
    await w.close();
  }
});

Deno.test("GET /auth/me answers 401 {detail} for a missing, garbage or malformed bearer credential", async () => {
  const w = await openTestWorld();
  try {
    await assertDetail(await w.request("GET", "/api/v1/auth/me"), 401, "Not authenticated");
    await assertDetail(await me(w, "garbage"), 401);
    await assertDetail(await me(w, "a.b.c"), 401);
    await assertDetail(await me(w, "qe_not-a-key"), 401, "Invalid API key");
    const basic = await w.request("GET", "/api/v1/auth/me", {
      headers: { authorization: "Basic dXNlcjpwYXNz" },
    });
    await assertDetail(basic, 401, "Not authenticated");
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/verify-otp locks out whoever claimed an email unverified under an earlier release", async () => {
  const w = await openTestWorld();
  try {
    const { code } = await createInviteCode(w, { max_uses: 1 });
    const squatter = await ok<Pair>(await redeem(w, code));
    assert.equal(
      (await patchProfile(w, squatter.access_token, { password: "squatter password" })).status,
      200,
    );
    // Earlier releases attached a new email at once, unverified; such records may still exist.
    await w.deps.auth.users.update(squatter.user.id, (u) => ({
      ...u,
      email: "victim@example.com",
      email_verified: false,
    }));
    const key = await ok<{ api_key: string }>(
      await w.request("POST", "/api/v1/billing/api-keys", {
        json: { name: "planted" },
        token: squatter.access_token,
      }),
      201,
    );

    const victim = await signInWithOtp(w, "victim@example.com");
    assert.equal(victim.user.id, squatter.user.id, "the owner of the email gets the account");
    assert.equal((await me(w, victim.access_token)).status, 200);
    await assertDetail(await me(w, squatter.access_token), 401);
    await assertDetail(await refresh(w, squatter.refresh_token), 401);
    await assertDetail(await me(w, key.api_key), 401);
    await assertDetail(
      await login(w, "victim@example.com", "squatter password"),
      401,
      "Incorrect email or password",
    );
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/request-otp answers 503 {detail} when the mail server cannot be reached", async () => {
  const port = closedPort();
  const mailer = createSmtpMailer({ host: "127.0.0.1", port, secure: false, from: "QE <qe@example.com>" });
  const w = await openTestWorld({}, { mailer });
  try {
    await assertDetail(await requestOtp(w, "offline@example.com"), 503, /try again/);
    assert.ok(w.logs.some((l) => l.level === "error" && l.msg === "otp mail failed"));
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile nickname: 2-30 letters, digits, Chinese, '_' or '-', unique ignoring case", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "nick-a@example.com");
    const b = await signInWithOtp(w, "nick-b@example.com", "10.0.0.2");
    for (const good of ["ab", "my_username", "量化研究-01", "x".repeat(30)]) {
      assert.equal(
        (await ok<{ nickname: string }>(await patchProfile(w, a.access_token, { nickname: good }))).nickname,
        good,
      );
    }
    for (const bad of ["a", "x".repeat(31), "has space", "dot.name", "emoji😀"]) {
      await assert422(await patchProfile(w, a.access_token, { nickname: bad }), ["body", "nickname"]);
    }
    await ok(await patchProfile(w, a.access_token, { nickname: "Taken_Name" }));
    await assertDetail(await patchProfile(w, b.access_token, { nickname: "taken_name" }), 409);
    // Idempotent: the same data again is the same result.
    await ok(await patchProfile(w, a.access_token, { nickname: "Taken_Name" }));
  } finally {
    await w.close();
  }
});
