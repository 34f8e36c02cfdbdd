/** `/api/v1/data/*` reads: symbols, bars, freshness; and the admin refresh. */
import { createRoute } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import type { Principal } from "../domain/auth/sessions.ts";
import type { MarketDeps } from "../domain/market/market_service.ts";
import { barsOf, freshnessOf, symbolPage } from "../domain/market/market_views.ts";
import { refreshMarket } from "../domain/market/refresh.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
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
      const owner = ownerOf(c.var.principal as Principal | undefined);
      return c.json(await fromInput("query", () => symbolPage(market, owner, c.req.valid("query"))), 200);
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
      const owner = ownerOf(c.var.principal as Principal | undefined);
      return c.json(await fromInput("query", () => barsOf(market, owner, symbol, c.req.valid("query"))), 200);
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
      return c.json(await freshnessOf(market, ownerOf(c.var.principal as Principal | undefined)), 200);
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
