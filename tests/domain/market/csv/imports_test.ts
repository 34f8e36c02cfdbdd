import assert from "node:assert/strict";
import { strToU8, zipSync } from "fflate";
import { fixedClock } from "../../../../domain/clock.ts";
import { PayloadTooLargeError, ValidationError } from "../../../../domain/errors.ts";
import type { CsvImportDeps } from "../../../../domain/market/csv/import_bars.ts";
import {
  deleteImport,
  importedSymbolView,
  importUpload,
  listEveryImport,
  listMyImports,
  setImportPublished,
  type Upload,
  ZIP_INFLATE_FACTOR,
} from "../../../../domain/market/csv/imports.ts";
import { createBarRepo } from "../../../../domain/store/bar_repo.ts";
import { createImportedSymbolRepo } from "../../../../domain/store/imported_symbol_repo.ts";

const T0 = Date.UTC(2026, 4, 14, 1, 0, 0);
const GOOD = "date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,11,10,10.8,200\n";
const PANEL = "symbol,date,open,high,low,close\nAAA,2024-01-02,1,1,1,1\nBBB,2024-01-02,2,2,2,2\n" +
  "AAA,2024-01-03,1,1,1,1\n";
const BIG = 1 << 20;

async function world() {
  const kv = await Deno.openKv(":memory:");
  const deps: CsvImportDeps = {
    bars: createBarRepo(kv),
    imports: createImportedSymbolRepo(kv),
    clock: fixedClock(T0),
  };
  return { kv, deps, [Symbol.asyncDispose]: () => Promise.resolve(kv.close()) };
}

/** An upload of `bytes` that records whether its stream was cancelled. */
function upload(kind: Upload["kind"], bytes: Uint8Array) {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes);
      c.close();
    },
    cancel() {
      cancelled = true;
    },
  });
  return { upload: { kind, stream, charset: null }, cancelled: () => cancelled };
}

const csv = (text: string) => upload("csv", new TextEncoder().encode(text)).upload;
const zip = (files: Record<string, string>) =>
  upload("zip", zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)]))));

const locsOf = (e: unknown) =>
  e instanceof ValidationError ? (e.issues?.length ? e.issues.map((i) => i.loc) : [e.loc]) : e;

Deno.test("importUpload() imports a CSV with a symbol as one symbol, stamped with the clock's now", async () => {
  await using w = await world();
  const summary = await importUpload(w.deps, {
    ownerId: "u1",
    symbol: "reliance.ns",
    upload: csv(GOOD),
    maxUploadBytes: BIG,
  });
  assert.ok(!("count" in summary));
  assert.deepEqual([summary.symbol, summary.exchange, summary.rows], ["RELIANCE.NS", "NSE", 2]);
  const [view] = (await listMyImports(w.deps, "u1", { limit: 10, offset: 0 })).items;
  assert.equal(view.imported_at, new Date(T0).toISOString());
});

Deno.test("importUpload() reads a CSV without a symbol as a panel and a zip as one file per symbol", async () => {
  await using w = await world();
  const panel = await importUpload(w.deps, { ownerId: "u1", upload: csv(PANEL), maxUploadBytes: BIG });
  assert.ok("count" in panel);
  assert.deepEqual(panel.symbols.map((s) => [s.symbol, s.rows]), [["AAA", 2], ["BBB", 1]]);
  const zipped = await importUpload(w.deps, {
    ownerId: "u2",
    exchange: "SSE",
    upload: zip({ "600519.SH.csv": GOOD, "x/AAPL.csv": GOOD }).upload,
    maxUploadBytes: BIG,
  });
  assert.ok("count" in zipped);
  assert.deepEqual(zipped.symbols.map((s) => [s.symbol, s.exchange]), [["600519.SH", "SSE"], [
    "AAPL",
    "SSE",
  ]]);
});

