/** `GET /api/v1/calendar`: trading days of a month, or one date's status, in the exchange's own zone. */
import { createRoute, z } from "@hono/zod-openapi";
import { calendarDate, calendarMonth } from "../domain/calendar/calendar_view.ts";
import type { Clock } from "../domain/clock.ts";
import { newRouter } from "./app_env.ts";
import { CalendarDateSchema, CalendarMonthSchema, CalendarQuery } from "./schemas/calendar.ts";
import { errorResponses, jsonResponse } from "./schemas/common.ts";

/** Builds the calendar router (no auth). */
export function calendarRoutes(clock: Clock) {
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
      const q = c.req.valid("query");
      const now = clock.now();
      return c.json(
        q.month ? calendarMonth(q.exchange, q.month, now) : calendarDate(q.exchange, q.date!, now),
        200,
      );
    },
  );
  return app;
}
