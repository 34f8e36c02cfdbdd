import assert from "node:assert/strict";
import {
  adminUpdateUser,
  login,
  NICKNAME_PATTERN,
  redeemInvite,
  updateProfile,
} from "../../../domain/auth/accounts.ts";
import { createInvite } from "../../../domain/auth/invites.ts";
import { hashPassword } from "../../../domain/auth/password.ts";
import { authenticate, issueSession, refreshSession } from "../../../domain/auth/sessions.ts";
import { newUserRecord } from "../../../domain/auth/user_view.ts";
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  RateLimitError,
  UnauthorizedError,
  ValidationError,
} from "../../../domain/errors.ts";
import type { UserRecord } from "../../../domain/store/user_repo.ts";
import { type AuthWorld, openAuthWorld } from "../../_helpers/auth_deps.ts";
import { T0 } from "../../_helpers/test_app.ts";

const IP = "10.0.0.1";

async function addUser(a: AuthWorld, email: string, extra: Partial<UserRecord> = {}): Promise<UserRecord> {
  const user = newUserRecord({ id: `usr_${email.split("@")[0]}`, email, email_verified: true, ...extra }, T0);
  await a.deps.users.create(user);
  return user;
}

Deno.test("NICKNAME_PATTERN accepts 2-30 letters, digits, CJK, '_' and '-' only", async (t) => {
  const cases: [string, boolean][] = [
    ["ab", true],
    ["a", false],
    ["", false],
    ["中文名字", true],
    ["ひらがなカタカナ", true],
    ["한국어", true],
    ["quant_trader-9", true],
    ["x".repeat(30), true],
    ["x".repeat(31), false],
    ["bad name!", false],
    ["has space", false],
    ["dot.name", false],
    ["at@name", false],
    ["line\nbreak", false],
    ["😀😀", false],
  ];
  for (const [nickname, ok] of cases) {
    await t.step(
      `${JSON.stringify(nickname)} → ${ok}`,
      () => assert.equal(NICKNAME_PATTERN.test(nickname), ok),
    );
  }
});

Deno.test("updateProfile() trims the nickname and refuses an invalid one with a field-level error", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "p@example.com");
    assert.equal((await updateProfile(a.deps, user.id, { nickname: "  trimmed  " }, IP)).nickname, "trimmed");
    await assert.rejects(updateProfile(a.deps, user.id, { nickname: "no way!" }, IP), (e: unknown) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(e.loc, ["nickname"]);
      return true;
    });
  } finally {
    a.close();
  }
});

Deno.test("updateProfile() refuses a nickname held by someone else in any case", async () => {
  const a = await openAuthWorld();
  try {
    const one = await addUser(a, "one@example.com");
    const two = await addUser(a, "two@example.com");
    await updateProfile(a.deps, one.id, { nickname: "Trader" }, IP);
    await assert.rejects(updateProfile(a.deps, two.id, { nickname: "tRADER" }, IP), (e: unknown) => {
      assert.ok(e instanceof ConflictError);
      assert.equal(e.message, "Nickname already taken");
      return true;
    });
  } finally {
    a.close();
  }
});

Deno.test("updateProfile() keeps a new email pending, mails a code to it, and leaves the email index alone", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "old@example.com");
    await addUser(a, "busy@example.com");
    await assert.rejects(
      updateProfile(a.deps, user.id, { email: "me@quantedge.local" }, IP),
      ValidationError,
    );
    const busy = await updateProfile(a.deps, user.id, { email: "BUSY@example.com" }, IP);
    assert.deepEqual([busy.email, busy.pending_email?.email], ["old@example.com", "busy@example.com"]);
    const moved = await updateProfile(a.deps, user.id, { email: " New@Example.com " }, IP);
    assert.equal(moved.email, "old@example.com");
    assert.equal(moved.email_verified, true);
    assert.deepEqual(moved.pending_email, {
      email: "new@example.com",
      code_hash: moved.pending_email!.code_hash,
      expires_at: T0 + 10 * 60_000,
      attempts: 0,
    });
    assert.match(moved.pending_email!.code_hash, /^[0-9a-f]{64}$/);
    assert.equal((await a.deps.users.getByEmail("old@example.com"))?.id, user.id);
    assert.equal(await a.deps.users.getByEmail("new@example.com"), null);
    assert.deepEqual(a.sent.map((m) => m.to), ["busy@example.com", "new@example.com"]);
    const code = a.sent[1].text.match(/confirmation code is (\d{6})/)![1];
    assert.ok(!JSON.stringify(moved).includes(code));
  } finally {
    a.close();
  }
});

Deno.test("updateProfile() answers NotFoundError for an unknown user", async () => {
  const a = await openAuthWorld();
  try {
    await assert.rejects(updateProfile(a.deps, "usr_nobody", { nickname: "ghost" }, IP), NotFoundError);
  } finally {
    a.close();
  }
});

