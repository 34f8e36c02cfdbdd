import assert from "node:assert/strict";
import { fromDayNumber, toDayNumber } from "../../domain/calendar/dates.ts";
import { IMPORT_RATE_RULE } from "../../domain/market/csv/import_bars.ts";
import { assert422, assertDetail, ok } from "../_helpers/identity.ts";
import { openTestWorld, signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const DATA = new URL("../fixtures/market/", import.meta.url);
const MIB = 1024 * 1024;
const SMALL =
  "Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,11,10,10.8,200\n";
const CSV = { "content-type": "text/csv" };
const ALL_DAYS = [toDayNumber("1800-01-01"), toDayNumber("2199-12-31")] as const;

/** Signs in a user on its own IP (so OTP limits never meet) and returns its token and id. */
async function user(w: TestWorld, name: string, ip: string) {
  const pair = await signInWithOtp(w, `${name}@example.com`, ip);
  return { token: pair.access_token, id: pair.user.id };
}

function upload(w: TestWorld, query: string, token: string | undefined, body: BodyInit, headers = CSV) {
  return w.request("POST", `/api/v1/data/import?${query}`, { body, token, headers });
}

/** A CSV of consecutive daily bars from 1900-01-01, at least `bytes` long. */
function bigCsv(bytes: number): string {
  const lines = ["date,open,high,low,close,volume"];
  let size = lines[0].length;
  for (let day = toDayNumber("1900-01-01"); size < bytes; day++) {
    const line = `${fromDayNumber(day)},100.123456789,101.123456789,99.123456789,100.523456789,123456789`;
    lines.push(line);
    size += line.length + 1;
  }
  return lines.join("\n");
}

Deno.test("POST /data/import stores 16 years of 600519.SH that read back with identical numbers", async () => {
  const w = await openTestWorld();
  try {
    const alice = await user(w, "alice", "10.0.0.1");
    const text = await Deno.readTextFile(new URL("cn/600519.SH.csv", DATA));
    const res = await upload(w, "symbol=600519.SH", alice.token, text);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    assert.deepEqual(await res.json(), {
      symbol: "600519.SH",
      exchange: "SSE",
      rows: 3987,
      start: "2010-01-04",
      end: "2026-06-16",
      skipped: [],
      skipped_count: 0,
      replaced: false,
      source: "csv",
    });
    // The test's own reading of the file: BOM, then date,open,high,low,close,volume,amount per line.
    const rows = text.replace(/^\uFEFF/, "").trim().split("\n").slice(1).map((l) => l.split(","));
    const bars = await w.deps.imports.bars.getBars(
      { source: "csv", owner: alice.id },
      "600519.SH",
      ...ALL_DAYS,
    );
    assert.ok(bars);
    assert.equal(bars.days.length, rows.length);
    rows.forEach((r, i) => {
      assert.deepEqual(
        [
          fromDayNumber(bars.days[i]),
          bars.open[i],
          bars.high[i],
          bars.low[i],
          bars.close[i],
          bars.volume[i],
          bars.adj_factor[i],
        ],
        [r[0], Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5]), 1],
        `line ${i + 2}`,
      );
    });
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import accepts a multipart file, reports skipped rows, honours exchange and lists it", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "carol", "10.0.0.3");
    const form = new FormData();
    form.append(
      "file",
      new Blob([await Deno.readFile(new URL("id/JKSE.csv", DATA))], { type: "text/csv" }),
      "j.csv",
    );
    const body = await ok<
      { rows: number; skipped: { row: number }[]; skipped_count: number; exchange: string }
    >(
      await w.request("POST", "/api/v1/data/import?symbol=%5EJKSE&exchange=idx", {
        body: form,
        token: me.token,
      }),
    );
    assert.equal(body.exchange, "IDX");
    assert.equal(body.rows, 8310 - 307);
    assert.equal(body.skipped_count, 307);
    assert.equal(body.skipped.length, 307);
    const listed = await ok<{ items: { symbol: string; rows: number; published: boolean }[]; total: number }>(
      await w.request("GET", "/api/v1/data/imports", { token: me.token }),
    );
    assert.equal(listed.total, 1);
    assert.deepEqual([listed.items[0].symbol, listed.items[0].rows, listed.items[0].published], [
      "^JKSE",
      8003,
      false,
    ]);
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import refuses a multipart form without a file with 422", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "carol", "10.0.0.3");
    const noFile = new FormData();
    noFile.append("other", "x");
    await assert422(
      await w.request("POST", "/api/v1/data/import?symbol=X", { body: noFile, token: me.token }),
      ["body", "file"],
    );
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import decodes a GBK file declared by its charset", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "dan", "10.0.0.4");
    // "日期,开盘,最高,最低,收盘,成交量" in GBK, then one ASCII row.
    const gbkHeader = [
      0xc8,
      0xd5,
      0xc6,
      0xda,
      0x2c,
      0xbf,
      0xaa,
      0xc5,
      0xcc,
      0x2c,
      0xd7,
      0xee,
      0xb8,
      0xdf,
      0x2c,
      0xd7,
      0xee,
      0xb5,
      0xcd,
    ];
    const rest = [0x2c, 0xca, 0xd5, 0xc5, 0xcc, 0x2c, 0xb3, 0xc9, 0xbd, 0xbb, 0xc1, 0xbf, 0x0a];
    const bytes = new Uint8Array([
      ...gbkHeader,
      ...rest,
      ...new TextEncoder().encode("20240102,10,11,9,10.5,100\n"),
    ]);
    const res = await upload(w, "symbol=000001.SZ", me.token, bytes, {
      "content-type": "text/csv; charset=gbk",
    });
    const body = await ok<{ rows: number; start: string }>(res);
    assert.deepEqual([body.rows, body.start], [1, "2024-01-02"]);
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import fails a bad file with 422 naming each row and keeps the earlier import", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "erin", "10.0.0.5");
    await ok(await upload(w, "symbol=XYZ", me.token, SMALL));
    const bad = SMALL + "2024-01-04,10,9,9.5,10,1\n2024-01-04,10,11,9,10,1\n2024-01-05,0,11,9,10,1\n";
    const issues = await assert422(await upload(w, "symbol=XYZ", me.token, bad));
    assert.deepEqual(issues.map((i) => i.loc), [["body", "row", 4], ["body", "row", 5], ["body", "row", 6]]);
    assert.match(issues[0].msg, /high 9 is below max\(open, close\) 10/);
    assert.match(issues[1].msg, /duplicate date 2024-01-04/);
    assert.match(issues[2].msg, /open must be positive/);
    const bars = await w.deps.imports.bars.getBars({ source: "csv", owner: me.id }, "XYZ", ...ALL_DAYS);
    assert.deepEqual(Array.from(bars!.close), [10.5, 10.8], "the earlier import is untouched");
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import without a token answers 401", async () => {
  const w = await openTestWorld();
  try {
    await assertDetail(await upload(w, "symbol=XYZ", undefined, SMALL), 401);
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import answers 415 for JSON, a wrong content type or no body at all", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "finn", "10.0.0.6");
    await assertDetail(
      await w.request("POST", "/api/v1/data/import?symbol=XYZ", { json: { csv: SMALL }, token: me.token }),
      415,
    );
    await assertDetail(await upload(w, "symbol=XYZ", me.token, SMALL, { "content-type": "image/png" }), 415);
    await assertDetail(await w.request("POST", "/api/v1/data/import?symbol=XYZ", { token: me.token }), 415);
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import answers 422 for an empty body, a bad symbol or exchange, or no CSV, and stores nothing", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "finn", "10.0.0.6");
    const empty = await assert422(await upload(w, "symbol=XYZ", me.token, ""));
    assert.deepEqual(empty[0].loc, ["body"]);
    assert.equal(empty[0].type, "missing");
    await assert422(await upload(w, "symbol=XYZ", me.token, "\r\n\r\n"), ["body"]);
    await assert422(await upload(w, "symbol=a%20b", me.token, SMALL), ["query", "symbol"]);
    await assert422(await upload(w, "exchange=NSE", me.token, SMALL), ["query", "symbol"]);
    await assert422(await upload(w, "symbol=XYZ&exchange=LSE", me.token, SMALL), ["query", "exchange"]);
    await assert422(await upload(w, "symbol=XYZ", me.token, "just some text\n"), ["body", "row", 1]);
    assert.equal((await w.deps.imports.imports.list(me.id)).length, 0, "nothing was stored");
  } finally {
    await w.close();
  }
});

