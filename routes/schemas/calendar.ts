/** Schemas of `GET /api/v1/calendar`. */
import { z } from "@hono/zod-openapi";
import { CALENDAR_SUPPORTED_YEARS, isSupportedCalendarDate } from "../../domain/calendar/calendar.ts";
import { isIsoDate } from "../../domain/calendar/dates.ts";
import { EXCHANGE_CODES } from "../../domain/calendar/exchanges.ts";
import { MAX_CLOSURES_PER_YEAR, MAX_SOURCE_LENGTH } from "../../domain/calendar/official_lists.ts";
import { safeText } from "./common.ts";

const YEARS = `${CALENDAR_SUPPORTED_YEARS.first}-${CALENDAR_SUPPORTED_YEARS.last}`;

/** `exchange` query parameter: a known code, case-insensitive, default SSE. */
const ExchangeQuery = z.string().trim().toUpperCase().pipe(z.enum(EXCHANGE_CODES)).default("SSE")
  .openapi({ example: "SSE", description: "SSE (default), SZSE, NSE, IDX, NYSE or CRYPTO" });

/** A real calendar date `YYYY-MM-DD`. */
export const IsoDateString = z.string().refine(isIsoDate, "Expected a real date in YYYY-MM-DD form");

/** A real calendar date `YYYY-MM-DD` in the calendar's supported years. */
const CalendarDateString = z.string().refine(
  isSupportedCalendarDate,
  `Expected a real date in YYYY-MM-DD form, years ${YEARS}`,
);

/** A month `YYYY-MM` in the calendar's supported years. */
const CalendarMonthString = z.string().refine(
  (m) => /^\d{4}-(0[1-9]|1[0-2])$/.test(m) && isSupportedCalendarDate(`${m}-01`),
  `Expected a month in YYYY-MM form, years ${YEARS}`,
);

/** Query of `GET /calendar`: exactly one of `month` and `date`, and an optional exchange. */
export const CalendarQuery = z.object({
  month: CalendarMonthString.optional().openapi({
    example: "2024-02",
    description: `YYYY-MM, years ${YEARS}`,
  }),
  date: CalendarDateString.optional().openapi({
    example: "2026-05-14",
    description: `YYYY-MM-DD, years ${YEARS}`,
  }),
  exchange: ExchangeQuery,
}).refine((q) => (q.month === undefined) !== (q.date === undefined), {
  message: "Give exactly one of month or date",
});

const Basis = z.enum(["published", "rules", "estimate", "weekdays", "always"]).openapi({
  description:
    "published holiday table, holiday rules, rule-based holiday estimate, weekday-only guess (holidays unknown), or 24/7",
});

const OfficialThrough = z.string().nullable().openapi({
  description: "Last date covered by an official holiday list (null: none, or 24/7)",
});

const Provisional = z.boolean().openapi({
  description: "true when the date (or month) lies outside the official lists: an estimate that may change",
});

/** The `?month=` answer. */
export const CalendarMonthSchema = z.object({
  exchange: z.enum(EXCHANGE_CODES),
  month: z.string(),
  trading_days: z.array(z.string()),
  count: z.number().int(),
  today: z.string(),
  today_is_trading_day: z.boolean(),
  next_trading_day: z.string(),
  basis: Basis,
  official_through: OfficialThrough,
  provisional: Provisional,
  warning: z.string().nullable().openapi({
    description: "Set when basis is an estimate or weekdays (a guess), else null",
  }),
}).openapi("CalendarMonth", {
  example: {
    exchange: "SSE",
    month: "2024-02",
    trading_days: [
      "2024-02-01",
      "2024-02-02",
      "2024-02-05",
      "2024-02-06",
      "2024-02-07",
      "2024-02-08",
      "2024-02-19",
    ],
    count: 15,
    today: "2026-11-21",
    today_is_trading_day: false,
    next_trading_day: "2026-11-23",
    basis: "published",
    official_through: "2026-12-31",
    provisional: false,
    warning: null,
  },
});