Deno.test("login() resets the per-email failure count after a successful sign-in", async () => {
  const a = await openAuthWorld();
  try {
    a.deps.settings.rateLimits = { ...a.deps.settings.rateLimits, login: { limit: 2, windowMs: 900_000 } };
    await addUser(a, "reset@example.com", { password_hash: await hashPassword("right-password", 1_000) });
    await assert.rejects(login(a.deps, "reset@example.com", "wrong", IP), UnauthorizedError);
    assert.equal(
      (await login(a.deps, "reset@example.com", "right-password", IP)).user.email,
      "reset@example.com",
    );
    await assert.rejects(login(a.deps, "reset@example.com", "wrong", IP), UnauthorizedError);
    await assert.rejects(login(a.deps, "reset@example.com", "wrong", IP), UnauthorizedError);
    await assert.rejects(login(a.deps, "reset@example.com", "right-password", IP), RateLimitError);
  } finally {
    a.close();
  }
});

Deno.test("login() updates last_login_at", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "when@example.com", {
      password_hash: await hashPassword("pw-12345", 1_000),
    });
    a.clock.advance(5_000);
    await login(a.deps, "when@example.com", "pw-12345", IP);
    assert.equal((await a.deps.users.get(user.id))?.last_login_at, T0 + 5_000);
  } finally {
    a.close();
  }
});

Deno.test("redeemInvite() creates anonymous free accounts while uses remain", async () => {
  const a = await openAuthWorld();
  try {
    await createInvite(a.deps, "usr_admin", { code: "twice", max_uses: 2 });
    const one = await redeemInvite(a.deps, " twice ", IP);
    const two = await redeemInvite(a.deps, "TWICE", IP);
    assert.notEqual(one.user.id, two.user.id);
    for (const pair of [one, two]) {
      assert.match(pair.user.email, /^user_[a-z0-9]{6}@quantedge\.local$/);
      assert.equal(pair.user.is_anonymous, true);
      assert.equal(pair.user.profile_complete, false);
      assert.equal(pair.user.email_verified, false);
    }
    await assert.rejects(redeemInvite(a.deps, "TWICE", IP), BadRequestError);
    assert.equal((await a.deps.invites.get("TWICE"))?.record.uses, 2);
  } finally {
    a.close();
  }
});

Deno.test("redeemInvite() is rate-limited per IP", async () => {
  const a = await openAuthWorld();
  try {
    a.deps.settings.rateLimits = {
      ...a.deps.settings.rateLimits,
      invitePerIp: { limit: 2, windowMs: 3_600_000 },
    };
    await createInvite(a.deps, "usr_admin", { code: "MANY-USES", max_uses: 10 });
    await redeemInvite(a.deps, "MANY-USES", IP);
    await redeemInvite(a.deps, "MANY-USES", IP);
    await assert.rejects(redeemInvite(a.deps, "MANY-USES", IP), RateLimitError);
    await redeemInvite(a.deps, "MANY-USES", "10.0.0.2");
  } finally {
    a.close();
  }
});

Deno.test("adminUpdateUser() sets tier and disabled, and answers NotFoundError for unknown users", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "t@example.com");
    const licensed = await adminUpdateUser(a.deps, user.id, { tier: "licensed" });
    assert.equal(licensed.tier, "licensed");
    assert.equal(licensed.disabled, false);
    const off = await adminUpdateUser(a.deps, user.id, { disabled: true });
    assert.equal(off.tier, "licensed");
    assert.equal(off.disabled, true);
    await assert.rejects(adminUpdateUser(a.deps, "usr_nobody", { tier: "free" }), NotFoundError);
  } finally {
    a.close();
  }
});

Deno.test("updateProfile() setting a password cannot bring back a session that died with an earlier change", async () => {
  const a = await openAuthWorld();
  try {
    // Someone who typed another person's address holds a session; the address's owner then proves it by OTP,
    // which ends that session, while the squatter's password change (authenticated just before) lands after.
    const squatter = await addUser(a, "taken@example.com", { email_verified: false });
    const pair = await issueSession(a.deps, squatter);
    const { sid } = (await a.deps.codec.verify(pair.access_token, Math.floor(T0 / 1000)))!;
    await a.deps.users.update(squatter.id, (u) => ({
      ...u,
      email_verified: true,
      password_hash: null,
      session_epoch: (u.session_epoch ?? 0) + 1,
    }));
    await updateProfile(a.deps, squatter.id, { password: "squatter password" }, IP, sid);
    await assert.rejects(() => authenticate(a.deps, pair.access_token), UnauthorizedError);
    await assert.rejects(() => refreshSession(a.deps, pair.refresh_token), UnauthorizedError);
  } finally {
    a.close();
  }
});
