import assert from "node:assert/strict";
import { ConflictError } from "../../../domain/errors.ts";
import { createInviteRepo, type InviteCodeRecord } from "../../../domain/store/invite_repo.ts";

const invite = (code: string, over: Partial<InviteCodeRecord> = {}): InviteCodeRecord => ({
  code,
  max_uses: 1,
  uses: 0,
  expires_at: null,
  disabled: false,
  note: null,
  created_by: "usr_admin",
  created_at: 0,
  ...over,
});

Deno.test("InviteRepo.create() refuses an existing code", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createInviteRepo(kv);
    await repo.create(invite("ABCD"));
    await assert.rejects(repo.create(invite("ABCD", { max_uses: 9 })), ConflictError);
    assert.equal((await repo.get("ABCD"))?.record.max_uses, 1);
    assert.equal(await repo.get("NOPE"), null);
  } finally {
    kv.close();
  }
});

Deno.test("InviteRepo.replace() writes only over the version it read", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createInviteRepo(kv);
    await repo.create(invite("ABCD", { max_uses: 2 }));
    const seen = (await repo.get("ABCD"))!;
    assert.equal(await repo.replace(seen, { ...seen.record, uses: 1 }), true);
    assert.equal(await repo.replace(seen, { ...seen.record, uses: 1 }), false, "stale read");
    assert.equal((await repo.get("ABCD"))?.record.uses, 1);
  } finally {
    kv.close();
  }
});

Deno.test("InviteRepo.list() pages codes in ascending order", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createInviteRepo(kv);
    for (const c of ["BBBB", "AAAA", "CCCC"]) await repo.create(invite(c));
    const page = await repo.list({ limit: 2, offset: 0 });
    assert.deepEqual(page.items.map((i) => i.code), ["AAAA", "BBBB"]);
    assert.equal(page.total, 3);
  } finally {
    kv.close();
  }
});
