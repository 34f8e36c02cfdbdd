import assert from "node:assert/strict";
import { createApiKey } from "../../../domain/auth/api_keys.ts";
import { authenticate, issueSession, logout, refreshSession } from "../../../domain/auth/sessions.ts";
import { newUserRecord } from "../../../domain/auth/user_view.ts";
import { ForbiddenError, UnauthorizedError } from "../../../domain/errors.ts";
import type { UserRecord } from "../../../domain/store/user_repo.ts";
import { type AuthWorld, openAuthWorld } from "../../_helpers/auth_deps.ts";
import { T0 } from "../../_helpers/test_app.ts";

async function addUser(a: AuthWorld, email: string, extra: Partial<UserRecord> = {}): Promise<UserRecord> {
  const user = newUserRecord({ id: `usr_${email.split("@")[0]}`, email, email_verified: true, ...extra }, T0);
  await a.deps.users.create(user);
  return user;
}

async function dumpKv(kv: Deno.Kv): Promise<string> {
  const out: string[] = [];
  for await (const e of kv.list({ prefix: [] })) out.push(JSON.stringify(e.key), JSON.stringify(e.value));
  return out.join("\n");
}

Deno.test("issueSession() returns bearer tokens and stores the refresh token only as a hash", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "s1@example.com");
    const pair = await issueSession(a.deps, user);
    assert.equal(pair.token_type, "bearer");
    assert.equal(pair.expires_in, 86_400);
    assert.match(pair.refresh_token, /^qrt_[0-9A-Za-z]{43}$/);
    assert.equal(pair.user.id, user.id);
    assert.ok(!(await dumpKv(a.kv)).includes(pair.refresh_token.slice(4)));
    const principal = await authenticate(a.deps, pair.access_token);
    assert.equal(principal.via, "access_token");
    assert.equal(principal.user.id, user.id);
    assert.ok(principal.sessionId);
  } finally {
    a.close();
  }
});

Deno.test("issueSession() refuses a disabled account", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "off@example.com", { disabled: true });
    await assert.rejects(
      issueSession(a.deps, user),
      (e: unknown) => e instanceof ForbiddenError && e.message === "Account disabled",
    );
  } finally {
    a.close();
  }
});

Deno.test("refreshSession() answers two concurrent uses of a refresh token with the same working pair", async () => {
  const a = await openAuthWorld();
  try {
    const pair = await issueSession(a.deps, await addUser(a, "race@example.com"));
    const [one, two] = await Promise.all([
      refreshSession(a.deps, pair.refresh_token),
      refreshSession(a.deps, pair.refresh_token),
    ]);
    assert.equal(one.refresh_token, two.refresh_token);
    assert.equal(one.access_token, two.access_token);
    assert.equal((await authenticate(a.deps, one.access_token)).user.email, "race@example.com");
    assert.ok(await refreshSession(a.deps, one.refresh_token));
  } finally {
    a.close();
  }
});

Deno.test("refreshSession() stores the successor only sealed, never as its plain value", async () => {
  const a = await openAuthWorld();
  try {
    const pair = await issueSession(a.deps, await addUser(a, "sealed@example.com"));
    const next = await refreshSession(a.deps, pair.refresh_token);
    const dump = await dumpKv(a.kv);
    assert.ok(!dump.includes(next.refresh_token.slice(4)));
    assert.ok(!dump.includes(pair.refresh_token.slice(4)));
    assert.match(dump, /successor_sealed/);
  } finally {
    a.close();
  }
});

Deno.test("refreshSession() refuses tokens without the refresh prefix and unknown tokens", async () => {
  const a = await openAuthWorld();
  try {
    await assert.rejects(refreshSession(a.deps, "not-a-refresh-token"), UnauthorizedError);
    await assert.rejects(refreshSession(a.deps, "qrt_" + "x".repeat(43)), UnauthorizedError);
  } finally {
    a.close();
  }
});

