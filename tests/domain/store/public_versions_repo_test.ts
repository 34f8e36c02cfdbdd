/**
 * Version tokens are strictly current at a fraction of a KV read per request: concurrent callers share one
 * epoch read, but never one that started before their call; tokens remembered for an epoch are forgotten when
 * any process bumps any scope.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  bumpPublicScopes,
  createPublicVersionsRepo,
  MAX_REMEMBERED_TOKENS,
  sharedFreshRead,
  TOKEN_MAX_AGE_MS,
} from "../../../domain/store/public_versions_repo.ts";

/**
 * `kv` with its `get` and `getMany` calls counted; a `get` begun after `hold()` (the next `getMany` after
 * `holdNextMany()`) reads at once but answers after `release()` (`releaseMany()`).
 */
function countingKv(kv: Deno.Kv) {
  const counts = { get: 0, getMany: 0 };
  let gate: Promise<void> | null = null;
  let open: () => void = () => {};
  let manyGate: Promise<void> | null = null;
  let openMany: () => void = () => {};
  const proxy = new Proxy(kv, {
    get(target, prop) {
      if (prop === "get") {
        return async (key: Deno.KvKey) => {
          counts.get++;
          const held = gate;
          const entry = await target.get(key);
          if (held) await held;
          return entry;
        };
      }
      if (prop === "getMany") {
        return async (list: Deno.KvKey[]) => {
          counts.getMany++;
          const held = manyGate;
          manyGate = null; // only the next read is held
          const entries = await target.getMany(list);
          if (held) await held;
          return entries;
        };
      }
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  return {
    kv: proxy,
    counts,
    hold() {
      gate = new Promise((r) => (open = r));
    },
    release() {
      gate = null;
      open();
    },
    holdNextMany() {
      manyGate = new Promise((r) => (openMany = r));
    },
    releaseMany() {
      openMany();
    },
  };
}

Deno.test("public versions: a bump is in the next token, and unrelated scopes keep theirs", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const versions = createPublicVersionsRepo(kv);
    const a0 = await versions.token(["strategy:a", "calendar"]);
    const b0 = await versions.token(["strategy:b"]);
    assert.equal(a0, "0.0");
    await versions.bump(["strategy:a"], 1);
    const a1 = await versions.token(["strategy:a", "calendar"]);
    assert.notEqual(a1, a0);
    assert.equal(await versions.token(["strategy:b"]), b0, "a scope nobody bumped keeps its token");
    await bumpPublicScopes(kv.atomic(), ["calendar"], 2).commit();
    const a2 = await versions.token(["strategy:a", "calendar"]);
    assert.notEqual(a2, a1);
    assert.equal(a2.split(".")[0], a1.split(".")[0], "the strategy's part is unchanged");
  } finally {
    kv.close();
  }
});

Deno.test("public versions: while no scope changes, a token costs one shared epoch read and no scope read", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    await createPublicVersionsRepo(kv).bump(["strategy:a"], 1);
    const c = countingKv(kv);
    const versions = createPublicVersionsRepo(c.kv);
    const first = await versions.token(["strategy:a"]);
    assert.deepEqual(c.counts, { get: 1, getMany: 1 });
    // 50 concurrent callers: at most two epoch reads (the one they find free, then the one queued after it).
    const all = await Promise.all(Array.from({ length: 50 }, () => versions.token(["strategy:a"])));
    assert.ok(all.every((t) => t === first));
    assert.ok(c.counts.get <= 3, `epoch reads: ${c.counts.get}`);
    assert.equal(c.counts.getMany, 1, "the scopes are not read again while the epoch stands");
  } finally {
    kv.close();
  }
});

Deno.test("public versions: a caller never shares an epoch read that began before its call", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const c = countingKv(kv);
    const versions = createPublicVersionsRepo(c.kv);
    const before = await versions.token(["strategy:a"]);
    // A read under way (held), then a commit, then a caller: it must see the commit.
    c.hold();
    const early = versions.token(["strategy:a"]);
    await Promise.resolve();
    await createPublicVersionsRepo(kv).bump(["strategy:a"], 1);
    const late = versions.token(["strategy:a"]);
    c.release();
    assert.equal(await early, before, "the read that began before the commit may answer the old state");
    assert.notEqual(await late, before, "the caller after the commit sees it");
  } finally {
    kv.close();
  }
});

