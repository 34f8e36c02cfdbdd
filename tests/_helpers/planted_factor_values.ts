/**
 * Factor values a researcher would compute locally from the synthetic market's public bars and fundamentals,
 * in the upload body's shape (`{date, values: {symbol: value}}`): the planted 20-day reversal (−20-bar return
 * of the adjusted close) and the planted value score (book-to-price = 1 / pbv of the latest report available
 * that day). On hs300 from 2025-06-03 to 2025-12-31 both validate `active` (IC ≈ 0.030 and 0.025, IC IR ≈ 0.44
 * and 0.43, turnover ≈ 0.18 and 0.005, mutual correlation ≈ 0.09).
 */
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { fromDayNumber } from "../../domain/calendar/dates.ts";
import type { MarketData, UniverseName } from "../../domain/market/types.ts";

/** One upload entry. */
export interface UploadEntry {
  date: string;
  values: Record<string, number>;
}

/** SSE trading days the planted factors are uploaded for (146 days: ≥ 120). */
export const PLANTED_START = "2025-06-03";
export const PLANTED_END = "2025-12-31";

/** The −20-bar return on each SSE trading day of the span, per symbol of `universe` with 21 bars. */
export async function reversalEntries(
  market: MarketData,
  universe: UniverseName,
  start = PLANTED_START,
  end = PLANTED_END,
): Promise<UploadEntry[]> {
  const dates = getCalendar("SSE").tradingDaysBetween(start, end);
  const byDate = new Map(dates.map((d) => [d, {} as Record<string, number>]));
  for (const symbol of await market.getUniverse(universe)) {
    const bars = await market.getBars(symbol, "2025-03-01", end);
    if (!bars) continue;
    for (let k = 20; k < bars.days.length; k++) {
      const row = byDate.get(fromDayNumber(bars.days[k]));
      if (!row) continue;
      const now = bars.close[k] * bars.adj_factor[k];
      const then = bars.close[k - 20] * bars.adj_factor[k - 20];
      if (now > 0 && then > 0) row[symbol] = -(now / then - 1);
    }
  }
  return dates.map((date) => ({ date, values: byDate.get(date)! })).filter((e) =>
    Object.keys(e.values).length > 0
  );
}

/** Book-to-price (1 / pbv of the latest fundamentals available on the day) per symbol of `universe`. */
export async function valueEntries(
  market: MarketData,
  universe: UniverseName,
  start = PLANTED_START,
  end = PLANTED_END,
): Promise<UploadEntry[]> {
  const dates = getCalendar("SSE").tradingDaysBetween(start, end);
  const rows = dates.map((date) => ({ date, values: {} as Record<string, number> }));
  for (const symbol of await market.getUniverse(universe)) {
    const reports = await market.getFundamentals(symbol);
    let k = -1;
    dates.forEach((d, t) => {
      while (k + 1 < reports.length && reports[k + 1].available_on <= d) k++;
      if (k >= 0 && reports[k].pbv > 0) rows[t].values[symbol] = 1 / reports[k].pbv;
    });
  }
  return rows.filter((e) => Object.keys(e.values).length > 0);
}

/** `items` in consecutive batches of at most `size`. */
export function chunked<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
