import assert from "node:assert/strict";
import { createApiKey, listApiKeys, revokeApiKey, toApiKeyView } from "../../../domain/auth/api_keys.ts";
import { authenticate } from "../../../domain/auth/sessions.ts";
import { newUserRecord } from "../../../domain/auth/user_view.ts";
import { sha256Hex } from "../../../domain/tokens_and_hashes.ts";
import { ForbiddenError, NotFoundError, UnauthorizedError } from "../../../domain/errors.ts";
import type { Tier, UserRecord } from "../../../domain/store/user_repo.ts";
import { type AuthWorld, openAuthWorld } from "../../_helpers/auth_deps.ts";
import { T0 } from "../../_helpers/test_app.ts";

async function addUser(a: AuthWorld, name: string, tier: Tier = "free"): Promise<UserRecord> {
  const user = newUserRecord(
    { id: `usr_${name}`, email: `${name}@example.com`, email_verified: true, tier },
    T0,
  );
  await a.deps.users.create(user);
  return user;
}

Deno.test("createApiKey() returns the key once and stores only its SHA-256", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "k");
    const created = await createApiKey(a.deps, user, "  my agent  ");
    assert.match(created.api_key, /^qe_[0-9A-Za-z]{40}$/);
    assert.equal(created.name, "my agent");
    assert.equal(created.created_at, new Date(T0).toISOString());
    const stored = await a.deps.apiKeys.get(created.id);
    assert.ok(stored);
    assert.equal(stored.key_hash, await sha256Hex(created.api_key));
    assert.equal(stored.prefix, created.api_key.slice(0, 7));
    assert.equal(stored.last4, created.api_key.slice(-4));
    assert.ok(!JSON.stringify(stored).includes(created.api_key.slice(3)));
  } finally {
    a.close();
  }
});

Deno.test("toApiKeyView() shows prefix and last four, never the hash", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "v");
    const created = await createApiKey(a.deps, user, "v");
    const view = toApiKeyView((await a.deps.apiKeys.get(created.id))!);
    assert.deepEqual(view, {
      id: created.id,
      name: "v",
      prefix: created.prefix,
      last4: created.last4,
      created_at: created.created_at,
      last_used_at: null,
    });
  } finally {
    a.close();
  }
});

Deno.test("createApiKey() enforces the tier's key limit (free 10, licensed 50)", async () => {
  const a = await openAuthWorld();
  try {
    const free = await addUser(a, "free");
    for (let i = 0; i < 10; i++) await createApiKey(a.deps, free, `k${i}`);
    await assert.rejects(createApiKey(a.deps, free, "k10"), ForbiddenError);
    const licensed = await addUser(a, "licensed", "licensed");
    for (let i = 0; i < 50; i++) await createApiKey(a.deps, licensed, `k${i}`);
    await assert.rejects(createApiKey(a.deps, licensed, "k50"), (e: unknown) => {
      assert.ok(e instanceof ForbiddenError);
      assert.equal(e.message, "API key limit reached: the licensed tier allows 50 keys");
      return true;
    });
  } finally {
    a.close();
  }
});

Deno.test("createApiKey() keeps the limit when many keys are created at once", async () => {
  const a = await openAuthWorld();
  try {
    const user = await addUser(a, "burst");
    const results = await Promise.allSettled(
      Array.from({ length: 15 }, (_, i) => createApiKey(a.deps, user, `k${i}`)),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 10);
    for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof ForbiddenError);
    assert.equal(await a.deps.apiKeys.countByUser(user.id), 10);
  } finally {
    a.close();
  }
});

Deno.test("listApiKeys() lists only the caller's keys, newest first", async () => {
  const a = await openAuthWorld();
  try {
    const me = await addUser(a, "me");
    const other = await addUser(a, "other");
    await createApiKey(a.deps, me, "first");
    a.clock.advance(1000);
    await createApiKey(a.deps, me, "second");
    await createApiKey(a.deps, other, "theirs");
    const page = await listApiKeys(a.deps, me.id, { limit: 50, offset: 0 });
    assert.equal(page.total, 2);
    assert.deepEqual(page.items.map((k) => k.name), ["second", "first"]);
  } finally {
    a.close();
  }
});

Deno.test("revokeApiKey() stops the key at once and hides other users' keys as not found", async () => {
  const a = await openAuthWorld();
  try {
    const owner = await addUser(a, "owner");
    const other = await addUser(a, "other");
    const key = await createApiKey(a.deps, owner, "k");
    await assert.rejects(revokeApiKey(a.deps, other.id, key.id), NotFoundError);
    assert.equal((await authenticate(a.deps, key.api_key)).user.id, owner.id);
    await revokeApiKey(a.deps, owner.id, key.id);
    await assert.rejects(authenticate(a.deps, key.api_key), UnauthorizedError);
    await assert.rejects(revokeApiKey(a.deps, owner.id, key.id), NotFoundError);
    await assert.rejects(revokeApiKey(a.deps, owner.id, "key_unknown"), NotFoundError);
  } finally {
    a.close();
  }
});

Deno.test("revokeApiKey() succeeds even while the key is being used concurrently", async () => {
  const a = await openAuthWorld();
  try {
    const owner = await addUser(a, "busy");
    const key = await createApiKey(a.deps, owner, "k");
    // Each use may touch last_used_at; the revocation must still win.
    await Promise.all([
      revokeApiKey(a.deps, owner.id, key.id),
      ...Array.from({ length: 5 }, (_, i) => a.deps.apiKeys.touch(key.id, T0 + 120_000 * (i + 1))),
    ]);
    assert.equal(await a.deps.apiKeys.get(key.id), null);
    await assert.rejects(authenticate(a.deps, key.api_key), UnauthorizedError);
  } finally {
    a.close();
  }
});
