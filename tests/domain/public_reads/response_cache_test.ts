/**
 * The in-process response cache: an answer is kept per key at its token and served only at that token; builds
 * are single-flight; a failed build keeps nothing; the LRU holds to its entry and byte bounds (compressed forms
 * count); `evictScopes` drops exactly the entries of the named scopes.
 */
import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import {
  compressBytes,
  createResponseCache,
  ServedOnly,
} from "../../../domain/public_reads/response_cache.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("response cache: a kept answer is served at its token; another token builds again", async () => {
  const cache = createResponseCache();
  let builds = 0;
  const build = (v: unknown) => () => {
    builds++;
    return Promise.resolve(v);
  };
  const a = await cache.answer("k", "t1", ["s"], build({ n: 1 }));
  assert.equal(a.hit, false);
  assert.equal(text(a.answer.json), '{"n":1}');
  const b = await cache.answer("k", "t1", ["s"], build({ n: 99 }));
  assert.equal(b.hit, true);
  assert.equal(text(b.answer.json), '{"n":1}');
  const c = await cache.answer("k", "t2", ["s"], build({ n: 2 }));
  assert.equal(c.hit, false);
  assert.equal(text(c.answer.json), '{"n":2}');
  assert.equal(builds, 2);
  // The new token replaced the old entry: the old token builds again (a cache never serves two states of a key).
  const d = await cache.answer("k", "t1", ["s"], build({ n: 3 }));
  assert.equal(d.hit, false);
  assert.equal(text(d.answer.json), '{"n":3}');
  const s = cache.stats();
  assert.equal(s.entries, 1);
  assert.equal(s.hits, 1);
  assert.equal(s.misses, 3);
});

Deno.test("response cache: concurrent misses of one key and token share one build", async () => {
  const cache = createResponseCache();
  let builds = 0;
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const build = async () => {
    builds++;
    await gate;
    return { built: builds };
  };
  const waiting = Array.from({ length: 8 }, () => cache.answer("k", "t", ["s"], build));
  release();
  const answers = await Promise.all(waiting);
  assert.equal(builds, 1);
  assert.equal(answers.filter((a) => !a.hit).length, 1);
  for (const a of answers) assert.equal(text(a.answer.json), '{"built":1}');
  // Another token is another flight.
  await cache.answer("k", "u", ["s"], build);
  assert.equal(builds, 2);
});

Deno.test("response cache: a build that throws reaches every waiter and keeps nothing", async () => {
  const cache = createResponseCache();
  let calls = 0;
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => (release = r));
  const failing = async () => {
    calls++;
    await gate;
    throw new RangeError("no such strategy");
  };
  const waiting = [1, 2, 3].map(() => cache.answer("k", "t", ["s"], failing));
  release();
  for (const p of waiting) await assert.rejects(p, RangeError);
  assert.equal(calls, 1);
  assert.equal(cache.stats().entries, 0);
  assert.equal(cache.stats().bytes, 0);
  const next = await cache.answer("k", "t", ["s"], () => Promise.resolve([1]));
  assert.equal(next.hit, false);
  assert.equal(text(next.answer.json), "[1]");
});

Deno.test("response cache: least recently used out first, by entries", async () => {
  const cache = createResponseCache({ maxEntries: 3 });
  for (const k of ["a", "b", "c"]) await cache.answer(k, "t", ["s"], () => Promise.resolve(k));
  assert.equal((await cache.answer("a", "t", ["s"], () => Promise.resolve("A!"))).hit, true); // a is fresh now
  await cache.answer("d", "t", ["s"], () => Promise.resolve("d")); // b, the least recently used, goes
  assert.equal(cache.stats().entries, 3);
  assert.equal(cache.stats().evictions, 1);
  assert.equal((await cache.answer("a", "t", ["s"], () => Promise.resolve("x"))).hit, true);
  assert.equal((await cache.answer("c", "t", ["s"], () => Promise.resolve("x"))).hit, true);
  const b = await cache.answer("b", "t", ["s"], () => Promise.resolve("b2"));
  assert.equal(b.hit, false);
  assert.equal(text(b.answer.json), '"b2"');
});

