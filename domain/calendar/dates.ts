/** Calendar-date arithmetic on `"YYYY-MM-DD"` strings (proleptic Gregorian, no time zone) and zone conversions. */

/** A calendar date `"YYYY-MM-DD"`. */
export type IsoDate = string;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `true` when `text` is a real calendar date in `YYYY-MM-DD` form (e.g. not `2023-02-29`). */
export function isIsoDate(text: string): boolean {
  const m = ISO_DATE.exec(text);
  if (!m) return false;
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return new Date(ms).toISOString().slice(0, 10) === text;
}

/** Days since 1970-01-01 (negative before). Throws on a malformed date. */
export function toDayNumber(date: IsoDate): number {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`Not a date in YYYY-MM-DD form: "${date}"`);
  return Math.round(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / MS_PER_DAY);
}

/** The date `days` days after 1970-01-01. */
export function fromDayNumber(days: number): IsoDate {
  return new Date(days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** `date` moved by `n` days. */
export function addDays(date: IsoDate, n: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + n);
}

/** Day of week, 0 = Sunday … 6 = Saturday. */
export function weekday(date: IsoDate): number {
  return (((toDayNumber(date) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

/** `true` on Saturday and Sunday. */
export function isWeekend(date: IsoDate): boolean {
  const d = weekday(date);
  return d === 0 || d === 6;
}

/** The calendar year of a date. */
export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
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

/** Wall-clock fields of the instant `ms` in `timeZone`. */
export function wallClock(
  ms: number,
  timeZone: string,
): { date: IsoDate; hour: number; minute: number; second: number } {
  const parts: Record<string, string> = {};
  for (const p of partsFormatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    hour: Number(parts.hour),
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
 * The instant at which the wall clock in `timeZone` reads `time` (`"HH:MM"`) on `date`. Across a DST change the
 * offset in force at that wall time is used (two passes settle it).
 */
export function zonedInstant(date: IsoDate, time: string, timeZone: string): number {
  const [h, m] = time.split(":").map(Number);
  const wallAsUtc = toDayNumber(date) * MS_PER_DAY + (h * 60 + m) * 60_000;
  let guess = wallAsUtc - zoneOffsetMs(wallAsUtc, timeZone);
  guess = wallAsUtc - zoneOffsetMs(guess, timeZone);
  return guess;
}
