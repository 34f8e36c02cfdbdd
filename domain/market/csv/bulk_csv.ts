/**
 * Many symbols in one upload, read as a stream:
 * - a zip of per-symbol CSVs (`AAPL.csv`, `600519.SH.csv`; the file name without `.csv`/`.txt` is the symbol),
 *   each entry parsed by `parseBarsCsv` as soon as it is inflated, so only one entry's text is held at a time;
 *   guarded against zip bombs (total inflated bytes and entry count) and hostile names (`..`, absolute paths);
 * - a long-format CSV (a panel: one row per symbol and day, rows of different symbols interleaved) with a
 *   `symbol`/`ticker`/`code`/`ts_code`/`代码` column, decoded chunk by chunk and grouped by symbol; each symbol's
 *   rows are parsed and dropped one symbol at a time, so the body is never held whole next to its text.
 * Either way every bad row of every file is reported at once (`loc: [file, NAME, row, N]` for a zip entry,
 * `[row, N]` with the panel's own line number otherwise; locations are relative to the upload, the HTTP layer
 * puts `body` in front) and nothing is returned for a bad upload.
 */
import { Unzip, UnzipInflate } from "fflate";
import { PayloadTooLargeError, ValidationError, type ValidationIssueItem } from "../../errors.ts";
import type { BarSeries } from "../types.ts";
import { decodeCsvBytes } from "./decode_csv_bytes.ts";
import { MAX_IMPORTED_SYMBOLS_PER_USER, SYMBOL_PATTERN } from "./import_bars.ts";
import {
  countQuotes,
  detectDelimiter,
  MAX_REPORTED_BAD_ROWS,
  normaliseHeader,
  parseBarsCsv,
  type SkippedRow,
  splitRecord,
} from "./parse_bars_csv.ts";

/** One parsed symbol of a bulk upload. */
export interface BulkEntry {
  symbol: string;
  series: BarSeries;
  skipped: SkippedRow[];
}

/** Limits of a zip upload. */
export interface ZipLimits {
  /** Largest total of inflated bytes over all entries. */
  maxUncompressedBytes: number;
  /** Most entries (directories and skipped entries counted). */
  maxEntries: number;
}

/** Entries a zip may have. */
export const MAX_ZIP_ENTRIES = 2000;

/** Header spellings of the symbol column of a long CSV, normalised like the other headers. */
const SYMBOL_ALIASES = [
  "symbol",
  "ticker",
  "code",
  "tscode",
  "stockcode",
  "seccode",
  "代码",
  "股票代码",
  "证券代码",
];

/** Collects issues of many files, keeping the first `MAX_REPORTED_BAD_ROWS`. */
function issueList() {
  const issues: ValidationIssueItem[] = [];
  let total = 0;
  return {
    add(items: ValidationIssueItem[]) {
      for (const i of items) {
        total++;
        if (issues.length < MAX_REPORTED_BAD_ROWS) issues.push(i);
      }
    },
    get total() {
      return total;
    },
    throwIfAny(what: string) {
      if (total === 0) return;
      const list = [...issues];
      if (total > issues.length) {
        list.push({
          type: "too_many_errors",
          loc: [],
          msg: `${total - issues.length} more problems not listed (${total} in all)`,
        });
      }
      throw new ValidationError(
        `The ${what} has ${total} problem${total === 1 ? "" : "s"}; nothing was imported`,
        [],
        "csv_invalid",
        list,
      );
    },
  };
}

const issuesOf = (e: ValidationError): ValidationIssueItem[] =>
  e.issues?.length ? e.issues : [{ type: e.type, loc: e.loc, msg: e.message }];

/** The symbol a zip entry name stands for, `null` for entries to pass over; throws for refused names. */
export function symbolOfEntry(name: string): string | null {
  if (name.endsWith("/") || name.startsWith("__MACOSX/")) return null;
  const parts = name.split(/[\\/]/);
  if (name.startsWith("/") || name.startsWith("\\") || /^[A-Za-z]:/.test(name) || parts.includes("..")) {
    throw new ValidationError(
      `Zip entry "${name.slice(0, 80)}" has an absolute or parent-relative path`,
      ["file", name.slice(0, 80)],
      "zip_entry_path",
    );
  }
  const base = parts[parts.length - 1];
  if (base.startsWith(".")) return null;
  const m = /^(.*)\.(csv|txt)$/i.exec(base);
  const symbol = (m ? m[1] : "").trim().toUpperCase();
  if (!m || !SYMBOL_PATTERN.test(symbol)) {
    throw new ValidationError(
      `Zip entry "${name.slice(0, 80)}" must be named SYMBOL.csv (1-32 of letters, digits and . _ ^ = -)`,
      ["file", name.slice(0, 80)],
      "zip_entry_name",
    );
  }
  return symbol;
}

