/**
 * `publicJson` (routes/public_cache.ts) on a bare Hono app over a real `:memory:` KV: strong ETags per
 * representation, `If-None-Match` → 304 for each form, `*` and weak tags, compression by `Accept-Encoding`
 * (decoding to the same JSON) only from 1 KiB, `Vary`, `Cache-Control`, `X-Cache`, HEAD, a bump changing the
 * tag; and on the whole app, a 4xx is never kept.
 */
import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { Hono } from "hono";
import { createResponseCache } from "../../domain/public_reads/response_cache.ts";
import { createPublicVersionsRepo, MAX_SCOPES_PER_READ } from "../../domain/store/public_versions_repo.ts";
import {
  COMPRESS_MIN_BYTES,
  matchingTag,
  pickEncoding,
  PUBLIC_IMMUTABLE,
  PUBLIC_REVALIDATE,
  publicJson,
  type PublicReadDeps,
} from "../../routes/public_cache.ts";
import { createTrackedStrategy } from "../../domain/track_record/signals/tracked_strategies.ts";
import { newUserRecord } from "../../domain/auth/user_view.ts";
import { openTestWorld } from "../_helpers/test_app.ts";

const BIG = { rows: Array.from({ length: 120 }, (_, i) => ({ date: `2026-01-${i}`, nav: 1 + i / 997 })) };
const SMALL = { ok: true, n: 7 };

async function bareApp() {
  const kv = await Deno.openKv(":memory:");
  const reads: PublicReadDeps = {
    versions: createPublicVersionsRepo(kv),
    cache: createResponseCache(),
    version: "9.9.9",
  };
  let builds = 0;
  const app = new Hono();
  app.get("/big", (c) =>
    publicJson(c, reads, {
      scopes: ["strategy:x"],
      key: "big",
      build: () => {
        builds++;
        return Promise.resolve(BIG);
      },
    }));
  app.get("/small", (c) =>
    publicJson(c, reads, {
      scopes: ["list"],
      key: "small",
      build: () => Promise.resolve(SMALL),
      cacheControl: PUBLIC_IMMUTABLE,
    }));
  return { kv, reads, app, builds: () => builds };
}

const get = (app: Hono, path: string, headers: Record<string, string> = {}, method = "GET") =>
  app.request(path, { method, headers });

Deno.test("publicJson: identity, gzip and brotli answers carry their own strong ETag and decode to the same JSON", async () => {
  const { kv, app, builds } = await bareApp();
  try {
    const plain = await get(app, "/big");
    assert.equal(plain.status, 200);
    const json = await plain.text();
    assert.deepEqual(JSON.parse(json), BIG);
    assert.ok(json.length >= COMPRESS_MIN_BYTES);
    const tag = plain.headers.get("etag")!;
    assert.match(tag, /^"9\.9\.9~[0-9a-f.]+"$/);
    assert.equal(plain.headers.get("content-encoding"), null);
    assert.equal(plain.headers.get("vary"), "Accept-Encoding");
    assert.equal(plain.headers.get("cache-control"), PUBLIC_REVALIDATE);
    assert.equal(plain.headers.get("content-type"), "application/json");
    assert.equal(plain.headers.get("x-cache"), "miss");

    const gz = await get(app, "/big", { "accept-encoding": "gzip, deflate" });
    assert.equal(gz.headers.get("content-encoding"), "gzip");
    assert.equal(gz.headers.get("etag"), tag.slice(0, -1) + '-gzip"');
    assert.equal(gz.headers.get("x-cache"), "hit");
    assert.deepEqual(
      JSON.parse(new TextDecoder().decode(gunzipSync(new Uint8Array(await gz.arrayBuffer())))),
      BIG,
    );

    const br = await get(app, "/big", { "accept-encoding": "gzip, br;q=0.9" });
    assert.equal(br.headers.get("content-encoding"), "br");
    assert.equal(br.headers.get("etag"), tag.slice(0, -1) + '-br"');
    const brBytes = new Uint8Array(await br.arrayBuffer());
    assert.ok(brBytes.byteLength < json.length);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(brotliDecompressSync(brBytes))), BIG);

    // br refused with q=0: gzip.
    const noBr = await get(app, "/big", { "accept-encoding": "br;q=0, gzip" });
    assert.equal(noBr.headers.get("content-encoding"), "gzip");
    await noBr.body?.cancel();
    assert.equal(builds(), 1, "one build served every representation");
  } finally {
    kv.close();
  }
});

