import assert from "node:assert/strict";
import { newId } from "../../../domain/tokens_and_hashes.ts";
import { ConflictError } from "../../../domain/errors.ts";
import {
  countKeys,
  getBlob,
  getManyValues,
  MAX_CHUNK_BYTES,
  MAX_PAGE_LIMIT,
  pageIndex,
  pageRecords,
  putBlob,
  withRetry,
} from "../../../domain/store/kv.ts";

interface Thing {
  id: string;
  n: number;
  color: "red" | "blue";
}

const T0 = Date.UTC(2026, 4, 14, 1, 0, 0);
const thingKey = (id: string) => ["things", id] as const;
const indexPrefix = ["things_by_owner", "u1"] as const;

async function withKv(fn: (kv: Deno.Kv) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

/** Writes `count` things created one second apart (ids from `newId`), each with an index entry; oldest first. */
async function seedThings(kv: Deno.Kv, count: number): Promise<Thing[]> {
  const things: Thing[] = [];
  for (let n = 0; n < count; n++) {
    const thing: Thing = { id: newId("thg", T0 + n * 1000), n, color: n % 3 === 0 ? "red" : "blue" };
    await kv.atomic().set(thingKey(thing.id), thing).set([...indexPrefix, thing.id], thing.id).commit();
    things.push(thing);
  }
  return things;
}

const ns = (items: Thing[]) => items.map((t) => t.n);

Deno.test("pageIndex() pages newest first with limit, offset and total", async () => {
  await withKv(async (kv) => {
    await seedThings(kv, 25);
    const first = await pageIndex<Thing>(kv, indexPrefix, thingKey, { limit: 10, offset: 0 });
    assert.deepEqual(ns(first.items), [24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
    assert.deepEqual([first.total, first.limit, first.offset], [25, 10, 0]);
    const last = await pageIndex<Thing>(kv, indexPrefix, thingKey, { limit: 10, offset: 20 });
    assert.deepEqual(ns(last.items), [4, 3, 2, 1, 0]);
    assert.equal(last.total, 25);
    const beyond = await pageIndex<Thing>(kv, indexPrefix, thingKey, { limit: 10, offset: 30 });
    assert.deepEqual([beyond.items.length, beyond.total], [0, 25]);
  });
});

Deno.test("pageIndex() lists oldest first when reverse is false", async () => {
  await withKv(async (kv) => {
    await seedThings(kv, 12);
    const page = await pageIndex<Thing>(kv, indexPrefix, thingKey, { limit: 4, offset: 2 }, {
      reverse: false,
    });
    assert.deepEqual(ns(page.items), [2, 3, 4, 5]);
    assert.equal(page.total, 12);
  });
});

Deno.test("pageIndex() applies offset and total after the filter", async () => {
  await withKv(async (kv) => {
    await seedThings(kv, 25); // red: n = 0, 3, 6, ..., 24 (9 of them)
    const filter = (t: Thing) => t.color === "red";
    const page = await pageIndex<Thing>(kv, indexPrefix, thingKey, { limit: 3, offset: 2 }, { filter });
    assert.deepEqual(ns(page.items), [18, 15, 12]);
    assert.equal(page.total, 9);
    const none = await pageIndex<Thing>(kv, indexPrefix, thingKey, { limit: 5, offset: 0 }, {
      filter: () => false,
    });
    assert.deepEqual([none.items, none.total], [[], 0]);
  });
});

Deno.test("pageIndex() clamps limit to 1..200 and offset to >= 0", async () => {
  await withKv(async (kv) => {
    await seedThings(kv, 3);
    const tiny = await pageIndex<Thing>(kv, indexPrefix, thingKey, { limit: 0, offset: -5 });
    assert.deepEqual([tiny.limit, tiny.offset, ns(tiny.items)], [1, 0, [2]]);
    const huge = await pageIndex<Thing>(kv, indexPrefix, thingKey, { limit: 10_000, offset: 0 });
    assert.equal(huge.limit, MAX_PAGE_LIMIT);
    assert.equal(huge.items.length, 3);
  });
});

Deno.test("pageIndex() skips index entries whose record is gone", async () => {
  await withKv(async (kv) => {
    const things = await seedThings(kv, 5);
    await kv.delete(thingKey(things[3].id));
    const page = await pageIndex<Thing>(kv, indexPrefix, thingKey, { limit: 10, offset: 0 });
    assert.deepEqual(ns(page.items), [4, 2, 1, 0]);
    const filtered = await pageIndex<Thing>(kv, indexPrefix, thingKey, { limit: 10, offset: 0 }, {
      filter: () => true,
    });
    assert.deepEqual([ns(filtered.items), filtered.total], [[4, 2, 1, 0], 4]);
  });
});

Deno.test("pageIndex() resolves a full page of 200 records (more than one getMany batch)", async () => {
  await withKv(async (kv) => {
    await seedThings(kv, 205);
    const page = await pageIndex<Thing>(kv, indexPrefix, thingKey, { limit: 200, offset: 0 });
    assert.equal(page.items.length, 200);
    assert.equal(page.items[0].n, 204);
    assert.equal(page.items[199].n, 5);
    assert.equal(page.total, 205);
  });
});

Deno.test("pageRecords() pages records stored under a prefix, newest first, with a filter", async () => {
  await withKv(async (kv) => {
    await seedThings(kv, 25);
    const page = await pageRecords<Thing>(kv, ["things"], { limit: 5, offset: 5 });
    assert.deepEqual(ns(page.items), [19, 18, 17, 16, 15]);
    assert.deepEqual([page.total, page.limit, page.offset], [25, 5, 5]);
    const oldest = await pageRecords<Thing>(kv, ["things"], { limit: 2, offset: 0 }, { reverse: false });
    assert.deepEqual(ns(oldest.items), [0, 1]);
    const red = await pageRecords<Thing>(kv, ["things"], { limit: 4, offset: 1 }, {
      filter: (t) => t.color === "red",
    });
    assert.deepEqual(ns(red.items), [21, 18, 15, 12]);
    assert.equal(red.total, 9);
    const clamped = await pageRecords<Thing>(kv, ["things"], { limit: 999, offset: -1 });
    assert.deepEqual([clamped.limit, clamped.offset, clamped.items.length], [200, 0, 25]);
  });
});

Deno.test("newId() ids sort by creation time, so reverse listing is newest first", () => {
  const ids = Array.from({ length: 50 }, (_, i) => newId("x", T0 + i * 7));
  assert.deepEqual([...ids].sort(), ids);
  assert.equal(new Set(Array.from({ length: 100 }, () => newId("x", T0))).size, 100);
});

Deno.test("getManyValues() reads more than 10 keys in order, with null for missing ones", async () => {
  await withKv(async (kv) => {
    for (let i = 0; i < 25; i += 2) await kv.set(["v", i], `value-${i}`);
    const keyList = Array.from({ length: 25 }, (_, i) => ["v", i]);
    const values = await getManyValues<string>(kv, keyList);
    assert.equal(values.length, 25);
    values.forEach((v, i) => assert.equal(v, i % 2 === 0 ? `value-${i}` : null));
    assert.deepEqual(await getManyValues(kv, []), []);
  });
});

Deno.test("getManyValues() is needed: kv.getMany itself refuses more than 10 keys", async () => {
  await withKv(async (kv) => {
    await assert.rejects(() => kv.getMany(Array.from({ length: 11 }, (_, i) => ["v", i])));
  });
});

function pattern(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

async function chunkCount(kv: Deno.Kv, blobKey: Deno.KvKey): Promise<number> {
  return await countKeys(kv, [...blobKey, "chunk"]);
}

Deno.test("putBlob()/getBlob() round-trip 0 bytes, 1 byte, 200 KiB and 1 MiB", async (t) => {
  await withKv(async (kv) => {
    for (const size of [0, 1, MAX_CHUNK_BYTES, MAX_CHUNK_BYTES + 1, 200 * 1024, 1024 * 1024]) {
      await t.step(`${size} bytes`, async () => {
        const blobKey = ["blobs", `b${size}`];
        const bytes = pattern(size, size + 1);
        await putBlob(kv, blobKey, bytes);
        const back = await getBlob(kv, blobKey);
        assert.ok(back);
        assert.equal(back.length, size);
        assert.deepEqual(back, bytes);
        assert.equal(await chunkCount(kv, blobKey), Math.ceil(size / MAX_CHUNK_BYTES));
      });
    }
  });
});

Deno.test("putBlob() replacing a blob with a smaller one removes the old chunks", async () => {
  await withKv(async (kv) => {
    const blobKey = ["blobs", "shrink"];
    await putBlob(kv, blobKey, pattern(200 * 1024, 7));
    assert.equal(await chunkCount(kv, blobKey), 4);
    const small = pattern(1, 9);
    await putBlob(kv, blobKey, small);
    assert.deepEqual(await getBlob(kv, blobKey), small);
    assert.equal(await chunkCount(kv, blobKey), 1);
    await putBlob(kv, blobKey, new Uint8Array(0));
    assert.deepEqual(await getBlob(kv, blobKey), new Uint8Array(0));
    assert.equal(await chunkCount(kv, blobKey), 0);
    const grown = pattern(130 * 1024, 11);
    await putBlob(kv, blobKey, grown);
    assert.deepEqual(await getBlob(kv, blobKey), grown);
    assert.equal(await chunkCount(kv, blobKey), 3);
  });
});

Deno.test("getBlob() returns null for an absent blob and for one missing a chunk", async () => {
  await withKv(async (kv) => {
    assert.equal(await getBlob(kv, ["blobs", "nothing"]), null);
    const blobKey = ["blobs", "broken"];
    await putBlob(kv, blobKey, pattern(150 * 1024, 3));
    for await (const entry of kv.list({ prefix: [...blobKey, "chunk"] })) {
      await kv.delete(entry.key);
      break;
    }
    assert.equal(await getBlob(kv, blobKey), null);
  });
});

const sameBytes = (x: Uint8Array | null, y: Uint8Array) =>
  x !== null && x.length === y.length && x.every((v, i) => v === y[i]);

Deno.test("getBlob() sees the old or the new blob while a writer replaces it, never a mix", async () => {
  await withKv(async (kv) => {
    const blobKey = ["blobs", "swap"];
    // 12 chunks: more than one write group and more than one getMany batch.
    const a = pattern(700 * 1024, 1);
    const b = pattern(700 * 1024, 2);
    await putBlob(kv, blobKey, a);
    let done = false;
    const writes = (async () => {
      for (let i = 0; i < 6; i++) await putBlob(kv, blobKey, i % 2 === 0 ? b : a);
    })().finally(() => (done = true));
    const seen = new Set<string>();
    while (!done) {
      const got = await getBlob(kv, blobKey);
      const state = sameBytes(got, a) ? "a" : sameBytes(got, b) ? "b" : got === null ? "null" : "torn";
      assert.notEqual(state, "torn", "getBlob() returned a mix of two versions");
      seen.add(state);
    }
    await writes;
    assert.ok(seen.has("a") || seen.has("b"));
    assert.ok(sameBytes(await getBlob(kv, blobKey), a));
  });
});

Deno.test("putBlob() refuses a write that raced another writer and leaves no orphan chunks", async () => {
  await withKv(async (kv) => {
    const blobKey = ["blobs", "race"];
    await putBlob(kv, blobKey, pattern(100, 1));
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) => putBlob(kv, blobKey, pattern(70 * 1024, i + 10))),
    );
    const won = results.filter((r) => r.status === "fulfilled").length;
    assert.ok(won >= 1);
    for (const r of results) {
      if (r.status === "rejected") assert.ok(r.reason instanceof ConflictError);
    }
    const final = await getBlob(kv, blobKey);
    assert.equal(final?.length, 70 * 1024);
    assert.equal(await chunkCount(kv, blobKey), 2);
  });
});

Deno.test("countKeys() counts the keys under a prefix only", async () => {
  await withKv(async (kv) => {
    assert.equal(await countKeys(kv, ["things"]), 0);
    await seedThings(kv, 13);
    await kv.set(["things_other", "x"], 1);
    assert.equal(await countKeys(kv, ["things"]), 13);
    assert.equal(await countKeys(kv, indexPrefix), 13);
    assert.equal(await countKeys(kv, ["things_by_owner", "u2"]), 0);
  });
});

Deno.test("withRetry() retries lost races and gives up with ConflictError", async () => {
  let calls = 0;
  const value = await withRetry("count", () => {
    calls++;
    return Promise.resolve(
      calls < 3 ? { committed: false as const } : { committed: true as const, value: calls },
    );
  });
  assert.deepEqual([value, calls], [3, 3]);
  await assert.rejects(
    () => withRetry("do the impossible", () => Promise.resolve({ committed: false as const }), 3),
    (e: unknown) => e instanceof ConflictError && /Cannot do the impossible/.test(e.message),
  );
});
