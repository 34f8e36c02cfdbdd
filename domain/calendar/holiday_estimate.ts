/**
 * Rule-based estimates of exchange closures for years without a published list. SSE/SZSE follow the pattern the
 * State Council's yearly holiday notices follow; the lunar and solar-term anchors (Spring Festival, Qingming,
 * Dragon Boat, Mid-Autumn) come from the `date-holidays` rules for CN. NSE and IDX use the `date-holidays`
 * public holidays of IN and ID (Monday–Friday ones). Every function returns weekday closures only: weekends are
 * always closed, and weekend make-up workdays are not trading days.
 */
import Holidays from "date-holidays";
import { addDays, type IsoDate, weekday, yearOf } from "./dates.ts";

const pad = (n: number) => String(n).padStart(2, "0");
const ymd = (y: number, m: number, d: number): IsoDate => `${y}-${pad(m)}-${pad(d)}`;

let cn: Holidays | null = null;
let india: Holidays | null = null;
let indonesia: Holidays | null = null;

/** Public holidays of `hd` in year `y` as `[date, name]` pairs (local dates). */
function publicHolidays(hd: Holidays, y: number): [IsoDate, string][] {
  return hd.getHolidays(y).filter((h) => h.type === "public").map((h) => [h.date.slice(0, 10), h.name]);
}

/** Lunar and solar-term anchors of year `y`: Spring Festival eve, Qingming, Dragon Boat, Mid-Autumn. */
function cnAnchors(
  y: number,
): { springEve: IsoDate; qingming: IsoDate; dragonBoat: IsoDate; midAutumn: IsoDate } {
  cn ??= new Holidays("CN");
  const list = publicHolidays(cn, y);
  const first = (name: string): IsoDate => {
    const hit = list.find(([, n]) => n.startsWith(name));
    if (!hit) throw new RangeError(`No ${name} in the CN holiday rules for ${y}`);
    return hit[0];
  };
  // The rules list the Spring Festival as New Year's Eve and the first two days of the lunar year.
  return {
    springEve: first("春节"),
    qingming: first("清明"),
    dragonBoat: first("端午"),
    midAutumn: first("中秋"),
  };
}

/** Every date from `start` to `end`, both inclusive. */
function span(start: IsoDate, end: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let d = start; d <= end; d = addDays(d, 1)) out.push(d);
  return out;
}

/**
 * The weekday closures of a one-day holiday given a three-day break: on a Tuesday the Monday bridges it, on a
 * Thursday the Friday; on a weekend the Monday after is the day off.
 */
function shortBreak(date: IsoDate): IsoDate[] {
  switch (weekday(date)) {
    case 2:
      return [addDays(date, -1), date];
    case 4:
      return [date, addDays(date, 1)];
    case 6:
      return [addDays(date, 2)];
    case 0:
      return [addDays(date, 1)];
    default:
      return [date];
  }
}

/** Every SSE/SZSE closure the rules give for the holidays of year `y` (weekends included; may spill into y±1). */
function sseHolidayDays(y: number): IsoDate[] {
  const a = cnAnchors(y);
  const days: IsoDate[] = [...shortBreak(ymd(y, 1, 1))];
  // Spring Festival: New Year's Eve through the sixth day (seven days); eight days since the 2025 reform.
  days.push(...span(a.springEve, addDays(a.springEve, y >= 2025 ? 7 : 6)));
  days.push(...shortBreak(a.qingming));
  // Labour Day: 1–5 May since 2020, one day before.
  days.push(...(y >= 2020 ? span(ymd(y, 5, 1), ymd(y, 5, 5)) : shortBreak(ymd(y, 5, 1))));
  days.push(...shortBreak(a.dragonBoat));
  // Mid-Autumn next to National Day merges into one eight-day break; otherwise National Day is 1–7 October.
  if (a.midAutumn >= ymd(y, 9, 29) && a.midAutumn <= ymd(y, 9, 30)) {
    days.push(...span(a.midAutumn, addDays(a.midAutumn, 7)));
  } else if (a.midAutumn >= ymd(y, 10, 1) && a.midAutumn <= ymd(y, 10, 8)) {
    days.push(...span(ymd(y, 10, 1), ymd(y, 10, 8)));
  } else {
    days.push(...shortBreak(a.midAutumn), ...span(ymd(y, 10, 1), ymd(y, 10, 7)));
  }
  return days;
}

const isWeekday = (d: IsoDate) => weekday(d) !== 0 && weekday(d) !== 6;

/** Estimated SSE/SZSE weekday closures within calendar year `y`, ascending. */
export function estimateSseClosures(y: number): IsoDate[] {
  const all = [...sseHolidayDays(y - 1), ...sseHolidayDays(y), ...sseHolidayDays(y + 1)];
  return [...new Set(all.filter((d) => yearOf(d) === y && isWeekday(d)))].sort();
}

/** Estimated NSE weekday closures of year `y` (the `date-holidays` IN public holidays), ascending. */
export function estimateNseClosures(y: number): IsoDate[] {
  india ??= new Holidays("IN");
  return [...new Set(publicHolidays(india, y).map(([d]) => d).filter(isWeekday))].sort();
}

/** Estimated IDX weekday closures of year `y` (the `date-holidays` ID public holidays), ascending. */
export function estimateIdxClosures(y: number): IsoDate[] {
  indonesia ??= new Holidays("ID");
  return [...new Set(publicHolidays(indonesia, y).map(([d]) => d).filter(isWeekday))].sort();
}
