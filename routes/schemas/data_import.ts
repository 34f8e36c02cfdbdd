/** Schemas of the CSV import routes: query, path and body of an upload, and the import views. */
import { z } from "@hono/zod-openapi";
import { EXCHANGE_CODES } from "../../domain/calendar/exchanges.ts";
import { SYMBOL_PATTERN } from "../../domain/market/csv/import_bars.ts";
import { pageOf, PageQuery } from "./common.ts";

const symbolString = z.string().trim().regex(SYMBOL_PATTERN, "1-32 of letters, digits and . _ ^ = -");

/** `?symbol=&exchange=` of an upload. */
export const ImportQuery = z.object({
  symbol: symbolString.optional().openapi({
    example: "RELIANCE.NS",
    description:
      "Symbol to store the bars under (upper-cased); required for a one-symbol CSV, absent for a " +
      "zip or a long CSV with a symbol column",
  }),
  exchange: z.string().trim().toUpperCase().pipe(z.enum(EXCHANGE_CODES)).optional().openapi({
    example: "NSE",
    description: "Exchange; inferred from the suffix when absent (.SH/.SS SSE, .SZ SZSE, .NS NSE, .JK IDX, " +
      "-USD CRYPTO, else NYSE)",
  }),
});

/** `{symbol}` of one of my imports. */
export const ImportSymbolParam = z.object({
  symbol: symbolString.openapi({ param: { name: "symbol", in: "path" }, example: "RELIANCE.NS" }),
});

/** `{owner_id}/{symbol}` of anyone's import (admin). */
export const OwnerImportParams = z.object({
  owner_id: z.string().min(1).max(64).openapi({
    param: { name: "owner_id", in: "path" },
    example: "usr_01J",
  }),
  symbol: ImportSymbolParam.shape.symbol,
});

/** `{published}` body of the admin publish route. */
export const PublishBody = z.strictObject({
  published: z.boolean().openapi({ example: true }),
}).openapi("PublishImportBody");

/** `?published=` filter plus paging of the admin listing. */
export const AdminImportsQuery = PageQuery.extend({
  published: z.enum(["true", "false"]).optional().openapi({ example: "false" }),
});

const CSV_EXAMPLE = "Date,Open,High,Low,Close,Adj Close,Volume\n" +
  "2024-01-02,2590.0,2610.5,2580.1,2605.3,2605.3,5311657\n";

/** The upload body: raw CSV text, or a multipart form with a `file` field. */
export const ImportBody = {
  required: true,
  description:
    "The CSV, up to 50 MiB: a raw `text/csv` (or `text/plain`) body, a zip of `SYMBOL.csv` files " +
    "(`application/zip`), or multipart with a `file` field. " +
    "Declare a non-UTF-8 encoding with `charset` (e.g. `text/csv; charset=gbk`).",
  content: {
    // Plain OpenAPI schemas (not zod), so the framework adds no validator: the route reads the body itself.
    "text/csv": { schema: { type: "string" as const, example: CSV_EXAMPLE } },
    "application/zip": { schema: { type: "string" as const, format: "binary" } },
    "multipart/form-data": {
      schema: {
        type: "object" as const,
        properties: { file: { type: "string" as const, format: "binary" } },
        required: ["file"],
      },
    },
  },
};

/** The summary of an import. */
const ImportResultSchema = z.object({
  symbol: z.string(),
  exchange: z.enum(EXCHANGE_CODES),
  rows: z.number().int(),
  start: z.string(),
  end: z.string(),
  skipped: z.array(z.object({ row: z.number().int(), reason: z.string() })),
  skipped_count: z.number().int(),
  replaced: z.boolean(),
  source: z.literal("csv"),
}).openapi("ImportResult");

/** The summary of a many-symbol import. */
const BulkImportResultSchema = z.object({
  count: z.number().int(),
  symbols: z.array(ImportResultSchema),
}).openapi("BulkImportResult");

/** One symbol's summary, or many. */
export const ImportResponseSchema = z.union([ImportResultSchema, BulkImportResultSchema]);

/** Example of an import summary. */
export const IMPORT_RESULT_EXAMPLE = {
  symbol: "^JKSE",
  exchange: "IDX",
  rows: 8003,
  start: "1990-06-04",
  end: "2023-03-03",
  skipped: [{ row: 1287, reason: "null row (no open, high, low or close)" }],
  skipped_count: 307,
  replaced: false,
  source: "csv",
};

/** One imported symbol as the API shows it. */
export const ImportedSymbolSchema = z.object({
  symbol: z.string(),
  name: z.string(),
  exchange: z.enum(EXCHANGE_CODES),
  currency: z.string(),
  kind: z.string(),
  lot_size: z.number().int(),
  price_limit: z.number().nullable(),
  owner_id: z.string(),
  published: z.boolean(),
  rows: z.number().int(),
  start: z.string(),
  end: z.string(),
  imported_at: z.string().openapi({ example: "2026-05-14T01:00:00.000Z" }),
  source: z.literal("csv"),
}).openapi("ImportedSymbol");

/** Example of an imported symbol. */
export const IMPORTED_SYMBOL_EXAMPLE = {
  symbol: "RELIANCE.NS",
  name: "RELIANCE.NS",
  exchange: "NSE",
  currency: "INR",
  kind: "stock",
  lot_size: 1,
  price_limit: null,
  owner_id: "usr_01J",
  published: false,
  rows: 6799,
  start: "1996-01-01",
  end: "2023-01-12",
  imported_at: "2026-05-14T01:00:00.000Z",
  source: "csv",
};

/** A page of imported symbols. */
export const ImportedSymbolPage = pageOf(ImportedSymbolSchema, "ImportedSymbolPage");
