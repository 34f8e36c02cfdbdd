/**
 * A large public answer is sent over real HTTP as one stream chunk of the cached bytes (`STREAM_MIN_BYTES`), with
 * its `Content-Length`: every request gets the same bytes (the cached buffer is never handed away or altered),
 * compressed forms too, and HEAD gets the length without a body. Loopback only.
 */
import assert from "node:assert/strict";
import { gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { createResponseCache } from "../../domain/public_reads/response_cache.ts";
import { createPublicVersionsRepo } from "../../domain/store/public_versions_repo.ts";
import { publicJson, type PublicReadDeps, STREAM_MIN_BYTES } from "../../routes/public_cache.ts";

const LARGE = {
  rows: Array.from({ length: 3_000 }, (_, i) => ({ date: `d${i}`, nav: 1 + i / 997, note: `row ${i}` })),
};

Deno.test("publicJson over HTTP: a large answer streams the cached bytes with their length, the same on every request", async () => {
  const kv = await Deno.openKv(":memory:");
  const reads: PublicReadDeps = {
    versions: createPublicVersionsRepo(kv),
    cache: createResponseCache(),
    version: "1",
  };
  const app = new Hono();
  app.get(
    "/large",
    (c) =>
      publicJson(c, reads, { scopes: ["strategy:x"], key: "large", build: () => Promise.resolve(LARGE) }),
  );
  app.get(
    "/small",
    (c) =>
      publicJson(c, reads, { scopes: ["strategy:x"], key: "small", build: () => Promise.resolve({ ok: 1 }) }),
  );
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}`;
  const expected = new TextEncoder().encode(JSON.stringify(LARGE));
  assert.ok(expected.byteLength >= STREAM_MIN_BYTES, "the answer is large enough to be streamed");
  try {
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${base}/large`, { headers: { "accept-encoding": "identity" } });
      const body = new Uint8Array(await res.arrayBuffer());
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-length"), String(expected.byteLength));
      assert.equal(res.headers.get("x-cache"), i === 0 ? "miss" : "hit");
      assert.deepEqual(body, expected, `request ${i}: the same bytes`);
    }
    for (let i = 0; i < 2; i++) {
      // fetch decodes gzip itself: the bytes are the answer either way.
      const res = await fetch(`${base}/large`, { headers: { "accept-encoding": "gzip" } });
      assert.equal(res.headers.get("content-encoding"), "gzip");
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), expected);
    }
    const head = await fetch(`${base}/large`, { method: "HEAD", headers: { "accept-encoding": "identity" } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("content-length"), String(expected.byteLength));
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const small = await fetch(`${base}/small`, { headers: { "accept-encoding": "identity" } });
    assert.equal(await small.text(), '{"ok":1}');
    assert.equal(small.headers.get("content-length"), "8");
  } finally {
    await server.shutdown();
    kv.close();
  }
  // The cached gzip form still decodes to the answer (nothing handed away).
  const held = await reads.cache.answer("large", "-", [], () => Promise.resolve(LARGE));
  assert.deepEqual(gunzipSync(reads.cache.encode(held.answer, "gzip")), Buffer.from(expected));
});