const tooManySymbols = () =>
  new ValidationError(
    `An upload may hold at most ${MAX_IMPORTED_SYMBOLS_PER_USER} symbols`,
    [],
    "too_many_symbols",
  );

/**
 * Reads a zip of per-symbol CSVs from `stream`; throws `ValidationError` for a bad zip, name or row (every
 * problem listed) and `PayloadTooLargeError` past `limits`.
 */
export async function parseZipBars(
  stream: ReadableStream<Uint8Array>,
  limits: ZipLimits,
  charset?: string | null,
): Promise<BulkEntry[]> {
  const out: BulkEntry[] = [];
  const seen = new Map<string, string>();
  const issues = issueList();
  let failure: Error | null = null;
  let entries = 0;
  let inflated = 0;
  const unzip = new Unzip((file) => {
    if (failure) return;
    entries++;
    if (entries > limits.maxEntries) {
      failure = new PayloadTooLargeError(`The zip has more than ${limits.maxEntries} entries`);
      return;
    }
    let symbol: string | null;
    try {
      symbol = symbolOfEntry(file.name);
    } catch (e) {
      issues.add(issuesOf(e as ValidationError));
      return;
    }
    if (symbol === null) return;
    const other = seen.get(symbol);
    if (other !== undefined) {
      issues.add([{
        type: "zip_duplicate_symbol",
        loc: ["file", file.name],
        msg: `${file.name} and ${other} are both ${symbol}`,
      }]);
      return;
    }
    seen.set(symbol, file.name);
    if (seen.size > MAX_IMPORTED_SYMBOLS_PER_USER) {
      failure = tooManySymbols();
      return;
    }
    const name = file.name;
    const sym = symbol;
    const parts: Uint8Array[] = [];
    file.ondata = (err, data, final) => {
      if (failure) return;
      if (err) {
        failure = new ValidationError(
          `Zip entry "${name}" cannot be inflated`,
          ["file", name],
          "zip_invalid",
        );
        return;
      }
      inflated += data.length;
      if (inflated > limits.maxUncompressedBytes) {
        failure = new PayloadTooLargeError(
          `The zip inflates to more than ${limits.maxUncompressedBytes} bytes`,
        );
        file.terminate();
        return;
      }
      parts.push(data);
      if (!final) return;
      const bytes = parts.length === 1 ? parts[0] : concatBytes(parts);
      parts.length = 0;
      try {
        const { series, skipped } = parseBarsCsv(decodeCsvBytes(bytes, charset), sym);
        if (issues.total === 0) out.push({ symbol: sym, series, skipped });
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        issues.add(issuesOf(e).map((i) => ({ ...i, loc: ["file", name, ...i.loc] })));
      }
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  const reader = stream.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      try {
        unzip.push(done ? new Uint8Array(0) : value, done);
      } catch (e) {
        if (e instanceof ValidationError) throw e;
        throw new ValidationError("The body is not a readable zip", [], "zip_invalid");
      }
      if (failure) throw failure;
      if (done) break;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
  issues.throwIfAny("zip");
  if (seen.size === 0) {
    throw new ValidationError("The zip holds no SYMBOL.csv entries", [], "zip_empty");
  }
  return out;
}

function concatBytes(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) (out.set(p, at), (at += p.length));
  return out;
}

/** Yields the lines of a byte stream (any of CRLF, LF, CR ends), decoding as it goes. */
async function* streamLines(stream: ReadableStream<Uint8Array>, charset?: string | null) {
  const reader = stream.getReader();
  let decoder: TextDecoder | null = null;
  let carry = "";
  let head: Uint8Array = new Uint8Array(0);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      let bytes: Uint8Array = done ? new Uint8Array(0) : value;
      if (decoder === null) {
        // The first bytes decide the encoding (a byte-order mark wins over a declared charset).
        head = concatBytes([head, bytes]);
        if (head.length < 3 && !done) continue;
        let label = charset?.trim().toLowerCase() || "utf-8";
        bytes = head;
        if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
          (label = "utf-8"), (bytes = head.subarray(3));
        } else if (head[0] === 0xff && head[1] === 0xfe) (label = "utf-16le"), (bytes = head.subarray(2));
        else if (head[0] === 0xfe && head[1] === 0xff) (label = "utf-16be"), (bytes = head.subarray(2));
        try {
          decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true });
        } catch {
          throw new ValidationError(`Unknown charset "${label}"`, [], "csv_charset_unknown");
        }
      }
      let text: string;
      try {
        text = decoder.decode(bytes, { stream: !done });
      } catch {
        throw new ValidationError(
          `The file is not valid ${decoder.encoding} text; declare its encoding, e.g. text/csv; charset=gbk`,
          [],
          "csv_encoding_invalid",
        );
      }
      let buf = carry + text;
      // A CR at the end may be the first half of a CRLF split across chunks.
      const holdCr = !done && buf.endsWith("\r");
      if (holdCr) buf = buf.slice(0, -1);
      const lines = buf.split(/\r\n|\n|\r/);
      carry = (done ? "" : lines.pop() ?? "") + (holdCr ? "\r" : "");
      for (const l of lines) yield l;
      if (done) break;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

