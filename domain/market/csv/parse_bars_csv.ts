/**
 * Parses daily OHLCV CSV files as people have them: headers in any case and order (date/trade_date/日期, open,
 * high, low, close, volume/vol, optional `Adj Close`), a UTF-8 BOM, CRLF or LF, quoted fields, Yahoo exports with
 * `null` rows, akshare/Tushare files (`amount` ignored), ISO (`2024-01-02`), `2024/01/02` or compact (`20240102`)
 * dates. Empty and `null` rows are skipped and reported; any inconsistent row fails the whole file.
 * Row numbers are 1-based lines of the file, the header being line 1.
 */
import { fromDayNumber, isIsoDate, toDayNumber } from "../../calendar/dates.ts";
import { emptySeries } from "../bar_codec.ts";
import type { BarSeries } from "../types.ts";

/** A skipped row and why. */
export interface SkippedRow {
  row: number;
  reason: string;
}

/** A row that makes the file invalid. */
export interface BadRow {
  row: number;
  reason: string;
}

/** The parse result: either bars, or the list of bad rows. */
export type ParseResult =
  | { ok: true; series: BarSeries; skipped: SkippedRow[] }
  | { ok: false; errors: BadRow[]; skipped: SkippedRow[] };

const ALIASES: Record<string, string[]> = {
  date: ["date", "trade_date", "datetime", "time", "timestamp", "日期", "交易日期"],
  open: ["open", "开盘", "开盘价"],
  high: ["high", "最高", "最高价"],
  low: ["low", "最低", "最低价"],
  close: ["close", "收盘", "收盘价"],
  volume: ["volume", "vol", "成交量"],
  adj_close: ["adj close", "adj_close", "adjclose", "adjusted close"],
};

function splitLine(line: string): string[] {
  const out: string[] = [];
  let cur = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') (cur += '"'), i++;
      else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === "," || ch === ";" || ch === "\t") (out.push(cur), (cur = ""));
    else cur += ch;
  }
  out.push(cur);
  return out.map((s) => s.trim());
}

function parseDate(text: string): string | null {
  const t = text.trim().replace(/^"|"$/g, "");
  let iso: string | null = null;
  let m;
  if ((m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$/.exec(t))) {
    iso = `${m[1]}-${m[2].padStart(2, "0")}-${m[3].padStart(2, "0")}`;
  } else if ((m = /^(\d{4})(\d{2})(\d{2})$/.exec(t))) iso = `${m[1]}-${m[2]}-${m[3]}`;
  return iso && isIsoDate(iso) ? iso : null;
}

const isNullish = (v: string) => v === "" || /^(null|nan|na|n\/a|-)$/i.test(v);

/** Parses a CSV text into bars of `symbol` (source `csv`). */
export function parseBarsCsv(text: string, symbol: string, maxErrors = 100): ParseResult {
  const lines = text.replace(/^\uFEFF/, "").split(/\r\n|\n|\r/);
  const skipped: SkippedRow[] = [];
  const errors: BadRow[] = [];
  const headerAt = lines.findIndex((l) => l.trim() !== "");
  if (headerAt < 0) return { ok: false, errors: [{ row: 1, reason: "The file is empty" }], skipped };
  const header = splitLine(lines[headerAt]).map((h) => h.toLowerCase().replace(/^\uFEFF/, ""));
  const col: Record<string, number> = {};
  for (const [field, names] of Object.entries(ALIASES)) {
    col[field] = header.findIndex((h) => names.includes(h));
  }
  const missing = ["date", "open", "high", "low", "close"].filter((f) => col[f] < 0);
  if (missing.length > 0) {
    return {
      ok: false,
      errors: [{
        row: headerAt + 1,
        reason: `Header lacks column(s): ${missing.join(", ")} (found: ${header.join(", ")})`,
      }],
      skipped,
    };
  }
  const rows: {
    day: number;
    o: number;
    h: number;
    l: number;
    c: number;
    v: number;
    adj: number;
    line: number;
  }[] = [];
  let lastDay = -Infinity;
  const fail = (row: number, reason: string) => {
    errors.push({ row, reason });
  };
  for (let i = headerAt + 1; i < lines.length; i++) {
    const line = lines[i];
    const rowNo = i + 1;
    if (line.trim() === "") {
      if (i < lines.length - 1) skipped.push({ row: rowNo, reason: "empty row" });
      continue;
    }
    const cells = splitLine(line);
    const get = (f: string) => (col[f] >= 0 ? cells[col[f]] ?? "" : "");
    const priceCells = ["open", "high", "low", "close"].map(get);
    if (priceCells.every(isNullish)) {
      skipped.push({ row: rowNo, reason: "null row (no prices)" });
      continue;
    }
    const date = parseDate(get("date"));
    if (!date) {
      fail(rowNo, `unparseable date "${get("date")}"`);
      continue;
    }
    const [o, h, l, c] = priceCells.map(Number);
    const vText = get("volume");
    const v = isNullish(vText) ? 0 : Number(vText);
    const adjText = get("adj_close");
    const adjClose = isNullish(adjText) ? c : Number(adjText);
    if (![o, h, l, c, v, adjClose].every(Number.isFinite)) {
      fail(rowNo, "a price or volume is not a number");
      continue;
    }
    if (o <= 0 || h <= 0 || l <= 0 || c <= 0) fail(rowNo, "prices must be positive");
    else if (h < Math.max(o, c)) fail(rowNo, `high ${h} is below max(open, close) ${Math.max(o, c)}`);
    else if (l > Math.min(o, c)) fail(rowNo, `low ${l} is above min(open, close) ${Math.min(o, c)}`);
    else if (v < 0) fail(rowNo, "volume is negative");
    const day = toDayNumber(date);
    if (day === lastDay) fail(rowNo, `duplicate date ${date}`);
    else if (day < lastDay) fail(rowNo, `date ${date} is out of order (after ${fromDayNumber(lastDay)})`);
    lastDay = Math.max(lastDay, day);
    rows.push({ day, o, h, l, c, v, adj: adjClose / c, line: rowNo });
  }
  if (errors.length === 0 && rows.length === 0) {
    errors.push({ row: headerAt + 1, reason: "The file has no bars" });
  }
  if (errors.length > 0) {
    const shown = errors.slice(0, maxErrors);
    if (errors.length > maxErrors) {
      shown.push({ row: 0, reason: `and ${errors.length - maxErrors} more bad rows` });
    }
    return { ok: false, errors: shown, skipped };
  }
  const series = emptySeries(symbol, "csv", rows.length);
  rows.forEach((r, k) => {
    series.days[k] = r.day;
    series.open[k] = r.o;
    series.high[k] = r.h;
    series.low[k] = r.l;
    series.close[k] = r.c;
    series.volume[k] = r.v;
    series.adj_factor[k] = r.adj;
  });
  return { ok: true, series, skipped };
}
