import assert from "node:assert/strict";
import { issueSession } from "../../domain/auth/sessions.ts";
import { newUserRecord } from "../../domain/auth/user_view.ts";
import type { MailMessage } from "../../domain/mail/mailer.ts";
import { createSmtpMailer } from "../../domain/mail/smtp_mailer.ts";
import { assert422, assertDetail, createInviteCode, ok, type Pair, redeem } from "../_helpers/identity.ts";
import { closedPort, otpFromRawMail, startSmtpServer, type TestSmtpServer } from "../_helpers/smtp_server.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const MINUTE = 60_000;

interface UserBody {
  id: string;
  email: string;
  email_verified: boolean;
  pending_email: string | null;
  pending_email_expires_at: string | null;
  has_password: boolean;
  is_anonymous: boolean;
}

function patchProfile(w: TestWorld, token: string, json: Record<string, unknown>, ip = "10.0.0.1") {
  return w.request("PATCH", "/api/v1/auth/profile", { json, token, headers: { "x-forwarded-for": ip } });
}

function confirm(w: TestWorld, token: string, code: string) {
  return w.request("POST", "/api/v1/auth/profile/email/confirm", { json: { code }, token });
}

function me(w: TestWorld, token: string) {
  return w.request("GET", "/api/v1/auth/me", { token });
}

function login(w: TestWorld, email: string, password: string) {
  return w.request("POST", "/api/v1/auth/login", {
    json: { email, password },
    headers: { "x-forwarded-for": "10.0.0.1" },
  });
}

/** The 6-digit confirmation code of a message (plain text, or raw SMTP data with soft line breaks). */
function confirmationCode(text: string): string {
  const unfolded = text.replace(/=\r?\n/g, "").replace(/\r?\n[ \t]+/g, " ");
  const code = unfolded.match(/confirmation code is (\d{6})\b/)?.[1];
  if (!code) throw new Error(`no confirmation code in:\n${text}`);
  return code;
}

/** The code of the last confirmation mail captured for `to`. */
function lastConfirmation(sent: MailMessage[], to: string): string {
  const mail = sent.filter((m) => m.to === to && /confirmation code/.test(m.text)).at(-1);
  if (!mail) throw new Error(`no confirmation mail to ${to}`);
  return confirmationCode(mail.text);
}

/** A code that differs from `code` in every digit. */
const wrongCode = (code: string) => [...code].map((d) => String((Number(d) + 1) % 10)).join("");

/** Signs `email` in by OTP when the world mails through `smtp`. */
async function signInOverSmtp(w: TestWorld, smtp: TestSmtpServer, email: string): Promise<Pair> {
  const headers = { "x-forwarded-for": "10.0.0.9" };
  await ok(await w.request("POST", "/api/v1/auth/request-otp", { json: { email }, headers }));
  const mail = await smtp.nextMail();
  assert.deepEqual(mail.to, [email]);
  return await ok<Pair>(
    await w.request("POST", "/api/v1/auth/verify-otp", {
      json: { email, otp_code: otpFromRawMail(mail.raw) },
      headers,
    }),
  );
}

/** A world mailing through a real SMTP server on 127.0.0.1; runs `fn`, then stops both. */
async function withSmtpWorld(fn: (w: TestWorld, smtp: TestSmtpServer) => Promise<void>) {
  const smtp = await startSmtpServer();
  const mailer = createSmtpMailer({
    host: "127.0.0.1",
    port: smtp.port,
    secure: false,
    from: "QE <qe@example.com>",
  });
  const w = await openTestWorld({}, { mailer });
  try {
    await fn(w, smtp);
  } finally {
    await w.close();
    await smtp.close();
  }
}

/** before@example.com signed in over SMTP and asking to change to After@Example.com. */
async function changeRequested(w: TestWorld, smtp: TestSmtpServer) {
  const a = await signInOverSmtp(w, smtp, "before@example.com");
  const res = await patchProfile(w, a.access_token, { email: "After@Example.com" });
  return { a, res };
}

/** As changeRequested, with the mailed confirmation code. */
async function codeMailed(w: TestWorld, smtp: TestSmtpServer) {
  const r = await changeRequested(w, smtp);
  const mail = await smtp.nextMail();
  return { ...r, mail, code: confirmationCode(mail.raw) };
}

