/**
 * A hand-made A-share market for out-of-sample tracking tests: a few hs300 stocks whose closes on each SSE
 * trading day are given as a table (NaN = no bar that day), open = high = low = close, no adjustments; and an
 * active factor record to seed the factor repository with.
 */
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { fromDayNumber, toDayNumber } from "../../domain/calendar/dates.ts";
import type { BarSeries, MarketData, SymbolInfo } from "../../domain/market/types.ts";
import type { FactorRecord, FactorRepo } from "../../domain/store/factor_repo.ts";
import { factorRecord } from "./factor_record.ts";

/** A table market: `close[t][j]` is symbol j's close on `dates[t]`. */
export function tableMarket(
  dates: readonly string[],
  symbols: readonly string[],
  close: readonly number[][],
): MarketData {
  const info = (symbol: string): SymbolInfo => ({
    symbol,
    name: symbol,
    exchange: symbol.endsWith(".SH") ? "SSE" : "SZSE",
    currency: "CNY",
    kind: "stock",
    sector: "Financials",
    market_cap_class: "large",
    lot_size: 100,
    price_limit: 0.1,
    syariah: null,
    universes: ["hs300"],
    source: "synthetic",
  });
  const bars = (symbol: string, start: string, end: string): BarSeries | null => {
    const j = symbols.indexOf(symbol);
    if (j < 0) return null;
    const rows = dates.map((d, t) => ({ d, c: close[t][j] })).filter((r) =>
      r.d >= start && r.d <= end && r.c > 0
    );
    const col = () => Float64Array.from(rows.map((r) => r.c));
    return {
      symbol,
      source: "synthetic",
      days: Int32Array.from(rows.map((r) => toDayNumber(r.d))),
      open: col(),
      high: col(),
      low: col(),
      close: col(),
      volume: Float64Array.from(rows.map(() => 1e6)),
      adj_factor: Float64Array.from(rows.map(() => 1)),
    };
  };
  const last = dates[dates.length - 1];
  return {
    listSymbols: (filter) =>
      Promise.resolve(!filter?.universe || filter.universe === "hs300" ? symbols.map(info) : []),
    getSymbol: (symbol) => Promise.resolve(symbols.includes(symbol) ? info(symbol) : null),
    getBars: (symbol, start, end) => Promise.resolve(bars(symbol, start, end)),
    getUniverse: (name) => Promise.resolve(name === "hs300" ? [...symbols] : []),
    getFundamentals: () => Promise.resolve([]),
    freshness: () =>
      Promise.resolve([{
        source: "synthetic",
        scope: "hs300",
        last_bar_date: last,
        expected_date: last,
        stale: false,
        symbols: symbols.length,
        rows: null,
        first_bar_date: dates[0],
        checked_at: 0,
        error: null,
      }]),
    dataVersion: () => Promise.resolve(`table:${last}`),
  };
}

/**
 * A table market on every SSE trading day from `start` to `end` whose symbol j moves each day s by
 * `0.001 × (((7j + 3s) mod 5) + 1) − 0.003` (five distinct returns a day for five symbols), starting at 10 + j.
 */
export function walkMarket(start: string, end: string, symbols: readonly string[]) {
  const dates = getCalendar("SSE").tradingDaysBetween(start, end);
  const close: number[][] = [];
  dates.forEach((_, s) => {
    close.push(
      symbols.map((_, j) =>
        s === 0 ? 10 + j : close[s - 1][j] * (1 + 0.001 * (((7 * j + 3 * s) % 5) + 1) - 0.003)
      ),
    );
  });
  return { dates, close, market: tableMarket(dates, symbols, close) };
}

/** The delay-1 forward return of date index t, symbol j, on a close table (NaN past the table). */
export const fwdReturn = (close: readonly number[][], t: number, j: number): number =>
  t + 2 < close.length ? close[t + 2][j] / close[t + 1][j] - 1 : NaN;

/** An active factor on hs300 (uploaded values unless `values_source` says otherwise). */
export function activeFactor(
  id: string,
  activatedAt: number | null,
  over: Partial<FactorRecord> = {},
): FactorRecord {
  return factorRecord(id, "u1", {
    status: "active",
    validated_at: activatedAt,
    activated_at: activatedAt,
    created_at: Date.UTC(2025, 0, 1),
    updated_at: Date.UTC(2025, 0, 1),
    ...over,
  });
}

/** Stores `rows` (date → values by symbol, NaN/absent = no value) as the factor's values. */
export async function putRows(
  repo: FactorRepo,
  id: string,
  rows: Record<string, Record<string, number>>,
): Promise<void> {
  const list = Object.entries(rows).map(([date, values]) => {
    const pairs = Object.entries(values).filter(([, v]) => Number.isFinite(v));
    return { date, symbols: pairs.map(([s]) => s), values: Float64Array.from(pairs.map(([, v]) => v)) };
  });
  await repo.putValues(id, list, (current, values) => ({ ...current, values }));
}

/** An instant at Asia/Shanghai wall time `hh:mm` on `date`. */
export const cstInstant = (date: string, hh: number, mm = 0): number =>
  (toDayNumber(date) * 86_400 + (hh - 8) * 3600 + mm * 60) * 1000;

/** The date `n` calendar days after `date`. */
export const addDays = (date: string, n: number): string => fromDayNumber(toDayNumber(date) + n);
