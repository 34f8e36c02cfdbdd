import assert from "node:assert/strict";
import { createBarCache } from "../../../domain/market/bar_cache.ts";
import { emptySeries } from "../../../domain/store/bar_codec.ts";

// 52 bytes a bar (one Int32 day + six Float64 columns): a 10-bar series holds 520 bytes.
const series = (symbol: string, n: number) => emptySeries(symbol, "synthetic", n);

Deno.test("createBarCache() evicts the least recently used series once the byte bound is exceeded", () => {
  const cache = createBarCache(3 * 520);
  cache.set("a", series("A", 10));
  cache.set("b", series("B", 10));
  cache.set("c", series("C", 10));
  assert.equal(cache.bytes(), 1560);
  assert.ok(cache.get("a"), "touching a makes b the least recently used");
  cache.set("d", series("D", 10));
  assert.equal(cache.get("b"), undefined);
  assert.deepEqual(["a", "c", "d"].map((k) => cache.get(k)?.symbol), ["A", "C", "D"]);
  assert.equal(cache.bytes(), 1560);
});

Deno.test("createBarCache() evicts as many old series as a large newcomer needs", () => {
  const cache = createBarCache(1000);
  cache.set("a", series("A", 5)); // 260
  cache.set("b", series("B", 5)); // 520
  cache.set("c", series("C", 5)); // 780
  cache.set("big", series("BIG", 15)); // 780 alone: a, b and c must all go (780 + 260 > 1000)
  assert.deepEqual(["a", "b", "c"].map((k) => cache.get(k)), [undefined, undefined, undefined]);
  assert.equal(cache.get("big")?.days.length, 15);
  assert.equal(cache.bytes(), 780);
});

Deno.test("createBarCache() replaces a key's series (an extension) and recounts its bytes", () => {
  const cache = createBarCache(10_000);
  cache.set("a", series("A", 10));
  cache.set("a", series("A", 12));
  assert.equal(cache.get("a")?.days.length, 12);
  assert.equal(cache.bytes(), 12 * 52);
});

Deno.test("createBarCache() keeps nothing larger than its bound, dropping the key's older series", () => {
  const cache = createBarCache(520);
  cache.set("a", series("A", 10));
  cache.set("a", series("A", 11));
  assert.equal(cache.get("a"), undefined, "a stale shorter copy must not survive an oversized update");
  assert.equal(cache.bytes(), 0);
});

Deno.test("createBarCache(0) caches nothing", () => {
  const cache = createBarCache(0);
  cache.set("a", series("A", 1));
  assert.equal(cache.get("a"), undefined);
  assert.equal(cache.bytes(), 0);
});

Deno.test("createBarCache() delete() frees the series' bytes", () => {
  const cache = createBarCache(10_000);
  cache.set("a", series("A", 10));
  cache.set("b", series("B", 3));
  cache.delete("a");
  cache.delete("missing");
  assert.equal(cache.get("a"), undefined);
  assert.equal(cache.bytes(), 3 * 52);
});
