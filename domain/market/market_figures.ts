/**
 * The market data as the Backtester v2 document's `/health` shows it: what is stored (`database.info`: bars,
 * date range, symbols) and what this process holds decoded in memory (`cache`). Reads stored metadata only
 * (the same sweep as the freshness list), never bars.
 */
import { fromDayNumber } from "../calendar/dates.ts";
import type { CacheFigures, DatabaseFigures } from "../health.ts";
import type { BarCache } from "./bar_cache.ts";
import type { MarketData } from "./types.ts";

/**
 * Stored market data over every source: `total_records` bars, the first and last bar date, and
 * `unique_tickers` series (a synthetic series generated so far, a published CSV import, a Yahoo series). The
 * synthetic market generates a series on its first read, so a fresh server starts at zero.
 */
export async function storedMarketFigures(market: MarketData): Promise<DatabaseFigures> {
  const entries = await market.freshness();
  const firsts = entries.map((e) => e.first_bar_date).filter((d): d is string => d !== null).sort();
  const lasts = entries.map((e) => e.last_bar_date).filter((d): d is string => d !== null).sort();
  return {
    total_records: entries.reduce((n, e) => n + (e.rows ?? 0), 0),
    date_range: { min_date: firsts[0] ?? null, max_date: lasts.at(-1) ?? null },
    unique_tickers: entries.reduce((n, e) => n + e.symbols, 0),
  };
}

/** Bytes in a mebibyte. */
const MIB = 1024 * 1024;

/**
 * The in-process bar cache: `loaded` once it holds a series, `rows` bars held, `years` the calendar years their
 * dates touch (last year − first year + 1; 0 when empty), `size_mb` its bytes in MiB (one decimal).
 */
export function barCacheFigures(cache: BarCache): CacheFigures {
  const s = cache.stats();
  const year = (day: number) => Number(fromDayNumber(day).slice(0, 4));
  return {
    loaded: s.series > 0,
    rows: s.rows,
    years: s.firstDay === null || s.lastDay === null ? 0 : year(s.lastDay) - year(s.firstDay) + 1,
    size_mb: Math.round((s.bytes / MIB) * 10) / 10,
  };
}
