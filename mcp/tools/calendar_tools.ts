/** Calendar tools: is a date a trading day, and which days of a month are (any exchange, SSE by default). */
import { z } from "zod";
import { calendarView } from "../../domain/calendar/calendar_view.ts";
import { CalendarQuery } from "../../routes/schemas/calendar.ts";
import { defineTool, READ_ONLY, type ToolDef } from "../tool_kit.ts";

/** The calendar tools. */
export const calendarTools: ToolDef[] = [
  defineTool({
    name: "get_calendar",
    title: "Trading calendar",
    description:
      "Whether a date is a trading day (with next_trading_day and today's date in the exchange's " +
      "time zone), or every trading day of a month. Give exactly one of `date` or `month`. Call it before " +
      "submitting a signal: trade_date must be an SSE trading day, today or later (Asia/Shanghai). No API key " +
      "needed.",
    input: z.strictObject({
      date: CalendarQuery.shape.date.describe("YYYY-MM-DD: answers is_trading_day and next_trading_day"),
      month: CalendarQuery.shape.month.describe("YYYY-MM: answers the month's trading_days and their count"),
      exchange: CalendarQuery.shape.exchange.describe(
        "SSE (default: the A-share calendar signals follow), SZSE, NSE, IDX, NYSE or CRYPTO",
      ),
    }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, args) => Promise.resolve(calendarView({ clock: ctx.deps.auth.clock }, args)),
  }),
];
