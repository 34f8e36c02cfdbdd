import assert from "node:assert/strict";
import { toDayNumber } from "../../../../domain/calendar/dates.ts";
import { BadRequestError, ValidationError } from "../../../../domain/errors.ts";
import {
  deleteImport,
  importCsv,
  type ImportDeps,
  importedSymbolInfo,
  inferExchange,
  MAX_IMPORTED_SYMBOLS_PER_USER,
  publishImport,
} from "../../../../domain/market/csv/import_bars.ts";
import { createBarRepo } from "../../../../domain/store/bar_repo.ts";
import {
  createImportedSymbolRepo,
  type ImportedSymbolRecord,
} from "../../../../domain/store/imported_symbol_repo.ts";

const T0 = Date.UTC(2026, 4, 14, 1, 0, 0);
const GOOD = "date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,11,10,10.8,200\n";
const OTHER = "Date,Open,High,Low,Close,Volume\n2023-06-01,20,21,19,20.5,5\n";

async function world() {
  const kv = await Deno.openKv(":memory:");
  const deps: ImportDeps = { bars: createBarRepo(kv), imports: createImportedSymbolRepo(kv) };
  return { kv, deps, [Symbol.asyncDispose]: () => Promise.resolve(kv.close()) };
}

const ALL = [toDayNumber("1800-01-01"), toDayNumber("2199-12-31")] as const;

Deno.test("importCsv() stores the bars under the owner's csv namespace and the import record", async () => {
  await using w = await world();
  const summary = await importCsv(w.deps, { ownerId: "u1", symbol: "reliance.ns", text: GOOD, nowMs: T0 });
  assert.deepEqual(summary, {
    symbol: "RELIANCE.NS",
    exchange: "NSE",
    rows: 2,
    start: "2024-01-02",
    end: "2024-01-03",
    skipped: [],
    skipped_count: 0,
    replaced: false,
    source: "csv",
  });
  const bars = await w.deps.bars.getBars({ source: "csv", owner: "u1" }, "RELIANCE.NS", ...ALL);
  assert.deepEqual(Array.from(bars!.close), [10.5, 10.8]);
  assert.deepEqual(Array.from(bars!.volume), [100, 200]);
  const record = await w.deps.imports.get("u1", "RELIANCE.NS");
  assert.deepEqual(record, {
    symbol: "RELIANCE.NS",
    name: "RELIANCE.NS",
    exchange: "NSE",
    currency: "INR",
    kind: "stock",
    sector: null,
    market_cap_class: null,
    lot_size: 1,
    price_limit: null,
    syariah: null,
    universes: [],
    source: "csv",
    owner_id: "u1",
    published: false,
    rows: 2,
    start: "2024-01-02",
    end: "2024-01-03",
    imported_at: T0,
  });
  assert.equal(await w.deps.imports.get("u2", "RELIANCE.NS"), null, "another owner has nothing");
});

Deno.test("importCsv() leaves a previous import untouched when the new file is bad", async () => {
  await using w = await world();
  await importCsv(w.deps, { ownerId: "u1", symbol: "XYZ", text: GOOD, nowMs: T0 });
  const before = await w.deps.bars.getMeta({ source: "csv", owner: "u1" }, "XYZ");
  const chunksBefore = await Array.fromAsync(w.kv.list({ prefix: ["bar_chunks"] }));
  const bad = OTHER + "2023-06-02,20,19,19.5,20,5\n"; // high below open
  await assert.rejects(
    () => importCsv(w.deps, { ownerId: "u1", symbol: "XYZ", text: bad, nowMs: T0 + 1 }),
    (e) => e instanceof ValidationError && e.issues?.[0].loc.join() === "row,3",
  );
  assert.deepEqual(await w.deps.bars.getMeta({ source: "csv", owner: "u1" }, "XYZ"), before);
  assert.deepEqual(await Array.fromAsync(w.kv.list({ prefix: ["bar_chunks"] })), chunksBefore);
  assert.equal((await w.deps.imports.get("u1", "XYZ"))?.imported_at, T0);
});