/** Gwen's import of SMALL as MINE.NS, and Hugo signed in. */
async function gwensImport(w: TestWorld) {
  const alice = await user(w, "gwen", "10.0.0.7");
  const bob = await user(w, "hugo", "10.0.0.8");
  await ok(await upload(w, "symbol=MINE.NS", alice.token, SMALL));
  return { alice, bob };
}

Deno.test("imports are private: another user can neither list nor delete them", async () => {
  const w = await openTestWorld();
  try {
    const { alice, bob } = await gwensImport(w);
    const bobs = await ok<{ items: unknown[]; total: number }>(
      await w.request("GET", "/api/v1/data/imports", { token: bob.token }),
    );
    assert.deepEqual([bobs.items, bobs.total], [[], 0]);
    await assertDetail(await w.request("DELETE", "/api/v1/data/imports/MINE.NS", { token: bob.token }), 404);
    assert.equal((await w.deps.imports.imports.get(alice.id, "MINE.NS"))?.rows, 2);
  } finally {
    await w.close();
  }
});

Deno.test("DELETE /data/imports/{symbol} removes the owner's import and its bars, whatever the case; again is 404", async () => {
  const w = await openTestWorld();
  try {
    const { alice } = await gwensImport(w);
    await ok(await w.request("DELETE", "/api/v1/data/imports/mine.ns", { token: alice.token }));
    assert.equal(await w.deps.imports.imports.get(alice.id, "MINE.NS"), null);
    assert.equal(await w.deps.imports.bars.getMeta({ source: "csv", owner: alice.id }, "MINE.NS"), null);
    await assertDetail(
      await w.request("DELETE", "/api/v1/data/imports/MINE.NS", { token: alice.token }),
      404,
    );
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import takes 2 MiB (over the global 1 MiB limit), which other routes still refuse", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "ivy", "10.0.0.9");
    const text = bigCsv(2 * MIB);
    assert.ok(text.length > 2 * MIB && w.config.maxBodyBytes < 2 * MIB);
    const body = await ok<{ rows: number; start: string }>(await upload(w, "symbol=BIG", me.token, text));
    assert.deepEqual([body.rows, body.start], [text.split("\n").length - 1, "1900-01-01"]);
    await assertDetail(
      await w.request("POST", "/api/v1/auth/request-otp", {
        body: JSON.stringify({ email: "x".repeat(2 * MIB) }),
        headers: { "content-type": "application/json" },
      }),
      413,
    );
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import refuses a file over 50 MiB with 413, streamed or declared, and stores nothing", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "jack", "10.0.0.10");
    assert.equal(w.config.maxImportBytes, 50 * MIB);
    const chunk = new TextEncoder().encode(bigCsv(MIB).slice(0, MIB));
    const chunks = Math.ceil((50 * MIB) / MIB) + 1;
    const stream = () => {
      let sent = 0;
      return new ReadableStream<Uint8Array>({
        pull(ctl) {
          if (sent++ < chunks) ctl.enqueue(chunk);
          else ctl.close();
        },
      });
    };
    // No Content-Length: the limit counts the streamed bytes.
    const streamed = await w.app.request("/api/v1/data/import?symbol=HUGE", {
      method: "POST",
      body: stream(),
      headers: { ...CSV, authorization: `Bearer ${me.token}` },
    });
    const detail = await assertDetail(streamed, 413);
    assert.match(detail.detail, /File too large \(limit 52428800 bytes\)/);
    // A declared Content-Length over the limit is refused before the body is read.
    const declared = await w.app.request("/api/v1/data/import?symbol=HUGE", {
      method: "POST",
      body: stream(),
      headers: { ...CSV, authorization: `Bearer ${me.token}`, "content-length": String(51 * MIB) },
    });
    await assertDetail(declared, 413);
    assert.deepEqual(await w.deps.imports.imports.list(me.id), []);
    assert.deepEqual(await Array.fromAsync(w.kv.list({ prefix: ["bar_series", "csv"] })), []);
    assert.deepEqual(await Array.fromAsync(w.kv.list({ prefix: ["bar_chunks", "csv"] })), []);
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import is rate limited per user, 30 an hour", async () => {
  const w = await openTestWorld();
  try {
    const me = await user(w, "kim", "10.0.0.11");
    const other = await user(w, "lee", "10.0.0.12");
    assert.equal(IMPORT_RATE_RULE.limit, 30);
    for (let i = 0; i < IMPORT_RATE_RULE.limit; i++) {
      await ok(await upload(w, `symbol=S${i}`, me.token, SMALL));
    }
    const refused = await upload(w, "symbol=ONEMORE", me.token, SMALL);
    await assertDetail(refused, 429, /Rate limit exceeded/);
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    await ok(await upload(w, "symbol=ONEMORE", other.token, SMALL));
    w.clock.advance(IMPORT_RATE_RULE.windowMs);
    await ok(await upload(w, "symbol=ONEMORE", me.token, SMALL));
  } finally {
    await w.close();
  }
});

/** Mia and Ned each import SHARED.JK; `publish` asks to (un)publish an owner's import. */
async function twoImportsOfOneSymbol(w: TestWorld) {
  const alice = await user(w, "mia", "10.0.0.13");
  const bob = await user(w, "ned", "10.0.0.14");
  const admin = (await signInAdmin(w)).access_token;
  await ok(await upload(w, "symbol=SHARED.JK", alice.token, SMALL));
  await ok(await upload(w, "symbol=SHARED.JK", bob.token, SMALL));
  const path = (owner: string, symbol = "SHARED.JK") =>
    `/api/v1/admin/data/imports/${owner}/${symbol}/publish`;
  const publish = (owner: string, token: string, published: unknown, symbol?: string) =>
    w.request("POST", path(owner, symbol), { json: { published }, token });
  return { alice, bob, admin, publish };
}

/** As twoImportsOfOneSymbol, with Mia's import published by the admin. */
async function oneImportPublished(w: TestWorld) {
  const s = await twoImportsOfOneSymbol(w);
  await s.publish(s.alice.id, s.admin, true);
  return s;
}

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

Deno.test("a user cannot publish an import", () =>
  withWorld(async (w) => {
    const { alice, bob, publish } = await twoImportsOfOneSymbol(w);
    await assertDetail(await publish(alice.id, bob.token, true), 403);
  }));

Deno.test("an admin publishes a user's import, which then counts as published", () =>
  withWorld(async (w) => {
    const { alice, admin, publish } = await twoImportsOfOneSymbol(w);
    const published = await ok<{ owner_id: string; published: boolean; lot_size: number; currency: string }>(
      await publish(alice.id, admin, true),
    );
    assert.deepEqual([published.owner_id, published.published, published.lot_size, published.currency], [
      alice.id,
      true,
      100,
      "IDR",
    ]);
    assert.deepEqual((await w.deps.imports.imports.listPublished()).map((r) => r.owner_id), [alice.id]);
  }));

Deno.test("publishing a second owner's import of an already published symbol answers 409", () =>
  withWorld(async (w) => {
    const { bob, admin, publish } = await oneImportPublished(w);
    await assertDetail(await publish(bob.id, admin, true), 409);
  }));

Deno.test("publishing an import that does not exist answers 404", () =>
  withWorld(async (w) => {
    const { bob, admin, publish } = await twoImportsOfOneSymbol(w);
    await assertDetail(await publish(bob.id, admin, true, "NOPE"), 404);
  }));

Deno.test("publishing refuses a non-boolean published flag with 422", () =>
  withWorld(async (w) => {
    const { bob, admin, publish } = await twoImportsOfOneSymbol(w);
    await assert422(await publish(bob.id, admin, "yes"), [
      "body",
      "published",
    ]);
  }));

Deno.test("GET /admin/data/imports lists every import and filters the published ones", () =>
  withWorld(async (w) => {
    const { alice, admin } = await oneImportPublished(w);
    const all = await ok<{ items: { owner_id: string }[]; total: number }>(
      await w.request("GET", "/api/v1/admin/data/imports", { token: admin }),
    );
    assert.equal(all.total, 2);
    const onlyPublished = await ok<{ items: { owner_id: string }[] }>(
      await w.request("GET", "/api/v1/admin/data/imports?published=true", { token: admin }),
    );
    assert.deepEqual(onlyPublished.items.map((i) => i.owner_id), [alice.id]);
  }));

Deno.test("GET /admin/data/imports is for admins only", () =>
  withWorld(async (w) => {
    const { alice } = await twoImportsOfOneSymbol(w);
    await assertDetail(await w.request("GET", "/api/v1/admin/data/imports", { token: alice.token }), 403);
  }));

Deno.test("an admin unpublishes an import, which leaves the published list", () =>
  withWorld(async (w) => {
    const { alice, admin, publish } = await oneImportPublished(w);
    await ok(await publish(alice.id, admin, false));
    assert.deepEqual(await w.deps.imports.imports.listPublished(), []);
  }));
