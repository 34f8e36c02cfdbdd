/**
 * Pulls daily bars from Yahoo into the bar store (namespace `yahoo/public`) and records freshness per symbol.
 * Dates: Yahoo stamps a daily bar with the session's start instant, so the bar's date is that instant read in
 * the exchange's time zone (for Shanghai, 09:30 CST is 01:30 UTC the same day; reading it in UTC would be right
 * here but wrong for markets opening before midnight UTC). Rows with a missing price are dropped and counted.
 * A failure is recorded and never thrown out of a refresh.
 */
import { getCalendar } from "../../calendar/calendar.ts";
import { dateInZone, fromDayNumber, type IsoDate, toDayNumber } from "../../calendar/dates.ts";
import { type ExchangeCode, EXCHANGES } from "../../calendar/exchanges.ts";
import type { Clock } from "../../clock.ts";
import type { BarNamespace, BarRepo } from "../../store/bar_repo.ts";
import type { MarketFreshnessRepo } from "../../store/market_freshness_repo.ts";
import { emptySeries } from "../bar_codec.ts";
import type { BarSeries } from "../types.ts";
import type { YahooClient, YahooQuote } from "./yahoo_client.ts";
import { toYahooSymbol } from "./yahoo_symbols.ts";

/** Where Yahoo bars are stored. */
export const YAHOO_NAMESPACE: BarNamespace = { source: "yahoo", owner: "public" };
/** First date fetched for a symbol with nothing stored. */
export const YAHOO_HISTORY_START: IsoDate = "2015-01-01";

/** What a refresh needs. */
export interface YahooRefreshDeps {
  client: YahooClient;
  bars: BarRepo;
  freshness: MarketFreshnessRepo;
  clock: Clock;
  /** The exchange of a product symbol (for its time zone and calendar). */
  exchangeOf: (symbol: string) => ExchangeCode;
}

/** The outcome for one symbol. */
export interface YahooRefreshResult {
  symbol: string;
  added: number;
  dropped: number;
  last_bar_date: IsoDate | null;
  error: string | null;
}

/** Converts quotes to bars in the exchange's local dates, dropping incomplete rows and repeated dates. */
export function quotesToSeries(
  symbol: string,
  quotes: YahooQuote[],
  timeZone: string,
): { series: BarSeries; dropped: number } {
  const rows: { day: number; q: YahooQuote }[] = [];
  let dropped = 0;
  for (const q of quotes) {
    if ([q.open, q.high, q.low, q.close].some((v) => v === null || !Number.isFinite(v) || v <= 0)) {
      dropped++;
      continue;
    }
    const day = toDayNumber(dateInZone(q.time, timeZone));
    if (rows.length && rows[rows.length - 1].day >= day) {
      dropped++;
      continue;
    }
    rows.push({ day, q });
  }
  const series = emptySeries(symbol, "yahoo", rows.length);
  rows.forEach(({ day, q }, i) => {
    series.days[i] = day;
    series.open[i] = q.open!;
    series.close[i] = q.close!;
    series.high[i] = Math.max(q.high!, q.open!, q.close!);
    series.low[i] = Math.min(q.low!, q.open!, q.close!);
    series.volume[i] = q.volume ?? 0;
    series.adj_factor[i] = q.adjclose ? q.adjclose / q.close! : 1;
  });
  return { series, dropped };
}

/** Fetches new bars for each symbol (from the day after the stored last bar) and records freshness. */
export async function refreshYahooSymbols(
  deps: YahooRefreshDeps,
  symbols: string[],
): Promise<YahooRefreshResult[]> {
  const out: YahooRefreshResult[] = [];
  for (const symbol of symbols) {
    const exchange = deps.exchangeOf(symbol);
    const cal = getCalendar(exchange);
    const now = deps.clock.now();
    const expected = cal.latestCompletedTradingDay(now);
    const meta = await deps.bars.getMeta(YAHOO_NAMESPACE, symbol);
    const from = meta?.last_day != null ? fromDayNumber(meta.last_day + 1) : YAHOO_HISTORY_START;
    let result: YahooRefreshResult;
    try {
      const quotes = from <= expected
        ? await deps.client.dailyQuotes(toYahooSymbol(symbol), from, expected)
        : [];
      const { series, dropped } = quotesToSeries(symbol, quotes, EXCHANGES[exchange].timeZone);
      const completed = series.days.length && series.days[series.days.length - 1] > toDayNumber(expected)
        ? sliceBefore(series, toDayNumber(expected) + 1)
        : series;
      const stored = completed.days.length
        ? await deps.bars.appendBars(YAHOO_NAMESPACE, completed, now)
        : meta;
      result = {
        symbol,
        added: (stored?.rows ?? 0) - (meta?.rows ?? 0),
        dropped,
        last_bar_date: stored?.last_day != null ? fromDayNumber(stored.last_day) : null,
        error: null,
      };
    } catch (e) {
      result = {
        symbol,
        added: 0,
        dropped: 0,
        last_bar_date: meta?.last_day != null ? fromDayNumber(meta.last_day) : null,
        error: e instanceof Error ? e.message : String(e),
      };
    }
    const after = await deps.bars.getMeta(YAHOO_NAMESPACE, symbol);
    await deps.freshness.put({
      source: "yahoo",
      scope: symbol,
      last_bar_date: result.last_bar_date,
      expected_date: expected,
      stale: result.last_bar_date === null || result.last_bar_date < expected,
      symbols: 1,
      rows: after?.rows ?? null,
      first_bar_date: after?.first_day != null ? fromDayNumber(after.first_day) : null,
      checked_at: now,
      error: result.error,
    });
    out.push(result);
  }
  return out;
}

/** Rows strictly before `day` (an unfinished session is never stored). */
function sliceBefore(s: BarSeries, day: number): BarSeries {
  let n = 0;
  while (n < s.days.length && s.days[n] < day) n++;
  const out = emptySeries(s.symbol, s.source, n);
  for (const col of ["days", "open", "high", "low", "close", "volume", "adj_factor"] as const) {
    out[col].set(s[col].subarray(0, n));
  }
  return out;
}