Deno.test("importCsv() writes no record when storing the bars fails", async () => {
  await using w = await world();
  await importCsv(w.deps, { ownerId: "u1", symbol: "XYZ", text: GOOD, nowMs: T0 });
  const failing: ImportDeps = {
    ...w.deps,
    bars: { ...w.deps.bars, replaceSeries: () => Promise.reject(new Error("disk full")) },
  };
  await assert.rejects(
    () => importCsv(failing, { ownerId: "u1", symbol: "XYZ", text: OTHER, nowMs: T0 + 1 }),
    /disk full/,
  );
  await assert.rejects(
    () => importCsv(failing, { ownerId: "u1", symbol: "NEW", text: OTHER, nowMs: T0 + 1 }),
    /disk full/,
  );
  assert.equal((await w.deps.imports.get("u1", "XYZ"))?.start, "2024-01-02");
  assert.equal(await w.deps.imports.get("u1", "NEW"), null);
});

Deno.test("importCsv() replaces an earlier import of the symbol entirely", async () => {
  await using w = await world();
  await importCsv(w.deps, { ownerId: "u1", symbol: "XYZ", text: GOOD, nowMs: T0 });
  const again = await importCsv(w.deps, {
    ownerId: "u1",
    symbol: "XYZ",
    exchange: "IDX",
    text: OTHER,
    nowMs: T0 + 5,
  });
  assert.equal(again.replaced, true);
  assert.deepEqual([again.rows, again.start, again.end, again.exchange], [
    1,
    "2023-06-01",
    "2023-06-01",
    "IDX",
  ]);
  const bars = await w.deps.bars.getBars({ source: "csv", owner: "u1" }, "XYZ", ...ALL);
  assert.deepEqual(Array.from(bars!.close), [20.5], "no bar of the first file survives");
  const meta = await w.deps.bars.getMeta({ source: "csv", owner: "u1" }, "XYZ");
  const chunks = await Array.fromAsync(w.kv.list({ prefix: ["bar_chunks", "csv", "u1", "XYZ"] }));
  assert.deepEqual(chunks.map((c) => c.key[4]), [meta!.gen], "the old generation's chunks are gone");
  const record = await w.deps.imports.get("u1", "XYZ");
  assert.deepEqual([record?.exchange, record?.currency, record?.lot_size, record?.imported_at], [
    "IDX",
    "IDR",
    100,
    T0 + 5,
  ]);
});

Deno.test("importCsv() refuses a bad symbol before reading the file", async () => {
  await using w = await world();
  for (const symbol of ["", "a b", "x".repeat(33), "ÄPFEL", "60/0519"]) {
    await assert.rejects(
      () => importCsv(w.deps, { ownerId: "u1", symbol, text: GOOD, nowMs: T0 }),
      (e) => e instanceof ValidationError && e.loc.join() === "symbol",
      symbol,
    );
  }
});

Deno.test("importCsv() refuses a new symbol beyond the per-user limit but still replaces existing ones", async () => {
  await using w = await world();
  await importCsv(w.deps, { ownerId: "u1", symbol: "KEEP", text: GOOD, nowMs: T0 });
  const existing = (await w.deps.imports.get("u1", "KEEP"))!;
  const full: ImportDeps = {
    ...w.deps,
    imports: {
      ...w.deps.imports,
      list: () => Promise.resolve(Array.from({ length: MAX_IMPORTED_SYMBOLS_PER_USER }, () => existing)),
    },
  };
  await assert.rejects(
    () => importCsv(full, { ownerId: "u1", symbol: "NEW", text: GOOD, nowMs: T0 }),
    BadRequestError,
  );
  assert.equal((await importCsv(full, { ownerId: "u1", symbol: "KEEP", text: OTHER, nowMs: T0 })).rows, 1);
});

