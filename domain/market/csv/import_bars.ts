/**
 * Imports a user's CSV of daily bars: validate the symbol, parse the file (`parse_bars_csv.ts`), store the series
 * under the owner's `csv` namespace (old or new, nothing on failure) and the `ImportedSymbolRecord` beside it.
 * Imported bars keep the file's own dates (no calendar filtering); re-importing a symbol replaces it; imports are
 * private to their owner until an admin publishes them.
 */
import { fromDayNumber } from "../../calendar/dates.ts";
import { type ExchangeCode, EXCHANGES } from "../../calendar/exchanges.ts";
import type { Clock } from "../../clock.ts";
import type { RateRule } from "../../config.ts";
import { BadRequestError, NotFoundError, ValidationError } from "../../errors.ts";
import type { BarRepo } from "../../store/bar_repo.ts";
import type { ImportedSymbolRecord, ImportedSymbolRepo } from "../../store/imported_symbol_repo.ts";
import type { Page, PageRequest } from "../../store/kv.ts";
import type { BarSeries, SymbolInfo, SymbolKind } from "../types.ts";
import { parseBarsCsv, type SkippedRow } from "./parse_bars_csv.ts";

/** What an import needs. */
export interface ImportDeps {
  bars: BarRepo;
  imports: ImportedSymbolRepo;
}

/** What the HTTP layer needs for imports: the repositories and a clock. */
export interface CsvImportDeps extends ImportDeps {
  clock: Clock;
}

/** The summary of a successful import. */
export interface ImportSummary {
  symbol: string;
  exchange: ExchangeCode;
  /** Bars stored. */
  rows: number;
  /** First and last bar dates, `YYYY-MM-DD`. */
  start: string;
  end: string;
  /** Skipped rows (the first `MAX_REPORTED_SKIPPED_ROWS`), with 1-based line numbers (header = line 1). */
  skipped: SkippedRow[];
  /** How many rows were skipped in all. */
  skipped_count: number;
  /** Whether an earlier import of the symbol was replaced. */
  replaced: boolean;
  source: "csv";
}

/** Symbols: 1–32 of letters, digits and `. _ ^ = -`. */
export const SYMBOL_PATTERN = /^[A-Za-z0-9._^=-]{1,32}$/;
/** At most this many skipped rows are listed in a summary (`skipped_count` has the total). */
const MAX_REPORTED_SKIPPED_ROWS = 1000;
/** Upload requests per user by default (`RATE_LIMIT_IMPORT`): 30 an hour, whatever each one holds. */
export const IMPORT_RATE_RULE: RateRule = { limit: 30, windowMs: 3_600_000 };
/** How many different symbols one user may have imported. */
export const MAX_IMPORTED_SYMBOLS_PER_USER = 500;

/**
 * Infers the exchange from a symbol's suffix: `.SH`/`.SS` SSE, `.SZ` SZSE, `.NS`/`.BO` NSE, `.JK` IDX,
 * `-USD`/`-USDT` CRYPTO, anything else NYSE.
 */
export function inferExchange(symbol: string): ExchangeCode {
  const s = symbol.toUpperCase();
  if (/\.(SH|SS)$/.test(s)) return "SSE";
  if (/\.SZ$/.test(s)) return "SZSE";
  if (/\.(NS|BO)$/.test(s)) return "NSE";
  if (/\.JK$/.test(s)) return "IDX";
  if (/-(USD|USDT)$/.test(s)) return "CRYPTO";
  return "NYSE";
}

/**
 * Metadata of an imported symbol from its code and exchange: `^…`, SSE `000xxx` and SZSE `399xxx` are indexes
 * (lot 1, no price limit); SSE `5xxxxx` and SZSE `15xxxx`/`16xxxx` are ETFs; crypto is crypto; the rest stocks.
 * Lot size is 100 on SSE, SZSE and IDX (1 elsewhere); A-shares have a ±10% limit (±20% for `300`/`301`/`688`/
 * `689` boards), other markets none.
 */
