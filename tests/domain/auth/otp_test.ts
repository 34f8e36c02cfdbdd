import assert from "node:assert/strict";
import {
  normaliseEmail,
  OTP_DIGITS,
  OTP_MAX_ATTEMPTS,
  OTP_SENT_MESSAGE,
  OTP_TTL_MS,
  requestOtp,
  verifyOtp,
} from "../../../domain/auth/otp.ts";
import { ServiceUnavailableError, UnauthorizedError, ValidationError } from "../../../domain/errors.ts";
import type { OtpRecord } from "../../../domain/store/otp_repo.ts";
import { newUserRecord } from "../../../domain/auth/user_view.ts";
import { openAuthWorld } from "../../_helpers/auth_deps.ts";
import { lastOtp, T0 } from "../../_helpers/test_app.ts";

const IP = "10.0.0.1";
const wrong = (code: string) => [...code].map((d) => String((Number(d) + 1) % 10)).join("");

Deno.test("OTP constants: 6 digits, 10 minutes, 5 tries", () => {
  assert.equal(OTP_DIGITS, 6);
  assert.equal(OTP_TTL_MS, 600_000);
  assert.equal(OTP_MAX_ATTEMPTS, 5);
});

Deno.test("requestOtp() mails a 6-digit code and stores only its hash, with the expiry time", async () => {
  const a = await openAuthWorld();
  try {
    assert.deepEqual(await requestOtp(a.deps, "  Dana@Example.COM ", IP), { message: OTP_SENT_MESSAGE });
    assert.equal(a.sent.length, 1);
    assert.equal(a.sent[0].to, "dana@example.com");
    const code = lastOtp(a.sent, "dana@example.com");
    assert.match(code, /^\d{6}$/);
    assert.match(a.sent[0].subject, new RegExp(code));

    const entry = await a.kv.get<OtpRecord>(["otp_codes", "dana@example.com"]);
    assert.ok(entry.value);
    assert.deepEqual(Object.keys(entry.value).sort(), ["attempts", "code_hash", "expires_at"]);
    assert.match(entry.value.code_hash, /^[0-9a-f]{64}$/);
    assert.equal(entry.value.expires_at, T0 + 10 * 60_000);
    assert.equal(entry.value.attempts, 0);
    assert.ok(!JSON.stringify(entry.value).includes(code), "the code itself is not stored");
  } finally {
    a.close();
  }
});

Deno.test("requestOtp() gives different codes to different requests", async () => {
  const a = await openAuthWorld();
  try {
    const codes = new Set<string>();
    for (let i = 0; i < 5; i++) {
      await requestOtp(a.deps, `r${i}@example.com`, IP);
      codes.add(lastOtp(a.sent, `r${i}@example.com`));
    }
    assert.ok(codes.size >= 4, "CSPRNG codes rarely repeat");
  } finally {
    a.close();
  }
});

Deno.test("verifyOtp() enforces the stored expiry even while the KV entry still exists", async () => {
  const a = await openAuthWorld();
  try {
    await requestOtp(a.deps, "slow@example.com", IP);
    const code = lastOtp(a.sent, "slow@example.com");
    a.clock.advance(OTP_TTL_MS);
    assert.notEqual((await a.kv.get(["otp_codes", "slow@example.com"])).value, null, "KV has not expired it");
    await assert.rejects(verifyOtp(a.deps, "slow@example.com", code, IP), UnauthorizedError);
    assert.equal(
      (await a.kv.get(["otp_codes", "slow@example.com"])).value,
      null,
      "the expired code is removed",
    );
  } finally {
    a.close();
  }
});

Deno.test("verifyOtp() counts wrong tries in the record and voids the code at 5", async () => {
  const a = await openAuthWorld();
  try {
    await requestOtp(a.deps, "count@example.com", IP);
    const code = lastOtp(a.sent, "count@example.com");
    for (let i = 1; i <= 5; i++) {
      await assert.rejects(verifyOtp(a.deps, "count@example.com", wrong(code), IP), UnauthorizedError);
      assert.equal((await a.kv.get<OtpRecord>(["otp_codes", "count@example.com"])).value?.attempts, i);
    }
    await assert.rejects(verifyOtp(a.deps, "count@example.com", code, IP), UnauthorizedError);
    assert.equal((await a.kv.get(["otp_codes", "count@example.com"])).value, null);
  } finally {
    a.close();
  }
});