Deno.test("inferExchange() and importedSymbolInfo() derive exchange, currency, kind, lot and limit", () => {
  const table: [string, string, string, string, number, number | null][] = [
    ["600519.SH", "SSE", "CNY", "stock", 100, 0.1],
    ["688981.SH", "SSE", "CNY", "stock", 100, 0.2],
    ["300750.SZ", "SZSE", "CNY", "stock", 100, 0.2],
    ["000001.SZ", "SZSE", "CNY", "stock", 100, 0.1],
    ["000300.SH", "SSE", "CNY", "index", 1, null],
    ["510300.SH", "SSE", "CNY", "etf", 100, 0.1],
    ["600519.SS", "SSE", "CNY", "stock", 100, 0.1],
    ["RELIANCE.NS", "NSE", "INR", "stock", 1, null],
    ["BBCA.JK", "IDX", "IDR", "stock", 100, null],
    ["BTC-USD", "CRYPTO", "USD", "crypto", 1, null],
    ["AAPL", "NYSE", "USD", "stock", 1, null],
    ["^GSPC", "NYSE", "USD", "index", 1, null],
  ];
  for (const [symbol, exchange, currency, kind, lot, limit] of table) {
    assert.equal(inferExchange(symbol), exchange, symbol);
    const info = importedSymbolInfo(symbol, inferExchange(symbol));
    assert.deepEqual([info.currency, info.kind, info.lot_size, info.price_limit, info.source], [
      currency,
      kind,
      lot,
      limit,
      "csv",
    ], symbol);
  }
});

Deno.test("deleteImport() removes the record, its public entry and its bars, and only the owner's", async () => {
  await using w = await world();
  await importCsv(w.deps, { ownerId: "u1", symbol: "XYZ", text: GOOD, nowMs: T0 });
  await importCsv(w.deps, { ownerId: "u2", symbol: "XYZ", text: OTHER, nowMs: T0 });
  await publishImport(w.deps, "u1", "xyz", true, Date.now());
  await assert.rejects(() => deleteImport(w.deps, "u3", "XYZ", Date.now()), /not found/);
  await deleteImport(w.deps, "u1", "xyz", Date.now());
  assert.equal(await w.deps.imports.get("u1", "XYZ"), null);
  assert.deepEqual(await w.deps.imports.listPublished(), []);
  assert.equal(await w.deps.bars.getMeta({ source: "csv", owner: "u1" }, "XYZ"), null);
  assert.deepEqual(await Array.fromAsync(w.kv.list({ prefix: ["bar_chunks", "csv", "u1"] })), []);
  assert.equal((await w.deps.imports.get("u2", "XYZ"))?.rows, 1, "u2's import of the same symbol stays");
  await assert.rejects(() => deleteImport(w.deps, "u1", "XYZ", Date.now()), /not found/);
});

Deno.test("publishImport() makes one owner's import public and keeps it published across a re-import", async () => {
  await using w = await world();
  await importCsv(w.deps, { ownerId: "u1", symbol: "XYZ", text: GOOD, nowMs: T0 });
  await importCsv(w.deps, { ownerId: "u2", symbol: "XYZ", text: OTHER, nowMs: T0 });
  const published: ImportedSymbolRecord = await publishImport(w.deps, "u1", "XYZ", true, Date.now());
  assert.equal(published.published, true);
  await assert.rejects(() => publishImport(w.deps, "u2", "XYZ", true, Date.now()), /already published/);
  await assert.rejects(() => publishImport(w.deps, "u1", "NOPE", true, Date.now()), /not found/);
  await importCsv(w.deps, { ownerId: "u1", symbol: "XYZ", text: OTHER, nowMs: T0 + 1 });
  const listed = await w.deps.imports.listPublished();
  assert.deepEqual(listed.map((r) => [r.owner_id, r.symbol, r.rows, r.published]), [["u1", "XYZ", 1, true]]);
  await publishImport(w.deps, "u1", "XYZ", false, Date.now());
  assert.deepEqual(await w.deps.imports.listPublished(), []);
  assert.equal((await publishImport(w.deps, "u2", "XYZ", true, Date.now())).owner_id, "u2");
});
