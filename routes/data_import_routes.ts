/**
 * CSV import of a user's own daily bars (`text/csv` body or multipart `file`, up to `maxImportBytes`): one symbol
 * (`?symbol=`), or many in one request (a zip of per-symbol CSVs, or a long-format CSV with a symbol column, read
 * as a stream); my imports (list, delete), and the admin's publish switch and listing. Middleware order on the upload: auth (401), media
 * type (415), rate limit (429), size (413), then the query (422) — so nothing large is read for a request that is
 * refused anyway.
 */
import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import type { RateRule } from "../domain/config.ts";
import { ValidationError } from "../domain/errors.ts";
import {
  deleteImport,
  importUpload,
  listEveryImport,
  listMyImports,
  setImportPublished,
  type Upload,
} from "../domain/market/csv/imports.ts";
import type { CsvImportDeps } from "../domain/market/csv/import_bars.ts";
import { type AppEnv, newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAdmin, requireAuth } from "./middleware/auth.ts";
import {
  bearerSecurity,
  errorResponses,
  ErrorSchema,
  jsonBody,
  jsonResponse,
  MessageSchema,
  PageQuery,
} from "./schemas/common.ts";
import {
  AdminImportsQuery,
  IMPORT_RESULT_EXAMPLE,
  ImportBody,
  IMPORTED_SYMBOL_EXAMPLE,
  ImportedSymbolPage,
  ImportedSymbolSchema,
  ImportQuery,
  ImportResponseSchema,
  ImportSymbolParam,
  OwnerImportParams,
  PublishBody,
} from "./schemas/data_import.ts";

const tags = ["market data"];
const PAGE_EXAMPLE = { items: [IMPORTED_SYMBOL_EXAMPLE], total: 1, limit: 50, offset: 0 };
/** Media types a raw CSV body may be sent as. */
const RAW_CSV_TYPES = new Set(["text/csv", "text/plain", "application/csv", "text/tab-separated-values"]);
/** Media types of a zip of per-symbol CSVs. */
const ZIP_TYPES = new Set(["application/zip", "application/x-zip-compressed"]);

const mediaType = (header: string) => header.split(";")[0].trim().toLowerCase();
const charsetOf = (header: string | undefined | null) =>
  /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(header ?? "")?.[1] ?? null;

const unsupported = () =>
  new HTTPException(415, {
    message:
      "Unsupported Media Type: send the CSV as text/csv, a zip of CSVs as application/zip, or either as " +
      "multipart/form-data with a `file` field",
  });
const isCsvMediaType = (type: string) =>
  type === "multipart/form-data" || RAW_CSV_TYPES.has(type) || ZIP_TYPES.has(type);

/**
 * Refuses (415) a declared media type other than raw CSV or multipart before a byte of the body is read; a
 * request with no Content-Type passes on, so a bad query still answers 422, and the handler refuses it.
 */
const csvMediaType: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("content-type");
  if (header !== undefined && !isCsvMediaType(mediaType(header))) throw unsupported();
  await next();
};

const emptyStream = () => new Blob([]).stream();

/** The body of a raw upload, or the multipart `file` field (a `.zip` name or zip type makes it a zip). */
async function readUpload(req: Request): Promise<Upload> {
  const header = req.headers.get("content-type");
  if (header === null || !isCsvMediaType(mediaType(header))) throw unsupported();
  const type = mediaType(header);
  if (type !== "multipart/form-data") {
    return {
      kind: ZIP_TYPES.has(type) ? "zip" : "csv",
      stream: req.body ?? emptyStream(),
      charset: charsetOf(header),
    };
  }
  let form: FormData;
  try {
    form = await req.formData();
  } catch {
    throw new ValidationError("Malformed multipart body", ["body"], "multipart_invalid");
  }
  const file = form.get("file");
  if (file === null) throw new ValidationError("Field required", ["body", "file"], "missing");
  if (typeof file === "string") {
    return { kind: "csv", stream: new Blob([file]).stream(), charset: "utf-8" };
  }
  const zip = ZIP_TYPES.has(mediaType(file.type)) || /\.zip$/i.test(file.name);
  return { kind: zip ? "zip" : "csv", stream: file.stream(), charset: charsetOf(file.type) };
}

