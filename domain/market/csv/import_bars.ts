/** Imports a user's CSV of daily bars: parse, validate, store atomically (old or new, nothing on failure). */
import { fromDayNumber } from "../../calendar/dates.ts";
import { type ExchangeCode, EXCHANGES } from "../../calendar/exchanges.ts";
import { ValidationError } from "../../errors.ts";
import type { BarRepo } from "../../store/bar_repo.ts";
import type { ImportedSymbolRepo } from "../../store/imported_symbol_repo.ts";
import { exchangeOfSymbol } from "../symbol_exchange.ts";
import { parseBarsCsv, type SkippedRow } from "./parse_bars_csv.ts";

/** What an import needs. */
export interface ImportDeps {
  bars: BarRepo;
  imports: ImportedSymbolRepo;
}

/** The summary of a successful import. */
export interface ImportSummary {
  symbol: string;
  exchange: ExchangeCode;
  rows: number;
  start: string;
  end: string;
  skipped: SkippedRow[];
  source: "csv";
}

/** Symbols: 1–32 of letters, digits and `. _ ^ = -`. */
export const SYMBOL_PATTERN = /^[A-Za-z0-9._^=-]{1,32}$/;

/** Parses and stores `text` as the owner's bars of `symbol`; a bad file throws `ValidationError` naming each row. */
export async function importCsv(
  deps: ImportDeps,
  input: { ownerId: string; symbol: string; exchange?: ExchangeCode; text: string; nowMs: number },
): Promise<ImportSummary> {
  const symbol = input.symbol.trim().toUpperCase();
  if (!SYMBOL_PATTERN.test(symbol)) {
    throw new ValidationError("symbol must be 1-32 of letters, digits and . _ ^ = -", ["query", "symbol"]);
  }
  const parsed = parseBarsCsv(input.text, symbol);
  if (!parsed.ok) {
    throw new ValidationError(
      parsed.errors.map((e) => (e.row > 0 ? `row ${e.row}: ${e.reason}` : e.reason)).join("; "),
      ["body"],
      "csv_invalid",
    );
  }
  const exchange = input.exchange ?? exchangeOfSymbol(symbol);
  const series = parsed.series;
  await deps.bars.replaceSeries({ source: "csv", owner: input.ownerId }, series, input.nowMs);
  const aShare = exchange === "SSE" || exchange === "SZSE";
  const start = fromDayNumber(series.days[0]);
  const end = fromDayNumber(series.days[series.days.length - 1]);
  await deps.imports.put({
    symbol,
    name: symbol,
    exchange,
    currency: EXCHANGES[exchange].currency,
    kind: exchange === "CRYPTO" ? "crypto" : "stock",
    sector: null,
    market_cap_class: null,
    lot_size: aShare || exchange === "IDX" ? 100 : 1,
    price_limit: aShare ? (/^(300|301|688)/.test(symbol) ? 0.2 : 0.1) : null,
    syariah: null,
    universes: [],
    source: "csv",
    owner_id: input.ownerId,
    published: false,
    rows: series.days.length,
    start,
    end,
    imported_at: input.nowMs,
  });
  return { symbol, exchange, rows: series.days.length, start, end, skipped: parsed.skipped, source: "csv" };
}
