/** The calendar answers the API gives: a month's trading days, or one date's status, with the basis flagged. */
import { getCalendar } from "./calendar.ts";
import { addDays, type IsoDate } from "./dates.ts";
import type { CalendarBasis, ExchangeCode } from "./exchanges.ts";

/** The warning attached to a weekday-only guess. */
export function basisWarning(basis: CalendarBasis, exchange: ExchangeCode): string | null {
  return basis === "weekdays"
    ? `No published holiday table for ${exchange} on these dates: trading days are a weekday-only guess`
    : null;
}

/** Trading days of `month` (`YYYY-MM`) plus today's status, with "today" taken in the exchange's zone. */
export function calendarMonth(exchange: ExchangeCode, month: string, nowMs: number) {
  const cal = getCalendar(exchange);
  const first: IsoDate = `${month}-01`;
  const last = addDays(addDays(first, 32).slice(0, 8) + "01", -1);
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
    warning: basisWarning(basis, exchange),
  };
}

/** One date's status: trading or not, neighbours, session instants (null on a non-trading day). */
export function calendarDate(exchange: ExchangeCode, date: IsoDate, nowMs: number) {
  const cal = getCalendar(exchange);
  const trading = cal.isTradingDay(date);
  const basis = cal.basisFor(date);
  const info = cal.exchange;
  const at = (time: string) => (trading ? new Date(cal.instantAt(date, time)).toISOString() : null);
  return {
    exchange,
    date,
    is_trading_day: trading,
    next_trading_day: cal.nextTradingDay(date),
    previous_trading_day: cal.previousTradingDay(date),
    today: cal.today(nowMs),
    basis,
    warning: basisWarning(basis, exchange),
    session: {
      time_zone: info.timeZone,
      open: info.open,
      close: info.close,
      open_at: exchange === "CRYPTO" ? at("00:00") : at(info.open),
      close_at: exchange === "CRYPTO"
        ? (trading ? new Date(cal.instantAt(addDays(date, 1), "00:00")).toISOString() : null)
        : at(info.close),
    },
  };
}
