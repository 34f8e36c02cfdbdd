import assert from "node:assert/strict";
import {
  allTiers,
  changeProfile,
  confirmEmail,
  createApiKey,
  createInviteCode,
  findUsers,
  getUser,
  myTier,
  refreshTokens,
  signOut,
  updateUser,
  userView,
} from "../../../domain/auth/identity.ts";
import { authenticate, issueSession } from "../../../domain/auth/sessions.ts";
import { TIERS } from "../../../domain/auth/tiers.ts";
import { newUserRecord } from "../../../domain/auth/user_view.ts";
import { parseConfig } from "../../../domain/config.ts";
import { NotFoundError, RateLimitError, UnauthorizedError, ValidationError } from "../../../domain/errors.ts";
import type { UserRecord } from "../../../domain/store/user_repo.ts";
import { type AuthWorld, openAuthWorld } from "../../_helpers/auth_deps.ts";
import { T0 } from "../../_helpers/test_app.ts";

const IP = "10.0.0.1";

async function addUser(a: AuthWorld, email: string, extra: Partial<UserRecord> = {}): Promise<UserRecord> {
  const user = newUserRecord({ id: `usr_${email.split("@")[0]}`, email, email_verified: true, ...extra }, T0);
  await a.deps.users.create(user);
  return user;
}

Deno.test("userView() shows no hashes and marks a verified configured email as admin", async () => {
  const a = await openAuthWorld();
  try {
    const admin = await addUser(a, "admin@example.com", { password_hash: "pbkdf2$x" });
    const view = userView(a.deps, admin);
    assert.equal(view.is_admin, true);
    assert.equal(view.has_password, true);
    assert.ok(!("password_hash" in view));
    assert.equal(userView(a.deps, { ...admin, email_verified: false }).is_admin, false);
  } finally {
    a.close();
  }
});

Deno.test("refreshTokens() rotates, and counts every call against the client IP before the token", async () => {
  const rateLimits = { ...parseConfig({}).rateLimits, refreshPerIp: { limit: 2, windowMs: 60_000 } };
  const a = await openAuthWorld({ rateLimits });
  try {
    const user = await addUser(a, "r@example.com");
    const first = await issueSession(a.deps, user);
    const second = await refreshTokens(a.deps, first.refresh_token, IP);
    assert.notEqual(second.refresh_token, first.refresh_token);
    await assert.rejects(refreshTokens(a.deps, "qrt_unknown", IP), UnauthorizedError);
    await assert.rejects(refreshTokens(a.deps, second.refresh_token, IP), RateLimitError);
    assert.ok(await refreshTokens(a.deps, second.refresh_token, "10.0.0.2"));
  } finally {
    a.close();
  }
});

Deno.test("signOut() ends the session of an access token or of a refresh token, and ignores bad ones", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "s@example.com");
    const byAccess = await issueSession(a.deps, user);
    const byRefresh = await issueSession(a.deps, user);
    const kept = await issueSession(a.deps, user);
    await signOut(a.deps, { credential: byAccess.access_token });
    await signOut(a.deps, { refreshToken: byRefresh.refresh_token });
    await signOut(a.deps, { credential: "not-a-token", refreshToken: "qrt_unknown" });
    await signOut(a.deps, {});
    await assert.rejects(authenticate(a.deps, byAccess.access_token), UnauthorizedError);
    await assert.rejects(authenticate(a.deps, byRefresh.access_token), UnauthorizedError);
    assert.equal((await authenticate(a.deps, kept.access_token)).user.id, user.id);
  } finally {
    a.close();
  }
});

Deno.test("changeProfile() answers the user view; a bad nickname is refused at its own field", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "p@example.com");
    const caller = { userId: user.id, sessionId: null };
    const view = await changeProfile(a.deps, caller, { nickname: "quant_9" }, IP);
    assert.equal(view.nickname, "quant_9");
    assert.equal(view.id, user.id);
    assert.equal(view.created_at, new Date(T0).toISOString());
    await assert.rejects(
      changeProfile(a.deps, caller, { nickname: "x" }, IP),
      (e) => e instanceof ValidationError && JSON.stringify(e.loc) === '["nickname"]',
    );
  } finally {
    a.close();
  }
});

