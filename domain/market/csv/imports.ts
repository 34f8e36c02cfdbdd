/**
 * The CSV import area's front door: what an adapter calls to import an upload (one symbol, or many at once), to
 * list, delete and publish imports — each answering its API view. Field paths of a `ValidationError` are
 * relative to the operation's input: `["symbol"]` for the symbol, anything else (`[]`, `["row", N]`,
 * `["file", NAME, "row", N]`) for the uploaded file; each adapter puts its own prefix in front.
 */
import { iso } from "../../iso_time.ts";
import type { ExchangeCode } from "../../calendar/exchanges.ts";
import { ValidationError } from "../../errors.ts";
import type { ImportedSymbolRecord } from "../../store/imported_symbol_repo.ts";
import type { Page, PageRequest } from "../../store/kv.ts";
import { type BulkEntry, MAX_ZIP_ENTRIES, parseLongCsv, parseZipBars } from "./bulk_csv.ts";
import { decodeCsvBytes } from "./decode_csv_bytes.ts";
import {
  type BulkImportSummary,
  type CsvImportDeps,
  importCsv,
  importMany,
  type ImportSummary,
  listAllImports,
  listImports,
  publishImport,
} from "./import_bars.ts";

export { deleteImport } from "./import_bars.ts";

/** A zip may inflate to this many times the upload limit, no more (zip bombs). */
export const ZIP_INFLATE_FACTOR = 4;

/** What an upload holds: a zip of per-symbol CSVs, or CSV bytes (one symbol, or a long panel), as a stream. */
export interface Upload {
  kind: "zip" | "csv";
  stream: ReadableStream<Uint8Array>;
  /** The declared charset, if any (a byte-order mark still wins). */
  charset: string | null;
}

/** One imported symbol as the API shows it. */
export interface ImportedSymbolView {
  symbol: string;
  name: string;
  exchange: ExchangeCode;
  currency: string;
  kind: string;
  lot_size: number;
  price_limit: number | null;
  owner_id: string;
  published: boolean;
  rows: number;
  start: string;
  end: string;
  imported_at: string;
  source: "csv";
}

/** The API view of a stored import (timestamps as ISO strings). */
export function importedSymbolView(r: ImportedSymbolRecord): ImportedSymbolView {
  return {
    symbol: r.symbol,
    name: r.name,
    exchange: r.exchange,
    currency: r.currency,
    kind: r.kind,
    lot_size: r.lot_size,
    price_limit: r.price_limit,
    owner_id: r.owner_id,
    published: r.published,
    rows: r.rows,
    start: r.start,
    end: r.end,
    imported_at: iso(r.imported_at),
    source: "csv",
  };
}

/** What an import request says besides its file. */
export interface UploadImport {
  ownerId: string;
  /** The symbol of a one-symbol CSV; absent for a zip or a long CSV with a symbol column. */
  symbol?: string;
  exchange?: ExchangeCode;
  upload: Upload;
  /** The upload size limit; a zip may inflate to `ZIP_INFLATE_FACTOR` times it. */
  maxUploadBytes: number;
}

/**
 * Imports an upload at the clock's now: a CSV with `symbol` is one symbol (`ImportSummary`); a zip, or a CSV
 * without `symbol` read as a long panel, is many symbols at once, all or nothing (`BulkImportSummary`). A zip
 * with `symbol` is refused at `["symbol"]` without reading it.
 */
export async function importUpload(
  deps: CsvImportDeps,
  input: UploadImport,
): Promise<ImportSummary | BulkImportSummary> {
  const { upload, ownerId, exchange } = input;
  if (upload.kind === "csv" && input.symbol !== undefined) {
    const bytes = new Uint8Array(await new Response(upload.stream).arrayBuffer());
    const text = decodeCsvBytes(bytes, upload.charset);
    return await importCsv(deps, { ownerId, symbol: input.symbol, exchange, text, nowMs: deps.clock.now() });
  }
  if (input.symbol !== undefined) {
    await upload.stream.cancel();
    throw new ValidationError(
      "A zip names its symbols by its file names: leave out `symbol` (or send one CSV for that symbol)",
      ["symbol"],
      "symbol_with_zip",
    );
  }
  let entries: BulkEntry[];
  if (upload.kind === "zip") {
    entries = await parseZipBars(upload.stream, {
      maxUncompressedBytes: input.maxUploadBytes * ZIP_INFLATE_FACTOR,
      maxEntries: MAX_ZIP_ENTRIES,
    }, upload.charset);
  } else entries = await parseLongCsv(upload.stream, upload.charset);
  return await importMany(deps, { ownerId, entries, exchange, nowMs: deps.clock.now() });
}

/** A page of the owner's imports, by symbol. */
export async function listMyImports(
  deps: CsvImportDeps,
  ownerId: string,
  page: PageRequest,
): Promise<Page<ImportedSymbolView>> {
  const result = await listImports(deps, ownerId, page);
  return { ...result, items: result.items.map(importedSymbolView) };
}

/** Admin: a page of every user's imports, optionally only the published (or unpublished) ones. */
export async function listEveryImport(
  deps: CsvImportDeps,
  page: PageRequest & { published?: boolean },
): Promise<Page<ImportedSymbolView>> {
  const result = await listAllImports(deps, page);
  return { ...result, items: result.items.map(importedSymbolView) };
}

/** Admin: publishes (or unpublishes) a user's import so every user can read it. */
export async function setImportPublished(
  deps: CsvImportDeps,
  ownerId: string,
  symbol: string,
  published: boolean,
): Promise<ImportedSymbolView> {
  return importedSymbolView(await publishImport(deps, ownerId, symbol, published, deps.clock.now()));
}