Deno.test("refreshSession() reuse after the grace window revokes the session and logs a warning", async () => {
  const a = await openAuthWorld();
  try {
    const pair = await issueSession(a.deps, await addUser(a, "reuse@example.com"));
    const next = await refreshSession(a.deps, pair.refresh_token);
    a.clock.advance(a.deps.settings.refreshGraceMs);
    await assert.rejects(refreshSession(a.deps, pair.refresh_token), /already used/);
    const principal = await authenticate(a.deps, pair.access_token).catch((e) => e);
    assert.ok(principal instanceof UnauthorizedError);
    await assert.rejects(refreshSession(a.deps, next.refresh_token), UnauthorizedError);
    assert.ok(a.logs.some((l) => l.level === "warn" && l.msg.includes("refresh token reuse")));
  } finally {
    a.close();
  }
});

Deno.test("authenticate() refuses an access token whose session belongs to another user", async () => {
  const a = await openAuthWorld();
  try {
    const alice = await addUser(a, "alice@example.com");
    const bob = await addUser(a, "bob@example.com");
    const pair = await issueSession(a.deps, alice);
    const sid = (await authenticate(a.deps, pair.access_token)).sessionId!;
    const iat = Math.floor(T0 / 1000);
    const forged = await a.deps.codec.sign({ sub: bob.id, sid, typ: "access", iat, exp: iat + 3600 });
    await assert.rejects(authenticate(a.deps, forged), UnauthorizedError);
  } finally {
    a.close();
  }
});

Deno.test("authenticate() resolves an API key to its owner", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "key@example.com");
    const key = await createApiKey(a.deps, user, "bot");
    const principal = await authenticate(a.deps, key.api_key);
    assert.equal(principal.via, "api_key");
    assert.equal(principal.apiKeyId, key.id);
    assert.equal(principal.sessionId, null);
    assert.equal(principal.user.id, user.id);
  } finally {
    a.close();
  }
});

Deno.test("raising a user's session_epoch ends every earlier session at once", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "epoch@example.com");
    const old = await issueSession(a.deps, user);
    const bumped = await a.deps.users.update(
      user.id,
      (u) => ({ ...u, session_epoch: (u.session_epoch ?? 0) + 1 }),
    );
    await assert.rejects(authenticate(a.deps, old.access_token), UnauthorizedError);
    await assert.rejects(refreshSession(a.deps, old.refresh_token), UnauthorizedError);
    const fresh = await issueSession(a.deps, bumped);
    assert.equal((await authenticate(a.deps, fresh.access_token)).user.id, user.id);
    assert.ok(await refreshSession(a.deps, fresh.refresh_token));
  } finally {
    a.close();
  }
});

Deno.test("logout() revokes by refresh token or by session id and ignores unknown tokens", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "out@example.com");
    await logout(a.deps, { refreshToken: "qrt_unknown" });
    const one = await issueSession(a.deps, user);
    const two = await issueSession(a.deps, user);
    await logout(a.deps, { refreshToken: one.refresh_token });
    await assert.rejects(authenticate(a.deps, one.access_token), UnauthorizedError);
    const sid = (await authenticate(a.deps, two.access_token)).sessionId;
    await logout(a.deps, { sessionId: sid });
    await assert.rejects(authenticate(a.deps, two.access_token), UnauthorizedError);
    const session = await a.deps.sessions.getSession(sid!);
    assert.equal(session?.revoked_reason, "logout");
    assert.equal(session?.revoked_at, T0);
  } finally {
    a.close();
  }
});

Deno.test("refreshSession() within the grace window answers a disabled account 403 without revoking the session", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "paused@example.com");
    const pair = await issueSession(a.deps, user);
    const next = await refreshSession(a.deps, pair.refresh_token);
    await a.deps.users.update(user.id, (u) => ({ ...u, disabled: true }));
    await assert.rejects(
      refreshSession(a.deps, pair.refresh_token),
      (e: unknown) => e instanceof ForbiddenError && e.message === "Account disabled",
    );
    await a.deps.users.update(user.id, (u) => ({ ...u, disabled: false }));
    assert.equal((await refreshSession(a.deps, pair.refresh_token)).refresh_token, next.refresh_token);
    assert.ok(a.logs.some((l) => l.msg === "refresh token replayed within the grace window"));
    assert.ok(!a.logs.some((l) => l.msg.includes("refresh token reuse")));
  } finally {
    a.close();
  }
});
