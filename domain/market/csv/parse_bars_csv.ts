/**
 * Parses daily OHLCV CSV files as people have them. Accepted:
 * - headers in any case, order and spelling people use (`Date`/`date`/`DATE`/`trade_date`/`日期`, `open`…`close`,
 *   `volume`/`vol`/`成交量`, `Adj Close`/`adj_close`); other columns (`amount`, `ts_code`, …) are ignored;
 * - a UTF-8 BOM, CRLF / LF / CR line ends, no trailing newline, RFC 4180 quoted fields (even across lines);
 * - `,` `;` tab or `|` as the delimiter (whichever the header line uses most);
 * - dates `2024-01-02`, `2024/1/2`, `2024.01.02`, compact `20240102`, optionally followed by a time
 *   (`2024-01-02 00:00:00+05:30`): the date as written is kept, whatever the time or offset;
 * - rows oldest-first or newest-first (Tushare's order); the series is always returned oldest-first.
 *
 * Conventions: row numbers are 1-based physical line numbers of the file, the header line included (the header
 * is line 1 unless blank lines precede it); a quoted field spanning lines is numbered by its first line. A blank
 * row, or one whose open, high, low and close are all empty/`null` (Yahoo's holiday rows), is skipped and
 * reported. An empty volume cell or a missing volume column is volume 0 (zero volume is allowed). `adj_factor` is
 * `Adj Close / Close` when that column has a value, else 1. Any other problem in any row (bad date or number,
 * a non-finite value, a price or adj close outside `MIN_PRICE` … `MAX_PRICE`, high < max(open, close),
 * low > min(open, close), a volume outside 0 … `MAX_VOLUME`, duplicate or out-of-order date) fails the whole file
 * with a `ValidationError` listing each bad row. The bounds keep every later product (order sizes, position
 * values, `close * volume`) finite.
 */
import { isIsoDate, toDayNumber } from "../../calendar/dates.ts";
import { ValidationError, type ValidationIssueItem } from "../../errors.ts";
import { emptySeries } from "../../store/bar_codec.ts";
import type { BarSeries } from "../types.ts";

/** A row left out of the series, and why. */
export interface SkippedRow {
  /** 1-based line number in the file, the header line counted. */
  row: number;
  reason: string;
}

/** A parsed file: bars oldest-first (source `csv`) and the rows that were skipped. */
export interface ParsedBars {
  series: BarSeries;
  skipped: SkippedRow[];
  /** The order the file's rows were in. */
  order: "oldest_first" | "newest_first";
}

/** At most this many bad rows are listed in a failure (one more entry says how many were left out). */
export const MAX_REPORTED_BAD_ROWS = 100;
/** Smallest price (open, high, low, close, adj close) a row may have. */
export const MIN_PRICE = 1e-6;
/** Largest price a row may have. */
export const MAX_PRICE = 1e9;
/** Largest volume a row may have. */
export const MAX_VOLUME = 1e15;
/** Earliest calendar year a bar date may have. */
const MIN_BAR_YEAR = 1800;
/** Latest calendar year a bar date may have. */
const MAX_BAR_YEAR = 2199;

type Field = "date" | "open" | "high" | "low" | "close" | "volume" | "adj_close";

/** Header spellings per field, normalised (lower case, no spaces, `_`, `.`, `-`, `*`, brackets or slashes). */
const ALIASES: Record<Field, string[]> = {
  date: [
    "date",
    "tradedate",
    "tradingdate",
    "datetime",
    "timestamp",
    "time",
    "day",
    "日期",
    "交易日期",
    "时间",
  ],
  open: ["open", "openprice", "开盘", "开盘价"],
  high: ["high", "highprice", "最高", "最高价"],
  low: ["low", "lowprice", "最低", "最低价"],
  close: ["close", "closeprice", "收盘", "收盘价"],
  volume: ["volume", "vol", "成交量"],
  adj_close: ["adjclose", "adjustedclose"],
};
const REQUIRED: Field[] = ["date", "open", "high", "low", "close"];
const PRICES = ["open", "high", "low", "close"] as const;

/** A header as compared with the known spellings: lower case, no spaces or punctuation. */
export const normaliseHeader = (h: string) => h.trim().toLowerCase().replace(/[\s_.*\-()[\]/]+/g, "");

/** The delimiter the header line uses most (outside quotes); `,` when it uses none. */
export function detectDelimiter(header: string): string {
  const counts: Record<string, number> = { ",": 0, ";": 0, "\t": 0, "|": 0 };
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch]++;
  }
  let best = ",";
  for (const d of [";", "\t", "|"]) if (counts[d] > counts[best]) best = d;
  return best;
}

/** Splits one record into trimmed cells, honouring `"` quotes and `""` escapes. */
export function splitRecord(record: string, delimiter: string): string[] {
  if (!record.includes('"')) return record.split(delimiter).map((s) => s.trim());
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < record.length; i++) {
    const ch = record[i];
    if (quoted) {
      if (ch === '"' && record[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) (out.push(cur.trim()), (cur = ""));
    else cur += ch;
  }
  out.push(cur.trim());
  return out;
}

/** How many `"` characters `s` holds (an odd count leaves a quoted field open). */
export const countQuotes = (s: string) => {
  let n = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) n++;
  return n;
};

