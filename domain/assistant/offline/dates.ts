/**
 * The backtest period of a normalised message (see `normalizeText`): an explicit range ("from 2019 to 2023",
 * "2019-03-01 to 2023-06-30", "between 2019 and 2023", "2019-2023"), a relative one ("last 3 years", "past 6
 * months", "this year", "last year"), an open one ("since 2020": to today) or one year ("in 2024", "2024": the
 * calendar year). Years from 1900 to 2199 only; an end after `today` is cut to `today` and said so in `notes`.
 */

/** A period read from a message. */
export interface DateRange {
  start: string;
  end: string;
  /** What was adjusted (an end cut to today), for `assumptions`. */
  notes: string[];
}

const pad = (n: number) => String(n).padStart(2, "0");

/** `today` moved back by `n` units (years, months, weeks, days), as YYYY-MM-DD (day clamped to the month). */
export function shiftBack(today: string, n: number, unit: "years" | "months" | "weeks" | "days"): string {
  const [y, m, d] = today.split("-").map(Number);
  if (unit === "days" || unit === "weeks") {
    const t = Date.UTC(y, m - 1, d) - n * (unit === "weeks" ? 7 : 1) * 86_400_000;
    return new Date(t).toISOString().slice(0, 10);
  }
  const months = y * 12 + (m - 1) - (unit === "years" ? n * 12 : n);
  const yy = Math.floor(months / 12), mm = months % 12 + 1;
  const last = new Date(Date.UTC(yy, mm, 0)).getUTCDate();
  return `${String(yy).padStart(4, "0")}-${pad(mm)}-${pad(Math.min(d, last))}`;
}

/** A date written YYYY, YYYY-M or YYYY-M-D as the first (`end` false) or last (`end` true) day it covers. */
function dayOf(text: string, end: boolean): string | null {
  const m = /^(\d{4})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?$/.exec(text);
  if (!m) return null;
  const y = Number(m[1]);
  if (y < 1900 || y > 2199) return null;
  const month = m[2] ? Number(m[2]) : end ? 12 : 1;
  if (month < 1 || month > 12) return null;
  const last = new Date(Date.UTC(y, month, 0)).getUTCDate();
  const day = m[3] ? Number(m[3]) : end ? last : 1;
  if (day < 1 || day > last) return null;
  return `${m[1]}-${pad(month)}-${pad(day)}`;
}

const DATE = String.raw`(\d{4}(?:[-/]\d{1,2}(?:[-/]\d{1,2})?)?)`;
const RANGE_RES = [
  new RegExp(
    String.raw`\b(?:from|between)\s+${DATE}\s*(?:to|until|till|through|and|-|–|~)\s*${DATE}(?![\d])`,
  ),
  new RegExp(String.raw`(?:^|[^\d.$])${DATE}\s*(?:to|until|till|through|-|–|~)\s*${DATE}(?![\d%])`),
];
const UNIT_WORDS: Record<string, "years" | "months" | "weeks" | "days"> = {
  year: "years",
  years: "years",
  y: "years",
  yr: "years",
  yrs: "years",
  month: "months",
  months: "months",
  week: "weeks",
  weeks: "weeks",
  day: "days",
  days: "days",
};
const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
};

/** The period of a normalised message, or null when it names none. */
export function extractDateRange(text: string, today: string): DateRange | null {
  const notes: string[] = [];
  const finish = (start: string | null, end: string | null): DateRange | null => {
    if (!start || !end) return null;
    if (end > today) {
      notes.push(`end date ${end} is after today: the backtest ends ${today}`);
      end = today;
    }
    if (start > end) return null;
    return { start, end, notes };
  };
  for (const re of RANGE_RES) {
    const m = re.exec(text);
    if (m) {
      const start = dayOf(m[1], false), end = dayOf(m[2], true);
      // A range written backwards ("2024 to 2019") is not guessed at: no period, so the user is asked.
      if (start && end && start > end) return null;
      const r = finish(start, end);
      if (r) return r;
    }
  }
  const rel =
    /\b(?:last|past|previous|recent|over the last|over the past)\s+(\d{1,3}|a|one|two|three|four|five|six|seven|eight|nine|ten)?\s*(years?|y|yrs?|months?|weeks?|days?)\b/
      .exec(text);
  if (rel) {
    const n = rel[1] === undefined ? 1 : NUMBER_WORDS[rel[1]] ?? Number(rel[1]);
    const unit = UNIT_WORDS[rel[2]];
    if (rel[1] === undefined && unit === "years" && /\blast\s+year\b/.test(text)) {
      const y = Number(today.slice(0, 4)) - 1;
      return finish(`${y}-01-01`, `${y}-12-31`);
    }
    if (n >= 1 && n <= 100 * (unit === "years" ? 1 : unit === "months" ? 12 : 365)) {
      return finish(shiftBack(today, n, unit), today);
    }
  }
  if (/\b(?:this year|ytd|year to date)\b/.test(text)) return finish(`${today.slice(0, 4)}-01-01`, today);
  const since = new RegExp(String.raw`\b(?:since|starting|from)\s+${DATE}(?![\d%])`).exec(text);
  if (since) return finish(dayOf(since[1], false), today);
  const bareSpan = /\b(\d{1,2})\s*(years?|yrs?)\b(?!\s*(?:ago|old))/.exec(text);
  if (bareSpan && /\b(?:backtest|test|over|for|of data|history|period)\b/.test(text)) {
    const n = Number(bareSpan[1]);
    if (n >= 1 && n <= 100) return finish(shiftBack(today, n, "years"), today);
  }
  const year =
    /(?:^|[^\d.$%])((?:19|20|21)\d{2})(?:[-/](\d{1,2})(?:[-/](\d{1,2}))?)?(?![\d%.]|\s*(?:%|k\b|million|juta|yuan|dollars|usd|idr|rupiah|days?\b|stocks|shares))/
      .exec(text);
  if (year) {
    const whole = year[0].replace(/^[^\d]/, "");
    return finish(dayOf(whole, false), dayOf(whole, true));
  }
  return null;
}
