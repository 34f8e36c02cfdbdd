import assert from "node:assert/strict";
import { ConflictError } from "../../../domain/errors.ts";
import {
  createSessionRepo,
  type RefreshTokenRecord,
  type SessionRecord,
} from "../../../domain/store/session_repo.ts";

const T0 = Date.UTC(2026, 4, 14, 1);
const DAY = 86_400_000;
const session = (id = "ses_1"): SessionRecord => ({
  id,
  user_id: "usr_1",
  created_at: T0,
  expires_at: T0 + 7 * DAY,
  revoked_at: null,
  revoked_reason: null,
  user_epoch: 0,
});
const token = (over: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord => ({
  session_id: "ses_1",
  user_id: "usr_1",
  issued_at: T0,
  expires_at: T0 + 7 * DAY,
  rotated_at: null,
  ...over,
});

async function withRepo(fn: (repo: ReturnType<typeof createSessionRepo>) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(createSessionRepo(kv));
  } finally {
    kv.close();
  }
}

Deno.test("SessionRepo.create() stores the session and its first refresh token; a duplicate id is a conflict", () =>
  withRepo(async (repo) => {
    await repo.create(session(), "hash1", token());
    assert.equal((await repo.getSession("ses_1"))?.user_id, "usr_1");
    assert.equal((await repo.getToken("hash1"))?.record.session_id, "ses_1");
    await assert.rejects(repo.create(session(), "hash2", token()), ConflictError);
    assert.equal(await repo.getToken("hash2"), null);
  }));

Deno.test("SessionRepo.rotate() marks the old token rotated and stores the new one, once", () =>
  withRepo(async (repo) => {
    await repo.create(session(), "h1", token());
    const seen = (await repo.getToken("h1"))!;
    assert.equal(
      await repo.rotate("h1", seen, "h2", token({ issued_at: T0 + 1 }), T0 + 1, T0 + 8 * DAY),
      true,
    );
    assert.equal((await repo.getToken("h1"))?.record.rotated_at, T0 + 1);
    assert.equal((await repo.getToken("h1"))?.record.successor_hash, "h2");
    assert.equal((await repo.getToken("h2"))?.record.rotated_at, null);
    assert.equal(
      (await repo.getSession("ses_1"))?.expires_at,
      T0 + 8 * DAY,
      "the session lives as long as its token",
    );
    assert.equal(await repo.rotate("h1", seen, "h3", token(), T0 + 2, T0 + 8 * DAY), false, "stale read");
    assert.equal(await repo.getToken("h3"), null);
  }));

Deno.test("SessionRepo.rotate() refuses once the session is revoked", () =>
  withRepo(async (repo) => {
    await repo.create(session(), "h1", token());
    const seen = (await repo.getToken("h1"))!;
    await repo.revoke("ses_1", "logout", T0 + 5);
    assert.equal(await repo.rotate("h1", seen, "h2", token(), T0 + 6, T0 + 7 * DAY), false);
  }));

Deno.test("SessionRepo.revoke() records the first reason and is idempotent", () =>
  withRepo(async (repo) => {
    await repo.create(session(), "h1", token());
    await repo.revoke("ses_1", "refresh token reuse", T0 + 5);
    await repo.revoke("ses_1", "logout", T0 + 9);
    const s = await repo.getSession("ses_1");
    assert.equal(s?.revoked_at, T0 + 5);
    assert.equal(s?.revoked_reason, "refresh token reuse");
    await repo.revoke("ses_missing", "logout", T0);
  }));
