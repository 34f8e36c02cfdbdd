/**
 * Market-data and indicator tools: the same operations as `GET /api/v1/data/symbols`, `/data/bars/{symbol}`,
 * `/data/freshness` (no API key needed; with one, the caller's own CSV imports are visible too) and
 * `POST /api/v1/indicators` (API key), and my CSV imports (`POST /data/import` with a one-symbol CSV as text,
 * `GET /data/imports`, `DELETE /data/imports/{symbol}`; API key). The admin refresh (`POST /data/refresh`) and
 * the admin's publish switch are not offered.
 */
import { z } from "zod";
import { previewIndicators } from "../../domain/backtest/indicator_preview.ts";
import { chargeRate } from "../../domain/auth/rate_limiter.ts";
import { PayloadTooLargeError } from "../../domain/errors.ts";
import { deleteImport } from "../../domain/market/csv/import_bars.ts";
import { importUpload, listMyImports } from "../../domain/market/csv/imports.ts";
import { barsOf, freshnessOf, symbolPage } from "../../domain/market/market_views.ts";
import { IndicatorsBody } from "../../routes/schemas/indicators.ts";
import { BarsQuery, SymbolParam, SymbolQuery } from "../../routes/schemas/market.ts";
import { ImportQuery, ImportSymbolParam } from "../../routes/schemas/data_import.ts";
import { defineTool, READ_ONLY, type ToolContext, type ToolDef } from "../tool_kit.ts";
import { pageArgs } from "../tool_schemas.ts";

/** The caller's user id when a credential came with the call (their imports are visible), else `null`. */
const ownerOf = (ctx: ToolContext) => ctx.caller.principal?.user.id ?? null;

const Q = SymbolQuery.shape;
const I = IndicatorsBody.shape;