Deno.test("importUpload() refuses a zip with a symbol at ['symbol'] without reading it", async () => {
  await using w = await world();
  const z = zip({ "AAPL.csv": GOOD });
  await assert.rejects(
    importUpload(w.deps, { ownerId: "u1", symbol: "AAPL", upload: z.upload, maxUploadBytes: BIG }),
    (e) => e instanceof ValidationError && e.type === "symbol_with_zip" && e.loc.join() === "symbol",
  );
  assert.equal(z.cancelled(), true);
  assert.equal((await listMyImports(w.deps, "u1", { limit: 10, offset: 0 })).total, 0);
});

Deno.test("importUpload() names problems relative to the upload: the symbol, or the file's rows", async () => {
  await using w = await world();
  const fail = (input: Omit<Parameters<typeof importUpload>[1], "ownerId" | "maxUploadBytes">) =>
    importUpload(w.deps, { ownerId: "u1", maxUploadBytes: BIG, ...input }).then(() => "imported", locsOf);
  assert.deepEqual(await fail({ upload: csv(GOOD) }), [["symbol"]], "no symbol and no symbol column");
  assert.deepEqual(await fail({ symbol: "BAD SYMBOL", upload: csv(GOOD) }), [["symbol"]]);
  assert.deepEqual(
    await fail({ symbol: "A", upload: csv("date,open,high,low,close\n2024-01-02,1,0,1,1\n") }),
    [
      ["row", 2],
    ],
  );
  assert.deepEqual(
    await fail({ upload: zip({ "BAD.csv": "date,open,high,low,close\nnope,1,1,1,1\n" }).upload }),
    [
      ["file", "BAD.csv", "row", 2],
    ],
  );
  assert.deepEqual(await fail({ symbol: "A", upload: csv("") }), [[]]);
  assert.equal((await listMyImports(w.deps, "u1", { limit: 10, offset: 0 })).total, 0);
});

Deno.test("importUpload() lets a zip inflate to ZIP_INFLATE_FACTOR times the upload limit, no more", async () => {
  await using w = await world();
  const text = GOOD + "x".repeat(4000);
  const at = (maxUploadBytes: number) =>
    importUpload(w.deps, { ownerId: "u1", upload: zip({ "A.csv": text }).upload, maxUploadBytes });
  await assert.rejects(at(Math.floor((text.length - 1) / ZIP_INFLATE_FACTOR)), PayloadTooLargeError);
  const imported = await at(Math.ceil(text.length / ZIP_INFLATE_FACTOR));
  assert.ok("count" in imported && imported.count === 1);
});

Deno.test("listMyImports(), listEveryImport() and setImportPublished() answer import views", async () => {
  await using w = await world();
  for (const [owner, symbol] of [["u1", "AAA"], ["u1", "BBB"], ["u2", "CCC"]]) {
    await importUpload(w.deps, { ownerId: owner, symbol, upload: csv(GOOD), maxUploadBytes: BIG });
  }
  const published = await setImportPublished(w.deps, "u2", "ccc", true);
  assert.deepEqual([published.symbol, published.published, published.source], ["CCC", true, "csv"]);
  const mine = await listMyImports(w.deps, "u1", { limit: 1, offset: 1 });
  assert.deepEqual([mine.items.map((v) => v.symbol), mine.total], [["BBB"], 2]);
  const record = await w.deps.imports.get("u1", "BBB");
  assert.deepEqual(mine.items[0], importedSymbolView(record!));
  const only = await listEveryImport(w.deps, { limit: 10, offset: 0, published: true });
  assert.deepEqual(only.items.map((v) => [v.owner_id, v.symbol]), [["u2", "CCC"]]);
  assert.equal((await listEveryImport(w.deps, { limit: 10, offset: 0, published: false })).total, 2);
  assert.equal((await listEveryImport(w.deps, { limit: 10, offset: 0 })).total, 3);
  await assert.rejects(
    deleteImport(w.deps, "u1", "no way", Date.now()),
    (e) => e instanceof ValidationError && e.loc.join() === "symbol",
  );
});