export function importedSymbolInfo(symbol: string, exchange: ExchangeCode): SymbolInfo {
  const code = symbol.split(".")[0];
  const aShare = exchange === "SSE" || exchange === "SZSE";
  let kind: SymbolKind = "stock";
  if (exchange === "CRYPTO") kind = "crypto";
  else if (
    symbol.startsWith("^") || (exchange === "SSE" && /^000\d{3}$/.test(code)) ||
    (exchange === "SZSE" && /^399\d{3}$/.test(code))
  ) kind = "index";
  else if (
    (exchange === "SSE" && /^5\d{5}$/.test(code)) || (exchange === "SZSE" && /^1[56]\d{4}$/.test(code))
  ) {
    kind = "etf";
  }
  const tradable = kind !== "index";
  return {
    symbol,
    name: symbol,
    exchange,
    currency: EXCHANGES[exchange].currency,
    kind,
    sector: null,
    market_cap_class: null,
    lot_size: tradable && (aShare || exchange === "IDX") ? 100 : 1,
    price_limit: tradable && aShare ? (/^(300|301|688|689)\d{3}$/.test(code) ? 0.2 : 0.1) : null,
    syariah: null,
    universes: [],
    source: "csv",
  };
}

/** Upper-cases and checks a symbol; throws `ValidationError` at `loc` when it is not 1–32 allowed characters. */
function normaliseImportSymbol(
  symbol: string,
  loc: (string | number)[] = ["symbol"],
): string {
  const s = symbol.trim().toUpperCase();
  if (!SYMBOL_PATTERN.test(s)) {
    throw new ValidationError(
      "symbol must be 1-32 of letters, digits and . _ ^ = -",
      loc,
      "string_pattern_mismatch",
    );
  }
  return s;
}

/**
 * Parses `text` and stores it as the owner's bars of `symbol` (replacing an earlier import of it); a bad file
 * throws `ValidationError` naming each bad row and stores nothing.
 */
export async function importCsv(
  deps: ImportDeps,
  input: { ownerId: string; symbol: string; exchange?: ExchangeCode; text: string; nowMs: number },
): Promise<ImportSummary> {
  const symbol = normaliseImportSymbol(input.symbol);
  const previous = await deps.imports.get(input.ownerId, symbol);
  if (!previous && (await deps.imports.list(input.ownerId)).length >= MAX_IMPORTED_SYMBOLS_PER_USER) {
    throw new BadRequestError(
      `You have ${MAX_IMPORTED_SYMBOLS_PER_USER} imported symbols, the most allowed; delete one first`,
    );
  }
  const { series, skipped } = parseBarsCsv(input.text, symbol);
  const exchange = input.exchange ?? inferExchange(symbol);
  const meta = await deps.bars.replaceSeries({ source: "csv", owner: input.ownerId }, series, input.nowMs);
  const start = fromDayNumber(series.days[0]);
  const end = fromDayNumber(series.days[series.days.length - 1]);
  await deps.imports.put({
    ...importedSymbolInfo(symbol, exchange),
    owner_id: input.ownerId,
    published: false,
    rows: meta.rows,
    start,
    end,
    imported_at: input.nowMs,
  });
  return {
    symbol,
    exchange,
    rows: meta.rows,
    start,
    end,
    skipped: skipped.slice(0, MAX_REPORTED_SKIPPED_ROWS),
    skipped_count: skipped.length,
    replaced: previous !== null,
    source: "csv",
  };
}

/** The summary of a bulk import: one `ImportSummary` per symbol, by symbol. */
export interface BulkImportSummary {
  /** Symbols stored. */
  count: number;
  symbols: ImportSummary[];
}

/**
 * Stores many parsed symbols as the owner's imports in one go (see `BarRepo.replaceMany` for what readers see):
 * all bars are written before any becomes visible, and a failure before the switch stores nothing. Refused with
 * `BadRequestError` when the owner would pass `MAX_IMPORTED_SYMBOLS_PER_USER` symbols.
 */
