import assert from "node:assert/strict";
import { fixedClock } from "../../../domain/clock.ts";
import { createRateLimitRepo } from "../../../domain/store/rate_limit_repo.ts";

const MINUTE = 60_000;
/** 2026-05-14T01:00:00Z: a multiple of a minute, an hour and 15 minutes, so windows start here. */
const T0 = Date.UTC(2026, 4, 14, 1, 0, 0);

async function withRepo(fn: (repo: ReturnType<typeof createRateLimitRepo>, kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(createRateLimitRepo(kv), kv);
  } finally {
    kv.close();
  }
}

Deno.test("hit() allows `limit` attempts in a window and refuses the next", async () => {
  await withRepo(async (repo) => {
    const decisions = [];
    for (let i = 0; i < 4; i++) {
      decisions.push(await repo.hit("otp_email", "a@example.com", 3, MINUTE, T0 + i));
    }
    assert.deepEqual(decisions.map((d) => [d.allowed, d.count]), [[true, 1], [true, 2], [true, 3], [
      false,
      3,
    ]]);
  });
});

Deno.test("hit() windows are aligned to multiples of the window length", async (t) => {
  await withRepo(async (repo) => {
    const clock = fixedClock(T0 + 10 * MINUTE + 30_000); // half-way through a window
    await t.step("Retry-After counts down to the window's end", async () => {
      assert.equal((await repo.hit("b", "id", 1, MINUTE, clock.now())).retryAfterSeconds, 30);
      const refused = await repo.hit("b", "id", 1, MINUTE, clock.now());
      assert.deepEqual([refused.allowed, refused.retryAfterSeconds], [false, 30]);
    });
    await t.step("the last millisecond of the window is still refused, with Retry-After 1", async () => {
      clock.set(T0 + 11 * MINUTE - 1);
      const refused = await repo.hit("b", "id", 1, MINUTE, clock.now());
      assert.deepEqual([refused.allowed, refused.retryAfterSeconds], [false, 1]);
    });
    await t.step("the first millisecond of the next window starts from zero", async () => {
      clock.set(T0 + 11 * MINUTE);
      const fresh = await repo.hit("b", "id", 1, MINUTE, clock.now());
      assert.deepEqual([fresh.allowed, fresh.count, fresh.retryAfterSeconds], [true, 1, 60]);
    });
    await t.step("Retry-After rounds partial seconds up", async () => {
      clock.set(T0 + 12 * MINUTE - 1_500);
      const d = await repo.hit("b2", "id", 5, MINUTE, clock.now());
      assert.equal(d.retryAfterSeconds, 2);
    });
  });
});

Deno.test("hit() keeps buckets and identities apart", async () => {
  await withRepo(async (repo) => {
    assert.equal((await repo.hit("login", "a", 1, MINUTE, T0)).allowed, true);
    assert.equal((await repo.hit("login", "a", 1, MINUTE, T0)).allowed, false);
    assert.equal((await repo.hit("login", "b", 1, MINUTE, T0)).allowed, true);
    assert.equal((await repo.hit("otp_ip", "a", 1, MINUTE, T0)).allowed, true);
  });
});

Deno.test("reset() forgets the current window only", async () => {
  await withRepo(async (repo) => {
    await repo.hit("login", "a", 2, MINUTE, T0);
    await repo.hit("login", "a", 2, MINUTE, T0);
    assert.equal((await repo.hit("login", "a", 2, MINUTE, T0)).allowed, false);
    await repo.reset("login", "a", MINUTE, T0 + 5);
    const after = await repo.hit("login", "a", 2, MINUTE, T0 + 6);
    assert.deepEqual([after.allowed, after.count], [true, 1]);
  });
});

Deno.test("hit() counters expire with their window", async () => {
  await withRepo(async (repo, kv) => {
    await repo.hit("b", "id", 5, MINUTE, T0);
    const keys = [];
    for await (const entry of kv.list({ prefix: ["rate_limits"] })) keys.push(entry.key);
    assert.deepEqual(keys, [["rate_limits", "b", "id", T0]]);
  });
});

Deno.test("hit() never allows more than the limit under 50 concurrent attempts", async () => {
  await withRepo(async (repo) => {
    const decisions = await Promise.all(
      Array.from({ length: 50 }, () => repo.hit("burst", "ip", 10, MINUTE, T0)),
    );
    const allowed = decisions.filter((d) => d.allowed);
    assert.equal(allowed.length, 10);
    assert.deepEqual(allowed.map((d) => d.count).sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(decisions.filter((d) => !d.allowed).every((d) => d.count === 10));
  });
});

Deno.test("hit() allows every concurrent attempt that is under the limit", async () => {
  await withRepo(async (repo) => {
    const decisions = await Promise.all(
      Array.from({ length: 100 }, () => repo.hit("burst", "ip", 1000, MINUTE, T0)),
    );
    assert.equal(decisions.filter((d) => d.allowed).length, 100);
    assert.equal((await repo.hit("burst", "ip", 1000, MINUTE, T0)).count, 101);
  });
});