Deno.test("verifyOtp() does not accept one email's code for another email", async () => {
  const a = await openAuthWorld();
  try {
    await requestOtp(a.deps, "one@example.com", IP);
    await requestOtp(a.deps, "two@example.com", IP);
    await assert.rejects(
      verifyOtp(a.deps, "two@example.com", lastOtp(a.sent, "one@example.com"), IP),
      UnauthorizedError,
    );
    await assert.rejects(verifyOtp(a.deps, "three@example.com", "123456", IP), UnauthorizedError);
  } finally {
    a.close();
  }
});

Deno.test("verifyOtp() creates a verified free account on first success", async () => {
  const a = await openAuthWorld();
  try {
    await requestOtp(a.deps, "new@example.com", IP);
    const pair = await verifyOtp(a.deps, "New@Example.com", lastOtp(a.sent, "new@example.com"), IP);
    assert.equal(pair.user.email, "new@example.com");
    assert.equal(pair.user.email_verified, true);
    assert.equal(pair.user.tier, "free");
    const stored = await a.deps.users.getByEmail("new@example.com");
    assert.equal(stored?.id, pair.user.id);
    assert.equal(stored?.last_login_at, T0);
  } finally {
    a.close();
  }
});

Deno.test("verifyOtp() lets only one of two concurrent tries with the right code through", async () => {
  const a = await openAuthWorld();
  try {
    await requestOtp(a.deps, "dup@example.com", IP);
    const code = lastOtp(a.sent, "dup@example.com");
    const results = await Promise.allSettled([
      verifyOtp(a.deps, "dup@example.com", code, IP),
      verifyOtp(a.deps, "dup@example.com", code, IP),
      verifyOtp(a.deps, "dup@example.com", code, IP),
    ]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof UnauthorizedError);
  } finally {
    a.close();
  }
});

Deno.test("requestOtp() raises ServiceUnavailableError and logs when the mail cannot be sent", async () => {
  const a = await openAuthWorld();
  try {
    a.deps.mailer = {
      kind: "smtp",
      send: () => Promise.reject(new Error("connect ECONNREFUSED")),
      check: () => Promise.resolve({ ok: false, detail: "down" }),
    };
    await assert.rejects(requestOtp(a.deps, "x@example.com", IP), ServiceUnavailableError);
    const line = a.logs.find((l) => l.msg === "otp mail failed");
    assert.equal(line?.level, "error");
    assert.ok(!JSON.stringify(line).includes("x@example.com"), "the address is not logged");
  } finally {
    a.close();
  }
});

Deno.test("normaliseEmail() trims and lower-cases, and refuses the reserved domain", () => {
  assert.equal(normaliseEmail("  Bob@Example.COM "), "bob@example.com");
  assert.throws(() => normaliseEmail("user_abcdef@quantedge.local"), (e: unknown) => {
    assert.ok(e instanceof ValidationError);
    assert.deepEqual(e.loc, ["email"]);
    return true;
  });
  assert.throws(() => normaliseEmail("X@QUANTEDGE.LOCAL", ["new_email"]), (e: ValidationError) => {
    assert.deepEqual(e.loc, ["new_email"]);
    return true;
  });
  assert.equal(normaliseEmail("me@quantedge.local.example.com"), "me@quantedge.local.example.com");
});

Deno.test("verifyOtp() unlinks a GitHub account linked before the email was proven", async () => {
  const a = await openAuthWorld();
  try {
    // A squatter's account holding someone else's address, unverified, linked to the squatter's GitHub.
    await a.deps.users.create(
      newUserRecord(
        { id: "usr_squat", email: "olga@example.com", github_id: "77", github_login: "squat" },
        T0,
      ),
    );
    await requestOtp(a.deps, "olga@example.com", IP);
    const pair = await verifyOtp(a.deps, "olga@example.com", lastOtp(a.sent, "olga@example.com"), IP);
    assert.equal(pair.user.id, "usr_squat");
    const stored = await a.deps.users.get("usr_squat");
    assert.deepEqual([stored?.github_id, stored?.github_login, stored?.email_verified], [null, null, true]);
    assert.equal(
      await a.deps.users.getByGithubId("77"),
      null,
      "the squatter's GitHub no longer signs in here",
    );
  } finally {
    a.close();
  }
});