Deno.test("publicJson: If-None-Match with any representation's tag, a weak tag, a list or * answers 304", async () => {
  const { kv, app } = await bareApp();
  try {
    const tag = (await get(app, "/big")).headers.get("etag")!;
    const token = tag.slice(1, -1);
    const cases: [string, string][] = [
      [tag, tag],
      [`"${token}-gzip"`, `"${token}-gzip"`],
      [`"${token}-br"`, `"${token}-br"`],
      [`W/"${token}"`, `"${token}"`],
      [`"other", W/"${token}-br"`, `"${token}-br"`],
      ["*", `"${token}-br"`],
    ];
    for (const [inm, answered] of cases) {
      const res = await get(app, "/big", { "if-none-match": inm, "accept-encoding": "br" });
      assert.equal(res.status, 304, inm);
      assert.equal(await res.text(), "");
      assert.equal(res.headers.get("etag"), answered, inm);
      assert.equal(res.headers.get("cache-control"), PUBLIC_REVALIDATE);
      assert.equal(res.headers.get("vary"), "Accept-Encoding");
    }
    for (const inm of [`"${token}x"`, '"1.0.0~0"', token, `"${token}-deflate"`]) {
      const res = await get(app, "/big", { "if-none-match": inm });
      assert.equal(res.status, 200, inm);
      await res.body?.cancel();
    }
  } finally {
    kv.close();
  }
});

Deno.test("publicJson: an answer under 1 KiB is never compressed; the route's Cache-Control is kept", async () => {
  const { kv, app } = await bareApp();
  try {
    const res = await get(app, "/small", { "accept-encoding": "br, gzip" });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-encoding"), null);
    assert.doesNotMatch(res.headers.get("etag")!, /-(br|gzip)"$/);
    assert.equal(res.headers.get("cache-control"), PUBLIC_IMMUTABLE);
    assert.equal(res.headers.get("vary"), "Accept-Encoding");
    assert.deepEqual(await res.json(), SMALL);
    const again = await get(app, "/small", { "if-none-match": res.headers.get("etag")! });
    assert.equal(again.status, 304);
    assert.equal(again.headers.get("cache-control"), PUBLIC_IMMUTABLE);
  } finally {
    kv.close();
  }
});

Deno.test("publicJson: a bump of the answer's scope changes its ETag and the old tag answers 200 with the new build", async () => {
  const { kv, reads, app, builds } = await bareApp();
  try {
    const first = await get(app, "/big");
    const tag = first.headers.get("etag")!;
    await first.body?.cancel();
    await reads.versions.bump(["list"], 1); // another scope: nothing changes
    const same = await get(app, "/big", { "if-none-match": tag });
    assert.equal(same.status, 304);
    await reads.versions.bump(["strategy:x"], 2);
    const after = await get(app, "/big", { "if-none-match": tag });
    assert.equal(after.status, 200);
    assert.notEqual(after.headers.get("etag"), tag);
    assert.equal(after.headers.get("x-cache"), "miss");
    await after.body?.cancel();
    assert.equal(builds(), 2);
  } finally {
    kv.close();
  }
});

Deno.test("publicJson: HEAD answers the headers of GET without a body", async () => {
  const { kv, app } = await bareApp();
  try {
    const full = await get(app, "/big", { "accept-encoding": "gzip" });
    await full.body?.cancel();
    const head = await get(app, "/big", { "accept-encoding": "gzip" }, "HEAD");
    assert.equal(head.status, 200);
    assert.equal(head.headers.get("etag"), full.headers.get("etag"));
    assert.equal(head.headers.get("content-encoding"), "gzip");
    assert.equal(head.headers.get("vary"), "Accept-Encoding");
    assert.equal((await head.arrayBuffer()).byteLength, 0);
    const cond = await get(app, "/big", { "if-none-match": full.headers.get("etag")! }, "HEAD");
    assert.equal(cond.status, 304);
  } finally {
    kv.close();
  }
});

Deno.test("pickEncoding and matchingTag read the headers as RFC 9110 says", () => {
  assert.equal(pickEncoding(undefined), null);
  assert.equal(pickEncoding("identity"), null);
  assert.equal(pickEncoding("gzip"), "gzip");
  assert.equal(pickEncoding("x-gzip"), "gzip");
  assert.equal(pickEncoding("gzip, br"), "br");
  assert.equal(pickEncoding("BR;q=0.5"), "br");
  assert.equal(pickEncoding("br;q=0, gzip;q=0"), null);
  assert.equal(pickEncoding("*"), "br");
  assert.equal(matchingTag(undefined, "t"), null);
  assert.equal(matchingTag('"t"', "t"), '"t"');
  assert.equal(matchingTag('W/"t-gzip"', "t"), '"t-gzip"');
  assert.equal(matchingTag('"u", "t-br"', "t"), '"t-br"');
  assert.equal(matchingTag("*", "t"), "*");
  assert.equal(matchingTag('*, "t-gzip"', "t"), '"t-gzip"');
  assert.equal(matchingTag('"u", W/*', "t"), "*");
  assert.equal(matchingTag('"tt"', "t"), null);
  assert.equal(matchingTag("t", "t"), null);
});

Deno.test("public versions: more scopes than one read allows is refused; a never-bumped scope reads as 0", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const versions = createPublicVersionsRepo(kv);
    assert.equal(await versions.token(["a", "b"]), "0.0");
    await versions.bump(["b"], 1);
    assert.match(await versions.token(["a", "b"]), /^0\.[0-9a-f]+$/);
    const many = Array.from({ length: MAX_SCOPES_PER_READ + 1 }, (_, i) => `s${i}`);
    await assert.rejects(versions.token(many), RangeError);
  } finally {
    kv.close();
  }
});

