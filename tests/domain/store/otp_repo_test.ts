import assert from "node:assert/strict";
import { createOtpRepo, type OtpRecord } from "../../../domain/store/otp_repo.ts";

const rec = (over: Partial<OtpRecord> = {}): OtpRecord => ({
  code_hash: "h1",
  expires_at: 1_000,
  attempts: 0,
  ...over,
});

Deno.test("OtpRepo.put() replaces the pending code for an email", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createOtpRepo(kv);
    assert.equal(await repo.get("a@example.com"), null);
    await repo.put("a@example.com", rec(), 60_000);
    await repo.put("a@example.com", rec({ code_hash: "h2" }), 60_000);
    assert.equal((await repo.get("a@example.com"))?.record.code_hash, "h2");
  } finally {
    kv.close();
  }
});

Deno.test("OtpRepo.recordFailure() and consume() refuse a record that changed since it was read", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createOtpRepo(kv);
    await repo.put("a@example.com", rec(), 60_000);
    const seen = (await repo.get("a@example.com"))!;
    assert.equal(await repo.recordFailure("a@example.com", seen, 60_000), true);
    assert.equal((await repo.get("a@example.com"))?.record.attempts, 1);
    assert.equal(await repo.recordFailure("a@example.com", seen, 60_000), false, "stale read");
    assert.equal(await repo.consume("a@example.com", seen), false, "stale read");
    const fresh = (await repo.get("a@example.com"))!;
    assert.equal(await repo.consume("a@example.com", fresh), true);
    assert.equal(await repo.get("a@example.com"), null);
    assert.equal(await repo.consume("a@example.com", fresh), false, "a code is consumed once");
  } finally {
    kv.close();
  }
});

Deno.test("OtpRepo.delete() removes the pending code", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createOtpRepo(kv);
    await repo.put("a@example.com", rec(), 60_000);
    await repo.delete("a@example.com");
    assert.equal(await repo.get("a@example.com"), null);
  } finally {
    kv.close();
  }
});
