/**
 * The body of `POST /factors/{id}/values` read by hand: a 500-date × 1,000-symbol upload is half a million
 * entries, which a schema library checks several times slower than this loop. The rules (and the 422 entries)
 * are the ones the declared schema states:
 * - the body is `{data: [...]}`, nothing else; `data` holds 1–500 entries;
 * - each entry is `{date, values}`, nothing else; `date` a real `YYYY-MM-DD` date (years 1900–2199), no date twice
 *   in one body;
 * - `values` a non-empty object of at most `MAX_FACTOR_SYMBOLS` entries, each key `^\d{6}\.(SH|SZ)$`, each value
 *   a finite number (`null`, strings, `1e400` — which JSON reads as Infinity — are refused).
 * Locations are relative to the body (`["data", 3, "values", "600519.SH"]`); at most `MAX_ISSUES` problems are
 * listed.
 */
import { isSupportedCalendarDate } from "../calendar/calendar.ts";
import { isIsoDate } from "../calendar/dates.ts";
import { ValidationError, type ValidationIssueItem } from "../errors.ts";
import { MAX_FACTOR_SYMBOLS } from "../store/factor_repo.ts";

/** Most dates one upload may carry. */
export const MAX_UPLOAD_DATES = 500;
/** The symbol form of factor values: six digits and the exchange. */
const FACTOR_SYMBOL_PATTERN = /^\d{6}\.(SH|SZ)$/;
/** Most problems one 422 lists. */
const MAX_ISSUES = 50;

/** One date of a checked upload: parallel arrays, in the order sent. */
export interface FactorUploadEntry {
  date: string;
  symbols: string[];
  values: Float64Array;
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

const kindOf = (x: unknown) => (x === null ? "null" : Array.isArray(x) ? "array" : typeof x);

/** Checks an upload body; throws a `ValidationError` listing the problems. */
export function readFactorUpload(body: unknown): FactorUploadEntry[] {
  const issues: ValidationIssueItem[] = [];
  const add = (type: string, loc: (string | number)[], msg: string) => {
    if (issues.length < MAX_ISSUES) issues.push({ type, loc, msg });
  };
  const fail = () => {
    throw new ValidationError(issues[0].msg, issues[0].loc, issues[0].type, issues);
  };
  if (!isPlainObject(body)) {
    add("invalid_type", [], `Expected an object {"data": [...]}, received ${kindOf(body)}`);
    fail();
  }
  const obj = body as Record<string, unknown>;
  for (const k of Object.keys(obj)) {
    if (k !== "data") add("extra_forbidden", [k], "Extra inputs are not permitted");
  }
  const data = obj.data;
  if (data === undefined) add("missing", ["data"], "Field required");
  else if (!Array.isArray(data)) add("invalid_type", ["data"], `Expected an array, received ${kindOf(data)}`);
  else if (data.length < 1) add("too_small", ["data"], "data must hold at least 1 entry");
  else if (data.length > MAX_UPLOAD_DATES) {
    add("too_big", ["data"], `data may hold at most ${MAX_UPLOAD_DATES} entries (got ${data.length})`);
  }
  if (issues.length > 0) fail();

  const entries = data as unknown[];
  const out: FactorUploadEntry[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < entries.length && issues.length < MAX_ISSUES; i++) {
    const e = entries[i];
    if (!isPlainObject(e)) {
      add("invalid_type", ["data", i], `Expected an object {"date", "values"}, received ${kindOf(e)}`);
      continue;
    }
    for (const k of Object.keys(e)) {
      if (k !== "date" && k !== "values") {
        add("extra_forbidden", ["data", i, k], "Extra inputs are not permitted");
      }
    }
    const date = e.date;
    if (date === undefined) add("missing", ["data", i, "date"], "Field required");
    else if (typeof date !== "string") {
      add("invalid_type", ["data", i, "date"], `Expected a date string YYYY-MM-DD, received ${kindOf(date)}`);
    } else if (!isIsoDate(date) || !isSupportedCalendarDate(date)) {
      add("invalid_format", ["data", i, "date"], "Expected a real date YYYY-MM-DD (years 1900–2199)");
    } else if (seen.has(date)) {
      add("value_error", ["data", i, "date"], `Date ${date} appears twice (also at data[${seen.get(date)}])`);
    } else seen.set(date, i);

    const values = e.values;
    if (values === undefined) {
      add("missing", ["data", i, "values"], "Field required");
      continue;
    }
    if (!isPlainObject(values)) {
      add(
        "invalid_type",
        ["data", i, "values"],
        `Expected an object {symbol: number}, received ${kindOf(values)}`,
      );
      continue;
    }
    const keys = Object.keys(values);
    if (keys.length === 0) {
      add("too_small", ["data", i, "values"], "values must hold at least one symbol");
      continue;
    }
    if (keys.length > MAX_FACTOR_SYMBOLS) {
      add("too_big", ["data", i, "values"], `values may hold at most ${MAX_FACTOR_SYMBOLS} symbols`);
      continue;
    }
    const nums = new Float64Array(keys.length);
    for (let k = 0; k < keys.length; k++) {
      const s = keys[k];
      const x = values[s];
      if (!FACTOR_SYMBOL_PATTERN.test(s)) {
        add("invalid_format", ["data", i, "values", s], "Expected a symbol like 600519.SH or 000001.SZ");
      } else if (typeof x !== "number" || !Number.isFinite(x)) {
        add(
          "invalid_type",
          ["data", i, "values", s],
          typeof x === "number"
            ? "Expected a finite number (the value is out of range)"
            : `Expected a finite number, received ${kindOf(x)}`,
        );
      } else nums[k] = x;
    }
    out.push({ date: typeof date === "string" ? date : "", symbols: keys, values: nums });
  }
  if (issues.length > 0) fail();
  return out;
}
