/**
 * Trading calendars per exchange: trading days, next/previous trading day, ranges and counts, "now" and "today"
 * in the exchange's zone, session and deadline instants. SSE/SZSE use the published closures for 2015–2026 and
 * NYSE its holiday rules from 1990; outside those years a date is decided as a weekday-only guess and flagged
 * (`basisFor(date)` says `"weekdays"`), never silently. NSE and IDX are always weekday-only guesses (no holiday
 * facts in the product); CRYPTO trades every UTC calendar day.
 */
import {
  fromDayNumber,
  isIsoDate,
  type IsoDate,
  parseWallTime,
  toDayNumber,
  wallClock,
  weekdayOfDay,
  yearOf,
  zonedInstant,
} from "./dates.ts";
import { type CalendarBasis, type ExchangeCode, type ExchangeInfo, EXCHANGES } from "./exchanges.ts";
import { estimateIdxClosures, estimateNseClosures, estimateSseClosures } from "./holiday_estimate.ts";
import { NYSE_RULES_FIRST_YEAR, nyseHolidays } from "./nyse_holidays.ts";
import { SSE_COVERED_YEARS, SSE_WEEKDAY_CLOSURES } from "./sse_holidays.ts";

/** Years the calendar API answers for (a date outside them is refused by the routes' schemas). */
export const CALENDAR_SUPPORTED_YEARS = { first: 1900, last: 2199 } as const;

/** `true` when `date` is a real `YYYY-MM-DD` date within `CALENDAR_SUPPORTED_YEARS`. */
export function isSupportedCalendarDate(date: string): boolean {
  if (!isIsoDate(date)) return false;
  const y = yearOf(date);
  return y >= CALENDAR_SUPPORTED_YEARS.first && y <= CALENDAR_SUPPORTED_YEARS.last;
}

/** The wall clock in an exchange's zone at one instant. */
export interface ExchangeWallClock {
  /** Local calendar date. */
  date: IsoDate;
  hour: number;
  minute: number;
  second: number;
}

/** The regular session of one trading day, as instants (epoch ms). */
export interface SessionInstants {
  open: number;
  close: number;
}

/** A trading calendar of one exchange. Every date argument must be a real `YYYY-MM-DD` date (else `RangeError`). */
export interface TradingCalendar {
  readonly exchange: ExchangeInfo;
  /**
   * How `date` is decided: `published`/`rules`/`always` are facts; `estimate` is a rule-based estimate and
   * `weekdays` a weekday-only guess (both flagged).
   */
  basisFor(date: IsoDate): CalendarBasis;
  /**
   * The last date covered by an official holiday list (built in, or installed by an admin), extended by every
   * installed year that follows it without a gap; `null` when the exchange has no official list at all.
   */
  officialThrough(): IsoDate | null;
  /** `true` when `date` is not covered by an official list (an estimate or a guess); never for CRYPTO. */
  isProvisional(date: IsoDate): boolean;
  /** `true` when the exchange holds a regular session on `date`. */
  isTradingDay(date: IsoDate): boolean;
  /** The first trading day strictly after `date`. */
  nextTradingDay(date: IsoDate): IsoDate;
  /** The last trading day strictly before `date`. */
  previousTradingDay(date: IsoDate): IsoDate;
  /** `date` when it is a trading day, else the next one. */
  tradingDayOnOrAfter(date: IsoDate): IsoDate;
  /** `date` when it is a trading day, else the previous one. */
  tradingDayOnOrBefore(date: IsoDate): IsoDate;
  /**
   * The trading day `n` sessions away from `date`: the `n`-th after it (`n > 0`) or the `|n|`-th before it
   * (`n < 0`), `date` itself not counted; `n = 0` is `tradingDayOnOrAfter(date)`.
   */
  tradingDayOffset(date: IsoDate, n: number): IsoDate;
  /** Trading days from `start` to `end`, both inclusive, ascending (empty when `end < start`). */
  tradingDaysBetween(start: IsoDate, end: IsoDate): IsoDate[];
  /** How many trading days from `start` to `end`, both inclusive (0 when `end < start`). */
  countTradingDays(start: IsoDate, end: IsoDate): number;
  /** The calendar date in the exchange's zone at instant `nowMs`. */
  today(nowMs: number): IsoDate;
  /** "Now" in exchange time: the local date and time of day at instant `nowMs`. */
  wallClock(nowMs: number): ExchangeWallClock;
  /** The instant (epoch ms) at local wall time `time` (`"HH:MM"`, `"24:00"` allowed) on `date`: deadlines. */
  instantAt(date: IsoDate, time: string): number;
  /** Open and close instants of the regular session on `date`; `null` when `date` is not a trading day. */
  session(date: IsoDate): SessionInstants | null;
  /** `true` when `nowMs` falls inside a regular session (open inclusive, close exclusive). */
  isSessionOpen(nowMs: number): boolean;
  /** The most recent trading day whose session has closed at `nowMs` (a day closes at its close, inclusive). */
  latestCompletedTradingDay(nowMs: number): IsoDate;
}