interface Group {
  lines: string[];
  /** The panel's line number of each line in `lines`. */
  lineNos: number[];
}

/**
 * Reads a long-format CSV (one row per symbol and day, in any order across symbols) from `stream`, grouped by its
 * symbol column; throws `ValidationError` when the header has no symbol column (at `["symbol"]`: a one-symbol
 * file needs a symbol) or any row is bad (every bad row listed by its line in the panel).
 */
export async function parseLongCsv(
  stream: ReadableStream<Uint8Array>,
  charset?: string | null,
): Promise<BulkEntry[]> {
  const groups = new Map<string, Group>();
  const issues = issueList();
  let header: string | null = null;
  let headerLine = 0;
  let delimiter = ",";
  let symbolCol = -1;
  let lineNo = 0;
  let pending: { text: string; lineNos: number[] } | null = null;

  const take = (record: string, nos: number[]) => {
    if (record.trim() === "") return;
    const raw = splitRecord(record, delimiter)[symbolCol] ?? "";
    const symbol = raw.toUpperCase();
    if (symbol === "" || !SYMBOL_PATTERN.test(symbol)) {
      issues.add([{
        type: "csv_row_invalid",
        loc: ["row", nos[0]],
        msg: symbol === ""
          ? "symbol is missing"
          : `symbol "${raw.slice(0, 40)}" must be 1-32 of letters, digits and . _ ^ = -`,
      }]);
      return;
    }
    if (issues.total > 0) return; // A bad panel keeps no rows.
    let g = groups.get(symbol);
    if (!g) {
      if (groups.size >= MAX_IMPORTED_SYMBOLS_PER_USER) throw tooManySymbols();
      g = { lines: [], lineNos: [] };
      groups.set(symbol, g);
    }
    g.lines.push(record);
    g.lineNos.push(...nos);
  };

  for await (const line of streamLines(stream, charset)) {
    lineNo++;
    if (header === null) {
      if (line.trim() === "") continue;
      (header = line), (headerLine = lineNo);
      delimiter = detectDelimiter(line);
      const names = line.split(delimiter).map((h) => normaliseHeader(h.replaceAll('"', "")));
      for (const alias of SYMBOL_ALIASES) {
        symbolCol = names.indexOf(alias);
        if (symbolCol >= 0) break;
      }
      if (symbolCol < 0) {
        throw new ValidationError(
          "Field required: name the symbol, or upload a panel with a symbol/ticker/code column",
          ["symbol"],
          "missing",
        );
      }
      continue;
    }
    if (pending) {
      pending.text += "\n" + line;
      pending.lineNos.push(lineNo);
    } else pending = { text: line, lineNos: [lineNo] };
    if (countQuotes(pending.text) % 2 === 0) {
      take(pending.text, pending.lineNos);
      pending = null;
    }
  }
  if (pending) take(pending.text, pending.lineNos);
  if (header === null) throw new ValidationError("The file is empty", [], "missing");
  issues.throwIfAny("file");
  if (groups.size === 0) throw new ValidationError("The file has no bars", [], "csv_invalid");

  const out: BulkEntry[] = [];
  for (const [symbol, g] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    groups.delete(symbol);
    // Line k of the per-symbol text is the header (k = 1) or the panel's line g.lineNos[k - 2].
    const panelLine = (k: number) => (k <= 1 ? headerLine : g.lineNos[k - 2] ?? headerLine);
    try {
      const { series, skipped } = parseBarsCsv(`${header}\n${g.lines.join("\n")}`, symbol);
      if (issues.total === 0) {
        out.push({ symbol, series, skipped: skipped.map((s) => ({ ...s, row: panelLine(s.row) })) });
      }
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      issues.add(
        issuesOf(e).map((i) => {
          const isRow = i.loc[0] === "row" && typeof i.loc[1] === "number";
          return {
            ...i,
            loc: isRow ? ["row", panelLine(i.loc[1] as number)] : i.loc,
            msg: `${symbol}: ${i.msg}`,
          };
        }),
      );
    }
  }
  issues.throwIfAny("file");
  return out;
}
