import assert from "node:assert/strict";
import { ConflictError } from "../../../domain/errors.ts";
import { createOAuthStateRepo, type OAuthStateRecord } from "../../../domain/store/oauth_state_repo.ts";

const record: OAuthStateRecord = {
  provider: "github",
  redirect_uri: null,
  created_at: 1,
  expires_at: 600_001,
};

Deno.test("OAuthStateRepo.take() returns a state's record once", async () => {
  using kv = await Deno.openKv(":memory:");
  const repo = createOAuthStateRepo(kv);
  await repo.create("s1", record, 600_000);
  assert.deepEqual(await repo.take("s1"), record);
  assert.equal(await repo.take("s1"), null);
  assert.equal(await repo.take("never"), null);
});

Deno.test("OAuthStateRepo.take() gives a state to exactly one of many concurrent callers", async () => {
  using kv = await Deno.openKv(":memory:");
  const repo = createOAuthStateRepo(kv);
  await repo.create("s1", record, 600_000);
  const results = await Promise.all(Array.from({ length: 8 }, () => repo.take("s1")));
  assert.equal(results.filter((r) => r !== null).length, 1);
});

Deno.test("OAuthStateRepo.create() refuses to overwrite an existing state", async () => {
  using kv = await Deno.openKv(":memory:");
  const repo = createOAuthStateRepo(kv);
  await repo.create("s1", record, 600_000);
  await assert.rejects(
    () => repo.create("s1", { ...record, redirect_uri: "https://evil.example" }, 600_000),
    ConflictError,
  );
  assert.deepEqual(await repo.take("s1"), record);
});
