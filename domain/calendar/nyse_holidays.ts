/**
 * NYSE full-day closures from the exchange's holiday rules (weekend holidays observed on the Friday before or the
 * Monday after, except New Year's Day on a Saturday, which is not observed), plus one-off closures since 1990.
 */
import { addDays, type IsoDate, weekday } from "./dates.ts";

/** First year the rules below (with the one-off closures) describe NYSE exactly; earlier years are a flagged guess. */
export const NYSE_RULES_FIRST_YEAR = 1990;

/**
 * Unscheduled full-day closures since 1990: presidential funerals (Nixon 1994, Reagan 2004, Ford 2007, G. H. W.
 * Bush 2018, Carter 2025), the 11–14 September 2001 attacks and Hurricane Sandy (29–30 October 2012).
 */
const NYSE_SPECIAL_CLOSURES: readonly IsoDate[] = [
  "1994-04-27",
  "2001-09-11",
  "2001-09-12",
  "2001-09-13",
  "2001-09-14",
  "2004-06-11",
  "2007-01-02",
  "2012-10-29",
  "2012-10-30",
  "2018-12-05",
  "2025-01-09",
];

const pad = (n: number) => String(n).padStart(2, "0");
const ymd = (y: number, m: number, d: number): IsoDate => `${y}-${pad(m)}-${pad(d)}`;

/** The `n`-th (1-based) `dow` (0 = Sunday) of month `m` in year `y`; `n = -1` gives the last one. */
function nthWeekday(y: number, m: number, dow: number, n: number): IsoDate {
  if (n > 0) {
    const first = ymd(y, m, 1);
    return addDays(first, ((dow - weekday(first) + 7) % 7) + (n - 1) * 7);
  }
  const last = addDays(m === 12 ? ymd(y + 1, 1, 1) : ymd(y, m + 1, 1), -1);
  return addDays(last, -((weekday(last) - dow + 7) % 7));
}

/** Easter Sunday (Gregorian, anonymous algorithm of Meeus/Jones/Butcher). */
export function easterSunday(y: number): IsoDate {
  const a = y % 19, b = Math.floor(y / 100), c = y % 100;
  const d = Math.floor(b / 4), e = b % 4, f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3), h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4), k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return ymd(y, month, day);
}

/** A fixed-date holiday moved off the weekend (Saturday → Friday, Sunday → Monday). */
function observed(date: IsoDate): IsoDate {
  const d = weekday(date);
  return d === 6 ? addDays(date, -1) : d === 0 ? addDays(date, 1) : date;
}

/** NYSE weekday closures of year `y` (MLK Day from 1998, Juneteenth from 2022). */
export function nyseHolidays(y: number): Set<IsoDate> {
  const out = new Set<IsoDate>();
  const newYear = ymd(y, 1, 1);
  if (weekday(newYear) !== 6) out.add(observed(newYear)); // Saturday New Year's Day is not observed
  if (y >= 1998) out.add(nthWeekday(y, 1, 1, 3)); // Martin Luther King Jr. Day
  out.add(nthWeekday(y, 2, 1, 3)); // Washington's Birthday
  out.add(addDays(easterSunday(y), -2)); // Good Friday
  out.add(nthWeekday(y, 5, 1, -1)); // Memorial Day
  if (y >= 2022) out.add(observed(ymd(y, 6, 19))); // Juneteenth
  out.add(observed(ymd(y, 7, 4))); // Independence Day
  out.add(nthWeekday(y, 9, 1, 1)); // Labor Day
  out.add(nthWeekday(y, 11, 4, 4)); // Thanksgiving
  out.add(observed(ymd(y, 12, 25))); // Christmas
  for (const d of NYSE_SPECIAL_CLOSURES) if (d.startsWith(`${y}-`)) out.add(d);
  return out;
}
