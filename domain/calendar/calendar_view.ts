/** The calendar answers the API gives: a month's trading days, or one date's status, with the basis flagged. */
import { isoOrNull } from "../iso_time.ts";
import type { Clock } from "../clock.ts";
import { ValidationError } from "../errors.ts";
import { getCalendar } from "./calendar.ts";
import { daysInMonth, type IsoDate } from "./dates.ts";
import type { CalendarBasis, ExchangeCode } from "./exchanges.ts";

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** The warning attached to a weekday-only guess; `null` for every other basis. */
export function basisWarning(basis: CalendarBasis, exchange: ExchangeCode): string | null {
  if (basis === "estimate") {
    return `No official ${exchange} holiday list covers these dates: trading days are a rule-based estimate ` +
      `(provisional until the official list is installed)`;
  }
  return basis === "weekdays"
    ? `No holiday facts for ${exchange} on these dates: trading days are a weekday-only guess (Mon-Fri)`
    : null;
}

/** A month's trading days and today's status (the `?month=` answer). */
export interface CalendarMonthView {
  exchange: ExchangeCode;
  month: string;
  trading_days: IsoDate[];
  count: number;
  today: IsoDate;
  today_is_trading_day: boolean;
  next_trading_day: IsoDate;
  basis: CalendarBasis;
  /** Last date covered by an official list; `null` when there is none (or the exchange trades 24/7). */
  official_through: IsoDate | null;
  /** `true` when any day of the month lies outside the official lists. */
  provisional: boolean;
  warning: string | null;
}

/** One date's status and session (the `?date=` answer). */
export interface CalendarDateView {
  exchange: ExchangeCode;
  date: IsoDate;
  is_trading_day: boolean;
  next_trading_day: IsoDate;
  previous_trading_day: IsoDate;
  today: IsoDate;
  basis: CalendarBasis;
  /** Last date covered by an official list; `null` when there is none (or the exchange trades 24/7). */
  official_through: IsoDate | null;
  /** `true` when the date lies outside the official lists. */
  provisional: boolean;
  warning: string | null;
  session: {
    time_zone: string;
    open: string;
    close: string;
    /** ISO instants of the session; `null` on a non-trading day. */
    open_at: string | null;
    close_at: string | null;
  };
}

/**
 * Trading days of `month` (`YYYY-MM`) plus today's status, "today" being the date in the exchange's zone at
 * `nowMs`; `next_trading_day` is the first trading day after today. Throws `RangeError` on a malformed month.
 */
export function calendarMonth(exchange: ExchangeCode, month: string, nowMs: number): CalendarMonthView {
  const m = MONTH.exec(month);
  if (!m) throw new RangeError(`Not a month in YYYY-MM form: "${month}"`);
  const cal = getCalendar(exchange);
  const first: IsoDate = `${month}-01`;
  const last: IsoDate = `${month}-${daysInMonth(Number(m[1]), Number(m[2]))}`;
  const tradingDays = cal.tradingDaysBetween(first, last);
  const today = cal.today(nowMs);
  const basis = cal.basisFor(first);
  return {
    exchange,
    month,
    trading_days: tradingDays,
    count: tradingDays.length,
    today,
    today_is_trading_day: cal.isTradingDay(today),
    next_trading_day: cal.nextTradingDay(today),
    basis,
    official_through: cal.officialThrough(),
    provisional: cal.isProvisional(first) || cal.isProvisional(last),
    warning: basisWarning(basis, exchange),
  };
}

/** One date's status: trading or not, its neighbours, and its session instants (`null` on a non-trading day). */
export function calendarDate(exchange: ExchangeCode, date: IsoDate, nowMs: number): CalendarDateView {
  const cal = getCalendar(exchange);
  const session = cal.session(date);
  const basis = cal.basisFor(date);
  return {
    exchange,
    date,
    is_trading_day: session !== null,
    next_trading_day: cal.nextTradingDay(date),
    previous_trading_day: cal.previousTradingDay(date),
    today: cal.today(nowMs),
    basis,
    official_through: cal.officialThrough(),
    provisional: cal.isProvisional(date),
    warning: basisWarning(basis, exchange),
    session: {
      time_zone: cal.exchange.timeZone,
      open: cal.exchange.open,
      close: cal.exchange.close,
      open_at: isoOrNull(session?.open),
      close_at: isoOrNull(session?.close),
    },
  };
}

/** What a calendar reader asks for: a month (`YYYY-MM`) or a date (`YYYY-MM-DD`), exactly one, on an exchange. */
export interface CalendarQuery {
  exchange: ExchangeCode;
  month?: string;
  date?: IsoDate;
}

/**
 * The calendar answer for `query` at the clock's now: the month's trading days, or the date's status. Asking for
 * both or neither is a `ValidationError` on the whole query.
 */
export function calendarView(
  deps: { clock: Clock },
  query: CalendarQuery,
): CalendarMonthView | CalendarDateView {
  if ((query.month === undefined) === (query.date === undefined)) {
    throw new ValidationError("Give exactly one of month or date", []);
  }
  const now = deps.clock.now();
  return query.month !== undefined
    ? calendarMonth(query.exchange, query.month, now)
    : calendarDate(query.exchange, query.date!, now);
}
