import assert from "node:assert/strict";
import { ConflictError } from "../../../domain/errors.ts";
import { type ApiKeyRecord, createApiKeyRepo } from "../../../domain/store/api_key_repo.ts";

const key = (id: string, over: Partial<ApiKeyRecord> = {}): ApiKeyRecord => ({
  id,
  user_id: "usr_1",
  name: id,
  key_hash: `hash_${id}`,
  prefix: "qe_abcd",
  last4: "wxyz",
  created_at: 0,
  last_used_at: null,
  ...over,
});

async function withRepo(fn: (repo: ReturnType<typeof createApiKeyRepo>, kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(createApiKeyRepo(kv), kv);
  } finally {
    kv.close();
  }
}

Deno.test("ApiKeyRepo.create() indexes a key by hash and by user", () =>
  withRepo(async (repo) => {
    assert.equal(await repo.create(key("key_a")), true);
    assert.equal((await repo.authLookup("hash_key_a"))?.key.value.id, "key_a");
    assert.equal((await repo.get("key_a"))?.name, "key_a");
    assert.equal(await repo.countByUser("usr_1"), 1);
    assert.equal(await repo.authLookup("hash_unknown"), null);
  }));

Deno.test("ApiKeyRepo.create() refuses a duplicate id or hash", () =>
  withRepo(async (repo) => {
    await repo.create(key("key_a"));
    await assert.rejects(repo.create(key("key_a", { key_hash: "other" })), ConflictError);
    await assert.rejects(repo.create(key("key_b", { key_hash: "hash_key_a" })), ConflictError);
    assert.equal(await repo.countByUser("usr_1"), 1);
  }));

Deno.test("ApiKeyRepo.create() answers false at the per-user limit, also under concurrency", () =>
  withRepo(async (repo) => {
    const results = await Promise.all(Array.from({ length: 9 }, (_, i) => repo.create(key(`key_${i}`), 4)));
    assert.equal(results.filter(Boolean).length, 4);
    assert.equal(await repo.countByUser("usr_1"), 4);
    assert.equal(await repo.create(key("key_other", { user_id: "usr_2" }), 4), true, "limits are per user");
  }));

Deno.test("ApiKeyRepo.create() counts keys stored before the per-user counter existed", () =>
  withRepo(async (repo, kv) => {
    await repo.create(key("key_1"));
    await repo.create(key("key_2"));
    await kv.delete(["api_key_counts", "usr_1"]);
    assert.equal(await repo.create(key("key_3"), 2), false);
    assert.equal(await repo.create(key("key_3"), 3), true);
  }));

Deno.test("ApiKeyRepo.listByUser() lists newest first and pages", () =>
  withRepo(async (repo) => {
    for (const id of ["key_01", "key_02", "key_03"]) await repo.create(key(id));
    await repo.create(key("key_99", { user_id: "usr_2" }));
    const page = await repo.listByUser("usr_1", { limit: 2, offset: 0 });
    assert.equal(page.total, 3);
    assert.deepEqual(page.items.map((k) => k.id), ["key_03", "key_02"]);
  }));

Deno.test("ApiKeyRepo.delete() removes the key and its indexes and frees a slot", () =>
  withRepo(async (repo) => {
    await repo.create(key("key_a"), 1);
    assert.equal(await repo.create(key("key_b"), 1), false);
    assert.equal(await repo.delete("key_a"), true);
    assert.equal(await repo.authLookup("hash_key_a"), null);
    assert.equal(await repo.get("key_a"), null);
    assert.equal(await repo.countByUser("usr_1"), 0);
    assert.equal(await repo.delete("key_a"), false);
    assert.equal(await repo.create(key("key_b"), 1), true);
  }));

Deno.test("ApiKeyRepo.deleteByUser() deletes every key of one user only", () =>
  withRepo(async (repo) => {
    for (const id of ["key_1", "key_2", "key_3"]) await repo.create(key(id));
    await repo.create(key("key_x", { user_id: "usr_2" }));
    assert.equal(await repo.deleteByUser("usr_1"), 3);
    assert.equal(await repo.countByUser("usr_1"), 0);
    assert.equal(await repo.countByUser("usr_2"), 1);
    assert.equal(await repo.create(key("key_4"), 1), true, "the counter is back to zero");
  }));

Deno.test("ApiKeyRepo.touch() records last use and never resurrects a deleted key", () =>
  withRepo(async (repo) => {
    await repo.create(key("key_a"));
    await repo.touch("key_a", 5_000);
    assert.equal((await repo.get("key_a"))?.last_used_at, 5_000);
    await repo.delete("key_a");
    await repo.touch("key_a", 6_000);
    assert.equal(await repo.get("key_a"), null);
  }));
