/**
 * What authenticating costs in KV: once a process has seen an API key, each request is one `getMany` (the key and
 * its user) and no write except `last_used_at` at most once a minute; an access token is one `getMany` (session
 * and user). Every refusal still holds on the next call: revoked key, disabled user, signed-out session.
 */
import assert from "node:assert/strict";
import { createApiKey, revokeApiKey } from "../../../domain/auth/api_keys.ts";
import { authenticate, issueSession, logout } from "../../../domain/auth/sessions.ts";
import { newUserRecord } from "../../../domain/auth/user_view.ts";
import { ForbiddenError, UnauthorizedError } from "../../../domain/errors.ts";
import { createApiKeyRepo } from "../../../domain/store/api_key_repo.ts";
import { createSessionRepo } from "../../../domain/store/session_repo.ts";
import { createUserRepo } from "../../../domain/store/user_repo.ts";
import { openAuthWorld } from "../../_helpers/auth_deps.ts";
import { T0 } from "../../_helpers/test_app.ts";

/** A view of `kv` that counts the calls the repositories make (reads, read batches, commits). */
function countingKv(kv: Deno.Kv) {
  const calls = { get: 0, getMany: 0, list: 0, commit: 0 };
  const view = new Proxy(kv, {
    get(target, prop) {
      if (prop === "get") return (...args: unknown[]) => (calls.get++, kv.get(...(args as [Deno.KvKey])));
      if (prop === "getMany") {
        return (...args: unknown[]) => (calls.getMany++, kv.getMany(...(args as [Deno.KvKey[]])));
      }
      if (prop === "list") {
        return (...args: unknown[]) => (calls.list++, kv.list(...(args as [Deno.KvListSelector])));
      }
      if (prop === "atomic") {
        return () => {
          const op = kv.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => (calls.commit++, commit());
          return op;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const reset = () => Object.assign(calls, { get: 0, getMany: 0, list: 0, commit: 0 });
  return { view, calls, reset };
}

/** An auth world whose users, keys and sessions go through a counting view of its KV. */
async function countedWorld() {
  const world = await openAuthWorld();
  const counted = countingKv(world.kv);
  world.deps.users = createUserRepo(counted.view);
  world.deps.apiKeys = createApiKeyRepo(counted.view);
  world.deps.sessions = createSessionRepo(counted.view);
  return { world, ...counted };
}

Deno.test("authenticate(API key): one getMany per request once seen, last_used_at written at most once a minute", async () => {
  const { world, calls, reset } = await countedWorld();
  try {
    const user = newUserRecord({ id: "usr_agent", email: "agent@example.com", email_verified: true }, T0);
    await world.deps.users.create(user);
    const key = await createApiKey(world.deps, user, "agent");

    reset();
    const first = await authenticate(world.deps, key.api_key);
    assert.equal(first.user.id, user.id);
    assert.equal(first.apiKeyId, key.id);
    assert.equal(calls.commit, 1, "the first use stamps last_used_at");

    for (let i = 0; i < 5; i++) {
      reset();
      world.clock.advance(10_000);
      const p = await authenticate(world.deps, key.api_key);
      assert.equal(p.user.email, "agent@example.com");
      assert.deepEqual(calls, { get: 0, getMany: 1, list: 0, commit: 0 }, `request ${i + 2}`);
    }
    reset();
    world.clock.advance(20_001); // more than a minute after the first stamp
    await authenticate(world.deps, key.api_key);
    assert.deepEqual(calls, { get: 0, getMany: 1, list: 0, commit: 1 });
    assert.equal((await world.deps.apiKeys.get(key.id))?.last_used_at, world.clock.now());

    // Revoked: refused on the next call, and the hash is looked up afresh (not answered from memory).
    await revokeApiKey(world.deps, user.id, key.id);
    await assert.rejects(
      authenticate(world.deps, key.api_key),
      (e: unknown) => e instanceof UnauthorizedError && e.message === "Invalid API key",
    );
    await assert.rejects(authenticate(world.deps, key.api_key), UnauthorizedError);
  } finally {
    world.close();
  }
});

Deno.test("authenticate(API key): a disabled or changed user is seen on the next call", async () => {
  const { world } = await countedWorld();
  try {
    const user = newUserRecord({ id: "usr_agent", email: "agent@example.com", email_verified: true }, T0);
    await world.deps.users.create(user);
    const key = await createApiKey(world.deps, user, "agent");
    assert.equal((await authenticate(world.deps, key.api_key)).user.disabled, false);
    await world.deps.users.update(user.id, (u) => ({ ...u, disabled: true }));
    await assert.rejects(
      authenticate(world.deps, key.api_key),
      (e: unknown) => e instanceof ForbiddenError && e.message === "Account disabled",
    );
    assert.equal((await authenticate(world.deps, key.api_key, { allowDisabled: true })).user.disabled, true);
    await world.deps.users.update(user.id, (u) => ({ ...u, disabled: false, nickname: "renamed" }));
    assert.equal((await authenticate(world.deps, key.api_key)).user.nickname, "renamed");
  } finally {
    world.close();
  }
});

Deno.test("authenticate(access token): one getMany (session and user), refused once the session is signed out", async () => {
  const { world, calls, reset } = await countedWorld();
  try {
    const user = newUserRecord({ id: "usr_agent", email: "agent@example.com", email_verified: true }, T0);
    await world.deps.users.create(user);
    const pair = await issueSession(world.deps, user);
    reset();
    const p = await authenticate(world.deps, pair.access_token);
    assert.equal(p.via, "access_token");
    assert.equal(p.user.id, user.id);
    assert.deepEqual(calls, { get: 0, getMany: 1, list: 0, commit: 0 });

    await logout(world.deps, { sessionId: p.sessionId });
    await assert.rejects(
      authenticate(world.deps, pair.access_token),
      (e: unknown) => e instanceof UnauthorizedError && e.message === "Invalid or expired token",
    );
  } finally {
    world.close();
  }
});