const DATE_SEPARATED =
  /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: ?(?:Z|[+-]\d{2}:?\d{2}))?)?$/;
const DATE_COMPACT = /^(\d{4})(\d{2})(\d{2})$/;

/** The ISO date a cell names, or a reason it does not. */
function parseDate(text: string): { iso: string } | { error: string } {
  const m = DATE_SEPARATED.exec(text) ?? DATE_COMPACT.exec(text);
  if (!m) return { error: `unparseable date "${clip(text)}" (use YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)` };
  const iso = `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}`;
  if (!isIsoDate(iso)) return { error: `"${clip(text)}" is not a calendar date` };
  const year = Number(m[1]);
  if (year < MIN_BAR_YEAR || year > MAX_BAR_YEAR) {
    return { error: `date ${iso} is outside the years ${MIN_BAR_YEAR}–${MAX_BAR_YEAR}` };
  }
  return { iso };
}

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const GROUPED_NUMBER = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

/** A finite number from a cell (`1234.5`, `1e6`, or a quoted `"1,234.5"`), or `null`. */
function parseNumber(text: string): number | null {
  let t = text;
  if (!PLAIN_NUMBER.test(t)) {
    if (!GROUPED_NUMBER.test(t)) return null;
    t = t.replaceAll(",", "");
  }
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

const inPriceRange = (p: number) => p >= MIN_PRICE && p <= MAX_PRICE;
const PRICE_RANGE_TEXT = `outside the accepted price range ${MIN_PRICE} … ${MAX_PRICE}`;

/** `true` for cells that mean "no value": empty, `null`, `NaN`, `NA`, `N/A`, `None`, `-`. */
const isNullish = (v: string) => v === "" || /^(?:null|nan|na|n\/a|none|-)$/i.test(v);
const clip = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

interface Row {
  day: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  adj: number;
}

/** Collects bad rows as 422 issues, keeping the first `MAX_REPORTED_BAD_ROWS`. */
function issueCollector() {
  const issues: ValidationIssueItem[] = [];
  let total = 0;
  return {
    add(line: number, msg: string, type = "csv_row_invalid") {
      total++;
      if (issues.length < MAX_REPORTED_BAD_ROWS) issues.push({ type, loc: ["row", line], msg });
    },
    get total() {
      return total;
    },
    fail(): never {
      const list = [...issues];
      if (total > issues.length) {
        list.push({
          type: "too_many_errors",
          loc: [],
          msg: `${total - issues.length} more bad rows not listed (${total} in all)`,
        });
      }
      throw new ValidationError(
        `The CSV has ${total} bad row${total === 1 ? "" : "s"}; nothing was imported`,
        [],
        "csv_invalid",
        list,
      );
    },
  };
}

const fileIssue = (msg: string, loc: (string | number)[] = [], type = "csv_invalid") =>
  new ValidationError(msg, loc, type, [{ type, loc, msg }]);

/**
 * Parses a CSV text into daily bars of `symbol` (source `csv`, oldest first) and the skipped rows; throws
 * `ValidationError` (422 issues at `["row", N]`) when the file has no usable header or any bad row.
 */
export function parseBarsCsv(text: string, symbol: string): ParsedBars {
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(/\r\n|\n|\r/);
  let headerAt = 0;
  while (headerAt < lines.length && lines[headerAt].trim() === "") headerAt++;
  if (headerAt === lines.length) throw fileIssue("The file is empty", [], "missing");

  const delimiter = detectDelimiter(lines[headerAt]);
  const header = splitRecord(lines[headerAt], delimiter).map(normaliseHeader);
  const col = {} as Record<Field, number>;
  for (const field of Object.keys(ALIASES) as Field[]) {
    col[field] = -1;
    for (const alias of ALIASES[field]) {
      const at = header.indexOf(alias);
      if (at >= 0) {
        col[field] = at;
        break;
      }
    }
  }
  const missing = REQUIRED.filter((f) => col[f] < 0);
  if (missing.length > 0) {
    throw fileIssue(
      `The header (line ${headerAt + 1}) lacks column(s): ${missing.join(", ")}; found: ${
        clip(header.join(", "))
      }`,
      ["row", headerAt + 1],
      "csv_header_invalid",
    );
  }

  // Order: the file's first and last dated rows say whether it is oldest- or newest-first; every dated row must
  // then move that way from the last row that did.
  const dayAt = (i: number) => {
    const d = parseDate(splitRecord(lines[i], delimiter)[col.date] ?? "");
    return "iso" in d ? toDayNumber(d.iso) : null;
  };
  let firstDay: number | null = null, lastDay: number | null = null;
  for (let i = headerAt + 1; i < lines.length && firstDay === null; i++) firstDay = dayAt(i);
  for (let i = lines.length - 1; i > headerAt && lastDay === null; i--) lastDay = dayAt(i);
  const newestFirst = firstDay !== null && lastDay !== null && lastDay < firstDay;
  let edge: { day: number; iso: string } | null = null;

  const issues = issueCollector();
  const skipped: SkippedRow[] = [];
  let pendingBlank: number[] = [];
  const rows: Row[] = [];
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = i + 1;
    let record = lines[i];
    if (record.includes('"') && countQuotes(record) % 2 === 1) {
      // A quoted field continues on the next line(s).
      while (i + 1 < lines.length && countQuotes(record) % 2 === 1) record += "\n" + lines[++i];
    }
    const cells = splitRecord(record, delimiter);
    if (cells.every((c) => c === "")) {
      pendingBlank.push(line);
      continue;
    }
    for (const b of pendingBlank) skipped.push({ row: b, reason: "empty row" });
    pendingBlank = [];
    const get = (f: Field) => (col[f] >= 0 ? cells[col[f]] ?? "" : "");
    const priceText = PRICES.map(get);
    if (priceText.every(isNullish)) {
      skipped.push({ row: line, reason: "null row (no open, high, low or close)" });
      continue;
    }
    const problems: string[] = [];
    const date = parseDate(get("date"));
    let day = 0;
    if ("error" in date) problems.push(date.error);
    else {
      day = toDayNumber(date.iso);
      if (edge !== null && day === edge.day) problems.push(`duplicate date ${date.iso}`);
      else if (edge !== null && (newestFirst ? day > edge.day : day < edge.day)) {
        problems.push(
          `date ${date.iso} is out of order (after ${edge.iso} in a file sorted ${
            newestFirst ? "newest" : "oldest"
          } first)`,
        );
      } else edge = { day, iso: date.iso };
    }
    const prices = PRICES.map((name, k) => {
      const n = isNullish(priceText[k]) ? null : parseNumber(priceText[k]);
      if (n === null) {
        problems.push(
          isNullish(priceText[k]) ? `${name} is missing` : `${name} "${clip(priceText[k])}" is not a number`,
        );
        return NaN;
      }
      return n;
    });
    const [o, h, l, c] = prices;
    const volText = get("volume");
    let v = 0;
    if (!isNullish(volText)) {
      const n = parseNumber(volText);
      if (n === null) problems.push(`volume "${clip(volText)}" is not a number`);
      else if (n < 0) problems.push(`volume ${n} is negative`);
      else if (n > MAX_VOLUME) {
        problems.push(`volume ${n} is above the largest accepted volume ${MAX_VOLUME}`);
      } else v = n;
    }
    const adjText = get("adj_close");
    let adjClose: number | null = null;
    if (!isNullish(adjText)) {
      adjClose = parseNumber(adjText);
      if (adjClose === null) problems.push(`adj close "${clip(adjText)}" is not a number`);
      else if (adjClose <= 0) problems.push(`adj close ${adjClose} is not positive`);
      else if (!inPriceRange(adjClose)) problems.push(`adj close ${adjClose} is ${PRICE_RANGE_TEXT}`);
    }
    if (prices.every(Number.isFinite)) {
      const bad = PRICES.filter((_, k) => prices[k] <= 0);
      const outside = PRICES.filter((_, k) => prices[k] > 0 && !inPriceRange(prices[k]));
      if (bad.length > 0) problems.push(`${bad.join(", ")} must be positive`);
      if (outside.length > 0) {
        problems.push(
          `${outside.map((name) => `${name} ${prices[PRICES.indexOf(name)]}`).join(", ")} ${
            outside.length === 1 ? "is" : "are"
          } ${PRICE_RANGE_TEXT}`,
        );
      }
      if (bad.length === 0 && outside.length === 0) {
        if (h < Math.max(o, c)) problems.push(`high ${h} is below max(open, close) ${Math.max(o, c)}`);
        if (l > Math.min(o, c)) problems.push(`low ${l} is above min(open, close) ${Math.min(o, c)}`);
      }
    }
    if (problems.length > 0) issues.add(line, problems.join("; "));
    // Once the file is known to be bad, its rows are no longer kept (a huge bad file stays cheap).
    else if (issues.total === 0) rows.push({ day, o, h, l, c, v, adj: adjClose === null ? 1 : adjClose / c });
  }
  if (issues.total > 0) issues.fail();
  if (rows.length === 0) throw fileIssue("The file has no bars (only a header, blank or null rows)");

  if (newestFirst) rows.reverse();
  const series = emptySeries(symbol, "csv", rows.length);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k];
    series.days[k] = r.day;
    series.open[k] = r.o;
    series.high[k] = r.h;
    series.low[k] = r.l;
    series.close[k] = r.c;
    series.volume[k] = r.v;
    series.adj_factor[k] = r.adj;
  }
  return { series, skipped, order: newestFirst ? "newest_first" : "oldest_first" };
}