Deno.test("confirmEmail() answers the user view with the new address attached", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "old@example.com");
    const pending = await changeProfile(a.deps, { userId: user.id, sessionId: null }, {
      email: "new@example.com",
    }, IP);
    assert.equal(pending.pending_email, "new@example.com");
    const code = a.sent.at(-1)?.text.match(/confirmation code is (\d{6})\b/)?.[1] ?? "";
    const view = await confirmEmail(a.deps, user.id, code);
    assert.deepEqual([view.email, view.pending_email, view.email_verified], ["new@example.com", null, true]);
  } finally {
    a.close();
  }
});

Deno.test("myTier() adds the caller's API key count to the tier's limits; allTiers() lists every tier", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "t@example.com", { tier: "licensed" });
    await createApiKey(a.deps, user, "one");
    await createApiKey(a.deps, user, "two");
    const tier = await myTier(a.deps, user);
    assert.equal(tier.tier, "licensed");
    assert.equal(tier.limits.max_api_keys, 50);
    assert.deepEqual(tier.usage, { api_keys: 2 });
    const other = await addUser(a, "u@example.com");
    assert.deepEqual((await myTier(a.deps, other)).usage, { api_keys: 0 });
    const all = allTiers();
    assert.deepEqual(all.tiers.map((t) => t.tier), ["free", "licensed"]);
    all.tiers.pop();
    assert.equal(TIERS.length, 2, "the answer is a copy");
  } finally {
    a.close();
  }
});

Deno.test("createInviteCode() reads an ISO expiry; none or null never expires", async () => {
  const a = await openAuthWorld();
  try {
    const dated = await createInviteCode(a.deps, "usr_admin", {
      code: "dated-1",
      max_uses: 3,
      expires_at: "2026-12-31T23:59:59+08:00",
      note: "launch",
    });
    assert.deepEqual([dated.code, dated.expires_at, dated.note, dated.remaining_uses], [
      "DATED-1",
      "2026-12-31T15:59:59.000Z",
      "launch",
      3,
    ]);
    const open = await createInviteCode(a.deps, "usr_admin", {
      code: "open-1",
      max_uses: 1,
      expires_at: null,
    });
    assert.deepEqual([open.expires_at, open.note, open.active], [null, null, true]);
  } finally {
    a.close();
  }
});

Deno.test("findUsers() looks one user up by email (trimmed, any case) or pages through all of them", async () => {
  const a = await openAuthWorld();
  try {
    await addUser(a, "admin@example.com");
    await addUser(a, "bob@example.com");
    await addUser(a, "carol@example.com");
    const one = await findUsers(a.deps, { email: "  BOB@Example.com ", limit: 10, offset: 5 });
    assert.deepEqual(
      [one.items.map((u) => u.email), one.total, one.limit, one.offset],
      [["bob@example.com"], 1, 10, 0],
    );
    assert.deepEqual(await findUsers(a.deps, { email: "nobody@example.com", limit: 10, offset: 0 }), {
      items: [],
      total: 0,
      limit: 10,
      offset: 0,
    });
    const page = await findUsers(a.deps, { limit: 2, offset: 0 });
    assert.equal(page.total, 3);
    assert.equal(page.items.length, 2);
    const all = await findUsers(a.deps, { limit: 10, offset: 0 });
    assert.deepEqual(all.items.filter((u) => u.is_admin).map((u) => u.email), ["admin@example.com"]);
  } finally {
    a.close();
  }
});

Deno.test("getUser() and updateUser() answer user views; an unknown id is NotFoundError", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "dave@example.com");
    assert.equal((await getUser(a.deps, user.id)).email, "dave@example.com");
    const updated = await updateUser(a.deps, user.id, { tier: "licensed", disabled: true });
    assert.deepEqual([updated.tier, updated.disabled], ["licensed", true]);
    assert.equal((await getUser(a.deps, user.id)).tier, "licensed");
    await assert.rejects(getUser(a.deps, "usr_missing"), NotFoundError);
    await assert.rejects(updateUser(a.deps, "usr_missing", { tier: "free" }), NotFoundError);
  } finally {
    a.close();
  }
});
