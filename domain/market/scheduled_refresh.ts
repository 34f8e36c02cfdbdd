/**
 * The after-close refresh of one exchange: extends the cached synthetic universes of that market (so the day's
 * first readers do not wait for generation) and, when Yahoo is enabled, pulls that market's live symbols.
 * Does nothing on a day the exchange did not trade.
 */
import { getCalendar } from "../calendar/calendar.ts";
import type { IsoDate } from "../calendar/dates.ts";
import type { ExchangeCode } from "../calendar/exchanges.ts";
import type { MarketDeps } from "./market_service.ts";
import { refreshSynthetic } from "./refresh.ts";
import type { UniverseName } from "./types.ts";
import { refreshYahooSymbols, type YahooRefreshResult } from "./yahoo/yahoo_provider.ts";

/** The synthetic universes kept warm per exchange. */
const WARM_UNIVERSES: Readonly<Record<ExchangeCode, UniverseName[]>> = {
  SSE: ["hs300", "etf_all"],
  SZSE: [],
  NSE: ["nifty"],
  IDX: ["idx"],
  NYSE: ["us"],
  CRYPTO: ["crypto"],
};

/** What one run did. */
export interface ScheduledRefreshResult {
  exchange: ExchangeCode;
  date: IsoDate;
  skipped: boolean;
  synthetic: number;
  yahoo: YahooRefreshResult[];
}

/** Refreshes `exchange` for its session of `date` (a no-op on a non-trading day). */
export async function refreshExchange(
  market: MarketDeps,
  exchange: ExchangeCode,
  date: IsoDate,
): Promise<ScheduledRefreshResult> {
  if (!getCalendar(exchange).isTradingDay(date)) {
    return { exchange, date, skipped: true, synthetic: 0, yahoo: [] };
  }
  const synthetic = (await refreshSynthetic(market, { universes: WARM_UNIVERSES[exchange] })).refreshed;
  const group = (e: ExchangeCode) => (e === "SZSE" ? "SSE" : e);
  const yahoo = market.yahoo
    ? await refreshYahooSymbols(
      market.yahoo,
      market.yahoo.symbols.filter((s) => group(market.yahoo!.exchangeOf(s)) === exchange),
    )
    : [];
  return { exchange, date, skipped: false, synthetic, yahoo };
}