Deno.test("response cache: the byte bound counts JSON and compressed forms; oversize answers are not kept", async () => {
  const big = (n: number) => ({ data: "x".repeat(n) });
  const cache = createResponseCache({ maxBytes: 10_000, maxEntryBytes: 6_000 });
  const a = await cache.answer("a", "t", ["s"], () => Promise.resolve(big(4_000)));
  assert.equal(cache.stats().bytes, a.answer.json.byteLength);
  const gz = cache.encode(a.answer, "gzip");
  assert.equal(cache.stats().bytes, a.answer.json.byteLength + gz.byteLength);
  assert.equal(cache.encode(a.answer, "gzip"), gz, "compressed once and kept");
  await cache.answer("b", "t", ["s"], () => Promise.resolve(big(4_000)));
  assert.equal(cache.stats().entries, 2);
  await cache.answer("c", "t", ["s"], () => Promise.resolve(big(4_000))); // over 10,000: a goes
  assert.equal(cache.stats().entries, 2);
  assert.ok(cache.stats().bytes <= 10_000);
  assert.equal((await cache.answer("a", "t", ["s"], () => Promise.resolve(big(1)))).hit, false);
  // An answer over maxEntryBytes is served (built) but never kept.
  const huge = await cache.answer("h", "t", ["s"], () => Promise.resolve(big(7_000)));
  assert.equal(huge.answer.json.byteLength > 6_000, true);
  assert.equal((await cache.answer("h", "t", ["s"], () => Promise.resolve(big(7_000)))).hit, false);
});

Deno.test("response cache: encode makes gzip and brotli that decode to the same JSON", async () => {
  const cache = createResponseCache();
  const value = { rows: Array.from({ length: 200 }, (_, i) => ({ i, nav: 1 + i / 1000 })) };
  const { answer } = await cache.answer("k", "t", ["s"], () => Promise.resolve(value));
  const gz = cache.encode(answer, "gzip");
  const br = cache.encode(answer, "br");
  assert.ok(gz.byteLength < answer.json.byteLength && br.byteLength < answer.json.byteLength);
  assert.deepEqual(JSON.parse(text(gunzipSync(gz))), value);
  assert.deepEqual(JSON.parse(text(brotliDecompressSync(br))), value);
  assert.deepEqual(JSON.parse(text(brotliDecompressSync(compressBytes(answer.json, "br")))), value);
});

Deno.test("response cache: evictScopes drops the entries of the named scopes only", async () => {
  const cache = createResponseCache();
  await cache.answer("list", "t", ["list"], () => Promise.resolve(1));
  await cache.answer("tr a", "t", ["strategy:a"], () => Promise.resolve(2));
  await cache.answer("tr b", "t", ["strategy:b"], () => Promise.resolve(3));
  await cache.answer("verify a", "t", ["strategy:a", "log:production", "log:demo"], () => Promise.resolve(4));
  await cache.answer("ckpt", "t", ["log:production"], () => Promise.resolve(5));
  const before = cache.stats().bytes;
  assert.equal(cache.evictScopes(["strategy:a"]), 2);
  assert.equal(cache.stats().entries, 3);
  assert.ok(cache.stats().bytes < before);
  assert.equal(cache.evictScopes(["log:production", "nothing"]), 1);
  assert.equal(cache.evictScopes(["strategy:a"]), 0);
  assert.equal((await cache.answer("tr b", "t", ["strategy:b"], () => Promise.resolve(0))).hit, true);
  assert.equal((await cache.answer("list", "t", ["list"], () => Promise.resolve(0))).hit, true);
  assert.equal((await cache.answer("tr a", "t", ["strategy:a"], () => Promise.resolve(0))).hit, false);
  assert.equal((await cache.answer("ckpt", "t", ["log:production"], () => Promise.resolve(0))).hit, false);
});

Deno.test("response cache: a ServedOnly answer reaches every waiter and is never kept", async () => {
  const cache = createResponseCache();
  let builds = 0;
  const build = async () => {
    builds++;
    await new Promise((r) => setTimeout(r, 5));
    return new ServedOnly({ at: builds });
  };
  const [a, b] = await Promise.all([
    cache.answer("k", "t1", ["s"], build),
    cache.answer("k", "t1", ["s"], build),
  ]);
  assert.equal(builds, 1, "one build for concurrent callers");
  assert.equal(new TextDecoder().decode(a.answer.json), '{"at":1}');
  assert.equal(b.answer, a.answer);
  assert.equal(cache.stats().entries, 0);
  assert.equal(cache.stats().bytes, 0);
  const again = await cache.answer("k", "t1", ["s"], build);
  assert.equal(again.hit, false);
  assert.equal(new TextDecoder().decode(again.answer.json), '{"at":2}');
  // JSON bytes inside ServedOnly are served as they are.
  const bytes = await cache.answer(
    "j",
    "t1",
    ["s"],
    () => Promise.resolve(new ServedOnly(new TextEncoder().encode("[1]"))),
  );
  assert.equal(new TextDecoder().decode(bytes.answer.json), "[1]");
  assert.equal(cache.stats().entries, 0);
});
