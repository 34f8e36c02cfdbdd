/** CSV import of a user's own daily bars (`text/csv` body or multipart `file`), listing and deletion. */
import { createRoute, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { EXCHANGE_CODES } from "../domain/calendar/exchanges.ts";
import { NotFoundError, ValidationError } from "../domain/errors.ts";
import { importCsv, SYMBOL_PATTERN } from "../domain/market/csv/import_bars.ts";
import type { MarketDeps } from "../domain/market/market_deps.ts";
import { parseRateRule } from "../domain/config.ts";
import { HTTPException } from "hono/http-exception";
import { newRouter } from "./app_env.ts";
import { requireAdmin, requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, MessageSchema } from "./schemas/common.ts";
import { SymbolParam } from "./schemas/market.ts";

const tags = ["market data"];
/** Imports per user per hour. */
const IMPORT_RATE = parseRateRule("30/1h");

const ImportQuery = z.object({
  symbol: z.string().trim().regex(SYMBOL_PATTERN, "1-32 of letters, digits and . _ ^ = -").openapi({
    example: "RELIANCE.NS",
  }),
  exchange: z.string().trim().toUpperCase().pipe(z.enum(EXCHANGE_CODES)).optional().openapi({
    example: "NSE",
  }),
});

const ImportResultSchema = z.object({
  symbol: z.string(),
  exchange: z.string(),
  rows: z.number().int(),
  start: z.string(),
  end: z.string(),
  skipped: z.array(z.object({ row: z.number().int(), reason: z.string() })),
  source: z.literal("csv"),
}).openapi("ImportResult", {
  example: {
    symbol: "RELIANCE.NS",
    exchange: "NSE",
    rows: 6799,
    start: "1996-01-01",
    end: "2023-01-12",
    skipped: [{ row: 12, reason: "null row (no prices)" }],
    source: "csv",
  },
});

const ImportedSchema = z.object({
  symbol: z.string(),
  exchange: z.string(),
  rows: z.number().int(),
  start: z.string(),
  end: z.string(),
  published: z.boolean(),
  imported_at: z.string(),
}).openapi("ImportedSymbol");

/** Reads the CSV text of a `text/csv` (or `text/plain`) body or of a multipart `file` field. */
async function readCsvText(req: Request): Promise<string> {
  const type = (req.headers.get("content-type") ?? "").toLowerCase();
  if (type.startsWith("multipart/form-data")) {
    const form = await req.formData().catch(() => {
      throw new ValidationError("Malformed multipart body", ["body"], "multipart_invalid");
    });
    const file = form.get("file");
    if (file === null) throw new ValidationError("Field required", ["body", "file"], "missing");
    return typeof file === "string" ? file : await file.text();
  }
  if (type.startsWith("text/csv") || type.startsWith("text/plain") || type.startsWith("application/csv")) {
    return await req.text();
  }
  throw new HTTPException(415, {
    message: "Unsupported Media Type: send text/csv, or multipart/form-data with a `file` field",
  });
}

/** Builds the import router. */
export function dataImportRoutes(auth: AuthDeps, market: MarketDeps, maxImportBytes: number) {
  const app = newRouter();
  const user = requireAuth(auth);
  const limit = bodyLimit({
    maxSize: maxImportBytes,
    onError: (c) => c.json({ detail: `File too large (limit ${maxImportBytes} bytes)` }, 413),
  });

  app.openapi(
    createRoute({
      method: "post",
      path: "/data/import",
      tags,
      summary:
        "Import your own daily OHLCV CSV (text/csv body or multipart `file`, up to 50 MiB); private to you",
      security: bearerSecurity,
      middleware: [user, limit],
      request: {
        query: ImportQuery,
        body: {
          required: true,
          content: {
            "text/csv": {
              schema: z.string().openapi({
                example: "Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9.5,10.5,1000\n",
              }),
            },
          },
        },
      },
      responses: {
        200: jsonResponse(ImportResultSchema, "Imported"),
        ...errorResponses(401, 403, 422, 429),
        413: jsonResponse(z.object({ detail: z.string() }), "File too large"),
        415: jsonResponse(z.object({ detail: z.string() }), "Not CSV"),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const me = c.get("principal").user;
      await auth.limiter.consume("csv_import", me.id, IMPORT_RATE);
      const text = await readCsvText(c.req.raw);
      if (text.trim() === "") throw new ValidationError("The file is empty", ["body"], "missing");
      const summary = await importCsv(market, {
        ownerId: me.id,
        symbol: q.symbol,
        exchange: q.exchange,
        text,
        nowMs: market.clock.now(),
      });
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
      responses: {
        200: jsonResponse(z.object({ items: z.array(ImportedSchema) }), "Imports"),
        ...errorResponses(401, 403),
      },
    }),
    async (c) => {
      const items = (await market.imports.list(c.get("principal").user.id)).map((r) => ({
        symbol: r.symbol,
        exchange: r.exchange,
        rows: r.rows,
        start: r.start,
        end: r.end,
        published: r.published,
        imported_at: new Date(r.imported_at).toISOString(),
      }));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/data/imports/{symbol}",
      tags,
      summary: "Delete one of my imports and its bars",
      security: bearerSecurity,
      middleware: [user],
      request: { params: SymbolParam },
      responses: { 200: jsonResponse(MessageSchema, "Deleted"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => {
      const symbol = c.req.valid("param").symbol.toUpperCase();
      const owner = c.get("principal").user.id;
      if (!(await market.imports.delete(owner, symbol))) {
        throw new NotFoundError(`Import "${symbol}" not found`);
      }
      await market.bars.deleteSeries({ source: "csv", owner }, symbol);
      return c.json({ message: "Import deleted" }, 200);
    },
  );

  const PublishParams = z.object({
    owner_id: z.string().min(1).max(64).openapi({ param: { name: "owner_id", in: "path" } }),
    symbol: SymbolParam.shape.symbol,
  });
  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/data/imports/{owner_id}/{symbol}/publish",
      tags: ["admin"],
      summary: "Admin: publish (or unpublish) a user's import so everyone can read it",
      security: bearerSecurity,
      middleware: [user, requireAdmin(auth)],
      request: { params: PublishParams, body: jsonBody(z.strictObject({ published: z.boolean() })) },
      responses: { 200: jsonResponse(ImportedSchema, "Updated"), ...errorResponses(401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const p = c.req.valid("param");
      const r = await market.imports.publish(
        p.owner_id,
        p.symbol.toUpperCase(),
        c.req.valid("json").published,
      );
      return c.json({
        symbol: r.symbol,
        exchange: r.exchange,
        rows: r.rows,
        start: r.start,
        end: r.end,
        published: r.published,
        imported_at: new Date(r.imported_at).toISOString(),
      }, 200);
    },
  );

  return app;
}