/** Builds the import router; uploads above `maxImportBytes` answer 413. */
export function dataImportRoutes(
  auth: AuthDeps,
  deps: CsvImportDeps,
  maxImportBytes: number,
  importRate: RateRule,
) {
  const app = newRouter();
  const user = requireAuth(auth);
  const rateLimit: MiddlewareHandler<AppEnv> = async (c, next) => {
    await auth.limiter.consume("csv_import", c.get("principal").user.id, importRate);
    await next();
  };
  const sizeLimit = bodyLimit({
    maxSize: maxImportBytes,
    onError: (c) => c.json({ detail: `File too large (limit ${maxImportBytes} bytes)` }, 413),
  });

  app.openapi(
    createRoute({
      method: "post",
      path: "/data/import",
      tags,
      summary: "Import your own daily OHLCV CSV, or many symbols at once (private to you until published)",
      description:
        "Headers in any case and order (date/trade_date/日期, open, high, low, close, volume/vol, optional Adj " +
        "Close; others ignored), BOM, CRLF, quotes, Yahoo and akshare/Tushare exports, YYYY-MM-DD or YYYYMMDD " +
        "dates. Empty and `null` rows are skipped and listed in `skipped` (row = line number, header = 1). Any " +
        "inconsistent row fails the import with 422 naming each row at `loc: [body, row, N]`; nothing is " +
        "stored then. Re-importing a symbol replaces it. Bars keep the file's own dates. Many symbols in one " +
        "request: a zip (`application/zip`) of `SYMBOL.csv` files, or, without `symbol`, a long CSV with a " +
        "symbol/ticker/code/ts_code/代码 column (rows of symbols may interleave); the answer is then " +
        "`{count, symbols}`, all or nothing, and errors name the zip entry (`loc: [body, file, NAME, row, N]`) " +
        "or the panel's line. Every request counts once against RATE_LIMIT_IMPORT.",
      security: bearerSecurity,
      middleware: [user, csvMediaType, rateLimit, sizeLimit],
      request: { query: ImportQuery, body: ImportBody },
      responses: {
        200: jsonResponse(ImportResponseSchema, "Imported", IMPORT_RESULT_EXAMPLE),
        ...errorResponses(400, 401, 403, 409, 422, 429),
        413: jsonResponse(ErrorSchema, "File too large"),
        415: jsonResponse(ErrorSchema, "Not CSV or multipart"),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const upload = await readUpload(c.req.raw);
      const input = { ownerId: c.get("principal").user.id, ...q, upload, maxUploadBytes: maxImportBytes };
      const summary = await fromInput(
        (loc) => (loc[0] === "symbol" ? "query" : "body"),
        () => importUpload(deps, input),
      );
      return c.json(summary, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/data/imports",
      tags,
      summary: "My imported symbols",
      security: bearerSecurity,
      middleware: [user],
      request: { query: PageQuery },
      responses: {
        200: jsonResponse(ImportedSymbolPage, "My imports", PAGE_EXAMPLE),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => c.json(await listMyImports(deps, c.get("principal").user.id, c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/data/imports/{symbol}",
      tags,
      summary: "Delete one of my imports and its bars",
      security: bearerSecurity,
      middleware: [user],
      request: { params: ImportSymbolParam },
      responses: { 200: jsonResponse(MessageSchema, "Deleted"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => {
      const symbol = c.req.valid("param").symbol;
      await fromInput("path", () => deleteImport(deps, c.get("principal").user.id, symbol, deps.clock.now()));
      return c.json({ message: "Import deleted" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/data/imports",
      tags: ["admin"],
      summary: "Admin: every user's imports, optionally only published or unpublished ones",
      security: bearerSecurity,
      middleware: [user, requireAdmin(auth)],
      request: { query: AdminImportsQuery },
      responses: {
        200: jsonResponse(ImportedSymbolPage, "Imports", PAGE_EXAMPLE),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const published = q.published === undefined ? undefined : q.published === "true";
      return c.json(await listEveryImport(deps, { limit: q.limit, offset: q.offset, published }), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/data/imports/{owner_id}/{symbol}/publish",
      tags: ["admin"],
      summary: "Admin: publish (or unpublish) a user's import so every user can read it",
      security: bearerSecurity,
      middleware: [user, requireAdmin(auth)],
      request: { params: OwnerImportParams, body: jsonBody(PublishBody) },
      responses: {
        200: jsonResponse(ImportedSymbolSchema, "Updated", { ...IMPORTED_SYMBOL_EXAMPLE, published: true }),
        ...errorResponses(401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const p = c.req.valid("param");
      const published = c.req.valid("json").published;
      const view = await fromInput("path", () => setImportPublished(deps, p.owner_id, p.symbol, published));
      return c.json(view, 200);
    },
  );

  return app;
}