Deno.test("PATCH /auth/profile {email} leaves the address pending for 10 minutes, not attached", () =>
  withSmtpWorld(async (w, smtp) => {
    const { res } = await changeRequested(w, smtp);
    const pending = await ok<UserBody>(res);
    assert.equal(pending.email, "before@example.com", "not attached yet");
    assert.equal(pending.email_verified, true);
    assert.equal(pending.pending_email, "after@example.com");
    assert.equal(pending.pending_email_expires_at, new Date(w.clock.now() + 10 * MINUTE).toISOString());
  }));

Deno.test("PATCH /auth/profile {email} mails the code to the new address; until confirmed the accounts are unchanged", () =>
  withSmtpWorld(async (w, smtp) => {
    const { a, mail, code } = await codeMailed(w, smtp);
    assert.deepEqual(mail.to, ["after@example.com"], "the code goes to the NEW address");
    assert.equal(await w.deps.auth.users.getByEmail("after@example.com"), null);
    assert.equal((await w.deps.auth.users.getByEmail("before@example.com"))?.id, a.user.id);
    const stored = JSON.stringify(await w.deps.auth.users.get(a.user.id));
    assert.ok(!stored.includes(code), "only a hash of the code is stored");
  }));

Deno.test("POST /auth/profile/email/confirm refuses a wrong code with 422", () =>
  withSmtpWorld(async (w, smtp) => {
    const { a, code } = await codeMailed(w, smtp);
    await assert422(await confirm(w, a.access_token, wrongCode(code)), ["body", "code"]);
  }));

Deno.test("POST /auth/profile/email/confirm with the mailed code attaches the new address and releases the old", () =>
  withSmtpWorld(async (w, smtp) => {
    const { a, code } = await codeMailed(w, smtp);
    const confirmed = await ok<UserBody>(await confirm(w, a.access_token, code));
    assert.equal(confirmed.email, "after@example.com");
    assert.equal(confirmed.email_verified, true);
    assert.equal(confirmed.pending_email, null);
    assert.equal(confirmed.pending_email_expires_at, null);
    assert.equal(await w.deps.auth.users.getByEmail("before@example.com"), null, "old address released");
    assert.equal((await w.deps.auth.users.getByEmail("after@example.com"))?.id, a.user.id);
  }));

Deno.test("a confirmed new address signs in to the same account", () =>
  withSmtpWorld(async (w, smtp) => {
    const { a, code } = await codeMailed(w, smtp);
    await confirm(w, a.access_token, code);
    const again = await signInOverSmtp(w, smtp, "after@example.com");
    assert.equal(again.user.id, a.user.id, "the confirmed address signs in to the same account");
  }));

Deno.test("POST /auth/profile/email/confirm refuses a code that was already used", () =>
  withSmtpWorld(async (w, smtp) => {
    const { a, code } = await codeMailed(w, smtp);
    await confirm(w, a.access_token, code);
    await assert422(await confirm(w, a.access_token, code), ["body", "code"]);
  }));

