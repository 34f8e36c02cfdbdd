/**
 * Pulls daily bars from Yahoo into the bar store (namespace `yahoo/public`) and records freshness per symbol.
 * Dates: Yahoo stamps a daily bar with the session's start instant, so the bar's date is that instant read in
 * the exchange's time zone (for Shanghai, 09:30 CST is 01:30 UTC the same day; reading it in UTC would be right
 * here but wrong for markets opening before midnight UTC). A bar stamped at local midnight east of UTC falls on
 * the previous UTC date, so every request starts one day early and the local dates are filtered afterwards.
 * Rows with a missing price are dropped and their dates reported. A failure is recorded and never thrown out of
 * a refresh.
 */
import { getCalendar } from "../../calendar/calendar.ts";
import { addDays, dateInZone, fromDayNumber, type IsoDate, toDayNumber } from "../../calendar/dates.ts";
import { type ExchangeCode, EXCHANGES } from "../../calendar/exchanges.ts";
import type { Clock } from "../../clock.ts";
import type { BarNamespace, BarRepo } from "../../store/bar_repo.ts";
import type { MarketFreshnessRepo } from "../../store/market_freshness_repo.ts";
import { emptySeries } from "../../store/bar_codec.ts";
import { MAX_PRICE, MAX_VOLUME, MIN_PRICE } from "../csv/parse_bars_csv.ts";
import type { BarSeries } from "../types.ts";
import { type YahooClient, YahooFetchError, type YahooQuote } from "./yahoo_client.ts";
import { toYahooSymbol } from "./yahoo_symbols.ts";

/** Where Yahoo bars are stored. */
export const YAHOO_NAMESPACE: BarNamespace = { source: "yahoo", owner: "public" };
/** First date fetched for a symbol with nothing stored. */
const YAHOO_HISTORY_START: IsoDate = "2015-01-01";

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
  /** Local dates of rows dropped for a missing price or a repeated date. */
  dropped: IsoDate[];
  /** `true` when Yahoo had revised a stored day and the series was re-fetched whole. */
  rebased: boolean;
  last_bar_date: IsoDate | null;
  error: string | null;
}

/**
 * Converts quotes to bars on the exchange's local dates. Rows outside `window` (day numbers, inclusive) are
 * skipped; inside it, a row with a missing price, a price or adjusted close outside `MIN_PRICE` … `MAX_PRICE`, a
 * volume outside 0 … `MAX_VOLUME` (the bounds of the CSV import), or repeating an earlier date, is dropped and
 * its local date reported in `dropped`. High and low are widened to hold open and close; a missing volume is 0,
 * a missing adjusted close gives factor 1 (`adj_factor = adjclose / close`).
 */
export function quotesToSeries(
  symbol: string,
  quotes: YahooQuote[],
  timeZone: string,
  window: { startDay: number; endDay: number } = { startDay: -Infinity, endDay: Infinity },
): { series: BarSeries; dropped: IsoDate[] } {
  const rows: { day: number; q: YahooQuote }[] = [];
  const dropped: IsoDate[] = [];
  for (const q of quotes) {
    const date = dateInZone(q.time, timeZone);
    const day = toDayNumber(date);
    if (day < window.startDay || day > window.endDay) continue;
    const incomplete = [q.open, q.high, q.low, q.close].some((v) =>
      v === null || !(v >= MIN_PRICE && v <= MAX_PRICE)
    );
    // The bounds of the CSV import: past them order sizes and position values overflow downstream.
    const unusable = (q.volume !== null && !(q.volume >= 0 && q.volume <= MAX_VOLUME)) ||
      (!!q.adjclose && !(q.adjclose >= MIN_PRICE && q.adjclose <= MAX_PRICE));
    if (incomplete || unusable || (rows.length && rows[rows.length - 1].day >= day)) {
      dropped.push(date);
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

/** Relative difference above which a re-fetched stored day counts as revised (float32 noise is ~1e-7). */
const REVISION_TOLERANCE = 1e-6;

const differs = (a: number, b: number) =>
  Math.abs(a - b) > REVISION_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));

/**
 * Fetches new bars for each symbol and records freshness. The request starts at the stored last day, so that
 * day comes back too: when Yahoo's close or adjustment factor for it has changed (a dividend or split since,
 * which re-bases Yahoo's whole back-adjusted history), the series is re-fetched from its first day and
 * replaced; otherwise only the days after it are appended. A symbol with nothing stored starts at 2015-01-01.
 */
export async function refreshYahooSymbols(
  deps: YahooRefreshDeps,
  symbols: string[],
): Promise<YahooRefreshResult[]> {
  const out: YahooRefreshResult[] = [];
  for (const symbol of symbols) {
    const exchange = deps.exchangeOf(symbol);
    const timeZone = EXCHANGES[exchange].timeZone;
    const now = deps.clock.now();
    const expected = getCalendar(exchange).latestCompletedTradingDay(now);
    const meta = await deps.bars.getMeta(YAHOO_NAMESPACE, symbol);
    const lastDay = meta?.last_day ?? null;
    // Quotes with local dates in [from, to] (the request starts a day early: see the module comment).
    const fetchRange = async (from: IsoDate, to: IsoDate) =>
      quotesToSeries(
        symbol,
        await deps.client.dailyQuotes(toYahooSymbol(symbol), addDays(from, -1), to),
        timeZone,
        { startDay: toDayNumber(from), endDay: toDayNumber(to) },
      );
    let result: YahooRefreshResult;
    try {
      let stored = meta;
      let dropped: IsoDate[] = [];
      let rebased = false;
      if (lastDay === null) {
        const fetched = await fetchRange(YAHOO_HISTORY_START, expected);
        dropped = fetched.dropped;
        if (fetched.series.days.length) {
          stored = await deps.bars.appendBars(YAHOO_NAMESPACE, fetched.series, now);
        }
      } else if (fromDayNumber(lastDay) < expected) {
        const fetched = await fetchRange(fromDayNumber(lastDay), expected);
        dropped = fetched.dropped.filter((d) => d > fromDayNumber(lastDay));
        const overlap = fetched.series.days[0] === lastDay
          ? await deps.bars.getBars(YAHOO_NAMESPACE, symbol, lastDay, lastDay)
          : null;
        rebased = overlap !== null && overlap.days.length === 1 && (
          differs(overlap.close[0], fetched.series.close[0]) ||
          differs(overlap.adj_factor[0], fetched.series.adj_factor[0])
        );
        if (rebased) {
          const full = await fetchRange(fromDayNumber(meta!.first_day ?? lastDay), expected);
          if (!full.series.days.length) {
            throw new YahooFetchError(`Yahoo chart ${toYahooSymbol(symbol)}: re-fetch returned no bars`);
          }
          dropped = full.dropped.filter((d) => d > fromDayNumber(lastDay));
          stored = await deps.bars.replaceSeries(YAHOO_NAMESPACE, full.series, now);
        } else {
          // `appendBars` ignores the overlapping day.
          stored = await deps.bars.appendBars(YAHOO_NAMESPACE, fetched.series, now);
        }
      }
      result = {
        symbol,
        added: (stored?.rows ?? 0) - (meta?.rows ?? 0),
        dropped,
        rebased,
        last_bar_date: stored?.last_day != null ? fromDayNumber(stored.last_day) : null,
        error: null,
      };
    } catch (e) {
      result = {
        symbol,
        added: 0,
        dropped: [],
        rebased: false,
        last_bar_date: lastDay !== null ? fromDayNumber(lastDay) : null,
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
