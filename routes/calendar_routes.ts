/**
 * `GET /api/v1/calendar`: trading days of a month, or one date's status, in the exchange's own zone; and
 * `PUT /api/v1/admin/calendars/{exchange}/{year}`: install a year's official closures.
 *
 * The calendar answer is a public answer (`publicJson`, scope `calendar`, bumped by every installation); it
 * depends on the exchange's today, which is in its cache key and ETag.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { calendarView } from "../domain/calendar/calendar_view.ts";
import { getCalendar } from "../domain/calendar/calendar.ts";
import { CALENDAR_SCOPE } from "../domain/public_reads/scopes.ts";
import {
  ensureOfficialListsCurrent,
  installOfficialList,
  type OfficialListDeps,
  officialListHistory,
} from "../domain/calendar/official_lists.ts";
import type { Clock } from "../domain/clock.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAdmin, requireAuth } from "./middleware/auth.ts";
import { publicJson, type PublicReadDeps } from "./public_cache.ts";
import {
  CalendarDateSchema,
  CalendarListBody,
  CalendarListHistorySchema,
  CalendarListParams,
  CalendarListSchema,
  CalendarMonthSchema,
  CalendarQuery,
} from "./schemas/calendar.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, PageQuery } from "./schemas/common.ts";

/** Builds the calendar router (no auth). */
export function calendarRoutes(clock: Clock, lists: OfficialListDeps["lists"], publicReads: PublicReadDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/calendar",
      tags: ["market data"],
      summary:
        "Trading days of ?month=YYYY-MM, or the status of ?date=YYYY-MM-DD (exactly one), per exchange",
      request: { query: CalendarQuery },
      responses: {
        200: jsonResponse(z.union([CalendarMonthSchema, CalendarDateSchema]), "Calendar"),
        ...errorResponses(422),
      },
    }),
    (c) => {
      const query = c.req.valid("query");
      // One instant for the key and the answer, so an answer built across midnight is kept under its own today.
      const now = clock.now();
      const today = getCalendar(query.exchange).today(now);
      return publicJson(c, publicReads, {
        scopes: [CALENDAR_SCOPE],
        key: `calendar\u0000${query.exchange}\u0000${query.month ?? ""}\u0000${
          query.date ?? ""
        }\u0000${today}`,
        variant: today,
        build: () =>
          fromInput("query", async () => {
            await ensureOfficialListsCurrent(lists);
            return calendarView({ clock: { now: () => now } }, query);
          }),
      }) as never;
    },
  );
  return app;
}

/** Builds the admin calendar router: install a year's official closure list (admins only). */
export function calendarAdminRoutes(auth: AuthDeps, deps: OfficialListDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: "put",
      path: "/admin/calendars/{exchange}/{year}",
      tags: ["admin"],
      summary: "Install (replace) an exchange's official closures for one year; applied at once, audited",
      security: bearerSecurity,
      middleware: [requireAuth(auth), requireAdmin(auth)],
      request: { params: CalendarListParams, body: jsonBody(CalendarListBody) },
      responses: {
        200: jsonResponse(CalendarListSchema, "Installed"),
        ...errorResponses(400, 401, 403, 422),
      },
    }),
    async (c) => {
      const { exchange, year } = c.req.valid("param");
      const principal = c.get("principal");
      const list = c.req.valid("json");
      const view = await fromInput(
        (loc) => (loc[0] === "year" ? "path" : "body"),
        () => installOfficialList(deps, principal.user.email, exchange, year, list),
      );
      return c.json(view, 200);
    },
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/calendars",
      tags: ["admin"],
      summary: "Installed official closure lists: audit history (newest first) and each exchange's horizon",
      security: bearerSecurity,
      middleware: [requireAuth(auth), requireAdmin(auth)],
      request: { query: PageQuery },
      responses: {
        200: jsonResponse(CalendarListHistorySchema, "History"),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => c.json(await officialListHistory(deps, c.req.valid("query")), 200),
  );
  return app;
}
