/**
 * Market-data and indicator tools: the same operations as `GET /api/v1/data/symbols`, `/data/bars/{symbol}`,
 * `/data/freshness` (no API key needed; with one, the caller's own CSV imports are visible too) and
 * `POST /api/v1/indicators` (API key). The admin refresh (`POST /data/refresh`) is not offered.
 */
import { z } from "zod";
import { previewIndicators } from "../../domain/backtest/indicator_preview.ts";
import { barsOf, freshnessOf, symbolPage } from "../../domain/market/market_views.ts";
import { IndicatorsBody } from "../../routes/schemas/indicators.ts";
import { BarsQuery, SymbolParam, SymbolQuery } from "../../routes/schemas/market.ts";
import { defineTool, READ_ONLY, type ToolContext, type ToolDef } from "../tool_kit.ts";

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
      "symbols carry the exchange suffix (600519.SH, 000858.SZ); index symbols start with ^. No API key needed.",
    input: z.strictObject({
      universe: Q.universe.describe("Only members of this universe, e.g. hs300, csi500, etf_all"),
      exchange: Q.exchange.describe("Only this exchange: SSE, SZSE, NSE, IDX, NYSE or CRYPTO"),
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
];