/** Longest run of consecutive closed days any calendar here can have (Spring Festival plus weekends is ~9). */
const MAX_CLOSED_RUN = 31;

const sseClosedDays = new Set<number>(Object.values(SSE_WEEKDAY_CLOSURES).flat().map(toDayNumber));
const nyseCache = new Map<number, Set<number>>();

function nyseClosedDays(year: number): Set<number> {
  let set = nyseCache.get(year);
  if (!set) nyseCache.set(year, set = new Set([...nyseHolidays(year)].map(toDayNumber)));
  return set;
}

/**
 * Last year of the official lists built into the product: SSE/SZSE publish theirs a year at a time (2015–2026
 * here); NYSE publishes its holiday schedule about three years ahead (through 2028), its rules are computed
 * further; NSE and IDX have no list built in.
 */
const BUILT_IN_OFFICIAL_YEARS: Readonly<Record<ExchangeCode, { first: number; last: number } | null>> = {
  SSE: SSE_COVERED_YEARS,
  SZSE: SSE_COVERED_YEARS,
  NYSE: { first: NYSE_RULES_FIRST_YEAR, last: 2028 },
  NSE: null,
  IDX: null,
  CRYPTO: null,
};

/** Official weekday closures installed at run time, by exchange and year (day numbers); replaces estimates. */
const installed = new Map<ExchangeCode, Map<number, Set<number>>>();

/**
 * Installs (replaces) the official weekday closures of `exchange` in `year`: from now on that year's trading
 * days are Monday–Friday minus `closures` and no longer provisional. Weekend dates in `closures` are ignored.
 */
export function installOfficialClosures(
  exchange: ExchangeCode,
  year: number,
  closures: readonly IsoDate[],
): void {
  const days = new Set<number>();
  for (const d of closures) {
    const day = dayOf(d);
    if (yearOf(d) !== year) throw new RangeError(`${d} is not in ${year}`);
    const wd = weekdayOfDay(day);
    if (wd !== 0 && wd !== 6) days.add(day);
  }
  let byYear = installed.get(exchange);
  if (!byYear) installed.set(exchange, byYear = new Map());
  byYear.set(year, days);
}

/** Forgets every installed list (the built-in lists and estimates answer again). */
export function clearInstalledClosures(): void {
  installed.clear();
}

const estimateCache = new Map<string, Set<number>>();

/** Estimated weekday closures of `exchange` in `year` (SSE/SZSE/NSE/IDX), as day numbers, computed once. */
function estimatedClosedDays(exchange: ExchangeCode, year: number): Set<number> {
  const key = `${exchange}:${year}`;
  let set = estimateCache.get(key);
  if (!set) {
    let list: IsoDate[] = [];
    try {
      list = exchange === "NSE"
        ? estimateNseClosures(year)
        : exchange === "IDX"
        ? estimateIdxClosures(year)
        : estimateSseClosures(year);
    } catch {
      // The holiday rules have no answer for this year: weekdays only (still provisional).
    }
    estimateCache.set(key, set = new Set(list.map(toDayNumber)));
  }
  return set;
}

/** Day numbers of 1 January of the years 1899–2201 (calendar years are read on every trading-day test). */
const YEAR_TABLE_FIRST = 1899;
const yearStarts = Int32Array.from(
  { length: 2201 - YEAR_TABLE_FIRST + 2 },
  (_, i) => toDayNumber(`${YEAR_TABLE_FIRST + i}-01-01`),
);

/** The calendar year of a day number, without building a date string inside 1899–2201. */
function yearOfDay(day: number): number {
  if (day < yearStarts[0] || day >= yearStarts[yearStarts.length - 1]) return yearOf(fromDayNumber(day));
  let i = Math.min(yearStarts.length - 2, Math.max(0, Math.floor((day - yearStarts[0]) / 365.2425)));
  while (day < yearStarts[i]) i--;
  while (day >= yearStarts[i + 1]) i++;
  return YEAR_TABLE_FIRST + i;
}

/** Day number of a real date, or `RangeError`. */
function dayOf(date: IsoDate): number {
  if (!isIsoDate(date)) throw new RangeError(`Not a real date in YYYY-MM-DD form: "${date}"`);
  return toDayNumber(date);
}