/** The `?date=` answer. */
export const CalendarDateSchema = z.object({
  exchange: z.enum(EXCHANGE_CODES),
  date: z.string(),
  is_trading_day: z.boolean(),
  next_trading_day: z.string(),
  previous_trading_day: z.string(),
  today: z.string(),
  basis: Basis,
  official_through: OfficialThrough,
  provisional: Provisional,
  warning: z.string().nullable().openapi({
    description: "Set when basis is an estimate or weekdays (a guess), else null",
  }),
  session: z.object({
    time_zone: z.string(),
    open: z.string(),
    close: z.string(),
    open_at: z.string().nullable(),
    close_at: z.string().nullable(),
  }),
}).openapi("CalendarDate", {
  example: {
    exchange: "SSE",
    date: "2026-05-14",
    is_trading_day: true,
    next_trading_day: "2026-05-15",
    previous_trading_day: "2026-05-13",
    today: "2026-11-21",
    basis: "published",
    official_through: "2026-12-31",
    provisional: false,
    warning: null,
    session: {
      time_zone: "Asia/Shanghai",
      open: "09:30",
      close: "15:00",
      open_at: "2026-05-14T01:30:00.000Z",
      close_at: "2026-05-14T07:00:00.000Z",
    },
  },
});

/** Path of `PUT /admin/calendars/{exchange}/{year}`. */
export const CalendarListParams = z.object({
  exchange: z.string().trim().toUpperCase().pipe(z.enum(EXCHANGE_CODES)).openapi({
    param: { name: "exchange", in: "path" },
    example: "SSE",
  }),
  year: z.string().regex(/^\d{4}$/, "Expected a four-digit year").transform(Number)
    .refine(
      (y) => y >= CALENDAR_SUPPORTED_YEARS.first && y <= CALENDAR_SUPPORTED_YEARS.last,
      `Expected a year ${YEARS}`,
    )
    .openapi({ param: { name: "year", in: "path" }, example: "2027", type: "string" }),
});

/** Body of `PUT /admin/calendars/{exchange}/{year}`. */
export const CalendarListBody = z.strictObject({
  closures: z.array(z.string().max(10)).max(MAX_CLOSURES_PER_YEAR).openapi({
    description:
      `Closed dates YYYY-MM-DD, all in the year (weekends may be listed; they are always closed); ` +
      `at most ${MAX_CLOSURES_PER_YEAR}`,
    example: ["2027-01-01", "2027-02-05", "2027-02-08"],
  }),
  source: safeText({ min: 1, max: MAX_SOURCE_LENGTH }).openapi({
    description: "Where the list comes from (e.g. the exchange notice)",
    example: "https://www.sse.com.cn/ notice on the 2027 holiday schedule",
  }),
}).openapi("CalendarListInstall");

/** Answer of `PUT /admin/calendars/{exchange}/{year}`. */
export const CalendarListSchema = z.object({
  exchange: z.enum(EXCHANGE_CODES),
  year: z.number().int(),
  closures: z.array(z.string()),
  source: z.string(),
  installed_at: z.string(),
  installed_by: z.string(),
  official_through: z.string().nullable(),
  newly_closed: z.array(z.string()).openapi({
    description: "Weekdays the previous answer had open that the list closes (their signals become void)",
  }),
  newly_opened: z.array(z.string()),
}).openapi("CalendarList");

/** Answer of `GET /admin/calendars`. */
export const CalendarListHistorySchema = z.object({
  official_through: z.record(z.string(), z.string().nullable()),
  items: z.array(z.object({
    id: z.string(),
    at: z.string(),
    actor: z.string(),
    exchange: z.string(),
    year: z.number().int(),
    source: z.string(),
    closures: z.array(z.string()),
    previous: z.array(z.string()).nullable(),
  })),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
}).openapi("CalendarListHistory");
