/**
 * Trading calendars per exchange: trading days, next/previous trading day, ranges, "today" in the exchange's zone
 * and session instants. SSE/SZSE use the published closures for 2015–2026; outside those years a date is
 * decided as a weekday-only guess and flagged (`basisFor(date)` says `"weekdays"`), never silently.
 */
import {
  addDays,
  dateInZone,
  fromDayNumber,
  type IsoDate,
  isWeekend,
  toDayNumber,
  wallClock,
  yearOf,
  zonedInstant,
} from "./dates.ts";
import { type CalendarBasis, type ExchangeCode, type ExchangeInfo, EXCHANGES } from "./exchanges.ts";
import { nyseHolidays } from "./nyse_holidays.ts";
import { SSE_COVERED_YEARS, SSE_WEEKDAY_CLOSURES } from "./sse_holidays.ts";

/** A trading calendar of one exchange. */
export interface TradingCalendar {
  readonly exchange: ExchangeInfo;
  /** How `date` is decided: `published`/`rules`/`always` are facts; `weekdays` is a flagged guess. */
  basisFor(date: IsoDate): CalendarBasis;
  isTradingDay(date: IsoDate): boolean;
  /** The first trading day strictly after `date`. */
  nextTradingDay(date: IsoDate): IsoDate;
  /** The last trading day strictly before `date`. */
  previousTradingDay(date: IsoDate): IsoDate;
  /** Trading days from `start` to `end`, both inclusive, ascending (empty when `end < start`). */
  tradingDaysBetween(start: IsoDate, end: IsoDate): IsoDate[];
  /** The calendar date in the exchange's zone at instant `nowMs`. */
  today(nowMs: number): IsoDate;
  /** The instant (epoch ms) at local wall time `time` (`"HH:MM"`) on `date`. */
  instantAt(date: IsoDate, time: string): number;
  /** The most recent trading day whose session has closed at `nowMs`. */
  latestCompletedTradingDay(nowMs: number): IsoDate;
}

const sseClosures = new Set<IsoDate>(Object.values(SSE_WEEKDAY_CLOSURES).flat());
const nyseCache = new Map<number, Set<IsoDate>>();

function nyseClosed(date: IsoDate): boolean {
  const y = yearOf(date);
  let set = nyseCache.get(y);
  if (!set) nyseCache.set(y, set = nyseHolidays(y));
  return set.has(date);
}

function createCalendar(exchange: ExchangeInfo): TradingCalendar {
  const basisFor = (date: IsoDate): CalendarBasis => {
    if (exchange.basis === "published") {
      const y = yearOf(date);
      return y >= SSE_COVERED_YEARS.first && y <= SSE_COVERED_YEARS.last ? "published" : "weekdays";
    }
    return exchange.basis;
  };
  const isTradingDay = (date: IsoDate): boolean => {
    toDayNumber(date); // validates the form
    if (exchange.basis === "always") return true;
    if (isWeekend(date)) return false;
    if (exchange.basis === "published") return !sseClosures.has(date);
    if (exchange.basis === "rules") return !nyseClosed(date);
    return true;
  };
  const step = (date: IsoDate, dir: 1 | -1): IsoDate => {
    let d = addDays(date, dir);
    for (let i = 0; i < 30 && !isTradingDay(d); i++) d = addDays(d, dir);
    return d;
  };
  return {
    exchange,
    basisFor,
    isTradingDay,
    nextTradingDay: (date) => step(date, 1),
    previousTradingDay: (date) => step(date, -1),
    tradingDaysBetween(start, end) {
      const out: IsoDate[] = [];
      const last = toDayNumber(end);
      for (let n = toDayNumber(start); n <= last; n++) {
        const d = fromDayNumber(n);
        if (isTradingDay(d)) out.push(d);
      }
      return out;
    },
    today: (nowMs) => dateInZone(nowMs, exchange.timeZone),
    instantAt: (date, time) => zonedInstant(date, time, exchange.timeZone),
    latestCompletedTradingDay(nowMs) {
      const local = wallClock(nowMs, exchange.timeZone);
      if (exchange.basis === "always") return addDays(local.date, -1);
      const [ch, cm] = exchange.close.split(":").map(Number);
      const closed = local.hour * 60 + local.minute >= ch * 60 + cm;
      if (isTradingDay(local.date) && closed) return local.date;
      return step(local.date, -1);
    },
  };
}

const calendars = new Map<ExchangeCode, TradingCalendar>();

/** The calendar of `code` (built once, then shared). */
export function getCalendar(code: ExchangeCode): TradingCalendar {
  let cal = calendars.get(code);
  if (!cal) calendars.set(code, cal = createCalendar(EXCHANGES[code]));
  return cal;
}
