/**
 * What a client reads of the market: a page of symbols, the bars of one symbol over a range (default: the last
 * year up to the exchange's today; at most 20 years), and the freshness of every source. Error paths are
 * relative to the request (`["start"]`).
 */
import { iso } from "../iso_time.ts";
import { getCalendar } from "../calendar/calendar.ts";
import { addDays, fromDayNumber } from "../calendar/dates.ts";
import { EXCHANGE_CODES, type ExchangeCode } from "../calendar/exchanges.ts";
import type { Clock } from "../clock.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { Page } from "../store/kv.ts";
import type { DataSource, FreshnessEntry, MarketData, SymbolInfo, UniverseName } from "./types.ts";

/** Longest range one bars answer may span. */
const MAX_RANGE_DAYS = 366 * 20;

/** What the reads need. */
export interface MarketReadDeps {
  data: MarketData;
  clock: Clock;
}

/** One daily bar. */
export interface BarView {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  adj_factor: number;
}

/** The bars of a symbol over a range, with where they come from. */
export interface BarsView {
  symbol: string;
  source: DataSource;
  exchange: string;
  currency: string;
  start: string;
  end: string;
  count: number;
  bars: BarView[];
}

/** A freshness entry with its check time as ISO text. */
export type FreshnessView = Omit<FreshnessEntry, "checked_at"> & { checked_at: string };

/** The minute `marketDays` last answered for, and its answer. */
let daysMemo: { minute: number; text: string } | null = null;

/**
 * What a bars or freshness answer reads of the clock, as text: each exchange's today (the default end of a bars
 * range) and latest completed trading day (how far synthetic series reach; freshness's expected date). Both
 * depend on the wall-clock minute only (every exchange zone is offset from UTC by whole minutes), so the text is
 * worked out once a minute. Installed official closures also move them: answers keyed on this text are scoped to
 * the calendar too.
 */
export function marketDays(nowMs: number): string {
  const minute = Math.floor(nowMs / 60_000);
  if (daysMemo?.minute === minute) return daysMemo.text;
  const text = EXCHANGE_CODES.map((code) => {
    const cal = getCalendar(code);
    return `${cal.today(nowMs)}.${cal.latestCompletedTradingDay(nowMs)}`;
  }).join(".");
  daysMemo = { minute, text };
  return text;
}

/** A page of the symbols `ownerId` sees (synthetic, published imports and their own imports). */
export async function symbolPage(
  deps: MarketReadDeps,
  ownerId: string | null,
  query: { universe?: UniverseName; exchange?: ExchangeCode; q?: string; limit: number; offset: number },
): Promise<Page<SymbolInfo>> {
  const all = await deps.data.listSymbols({
    universe: query.universe,
    exchange: query.exchange,
    q: query.q,
    ownerId,
  });
  return {
    items: all.slice(query.offset, query.offset + query.limit),
    total: all.length,
    limit: query.limit,
    offset: query.offset,
  };
}

/** The bars of `symbol` from `start` to `end` (defaults: a year back from the exchange's today). */
export async function barsOf(
  deps: MarketReadDeps,
  ownerId: string | null,
  symbol: string,
  range: { start?: string; end?: string },
): Promise<BarsView> {
  const info = await deps.data.getSymbol(symbol, ownerId);
  if (!info) throw new NotFoundError(`Unknown symbol "${symbol}"`);
  const end = range.end ?? getCalendar(info.exchange).today(deps.clock.now());
  const start = range.start ?? addDays(end, -365);
  if (start > end) throw new ValidationError("start must not be after end", ["start"]);
  if (addDays(start, MAX_RANGE_DAYS) < end) {
    throw new ValidationError("A request may span at most 20 years", ["start"], "range_too_long");
  }
  const series = await deps.data.getBars(symbol, start, end, ownerId);
  if (!series) throw new NotFoundError(`Unknown symbol "${symbol}"`);
  const bars = Array.from(series.days, (d, i) => ({
    date: fromDayNumber(d),
    open: series.open[i],
    high: series.high[i],
    low: series.low[i],
    close: series.close[i],
    volume: series.volume[i],
    adj_factor: series.adj_factor[i],
  }));
  return {
    symbol: info.symbol,
    source: series.source,
    exchange: info.exchange,
    currency: info.currency,
    start,
    end,
    count: bars.length,
    bars,
  };
}

/** Last bar date per source and market (and per import `ownerId` sees). */
export async function freshnessOf(
  deps: MarketReadDeps,
  ownerId: string | null,
): Promise<{ items: FreshnessView[] }> {
  const items = (await deps.data.freshness(ownerId)).map((e) => ({
    ...e,
    checked_at: iso(e.checked_at),
  }));
  return { items };
}