Deno.test("public versions: a bump by another process (another handle on the same file) is in the next token", async () => {
  const dir = await Deno.makeTempDir();
  const path = join(dir, "kv.sqlite");
  const server = await Deno.openKv(path);
  const worker = await Deno.openKv(path);
  try {
    const versions = createPublicVersionsRepo(server);
    const t0 = await versions.token(["strategy:a", "log:demo"]);
    assert.equal(await versions.token(["strategy:a", "log:demo"]), t0);
    await createPublicVersionsRepo(worker).bump(["log:demo"], 1);
    const t1 = await versions.token(["strategy:a", "log:demo"]);
    assert.notEqual(t1, t0, "no watch needed: the epoch read is fresh for every caller");
    await createPublicVersionsRepo(worker).bump(["strategy:b"], 2);
    assert.equal(
      await versions.token(["strategy:a", "log:demo"]),
      t1,
      "another scope's bump re-reads, same token",
    );
  } finally {
    server.close();
    worker.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sharedFreshRead: joins only the queued read; a failed read fails its callers and the next one reads again", async () => {
  let n = 0;
  let fail = false;
  const gates: (() => void)[] = [];
  const read = sharedFreshRead(() =>
    new Promise<number>((resolve, reject) => {
      const i = ++n;
      gates.push(() => (fail ? reject(new Error(`read ${i}`)) : resolve(i)));
    })
  );
  const a = read(); // starts read 1
  const b = read(); // queued: read 2, after 1
  const c = read(); // joins read 2
  assert.equal(n, 1);
  gates[0]();
  assert.equal(await a, 1);
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(n, 2, "the queued read starts once the one under way ends");
  const d = read(); // read 2 is under way and began before this call: queued read 3
  gates[1]();
  assert.equal(await b, 2);
  assert.equal(await c, 2);
  await new Promise((r) => setTimeout(r, 0));
  assert.equal(n, 3);
  fail = true;
  gates[2]();
  await assert.rejects(d, /read 3/);
  fail = false;
  const e = read();
  gates[3]();
  assert.equal(await e, 4);
});

Deno.test("public versions: a slow caller's token read before a newer epoch is never remembered for it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const c = countingKv(kv);
    const versions = createPublicVersionsRepo(c.kv);
    const before = await versions.token(["strategy:a"]);
    await createPublicVersionsRepo(kv).bump(["strategy:b"], 1); // a new epoch: the next caller reads the scopes
    // A reads the epoch, then its scopes' read (of the state before the bump below) is held.
    c.holdNextMany();
    const slow = versions.token(["strategy:a"]);
    await new Promise((r) => setTimeout(r, 20));
    await createPublicVersionsRepo(kv).bump(["strategy:a"], 2);
    // B, after the bump, while A is still held: reads the new epoch and the new version, and remembers them.
    const fresh = await versions.token(["strategy:a"]);
    assert.notEqual(fresh, before);
    c.releaseMany();
    assert.equal(await slow, before, "A answers what it read");
    // A finished after B and must not have put its old token under B's epoch.
    assert.equal(await versions.token(["strategy:a"]), fresh, "a later caller sees the bump");
  } finally {
    kv.close();
  }
});

Deno.test("public versions: a remembered token is read again once it is TOKEN_MAX_AGE_MS old (a writer that skips the epoch)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    let now = 0;
    const versions = createPublicVersionsRepo(kv, { nowMs: () => now });
    const t0 = await versions.token(["strategy:a"]);
    // Code from before the epoch existed bumps the scope alone.
    await kv.atomic().sum(["public_version", "strategy:a"], 1n).commit();
    now += TOKEN_MAX_AGE_MS - 1;
    assert.equal(await versions.token(["strategy:a"]), t0, "within the age, the remembered token");
    now += 1;
    assert.notEqual(await versions.token(["strategy:a"]), t0, "past it, the scope is read again");
  } finally {
    kv.close();
  }
});

Deno.test("public versions: at most MAX_REMEMBERED_TOKENS scope lists are remembered", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const c = countingKv(kv);
    const versions = createPublicVersionsRepo(c.kv, { nowMs: () => 0 });
    await versions.token(["strategy:s0"]);
    await versions.token(["strategy:s0"]);
    assert.equal(c.counts.getMany, 1, "remembered");
    for (let i = 1; i <= MAX_REMEMBERED_TOKENS; i++) await versions.token([`strategy:s${i}`]);
    const reads = c.counts.getMany;
    await versions.token(["strategy:s0"]);
    assert.equal(c.counts.getMany, reads + 1, "the memory started again: s0 is read again");
  } finally {
    kv.close();
  }
});