export async function importMany(
  deps: ImportDeps,
  input: {
    ownerId: string;
    entries: { symbol: string; series: BarSeries; skipped: SkippedRow[] }[];
    exchange?: ExchangeCode;
    nowMs: number;
  },
): Promise<BulkImportSummary> {
  const existing = new Set((await deps.imports.list(input.ownerId)).map((r) => r.symbol));
  const added = input.entries.filter((e) => !existing.has(e.symbol)).length;
  if (existing.size + added > MAX_IMPORTED_SYMBOLS_PER_USER) {
    throw new BadRequestError(
      `The upload adds ${added} symbols to your ${existing.size}; at most ${MAX_IMPORTED_SYMBOLS_PER_USER} ` +
        "are allowed, delete some first",
    );
  }
  const entries = [...input.entries].sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
  const metas = await deps.bars.replaceMany(
    { source: "csv", owner: input.ownerId },
    entries.map((e) => e.series),
    input.nowMs,
  );
  const symbols: ImportSummary[] = [];
  for (let k = 0; k < entries.length; k++) {
    const { symbol, series, skipped } = entries[k];
    const exchange = input.exchange ?? inferExchange(symbol);
    const start = fromDayNumber(series.days[0]);
    const end = fromDayNumber(series.days[series.days.length - 1]);
    await deps.imports.put({
      ...importedSymbolInfo(symbol, exchange),
      owner_id: input.ownerId,
      published: false,
      rows: metas[k].rows,
      start,
      end,
      imported_at: input.nowMs,
    });
    symbols.push({
      symbol,
      exchange,
      rows: metas[k].rows,
      start,
      end,
      skipped: skipped.slice(0, MAX_REPORTED_SKIPPED_ROWS),
      skipped_count: skipped.length,
      replaced: existing.has(symbol),
      source: "csv",
    });
  }
  return { count: symbols.length, symbols };
}

/** A page of the owner's imports, by symbol. */
export async function listImports(
  deps: ImportDeps,
  ownerId: string,
  page: PageRequest,
): Promise<Page<ImportedSymbolRecord>> {
  const all = await deps.imports.list(ownerId);
  return {
    items: all.slice(page.offset, page.offset + page.limit),
    total: all.length,
    limit: page.limit,
    offset: page.offset,
  };
}

/** A page of every user's imports, optionally only the published ones (for admins). */
export async function listAllImports(
  deps: ImportDeps,
  page: PageRequest & { published?: boolean },
): Promise<Page<ImportedSymbolRecord>> {
  const all = (await deps.imports.listAll()).filter((r) =>
    page.published === undefined || r.published === page.published
  );
  return {
    items: all.slice(page.offset, page.offset + page.limit),
    total: all.length,
    limit: page.limit,
    offset: page.offset,
  };
}

/** Deletes the owner's import of `symbol` and its bars at `nowMs`; `NotFoundError` when the owner has none. */
export async function deleteImport(
  deps: ImportDeps,
  ownerId: string,
  symbol: string,
  nowMs: number,
): Promise<void> {
  const s = normaliseImportSymbol(symbol, ["symbol"]);
  // The record goes first: without it nobody reads the bars, whose removal follows.
  if (!(await deps.imports.delete(ownerId, s, nowMs))) throw new NotFoundError(`Import "${s}" not found`);
  await deps.bars.deleteSeries({ source: "csv", owner: ownerId }, s, nowMs);
}

/** Publishes (or unpublishes) a user's import at `nowMs` so every user can read it; admin-only at the route. */
export function publishImport(
  deps: ImportDeps,
  ownerId: string,
  symbol: string,
  published: boolean,
  nowMs: number,
): Promise<ImportedSymbolRecord> {
  return deps.imports.publish(ownerId, normaliseImportSymbol(symbol, ["symbol"]), published, nowMs);
}
