/**
 * `/api/v1/data/*` reads: symbols, bars, freshness; and the admin refresh.
 *
 * The three reads are public answers (`publicJson`): scope `market` (bumped by every bar, import and freshness
 * write) and, where the answer reads the calendar (bars' default range and synthetic reach, freshness's expected
 * dates), `calendar`; keyed and tagged on the caller (their own imports are part of the answer: such answers are
 * `private`, and their ETag names the caller), and on what they read of the clock (`marketDays`; freshness, which shows when it was checked, on
 * the minute).
 */
import { createRoute } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import type { Principal } from "../domain/auth/sessions.ts";
import type { MarketDeps } from "../domain/market/market_service.ts";
import { barsOf, freshnessOf, marketDays, symbolPage } from "../domain/market/market_views.ts";
import { ensureOfficialListsCurrent } from "../domain/calendar/official_lists.ts";
import type { CalendarListRepo } from "../domain/store/calendar_list_repo.ts";
import { CALENDAR_SCOPE, MARKET_SCOPE } from "../domain/public_reads/scopes.ts";
import type { Context } from "hono";
import {
  PUBLIC_REVALIDATE,
  publicJson,
  type PublicJsonOptions,
  type PublicReadDeps,
} from "./public_cache.ts";
import { refreshMarket } from "../domain/market/refresh.ts";
import { sha256Hex } from "../domain/tokens_and_hashes.ts";
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

/** `Cache-Control` of an answer that shows the caller's own imports: no shared cache may keep it. */
const PRIVATE_REVALIDATE = "private, max-age=0, must-revalidate";

/** Builds the market-data router. */
export function marketRoutes(
  auth: AuthDeps,
  market: MarketDeps,
  lists: CalendarListRepo,
  publicReads: PublicReadDeps,
) {
  const app = newRouter();
  const maybeUser = optionalAuth(auth);
  const ownerOf = (p: Principal | undefined) => p?.user.id ?? null;
  /**
   * Serves a cached answer for `owner` (`null`: anonymous): its key starts with the owner and its token (so its
   * ETag) names them (`~u<first 12 hex of sha256(owner id)>`), so one caller's tag never matches another's answer.
   */
  const cached = async (c: Context, owner: string | null, opts: PublicJsonOptions) => {
    const ownerTag = owner === null ? null : `u${(await sha256Hex(owner)).slice(0, 12)}`;
    const variant = [opts.variant, ownerTag].filter((v) => v !== undefined && v !== null).join("~");
    const res = await publicJson(c, publicReads, {
      ...opts,
      key: `${owner ?? ""}\u0000${opts.key}`,
      variant: variant === "" ? undefined : variant,
      cacheControl: owner === null ? PUBLIC_REVALIDATE : PRIVATE_REVALIDATE,
    });
    // The answer differs with the credential (the caller's imports).
    res.headers.append("Vary", "Authorization");
    return res as never;
  };
  /** A build that first brings the installed official closures up to their stored state. */
  const withCalendar = <T>(build: () => Promise<T>) => async () => {
    await ensureOfficialListsCurrent(lists);
    return await build();
  };

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
    (c) => {
      const owner = ownerOf(c.var.principal as Principal | undefined);
      const query = c.req.valid("query");
      return cached(c, owner, {
        scopes: [MARKET_SCOPE],
        key: `symbols\u0000${query.universe ?? ""}\u0000${query.exchange ?? ""}\u0000${query.q ?? ""}\u0000` +
          `${query.limit}\u0000${query.offset}`,
        build: () => fromInput("query", () => symbolPage(market, owner, query)),
      });
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
    (c) => {
      const { symbol } = c.req.valid("param");
      const owner = ownerOf(c.var.principal as Principal | undefined);
      const range = c.req.valid("query");
      const days = marketDays(market.clock.now());
      return cached(c, owner, {
        scopes: [MARKET_SCOPE, CALENDAR_SCOPE],
        key: `bars\u0000${symbol}\u0000${range.start ?? ""}\u0000${range.end ?? ""}\u0000${days}`,
        variant: days,
        build: withCalendar(() => fromInput("query", () => barsOf(market, owner, symbol, range))),
      });
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
    (c) => {
      const owner = ownerOf(c.var.principal as Principal | undefined);
      const minute = String(Math.floor(market.clock.now() / 60_000));
      return cached(c, owner, {
        scopes: [MARKET_SCOPE, CALENDAR_SCOPE],
        key: `freshness\u0000${minute}`,
        variant: minute,
        build: withCalendar(() => freshnessOf(market, owner)),
      });
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
