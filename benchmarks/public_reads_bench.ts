/**
 * Public reads in process (no sockets): the demo's 120-day track record answered by the app through
 * `publicJson` — a cache hit, a hit with brotli, a conditional request (304), a miss (the in-process entry
 * dropped before each request) — against a bare Hono route reading one KV value holding the same record (the
 * load test's reference). Seeds the demo with the real replay first (about ten seconds).
 *
 *   deno bench --allow-net --allow-env --allow-read=. --allow-write=.tmp --allow-sys benchmarks/public_reads_bench.ts
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { strategyScope } from "../domain/public_reads/scopes.ts";
import { replayDemoRecords } from "../tests/_helpers/track_world.ts";
import { openTestWorld } from "../tests/_helpers/test_app.ts";

const NOW = Date.UTC(2026, 10, 20, 12, 0); // a Friday, 20:00 CST
const SLUG = "demo-reversal";
const PATH = `/api/v1/public/strategies/${SLUG}/track-record`;

const w = await openTestWorld();
await replayDemoRecords(w, 120, NOW);
w.clock.set(NOW);

const get = (headers: Record<string, string> = {}) => w.app.request(PATH, { headers });
const first = await get();
assert.equal(first.status, 200);
const record = await first.json();
const etag = first.headers.get("etag");
assert.ok(etag, "the track record has an ETag");

// The reference: one KV value holding the same record, answered by a bare Hono route.
const KEY = ["bench", "track_record"];
await w.kv.set(KEY, record);
const bare = new Hono().get("/kv", async (c) => c.json((await w.kv.get(KEY)).value));
assert.equal((await bare.request("/kv")).status, 200);

const scopes = [strategyScope(SLUG)];
assert.equal((await get({ "if-none-match": etag })).status, 304);
assert.equal((await get({ "accept-encoding": "br" })).headers.get("content-encoding"), "br");

Deno.bench("bare Hono route reading one KV value (the 120-day record)", { baseline: true }, async () => {
  await (await bare.request("/kv")).arrayBuffer();
});

Deno.bench("publicJson: track record, in-process hit", async () => {
  await (await get()).arrayBuffer();
});

Deno.bench("publicJson: track record, hit, Accept-Encoding: br", async () => {
  await (await get({ "accept-encoding": "br" })).arrayBuffer();
});

Deno.bench("publicJson: track record, If-None-Match → 304", async () => {
  await (await get({ "if-none-match": etag })).arrayBuffer();
});

Deno.bench("publicJson: track record, miss (in-process entry dropped first)", async () => {
  w.deps.publicReads.cache.evictScopes(scopes);
  await (await get()).arrayBuffer();
});

globalThis.addEventListener("unload", () => {
  w.close();
});
