import assert from "node:assert/strict";
import { newUserRecord } from "../../../domain/auth/user_view.ts";
import { ConflictError, NotFoundError } from "../../../domain/errors.ts";
import { createUserRepo, type UserRecord } from "../../../domain/store/user_repo.ts";
import { T0 } from "../../_helpers/test_app.ts";

const user = (id: string, email: string, over: Partial<UserRecord> = {}) =>
  newUserRecord({ id, email, ...over }, T0);

async function withRepo(fn: (repo: ReturnType<typeof createUserRepo>, kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(createUserRepo(kv), kv);
  } finally {
    kv.close();
  }
}

Deno.test("UserRepo.create() stores the user with its email, nickname and GitHub indexes", () =>
  withRepo(async (repo, kv) => {
    await repo.create(user("u1", "a@example.com", { nickname: "Alpha", github_id: "42" }));
    assert.equal((await repo.get("u1"))?.email, "a@example.com");
    assert.equal((await repo.getByEmail("A@Example.com"))?.id, "u1");
    assert.equal((await repo.getByGithubId("42"))?.id, "u1");
    assert.equal((await kv.get(["users_by_nickname", "alpha"])).value, "u1");
  }));

Deno.test("UserRepo.create() refuses a taken email, nickname (any case) or GitHub id, naming the field", () =>
  withRepo(async (repo) => {
    await repo.create(user("u1", "a@example.com", { nickname: "Alpha", github_id: "42" }));
    const cases: [UserRecord, string][] = [
      [user("u2", "a@example.com"), "Email already in use"],
      [user("u3", "c@example.com", { nickname: "ALPHA" }), "Nickname already taken"],
      [user("u4", "d@example.com", { github_id: "42" }), "GitHub account already linked to another user"],
      [user("u1", "e@example.com"), 'Cannot create user "u1": it exists'],
    ];
    for (const [u, message] of cases) {
      await assert.rejects(
        repo.create(u),
        (e: unknown) => e instanceof ConflictError && e.message === message,
      );
    }
    assert.equal((await repo.list({ limit: 10, offset: 0 })).total, 1);
  }));

Deno.test("UserRepo.create() lets exactly one of concurrent sign-ups with one email win", () =>
  withRepo(async (repo) => {
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => repo.create(user(`u${i}`, "same@example.com"))),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    assert.equal((await repo.list({ limit: 10, offset: 0 })).total, 1);
  }));

Deno.test("UserRepo.update() moves indexes: the old email and nickname become free", () =>
  withRepo(async (repo, kv) => {
    await repo.create(user("u1", "old@example.com", { nickname: "Old" }));
    await repo.update("u1", (u) => ({ ...u, email: "new@example.com", nickname: "New" }));
    assert.equal(await repo.getByEmail("old@example.com"), null);
    assert.equal((await repo.getByEmail("new@example.com"))?.id, "u1");
    assert.equal((await kv.get(["users_by_nickname", "old"])).value, null);
    assert.equal((await kv.get(["users_by_nickname", "new"])).value, "u1");
    await repo.create(user("u2", "old@example.com", { nickname: "old" }));
  }));

Deno.test("UserRepo.update() gives a nickname to exactly one of concurrent claimants", () =>
  withRepo(async (repo) => {
    for (let i = 0; i < 4; i++) await repo.create(user(`u${i}`, `u${i}@example.com`));
    const results = await Promise.allSettled(
      [0, 1, 2, 3].map((i) => repo.update(`u${i}`, (u) => ({ ...u, nickname: i % 2 ? "Winner" : "winner" }))),
    );
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results) if (r.status === "rejected") assert.ok(r.reason instanceof ConflictError);
  }));

Deno.test("UserRepo.update() re-applies the change over a concurrent write instead of losing it", () =>
  withRepo(async (repo) => {
    await repo.create(user("u1", "x@example.com"));
    await Promise.all([
      repo.update("u1", (u) => ({ ...u, tier: "licensed" })),
      repo.update("u1", (u) => ({ ...u, nickname: "both" })),
    ]);
    const after = await repo.get("u1");
    assert.equal(after?.tier, "licensed");
    assert.equal(after?.nickname, "both");
  }));

Deno.test("UserRepo.update() answers NotFoundError for an unknown id", () =>
  withRepo(async (repo) => {
    await assert.rejects(repo.update("ghost", (u) => u), NotFoundError);
  }));

Deno.test("UserRepo.list() pages and filters", () =>
  withRepo(async (repo) => {
    for (let i = 0; i < 5; i++) {
      await repo.create(user(`u${i}`, `u${i}@example.com`, { tier: i < 2 ? "licensed" : "free" }));
    }
    const page = await repo.list({ limit: 2, offset: 1 });
    assert.equal(page.total, 5);
    assert.equal(page.items.length, 2);
    const licensed = await repo.list({ limit: 10, offset: 0 }, (u) => u.tier === "licensed");
    assert.equal(licensed.total, 2);
  }));