Deno.test("public routes: a 4xx is never kept — an unknown slug answers 404, then the strategy's page once it exists", async () => {
  const w = await openTestWorld();
  try {
    const path = "/api/v1/public/strategies/later-one/track-record";
    for (let i = 0; i < 2; i++) {
      const miss = await w.request("GET", path);
      assert.equal(miss.status, 404);
      assert.equal(miss.headers.get("etag"), null);
      assert.equal(miss.headers.get("x-cache"), null);
      await miss.body?.cancel();
    }
    const bad = await w.request("GET", "/api/v1/public/strategies?limit=0");
    assert.equal(bad.status, 422);
    await bad.body?.cancel();
    const now = w.clock.now();
    const user = newUserRecord({ id: "usr_later", email: "later@example.com", nickname: "later" }, now);
    await w.deps.auth.users.create(user);
    await createTrackedStrategy(w.deps.track, user.id, 5, {
      name: "Later",
      slug: "later-one",
      universe: "hs300",
      execution_price: "open",
      holding_period: 5,
      initial_capital: 1_000_000,
      commission_rate: 0.0003,
      slippage_rate: 0.001,
    });
    const found = await w.request("GET", path);
    assert.equal(found.status, 200);
    assert.equal((await found.json()).strategy, "later-one");
    assert.equal(w.deps.publicReads.cache.stats().entries, 1);
  } finally {
    await w.close();
  }
});

Deno.test("public routes: If-None-Match: * answers 304 only for an answer that exists — a 4xx stays a 4xx", async () => {
  const w = await openTestWorld();
  try {
    const cases: [string, number][] = [
      ["/api/v1/public/strategies/no-such-slug/track-record", 404],
      ["/api/v1/public/strategies/no-such-slug/verify?date=2020-01-01", 404],
      ["/api/v1/public/log/consistency?first=5&second=9", 400],
      ["/api/v1/public/log/consistency?first=5&second=9&log=demo", 400],
    ];
    for (const [path, status] of cases) {
      const res = await w.app.request(path, { headers: { "If-None-Match": "*" } });
      assert.equal(res.status, status, path);
      assert.equal(res.headers.get("etag"), null, path);
      assert.equal(res.headers.get("cache-control"), null, path);
      await res.body?.cancel();
    }
    const list = "/api/v1/public/strategies";
    const full = await w.app.request(list);
    const tag = full.headers.get("etag")!;
    await full.body?.cancel();
    const star = await w.app.request(list, { headers: { "If-None-Match": "*" } });
    assert.equal(star.status, 304);
    assert.equal(star.headers.get("etag"), tag);
    assert.equal(await star.text(), "");
  } finally {
    await w.close();
  }
});

Deno.test("public routes: a consistency proof is immutable in the production log only — the demo log is rebuilt", async () => {
  const w = await openTestWorld();
  try {
    for (const log of [w.deps.track.tlog, w.deps.track.demoTlog]) {
      for (const n of [1, 2]) await log.append(String(n).repeat(64));
    }
    const expected = { production: PUBLIC_IMMUTABLE, demo: PUBLIC_REVALIDATE };
    for (const [log, cacheControl] of Object.entries(expected)) {
      const res = await w.request("GET", `/api/v1/public/log/consistency?log=${log}&first=1&second=2`);
      assert.equal(res.status, 200, log);
      assert.equal(res.headers.get("cache-control"), cacheControl, log);
      assert.equal((await res.json()).second, 2, log);
    }
  } finally {
    await w.close();
  }
});