function createCalendar(exchange: ExchangeInfo): TradingCalendar {
  const closeMin = parseWallTime(exchange.close);

  const builtIn = BUILT_IN_OFFICIAL_YEARS[exchange.code];
  const installedYear = (y: number) => installed.get(exchange.code)?.get(y);

  const basisOfYear = (y: number): CalendarBasis => {
    if (installedYear(y)) return "published";
    if (exchange.basis === "published") {
      if (y >= SSE_COVERED_YEARS.first && y <= SSE_COVERED_YEARS.last) return "published";
      return y > SSE_COVERED_YEARS.last ? "estimate" : "weekdays";
    }
    if (exchange.basis === "rules") return y >= NYSE_RULES_FIRST_YEAR ? "rules" : "weekdays";
    return exchange.basis;
  };

  const officialYear = (y: number): boolean =>
    exchange.basis === "always" || installedYear(y) !== undefined ||
    (builtIn !== null && y >= builtIn.first && y <= builtIn.last);

  /** The trading-day test on a day number (the date is already validated). */
  const tradesOn = (day: number): boolean => {
    if (exchange.basis === "always") return true;
    const wd = weekdayOfDay(day);
    if (wd === 0 || wd === 6) return false;
    if (exchange.basis === "weekdays") return true;
    const y = yearOfDay(day);
    const own = installedYear(y);
    if (own) return !own.has(day);
    if (exchange.basis === "published") {
      if (y <= SSE_COVERED_YEARS.last) return !sseClosedDays.has(day);
      return !estimatedClosedDays(exchange.code, y).has(day);
    }
    if (exchange.basis === "rules") return y < NYSE_RULES_FIRST_YEAR || !nyseClosedDays(y).has(day);
    return !estimatedClosedDays(exchange.code, y).has(day);
  };

  /** The first trading day after (`dir = 1`) or before (`dir = -1`) `day`, as a day number. */
  const stepDay = (day: number, dir: 1 | -1): number => {
    for (let i = 1; i <= MAX_CLOSED_RUN; i++) if (tradesOn(day + dir * i)) return day + dir * i;
    throw new RangeError(
      `No ${exchange.code} trading day within ${MAX_CLOSED_RUN} days of ${fromDayNumber(day)}`,
    );
  };

  const session = (date: IsoDate): SessionInstants | null => {
    if (!tradesOn(dayOf(date))) return null;
    return {
      open: zonedInstant(date, exchange.open, exchange.timeZone),
      close: zonedInstant(date, exchange.close, exchange.timeZone),
    };
  };

  const localClock = (nowMs: number): ExchangeWallClock => wallClock(nowMs, exchange.timeZone);

  const calendar: TradingCalendar = {
    exchange,
    basisFor(date) {
      dayOf(date); // validates
      return basisOfYear(yearOf(date));
    },
    officialThrough() {
      if (exchange.basis === "always") return null;
      const years = installed.get(exchange.code);
      let last = builtIn?.last ?? null;
      if (last === null && years && years.size > 0) last = Math.min(...years.keys());
      if (last === null) return null;
      while (years?.has(last + 1)) last++;
      return `${last}-12-31`;
    },
    isProvisional(date) {
      dayOf(date); // validates
      return !officialYear(yearOf(date));
    },
    isTradingDay: (date) => tradesOn(dayOf(date)),
    nextTradingDay: (date) => fromDayNumber(stepDay(dayOf(date), 1)),
    previousTradingDay: (date) => fromDayNumber(stepDay(dayOf(date), -1)),
    tradingDayOnOrAfter(date) {
      const day = dayOf(date);
      return fromDayNumber(tradesOn(day) ? day : stepDay(day, 1));
    },
    tradingDayOnOrBefore(date) {
      const day = dayOf(date);
      return fromDayNumber(tradesOn(day) ? day : stepDay(day, -1));
    },
    tradingDayOffset(date, n) {
      if (!Number.isSafeInteger(n)) throw new RangeError(`Not an integer offset: ${n}`);
      let day = dayOf(date);
      if (n === 0) return fromDayNumber(tradesOn(day) ? day : stepDay(day, 1));
      const dir = n > 0 ? 1 : -1;
      for (let i = 0; i < Math.abs(n); i++) day = stepDay(day, dir);
      return fromDayNumber(day);
    },
    tradingDaysBetween(start, end) {
      const out: IsoDate[] = [];
      const last = dayOf(end);
      for (let day = dayOf(start); day <= last; day++) if (tradesOn(day)) out.push(fromDayNumber(day));
      return out;
    },
    countTradingDays(start, end) {
      let count = 0;
      const last = dayOf(end);
      for (let day = dayOf(start); day <= last; day++) if (tradesOn(day)) count++;
      return count;
    },
    today: (nowMs) => localClock(nowMs).date,
    wallClock: localClock,
    instantAt(date, time) {
      dayOf(date); // validates
      return zonedInstant(date, time, exchange.timeZone);
    },
    session,
    isSessionOpen(nowMs) {
      // A session never spans local midnight here (CRYPTO's is the whole UTC day), so today's is the only candidate.
      const s = session(localClock(nowMs).date);
      return s !== null && nowMs >= s.open && nowMs < s.close;
    },
    latestCompletedTradingDay(nowMs) {
      const local = localClock(nowMs);
      const day = toDayNumber(local.date);
      // A session closing at 24:00 (CRYPTO) completes at the next local midnight, i.e. on the next date.
      const closed = closeMin < 24 * 60 && local.hour * 60 + local.minute >= closeMin;
      return fromDayNumber(tradesOn(day) && closed ? day : stepDay(day, -1));
    },
  };
  return calendar;
}

const calendars = new Map<ExchangeCode, TradingCalendar>();

/** The calendar of `code` (built once, then shared). */
export function getCalendar(code: ExchangeCode): TradingCalendar {
  let cal = calendars.get(code);
  if (!cal) calendars.set(code, cal = createCalendar(EXCHANGES[code]));
  return cal;
}
