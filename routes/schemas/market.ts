/** Schemas of the market-data routes. */
import { z } from "@hono/zod-openapi";
import { EXCHANGE_CODES } from "../../domain/calendar/exchanges.ts";
import { UNIVERSE_NAMES } from "../../domain/market/types.ts";
import { safeText } from "./common.ts";
import { IsoDateString } from "./calendar.ts";

/** A symbol with its metadata and the source its bars come from. */
export const SymbolSchema = z.object({
  symbol: z.string(),
  name: z.string(),
  exchange: z.string(),
  currency: z.string(),
  kind: z.enum(["stock", "etf", "index", "crypto"]),
  sector: z.string().nullable(),
  market_cap_class: z.enum(["small", "mid", "large"]).nullable(),
  lot_size: z.number(),
  price_limit: z.number().nullable(),
  syariah: z.boolean().nullable(),
  universes: z.array(z.string()),
  source: z.enum(["synthetic", "csv", "yahoo"]),
}).openapi("Symbol", {
  example: {
    symbol: "600519.SH",
    name: "Kweichow Moutai",
    exchange: "SSE",
    currency: "CNY",
    kind: "stock",
    sector: "Consumer Staples",
    market_cap_class: "large",
    lot_size: 100,
    price_limit: 0.1,
    syariah: null,
    universes: ["hs300"],
    source: "synthetic",
  },
});

/** Filters and paging of `GET /data/symbols`. */
export const SymbolQuery = z.object({
  universe: z.enum(UNIVERSE_NAMES).optional(),
  exchange: z.string().trim().toUpperCase().pipe(z.enum(EXCHANGE_CODES)).optional(),
  q: safeText({ max: 64, trim: false }).optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
  offset: z.coerce.number().int().min(0).default(0),
});

/** A symbol as written in paths and bodies: letters, digits and `. _ ^ = -` (e.g. `600519.SH`, `^GSPC`, `BTC-USD`). */
const SymbolString = z.string().min(1).max(32).regex(/^[A-Za-z0-9._^=-]+$/, "Not a symbol");

/** The `{symbol}` path parameter (URL-encode `^` as `%5E`). */
export const SymbolParam = z.object({
  symbol: SymbolString.openapi({ param: { name: "symbol", in: "path" }, example: "600519.SH" }),
});

/** Date range of `GET /data/bars/{symbol}` (real dates; both optional, default the last year). */
export const BarsQuery = z.object({
  start: IsoDateString.optional().openapi({ example: "2024-01-01" }),
  end: IsoDateString.optional().openapi({ example: "2024-12-31" }),
}).refine((q) => !q.start || !q.end || q.start <= q.end, {
  message: "start must not be after end",
  path: ["start"],
});

/** One daily bar; `adj_factor` multiplies `close` into a total-return price. */
const BarSchema = z.object({
  date: z.string(),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
  adj_factor: z.number(),
});

/** Bars of one symbol in a date range, with the source they come from. */
export const BarsSchema = z.object({
  symbol: z.string(),
  source: z.enum(["synthetic", "csv", "yahoo"]),
  exchange: z.string(),
  currency: z.string(),
  start: z.string(),
  end: z.string(),
  count: z.number().int(),
  bars: z.array(BarSchema),
}).openapi("Bars", {
  example: {
    symbol: "600519.SH",
    source: "synthetic",
    exchange: "SSE",
    currency: "CNY",
    start: "2024-01-01",
    end: "2024-01-03",
    count: 2,
    bars: [
      {
        date: "2024-01-02",
        open: 1685.01,
        high: 1702.5,
        low: 1671.3,
        close: 1695.0,
        volume: 2841300,
        adj_factor: 1.08,
      },
      {
        date: "2024-01-03",
        open: 1694.2,
        high: 1699.9,
        low: 1680.0,
        close: 1688.4,
        volume: 2210000,
        adj_factor: 1.08,
      },
    ],
  },
});

/** Freshness per source and scope; dates are ISO days, `checked_at` an ISO timestamp. */
export const FreshnessSchema = z.object({
  items: z.array(z.object({
    source: z.string(),
    scope: z.string(),
    last_bar_date: z.string().nullable(),
    expected_date: z.string().nullable(),
    stale: z.boolean(),
    symbols: z.number().int(),
    rows: z.number().int().nullable(),
    first_bar_date: z.string().nullable(),
    checked_at: z.string(),
    error: z.string().nullable(),
  })),
}).openapi("Freshness", {
  example: {
    items: [{
      source: "synthetic",
      scope: "SSE",
      last_bar_date: "2026-05-13",
      expected_date: "2026-05-13",
      stale: false,
      symbols: 301,
      rows: 724_748,
      first_bar_date: "2015-01-05",
      checked_at: "2026-05-14T01:00:00.000Z",
      error: null,
    }],
  },
});

/** What the admin refresh should refresh (default: hs300 and its index). */
export const RefreshBody = z.strictObject({
  universes: z.array(z.enum(UNIVERSE_NAMES)).max(20).optional(),
  symbols: z.array(SymbolString).max(500).optional(),
}).openapi("RefreshRequest", { example: { universes: ["hs300"], symbols: ["BTC-USD"] } });

/** What the admin refresh did; `yahoo` is `null` when Yahoo is disabled. */
export const RefreshResultSchema = z.object({
  refreshed: z.number().int(),
  through: z.record(z.string(), z.string()),
  unknown: z.array(z.string()),
  yahoo: z.array(z.object({
    symbol: z.string(),
    added: z.number().int(),
    dropped: z.array(z.string()),
    rebased: z.boolean(),
    last_bar_date: z.string().nullable(),
    error: z.string().nullable(),
  })).nullable(),
}).openapi("RefreshResult", {
  example: {
    refreshed: 301,
    through: { SSE: "2026-05-13", SZSE: "2026-05-13" },
    unknown: [],
    yahoo: null,
  },
});