Deno.test("email pre-hijack: a squatter's pending claim attaches nothing, and the owner's OTP sign-in gets their own account", async () => {
  const w = await openTestWorld();
  try {
    const { code } = await createInviteCode(w, { max_uses: 1 });
    const squatter = await ok<Pair>(await redeem(w, code));
    const claimed = await ok<UserBody>(
      await patchProfile(w, squatter.access_token, {
        email: "victim@example.com",
        password: "squatter password",
      }),
    );
    assert.equal(claimed.is_anonymous, true);
    assert.equal(claimed.pending_email, "victim@example.com");
    assert.equal(await w.deps.auth.users.getByEmail("victim@example.com"), null);
    assert.equal(
      w.sent.filter((m) => m.to === "victim@example.com").length,
      1,
      "the code went to the victim",
    );
    await assertDetail(await login(w, "victim@example.com", "squatter password"), 401);

    const victim = await signInWithOtp(w, "victim@example.com");
    assert.notEqual(victim.user.id, squatter.user.id, "the owner lands in a new account of their own");
    const owner = await ok<UserBody>(await me(w, victim.access_token));
    assert.deepEqual([owner.email, owner.email_verified, owner.has_password], [
      "victim@example.com",
      true,
      false,
    ]);
    await assertDetail(await login(w, "victim@example.com", "squatter password"), 401);

    // Even the right code (it is in the victim's mailbox) cannot take the address now that it is claimed.
    const stolen = lastConfirmation(w.sent, "victim@example.com");
    await assertDetail(await confirm(w, squatter.access_token, stolen), 409, "Email already in use");
    const after = await ok<UserBody>(await me(w, squatter.access_token));
    assert.deepEqual([after.email.endsWith("@quantedge.local"), after.pending_email], [true, null]);
    assert.equal((await w.deps.auth.users.getByEmail("victim@example.com"))?.id, victim.user.id);
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile answers a registered and an unregistered address identically", async () => {
  const w = await openTestWorld();
  try {
    await signInWithOtp(w, "registered@example.com");
    const prober = await signInWithOtp(w, "prober@example.com");
    const taken = await patchProfile(w, prober.access_token, { email: "registered@example.com" });
    const takenText = await taken.text();
    const free = await patchProfile(w, prober.access_token, { email: "unregistered@example.com" });
    const freeText = await free.text();
    assert.equal(taken.status, 200, takenText);
    assert.equal(free.status, 200, freeText);
    assert.equal(taken.headers.get("content-type"), free.headers.get("content-type"));
    assert.equal(
      takenText.replace("registered@example.com", "X"),
      freeText.replace("unregistered@example.com", "X"),
    );
    for (const to of ["registered@example.com", "unregistered@example.com"]) {
      assert.match(lastConfirmation(w.sent, to), /^\d{6}$/, `a code is mailed to ${to} either way`);
    }
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile email changes answer 429 with Retry-After after 5 per user in an hour", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "churn@example.com");
    for (let i = 0; i < 5; i++) {
      assert.equal((await patchProfile(w, a.access_token, { email: `probe${i}@example.com` })).status, 200);
    }
    const limited = await patchProfile(w, a.access_token, { email: "probe5@example.com" }, "10.0.0.2");
    await assertDetail(limited, 429, "Rate limit exceeded: 5 per 1 hour");
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    assert.equal(w.sent.filter((m) => m.to === "probe5@example.com").length, 0);
    assert.equal((await patchProfile(w, a.access_token, { nickname: "still_fine" })).status, 200);
    w.clock.advance(60 * MINUTE);
    assert.equal((await patchProfile(w, a.access_token, { email: "probe5@example.com" })).status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile email changes answer 429 after RATE_LIMIT_EMAIL_CHANGE_PER_IP from one IP", async () => {
  const w = await openTestWorld({ RATE_LIMIT_EMAIL_CHANGE_PER_IP: "3/1h" });
  try {
    const a = await signInWithOtp(w, "ip-a@example.com");
    const b = await signInWithOtp(w, "ip-b@example.com");
    assert.equal(
      (await patchProfile(w, a.access_token, { email: "x1@example.com" }, "10.7.7.7")).status,
      200,
    );
    assert.equal(
      (await patchProfile(w, a.access_token, { email: "x2@example.com" }, "10.7.7.7")).status,
      200,
    );
    assert.equal(
      (await patchProfile(w, b.access_token, { email: "x3@example.com" }, "10.7.7.7")).status,
      200,
    );
    const limited = await patchProfile(w, b.access_token, { email: "x4@example.com" }, "10.7.7.7");
    await assertDetail(limited, 429, "Rate limit exceeded: 3 per 1 hour");
    assert.equal(limited.headers.get("retry-after"), "3600");
    assert.equal(
      (await patchProfile(w, b.access_token, { email: "x4@example.com" }, "10.8.8.8")).status,
      200,
    );
  } finally {
    await w.close();
  }
});

Deno.test("POST /auth/profile/email/confirm refuses an expired code, and any code after 5 wrong tries", async (t) => {
  await t.step("expired after 10 minutes", async () => {
    const w = await openTestWorld();
    try {
      const a = await signInWithOtp(w, "slow@example.com");
      await ok(await patchProfile(w, a.access_token, { email: "slow2@example.com" }));
      const code = lastConfirmation(w.sent, "slow2@example.com");
      w.clock.advance(10 * MINUTE);
      await assert422(await confirm(w, a.access_token, code), ["body", "code"]);
      assert.equal((await ok<UserBody>(await me(w, a.access_token))).email, "slow@example.com");
    } finally {
      await w.close();
    }
  });
  await t.step("accepted just before 10 minutes", async () => {
    const w = await openTestWorld();
    try {
      const a = await signInWithOtp(w, "quick@example.com");
      await ok(await patchProfile(w, a.access_token, { email: "quick2@example.com" }));
      w.clock.advance(10 * MINUTE - 1);
      const confirmed = await ok<UserBody>(
        await confirm(w, a.access_token, lastConfirmation(w.sent, "quick2@example.com")),
      );
      assert.equal(confirmed.email, "quick2@example.com");
    } finally {
      await w.close();
    }
  });
  await t.step("void after 5 wrong tries", async () => {
    const w = await openTestWorld();
    try {
      const a = await signInWithOtp(w, "guess@example.com");
      await ok(await patchProfile(w, a.access_token, { email: "guess2@example.com" }));
      const code = lastConfirmation(w.sent, "guess2@example.com");
      for (let i = 0; i < 5; i++) await assert422(await confirm(w, a.access_token, wrongCode(code)));
      await assert422(await confirm(w, a.access_token, code), ["body", "code"]);
      const after = await ok<UserBody>(await me(w, a.access_token));
      assert.deepEqual([after.email, after.pending_email], ["guess@example.com", null]);
    } finally {
      await w.close();
    }
  });
  await t.step("a new request replaces the pending code", async () => {
    const w = await openTestWorld();
    try {
      const a = await signInWithOtp(w, "twice@example.com");
      await ok(await patchProfile(w, a.access_token, { email: "first@example.com" }));
      const first = lastConfirmation(w.sent, "first@example.com");
      await ok(await patchProfile(w, a.access_token, { email: "second@example.com" }));
      const second = lastConfirmation(w.sent, "second@example.com");
      if (first !== second) await assert422(await confirm(w, a.access_token, first), ["body", "code"]);
      assert.equal(
        (await ok<UserBody>(await confirm(w, a.access_token, second))).email,
        "second@example.com",
      );
      assert.equal(await w.deps.auth.users.getByEmail("first@example.com"), null);
    } finally {
      await w.close();
    }
  });
});

Deno.test("POST /auth/profile/email/confirm validates its input and needs a signed-in user", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "val@example.com");
    await assert422(await confirm(w, a.access_token, "123456"), ["body", "code"]);
    await assert422(await confirm(w, a.access_token, "12345"), ["body", "code"]);
    await assert422(
      await w.request("POST", "/api/v1/auth/profile/email/confirm", { json: {}, token: a.access_token }),
    );
    await assertDetail(
      await w.request("POST", "/api/v1/auth/profile/email/confirm", { json: { code: "123456" } }),
      401,
    );
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile with the current verified email sends nothing and clears a pending change", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "stay@example.com");
    await ok(await patchProfile(w, a.access_token, { email: "elsewhere@example.com" }));
    const before = w.sent.length;
    const same = await ok<UserBody>(await patchProfile(w, a.access_token, { email: "Stay@Example.com" }));
    assert.deepEqual([same.email, same.pending_email], ["stay@example.com", null]);
    assert.equal(w.sent.length, before);
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /auth/profile {email} answers 503 {detail} when the code cannot be mailed", async () => {
  const port = closedPort();
  const mailer = createSmtpMailer({ host: "127.0.0.1", port, secure: false, from: "QE <qe@example.com>" });
  const w = await openTestWorld({}, { mailer });
  try {
    const record = newUserRecord(
      { id: "usr_offline", email: "offline@example.com", email_verified: true },
      0,
    );
    await w.deps.auth.users.create(record);
    const pair = await issueSession(w.deps.auth, record);
    await assertDetail(
      await patchProfile(w, pair.access_token, { email: "new@example.com" }),
      503,
      /try again/,
    );
    assert.ok(w.logs.some((l) => l.level === "error" && l.msg === "email change mail failed"));
    assert.equal(await w.deps.auth.users.getByEmail("new@example.com"), null);
  } finally {
    await w.close();
  }
});
