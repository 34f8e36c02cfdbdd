import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { isKvBusyError, openKv } from "../../../domain/store/kv.ts";

/** A KV file on disk plus a second SQLite connection that can hold its write lock, as another process would. */
async function withKvFile(fn: (path: string, lock: DatabaseSync) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "kv_busy_" });
  const path = `${dir}/kv.sqlite`;
  (await Deno.openKv(path)).close(); // creates the schema
  const lock = new DatabaseSync(path);
  // The lock's own BEGIN waits out a KV handle that is writing at that moment (opening one writes), so only the
  // KV side ever meets "database is locked".
  lock.exec("PRAGMA busy_timeout = 5000");
  try {
    await fn(path, lock);
  } finally {
    if (lock.isTransaction) lock.exec("ROLLBACK");
    lock.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a checked commit fails with 'database is locked' while another connection writes (unwrapped KV)", async () => {
  await withKvFile(async (path, lock) => {
    const kv = await Deno.openKv(path);
    try {
      const entry = await kv.get(["n"]);
      lock.exec("BEGIN IMMEDIATE");
      await assert.rejects(kv.atomic().check(entry).set(["n"], 1).commit(), (e) => isKvBusyError(e));
    } finally {
      kv.close();
    }
  });
});

Deno.test("openKv(): a checked commit waits for the other writer's lock and then commits", async () => {
  await withKvFile(async (path, lock) => {
    const waits: string[] = [];
    const kv = await openKv(path, { onBusy: (op) => waits.push(op) });
    try {
      const entry = await kv.get(["n"]);
      lock.exec("BEGIN IMMEDIATE");
      const release = setTimeout(() => lock.exec("COMMIT"), 150);
      const res = await kv.atomic().check(entry).set(["n"], 1).sum(["total"], 5n).commit();
      clearTimeout(release);
      assert.equal(res.ok, true);
      assert.ok(waits.length >= 1 && waits.every((w) => w === "atomic commit"), waits.join());
      assert.equal((await kv.get(["n"])).value, 1);
      assert.equal((await kv.get<Deno.KvU64>(["total"])).value?.value, 5n);
    } finally {
      kv.close();
    }
  });
});

Deno.test("openKv(): a commit retried after the lock still checks its versionstamps (stale read: ok false)", async () => {
  await withKvFile(async (path, lock) => {
    const kv = await openKv(path);
    const other = await Deno.openKv(path);
    try {
      await kv.set(["n"], 0);
      const entry = await kv.get(["n"]);
      await other.set(["n"], 7); // the read above is now stale
      lock.exec("BEGIN IMMEDIATE");
      const release = setTimeout(() => lock.exec("COMMIT"), 100);
      const res = await kv.atomic().check(entry).set(["n"], 1).commit();
      clearTimeout(release);
      assert.equal(res.ok, false);
      assert.equal((await kv.get(["n"])).value, 7);
    } finally {
      kv.close();
      other.close();
    }
  });
});

Deno.test("openKv(): the wait is bounded: a lock that is never released gives a clear error", async () => {
  await withKvFile(async (path, lock) => {
    let waits = 0;
    const kv = await openKv(path, { attempts: 4, baseDelayMs: 2, onBusy: () => waits++ });
    try {
      const entry = await kv.get(["n"]);
      lock.exec("BEGIN IMMEDIATE");
      await assert.rejects(
        kv.atomic().check(entry).set(["n"], 1).commit(),
        /database is locked \(another process kept the write lock through 4 tries\)/,
      );
      assert.equal(waits, 3);
      lock.exec("ROLLBACK");
      assert.equal((await kv.get(["n"])).value, null);
    } finally {
      kv.close();
    }
  });
});

Deno.test("openKv(): two handles on one file racing read-check-write increments lose nothing and never throw", async () => {
  await withKvFile(async (path, lock) => {
    let waits = 0;
    const a = await openKv(path, { onBusy: () => waits++ });
    const b = await openKv(path, { onBusy: () => waits++ });
    try {
      const increment = async (kv: Deno.Kv, times: number) => {
        for (let i = 0; i < times;) {
          const r = await kv.get<number>(["count"]);
          const res = await kv.atomic().check(r).set(["count"], (r.value ?? 0) + 1).sum(["sum"], 1n).commit();
          if (res.ok) i++;
        }
      };
      // A third connection holds the write lock for the first moments, so the handles surely meet it (on a
      // loaded machine they might otherwise never overlap); after that they contend with each other.
      lock.exec("BEGIN IMMEDIATE");
      const release = setTimeout(() => lock.exec("ROLLBACK"), 40);
      try {
        await Promise.all([increment(a, 150), increment(b, 150), increment(a, 150), increment(b, 150)]);
      } finally {
        clearTimeout(release);
        if (lock.isTransaction) lock.exec("ROLLBACK");
      }
      assert.equal((await a.get(["count"])).value, 600);
      // The unchecked sum rides in the same commits: a retried commit never applies twice.
      assert.equal((await b.get<Deno.KvU64>(["sum"])).value?.value, 600n);
      assert.ok(waits > 0, "the two handles never contended; the test did not exercise the retry");
    } finally {
      a.close();
      b.close();
    }
  });
});

Deno.test("openKv(): invalid atomic input still throws where it is written, not at commit", async () => {
  await withKvFile(async (path) => {
    const kv = await openKv(path);
    try {
      assert.throws(() => kv.atomic().sum(["x"], -1n));
    } finally {
      kv.close();
    }
  });
});