/** The market-data and indicator tools. */
export const marketTools: ToolDef[] = [
  defineTool({
    name: "list_symbols",
    title: "List symbols",
    description:
      "Symbols with metadata: symbol, name, exchange, currency, kind (stock, etf, index, crypto), " +
      "sector, market_cap_class, lot_size (shares per lot, 100 for A-shares), price_limit (daily limit as a " +
      "fraction, 0.1 = ±10 %; null where none), universes and source (synthetic, csv or yahoo: synthetic " +
      "data is a deterministic simulated market, not real quotes). Covers the built-in market, published " +
      "imports and, with an API key, your own CSV imports. Answers items, total, limit, offset. A-share " +
      "symbols carry the exchange suffix (600519.SH, 000858.SZ); indexes are of kind index (000300.SH is the " +
      "CSI 300, ^GSPC the S&P 500). No API key needed.",
    input: z.strictObject({
      universe: Q.universe.describe("Only members of this universe, e.g. hs300, csi500, etf_all"),
      exchange: Q.exchange.describe("Only this exchange (any case): SSE, SZSE, NSE, IDX, NYSE or CRYPTO"),
      q: Q.q.describe("Case-insensitive text matched against symbol and name (≤ 64 characters)"),
      limit: z.number().int().min(1).max(5000).default(500).describe("Items to return, 1–5000 (default 500)"),
      offset: z.number().int().min(0).default(0).describe("Items to skip (default 0)"),
    }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, args) => symbolPage(ctx.deps.market, ownerOf(ctx), args),
  }),
  defineTool({
    name: "get_bars",
    title: "Daily bars of a symbol",
    description: "Daily OHLCV bars of one symbol, oldest first: {date, open, high, low, close, volume, " +
      "adj_factor} with symbol, source, exchange, currency, the range answered (start, end) and count. " +
      "Prices are as traded (not adjusted), in the symbol's currency; adj_factor is the total-return " +
      "adjustment factor (close × adj_factor = a dividend- and split-adjusted price; 1 without events). " +
      "Dates are the exchange's local trading days (Asia/Shanghai for SSE/SZSE); only trading days appear. " +
      "Default range: the year up to the exchange's today; at most 20 years per call (longer: 422 on start). " +
      "Check `source`: synthetic bars are simulated. Unknown symbol: 404 (find it with list_symbols). No API " +
      "key needed.",
    input: z.strictObject({
      symbol: SymbolParam.shape.symbol.describe(
        "The symbol, e.g. 600519.SH, 000858.SZ, ^GSPC, BTC-USD (letters, digits and . _ ^ = -)",
      ),
      start: BarsQuery.shape.start.describe("First date, YYYY-MM-DD (default: a year before end)"),
      end: BarsQuery.shape.end.describe("Last date, YYYY-MM-DD (default: today in the exchange's time zone)"),
    }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { symbol, ...range }) => barsOf(ctx.deps.market, ownerOf(ctx), symbol, range),
  }),
  defineTool({
    name: "get_data_freshness",
    title: "Market data freshness",
    description: "For each data source and market (and each import you can see): last_bar_date against " +
      "expected_date (the exchange's last completed trading day), stale, symbols, rows, first_bar_date, " +
      "checked_at (ISO time UTC) and error. Call it before trusting today's bars or a settlement price. No " +
      "API key needed.",
    input: z.strictObject({}),
    access: "public",
    hints: READ_ONLY,
    run: (ctx) => freshnessOf(ctx.deps.market, ownerOf(ctx)),
  }),
  defineTool({
    name: "compute_indicators",
    title: "Compute indicators on a symbol",
    description:
      "Evaluates 1–20 expressions of the strategy language (e.g. rsi(close, 14), sma(close, 20), " +
      "macd(close, 12, 26, 9), bb_upper(close, 20, 2), close / sma(close, 50) - 1; TA-Lib-exact indicators; " +
      "the catalogue is the resource quantedge://docs/indicators) on one symbol's daily bars, as traded (not " +
      "adjusted). Earlier history is read as warm-up, so the first answered day has a value where enough bars " +
      "exist. Answers symbol, source, dates and series: one array per expression keyed by its text, aligned " +
      "with dates, null where undefined. At most 500,000 values (days × expressions) per call; an invalid " +
      "expression answers 422 at expressions.<i>. Needs an API key.",
    input: z.strictObject({
      symbol: I.symbol.describe("The symbol, e.g. 600519.SH (see list_symbols)"),
      start: I.start.describe("First answered date, YYYY-MM-DD (default: a year before end)"),
      end: I.end.describe("Last date, YYYY-MM-DD (default: the symbol's last bar)"),
      expressions: I.expressions.describe(
        '1–20 expressions of the strategy language, each ≤ 2000 characters, e.g. ["rsi(close, 14)"]',
      ),
    }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, args) => previewIndicators(ctx.deps.indicators, ctx.user().id, args),
  }),
  defineTool({
    name: "import_bars_csv",
    title: "Import my daily bars from CSV",
    description:
      "Stores one symbol's daily OHLCV bars from CSV text (POST /api/v1/data/import), private to " +
      "me: my backtests, indicators and bars tools can then use the symbol. Headers in any case and order " +
      "(date/trade_date/日期, open, high, low, close, volume/vol, optional Adj Close; others ignored), " +
      "YYYY-MM-DD or YYYYMMDD dates; Yahoo and akshare/Tushare exports work as they are. Any inconsistent row " +
      "fails the whole import with 422 naming it; nothing is stored then. Re-importing a symbol replaces its " +
      "bars (destructive, idempotent). Counts against RATE_LIMIT_IMPORT; at most MAX_IMPORT_BYTES of text, " +
      "and over /mcp the whole request within MAX_BODY_BYTES (a larger file, a zip or a multi-symbol panel " +
      "goes to POST /api/v1/data/import). Answers symbol, exchange, rows, first/last dates, skipped.",
    input: z.strictObject({
      symbol: ImportQuery.shape.symbol.unwrap().describe(
        "The symbol to store the bars under (upper-cased), e.g. RELIANCE.NS or MYIDX",
      ),
      exchange: ImportQuery.shape.exchange.describe(
        "SSE, SZSE, NSE, IDX, NYSE or CRYPTO; inferred from the suffix when absent (.SH SSE, .SZ SZSE, .NS " +
          "NSE, .JK IDX, -USD CRYPTO, else NYSE)",
      ),
      csv: z.string().min(1).max(20_000_000).describe("The CSV text, header line first"),
    }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: async (ctx, { symbol, exchange, csv }) => {
      const { maxImportBytes, importRate } = ctx.deps.config;
      const bytes = new TextEncoder().encode(csv);
      if (bytes.length > maxImportBytes) {
        throw new PayloadTooLargeError(`CSV too large (limit ${maxImportBytes} bytes)`);
      }
      await chargeRate({ limiter: ctx.deps.auth.limiter, rule: importRate }, "csv_import", ctx.user().id);
      return importUpload(ctx.deps.imports, {
        ownerId: ctx.user().id,
        symbol,
        exchange,
        upload: { kind: "csv", stream: new Blob([bytes]).stream(), charset: "utf-8" },
        maxUploadBytes: maxImportBytes,
      });
    },
  }),
  defineTool({
    name: "list_my_imports",
    title: "List my CSV imports",
    description: "My imported symbols (GET /api/v1/data/imports), with exchange, rows, first and last " +
      "dates and whether an admin published them; items, total, limit, offset.",
    input: z.strictObject(pageArgs(50)),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, page) => listMyImports(ctx.deps.imports, ctx.user().id, page),
  }),
  defineTool({
    name: "delete_import",
    title: "Delete one of my CSV imports",
    description: "Deletes one of my imported symbols and its bars (DELETE /api/v1/data/imports/{symbol}). " +
      "Destructive; a second call answers 404 (safe to retry).",
    input: z.strictObject({
      symbol: ImportSymbolParam.shape.symbol.describe("The imported symbol (see list_my_imports)"),
    }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: async (ctx, { symbol }) => {
      await deleteImport(ctx.deps.imports, ctx.user().id, symbol, ctx.deps.imports.clock.now());
      return { message: "Import deleted", symbol };
    },
  }),
];
