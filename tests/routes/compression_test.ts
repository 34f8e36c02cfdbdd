/**
 * The JSON compression middleware: brotli or gzip by `Accept-Encoding` for JSON answers of 1 KB or more, decoding
 * to the same bytes; nothing for small answers, other media types (event streams, pages), answers already
 * encoded, 304, `no-transform`, or clients that accept no coding; a HEAD has its GET's headers. And `/openapi.json` through the app.
 */
import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Hono } from "hono";
import type { AppEnv } from "../../routes/app_env.ts";
import { compressJson } from "../../routes/compression.ts";
import { openTestWorld } from "../_helpers/test_app.ts";

const BIG = JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ i, name: `row ${i}` })) });

function testApp() {
  const app = new Hono<AppEnv>();
  app.use("*", compressJson());
  app.get("/big", (c) => c.body(BIG, 200, { "Content-Type": "application/json", "ETag": '"v1"' }));
  app.get("/small", (c) => c.json({ ok: true }));
  app.get("/events", (c) => c.body(`data: ${BIG}\n\n`, 200, { "Content-Type": "text/event-stream" }));
  app.get("/page", (c) => c.html(`<p>${BIG}</p>`));
  app.get(
    "/encoded",
    (c) => c.body(BIG, 200, { "Content-Type": "application/json", "Content-Encoding": "identity" }),
  );
  app.get(
    "/raw",
    (c) => c.body(BIG, 200, { "Content-Type": "application/json", "Cache-Control": "no-transform" }),
  );
  app.get(
    "/unchanged",
    () => new Response(null, { status: 304, headers: { "Content-Type": "application/json" } }),
  );
  app.get(
    "/negotiated",
    (c) => c.body(BIG, 200, { "Content-Type": "application/json", "Vary": "Accept-Encoding" }),
  );
  return app;
}

const bytesOf = async (res: Response) => new Uint8Array(await res.arrayBuffer());
const BIG_BYTES = new TextEncoder().encode(BIG);

Deno.test("JSON of 1 KB or more is sent in brotli or gzip as accepted, and decodes to the same bytes", async () => {
  const app = testApp();
  const br = await app.request("/big", { headers: { "Accept-Encoding": "gzip, deflate, br" } });
  assert.equal(br.headers.get("Content-Encoding"), "br");
  assert.equal(br.headers.get("Vary"), "Accept-Encoding");
  assert.equal(br.headers.get("ETag"), 'W/"v1"');
  const brBytes = await bytesOf(br);
  assert.equal(Number(br.headers.get("Content-Length")), brBytes.byteLength);
  assert.ok(brBytes.byteLength < BIG_BYTES.byteLength / 3, `${brBytes.byteLength} bytes`);
  assert.deepEqual(new Uint8Array(brotliDecompressSync(brBytes)), BIG_BYTES);

  const gz = await app.request("/big", { headers: { "Accept-Encoding": "gzip" } });
  assert.equal(gz.headers.get("Content-Encoding"), "gzip");
  assert.deepEqual(new Uint8Array(gunzipSync(await bytesOf(gz))), BIG_BYTES);

  for (const accept of [undefined, "identity", "br;q=0, gzip;q=0"]) {
    const res = await app.request("/big", { headers: accept ? { "Accept-Encoding": accept } : {} });
    assert.equal(res.headers.get("Content-Encoding"), null, String(accept));
    assert.equal(res.headers.get("Vary"), "Accept-Encoding");
    assert.equal(res.headers.get("ETag"), '"v1"');
    assert.deepEqual(await bytesOf(res), BIG_BYTES);
  }
});

Deno.test("small JSON, event streams, pages, encoded or already negotiated answers, no-transform and 304 are left alone", async () => {
  const app = testApp();
  const headers = { "Accept-Encoding": "br, gzip" };
  const small = await app.request("/small", { headers });
  assert.equal(small.headers.get("Content-Encoding"), null);
  assert.deepEqual(await small.json(), { ok: true });
  for (const path of ["/events", "/page", "/raw"]) {
    const res = await app.request(path, { headers });
    assert.equal(res.headers.get("Content-Encoding"), null, path);
    assert.ok((await res.text()).includes('"row 199"'), path);
  }
  const encoded = await app.request("/encoded", { headers });
  assert.equal(encoded.headers.get("Content-Encoding"), "identity");
  assert.deepEqual(await bytesOf(encoded), BIG_BYTES);
  const negotiated = await app.request("/negotiated", { headers });
  assert.equal(negotiated.headers.get("Content-Encoding"), null);
  assert.deepEqual(await bytesOf(negotiated), BIG_BYTES);
  const unchanged = await app.request("/unchanged", { headers });
  assert.equal(unchanged.status, 304);
  assert.equal(unchanged.headers.get("Content-Encoding"), null);
});

Deno.test("a HEAD carries the Vary, Content-Encoding and ETag of its GET, without a body", async () => {
  const app = testApp();
  for (const accept of ["br", "gzip", "identity"]) {
    const headers = { "Accept-Encoding": accept };
    const get = await app.request("/big", { headers });
    const getBytes = await bytesOf(get);
    const head = await app.request("/big", { method: "HEAD", headers });
    assert.equal(head.status, 200, accept);
    for (const name of ["Vary", "Content-Encoding", "ETag", "Content-Length"]) {
      assert.equal(head.headers.get(name), get.headers.get(name), `${accept}: ${name}`);
    }
    assert.equal(head.headers.get("Vary"), "Accept-Encoding", accept);
    if (accept !== "identity") {
      assert.equal(Number(get.headers.get("Content-Length")), getBytes.byteLength, accept);
    }
    assert.equal((await bytesOf(head)).byteLength, 0, accept);
  }
});

Deno.test("/openapi.json goes out compressed and decodes to the document", async () => {
  const w = await openTestWorld();
  try {
    const plain = await w.app.request("/openapi.json");
    const identity = await bytesOf(plain);
    assert.ok(identity.byteLength > 100_000);
    const br = await w.app.request("/openapi.json", { headers: { "Accept-Encoding": "br" } });
    assert.equal(br.headers.get("Content-Encoding"), "br");
    const packed = await bytesOf(br);
    assert.ok(packed.byteLength < identity.byteLength / 5, `${packed.byteLength} of ${identity.byteLength}`);
    assert.deepEqual(new Uint8Array(brotliDecompressSync(packed)), identity);
    // The security headers still come with it.
    assert.equal(br.headers.get("X-Content-Type-Options"), "nosniff");
  } finally {
    await w.close();
  }
});
