/**
 * Quarterly fundamentals consistent with price. At each quarter end the book value per share is
 * B = P · bp₀ · exp(0.35·v) (v = the stock's planted value score, so high book-to-price carries the value
 * premium); trailing EPS = ROE · B; figures become public `available_on` = quarter end + 30–59 days, and PE and
 * PBV are quoted at the close of that day: pe = P / EPS (null when EPS ≤ 0), pbv = P / B.
 */
import { addDays, fromDayNumber, type IsoDate, toDayNumber } from "../../calendar/dates.ts";
import type { FundamentalsRow } from "../types.ts";
import type { SeriesParams } from "./catalog.ts";
import { normal, uniform } from "./prng.ts";
import type { StockPath } from "./stock_path.ts";

const QUARTER_ENDS = ["03-31", "06-30", "09-30", "12-31"];

/** Index of the last bar on or before `day`, or −1. */
function lastBarAtOrBefore(days: Int32Array, day: number): number {
  let lo = 0, hi = days.length - 1, ans = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (days[mid] <= day) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

/** Fundamentals of a stock path, for quarters whose figures are public on or before `through`. */
export function generateFundamentals(
  seed: number,
  p: SeriesParams,
  path: StockPath,
  through: IsoDate,
): FundamentalsRow[] {
  const { series, value } = path;
  if (series.days.length === 0 || p.info.kind !== "stock") return [];
  const s = 50_000 + p.id * 8;
  const bp0 = 0.25 + 0.5 * uniform(seed, s, 0, 0);
  const roe0 = 0.04 + 0.16 * uniform(seed, s, 1, 0);
  const de0 = p.info.sector === "Financials"
    ? 6 + 4 * uniform(seed, s, 2, 0)
    : 0.2 + 1.3 * uniform(seed, s, 2, 0);
  const npm0 = 0.04 + 0.25 * uniform(seed, s, 3, 0);
  const throughDay = toDayNumber(through);
  const rows: FundamentalsRow[] = [];
  const firstYear = new Date(series.days[0] * 86_400_000).getUTCFullYear();
  const lastYear = new Date(throughDay * 86_400_000).getUTCFullYear();
  for (let y = firstYear; y <= lastYear; y++) {
    for (let q = 0; q < 4; q++) {
      const periodEnd = `${y}-${QUARTER_ENDS[q]}`;
      const endDay = toDayNumber(periodEnd);
      const available = addDays(periodEnd, 30 + Math.floor(uniform(seed, s + 1, endDay, 0) * 30));
      const availDay = toDayNumber(available);
      if (availDay > throughDay) continue;
      const atEnd = lastBarAtOrBefore(series.days, endDay);
      const atAvail = lastBarAtOrBefore(series.days, availDay);
      if (atEnd < 0 || atAvail < 0) continue;
      const book = series.close[atEnd] * bp0 * Math.exp(0.35 * value[atEnd]);
      const roe = roe0 + 0.04 * normal(seed, s + 2, endDay, 0);
      const de = de0 * Math.exp(0.1 * normal(seed, s + 3, endDay, 0));
      const eps = roe * book;
      const price = series.close[atAvail];
      rows.push({
        symbol: p.info.symbol,
        period_end: periodEnd,
        available_on: fromDayNumber(availDay),
        pe_ratio: eps > 0 ? price / eps : null,
        pbv: price / book,
        roe,
        de_ratio: de,
        roa: roe / (1 + de),
        npm: npm0 + 0.02 * normal(seed, s + 4, endDay, 0),
        eps,
      });
    }
  }
  return rows;
}
