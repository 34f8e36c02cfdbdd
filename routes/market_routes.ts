/** `/api/v1/data/*` reads: symbols, bars, freshness; and the admin refresh. */
import { createRoute } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import type { Principal } from "../domain/auth/sessions.ts";
import { getCalendar } from "../domain/calendar/calendar.ts";
import { addDays, fromDayNumber } from "../domain/calendar/dates.ts";
import { NotFoundError, ValidationError } from "../domain/errors.ts";
import type { MarketDeps } from "../domain/market/market_service.ts";
import { refreshMarket } from "../domain/market/refresh.ts";
import { newRouter } from "./app_env.ts";
import { optionalAuth, requireAdmin, requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, pageOf } from "./schemas/common.ts";
import {
  BarsQuery,
  BarsSchema,
  FreshnessSchema,
  RefreshBody,
  RefreshResultSchema,
  SymbolParam,
  SymbolQuery,
  SymbolSchema,
} from "./schemas/market.ts";

const tags = ["market data"];
/** Longest range one bars response may span. */
const MAX_RANGE_DAYS = 366 * 20;

/** Builds the market-data router. */
export function marketRoutes(auth: AuthDeps, market: MarketDeps) {
  const app = newRouter();
  const maybeUser = optionalAuth(auth);
  const ownerOf = (p: Principal | undefined) => p?.user.id ?? null;

  app.openapi(
    createRoute({
      method: "get",
      path: "/data/symbols",
      tags,
      summary: "Symbols with metadata (synthetic market, published imports, and your own imports)",
      middleware: [maybeUser],
      request: { query: SymbolQuery },
      responses: {
        200: jsonResponse(pageOf(SymbolSchema, "SymbolPage"), "Symbols"),
        ...errorResponses(401, 422),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const all = await market.data.listSymbols({
        universe: q.universe,
        exchange: q.exchange,
        q: q.q,
        ownerId: ownerOf(c.var.principal as Principal | undefined),
      });
      return c.json({
        items: all.slice(q.offset, q.offset + q.limit),
        total: all.length,
        limit: q.limit,
        offset: q.offset,
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/data/bars/{symbol}",
      tags,
      summary: "Daily OHLCV bars of a symbol (default: the last year); `source` says where they come from",
      middleware: [maybeUser],
      request: { params: SymbolParam, query: BarsQuery },
      responses: { 200: jsonResponse(BarsSchema, "Bars"), ...errorResponses(401, 404, 422) },
    }),
    async (c) => {
      const { symbol } = c.req.valid("param");
      const q = c.req.valid("query");
      const owner = ownerOf(c.var.principal as Principal | undefined);
      const info = await market.data.getSymbol(symbol, owner);
      if (!info) throw new NotFoundError(`Unknown symbol "${symbol}"`);
      const end = q.end ?? getCalendar(info.exchange).today(market.clock.now());
      const start = q.start ?? addDays(end, -365);
      if (start > end) throw new ValidationError("start must not be after end", ["query", "start"]);
      if (addDays(start, MAX_RANGE_DAYS) < end) {
        throw new ValidationError(
          "A request may span at most 20 years",
          ["query", "start"],
          "range_too_long",
        );
      }
      const series = await market.data.getBars(symbol, start, end, owner);
      if (!series) throw new NotFoundError(`Unknown symbol "${symbol}"`);
      const bars = Array.from(series.days, (d, i) => ({
        date: fromDayNumber(d),
        open: series.open[i],
        high: series.high[i],
        low: series.low[i],
        close: series.close[i],
        volume: series.volume[i],
        adj_factor: series.adj_factor[i],
      }));
      return c.json({
        symbol: info.symbol,
        source: series.source,
        exchange: info.exchange,
        currency: info.currency,
        start,
        end,
        count: bars.length,
        bars,
      }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/data/freshness",
      tags,
      summary:
        "Last bar date per source and market (and per visible import), against the last completed trading day",
      middleware: [maybeUser],
      responses: { 200: jsonResponse(FreshnessSchema, "Freshness"), ...errorResponses(401) },
    }),
    async (c) => {
      const owner = ownerOf(c.var.principal as Principal | undefined);
      const items = (await market.data.freshness(owner)).map((e) => ({
        ...e,
        checked_at: new Date(e.checked_at).toISOString(),
      }));
      return c.json({ items }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/data/refresh",
      tags,
      summary:
        "Admin: extend cached synthetic bars now (default: hs300 and its index); pull Yahoo when enabled",
      security: bearerSecurity,
      middleware: [requireAuth(auth), requireAdmin(auth)],
      request: { body: jsonBody(RefreshBody) },
      responses: { 200: jsonResponse(RefreshResultSchema, "Refreshed"), ...errorResponses(401, 403, 422) },
    }),
    async (c) => c.json(await refreshMarket(market, c.req.valid("json")), 200),
  );

  return app;
}
