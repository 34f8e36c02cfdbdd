/**
 * Calendar-date arithmetic on `"YYYY-MM-DD"` strings (proleptic Gregorian, no time zone) and zone conversions.
 * Day numbers count days since 1970-01-01; dates from 0000-01-01 to 9999-12-31 are representable.
 */

/** A calendar date `"YYYY-MM-DD"`. */
export type IsoDate = string;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HH_MM = /^(\d{2}):(\d{2})$/;
/** Day number of 0000-01-01 and of 9999-12-31: the representable range. */
const FIRST_DAY = -719_528;
const LAST_DAY = 2_932_896;

/** Days from 1970-01-01 to `y-m-d` (month 1–12; a day past the month's end rolls over like `Date.UTC`). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Number of days in month `m` (1–12) of year `y`. */
export function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** `true` when `text` is a real calendar date in `YYYY-MM-DD` form (e.g. not `2023-02-29`, not `2024-13-01`). */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const month = Number(m[2]), day = Number(m[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(Number(m[1]), month);
}

/**
 * Days since 1970-01-01 (negative before). Throws `RangeError` on a string not in `YYYY-MM-DD` form or with a
 * month outside 01–12; a day past the month's end (`2023-02-30`) rolls into the next month, as `Date.UTC` does.
 */
export function toDayNumber(date: IsoDate): number {
  const m = ISO_DATE.exec(date);
  const month = m ? Number(m[2]) : 0;
  if (!m || month < 1 || month > 12) throw new RangeError(`Not a date in YYYY-MM-DD form: "${date}"`);
  return daysFromCivil(Number(m[1]), month, Number(m[3]));
}

/** The date `days` days after 1970-01-01; throws `RangeError` outside 0000-01-01 … 9999-12-31. */
export function fromDayNumber(days: number): IsoDate {
  if (!Number.isInteger(days) || days < FIRST_DAY || days > LAST_DAY) {
    throw new RangeError(`Day number ${days} is outside 0000-01-01 … 9999-12-31`);
  }
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** `date` moved by `n` days (throws `RangeError` when the result leaves years 0000–9999). */
export function addDays(date: IsoDate, n: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + n);
}

/** Day of week of a day number, 0 = Sunday … 6 = Saturday. */
export function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** Day of week, 0 = Sunday … 6 = Saturday. */
export function weekday(date: IsoDate): number {
  return weekdayOfDay(toDayNumber(date));
}

/** The calendar year of a date. */
export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

/** Minutes after midnight of a wall time `"HH:MM"` (00:00 … 24:00); throws `RangeError` on anything else. */
export function parseWallTime(time: string): number {
  const m = HH_MM.exec(time);
  const h = m ? Number(m[1]) : -1, min = m ? Number(m[2]) : -1;
  if (!m || h > 24 || min > 59 || (h === 24 && min !== 0)) {
    throw new RangeError(`Not a wall time in HH:MM form (00:00-24:00): "${time}"`);
  }
  return h * 60 + min;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock fields of the instant `ms` (epoch ms) in `timeZone`: the local date and time of day. */
export function wallClock(
  ms: number,
  timeZone: string,
): { date: IsoDate; hour: number; minute: number; second: number } {
  const parts: Record<string, string> = {};
  for (const p of partsFormatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    date: `${parts.year.padStart(4, "0")}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour) % 24, // some ICU versions print midnight as "24" even with h23
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

/** The calendar date of the instant `ms` in `timeZone`. */
export function dateInZone(ms: number, timeZone: string): IsoDate {
  return wallClock(ms, timeZone).date;
}

/** Offset of `timeZone` from UTC at instant `ms`, in milliseconds (e.g. +8 h for Asia/Shanghai). */
export function zoneOffsetMs(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = toDayNumber(w.date) * MS_PER_DAY + ((w.hour * 60 + w.minute) * 60 + w.second) * 1000;
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant (epoch ms) at which the wall clock in `timeZone` reads `time` (`"HH:MM"`, `"24:00"` = the next
 * midnight) on `date`. Across a DST change the offset in force at that wall time is used (two passes settle it);
 * a repeated fall-back wall time gives its first occurrence, and a wall time that a spring-forward gap skips gives
 * the instant one gap earlier (02:30 on a New York spring-forward day → 06:30Z, which reads 01:30 EST).
 */
export function zonedInstant(date: IsoDate, time: string, timeZone: string): number {
  const wallAsUtc = toDayNumber(date) * MS_PER_DAY + parseWallTime(time) * 60_000;
  let guess = wallAsUtc - zoneOffsetMs(wallAsUtc, timeZone);
  guess = wallAsUtc - zoneOffsetMs(guess, timeZone);
  return guess;
}
