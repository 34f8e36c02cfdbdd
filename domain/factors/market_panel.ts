/**
 * The platform's own prices as date × symbol panels for factor work (issue 15): the close panel validation
 * and out-of-sample tracking measure forward returns on, and the bar panels formula factors are computed from.
 */
import { getCalendar, isSupportedCalendarDate } from "../calendar/calendar.ts";
import { isIsoDate, type IsoDate, toDayNumber } from "../calendar/dates.ts";
import { BadRequestError } from "../errors.ts";
import { openRunMarket } from "../market/market_service.ts";
import type { MarketData, SymbolInfo } from "../market/types.ts";
import type { FactorUniverse } from "../store/factor_repo.ts";

/** A universe's bars on every SSE trading day of a span, `Float64Array(D × N)` row-major, NaN = no bar. */
export interface MarketPanel {
  /** Every SSE trading day of the span, ascending. */
  dates: string[];
  /** The universe's stock symbols, ascending. */
  symbols: string[];
  sectors: (string | null)[];
  /** Prices adjusted for splits and dividends (raw × `adj_factor`); `close` is what forward returns read. */
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  /** Raw volume. */
  volume: Float64Array;
  /** (high + low + close) / 3 of the adjusted prices (the bars carry no traded value). */
  vwap: Float64Array;
}

/** Most SSE trading days one panel spans (warm-up and forward days included): about 12 years. */
const MAX_PANEL_DAYS = 3000;

/** Symbols whose bars are read at the same time (the reads overlap; generation is synchronous anyway). */
const CONCURRENT_READS = 16;

/**
 * Loads `universe`'s bars from `start` to `end` (inclusive), extended by `before` SSE trading days before
 * `start` (formula warm-up) and `after` trading days after `end` (forward returns), never past the last
 * completed day the market has: the dates stop at the last day any of the universe's stocks has a bar (days after
 * it are not in the panel at all, rather than rows of NaN). Symbols are the universe's stocks (indexes and ETFs
 * left out), ascending; a day a stock has no bar (suspended, not yet listed) is NaN in every panel. Prices are
 * multiplied by the bar's `adj_factor`, so a close-to-close ratio of the adjusted close is the total return
 * (dividends included); volume is raw; `vwap` is (high + low + close) / 3 of the adjusted prices.
 * `BadRequestError` for a malformed or reversed span, negative or fractional `before`/`after`, or more than
 * `MAX_PANEL_DAYS` trading days.
 */
export async function loadMarketPanel(
  market: MarketData,
  universe: FactorUniverse,
  span: { start: string; end: string; before?: number; after?: number },
): Promise<MarketPanel> {
  const dates = panelDates(span);
  const members = await market.getUniverse(universe);
  const infos = new Map<string, SymbolInfo>();
  for (const info of await market.listSymbols({ universe })) infos.set(info.symbol, info);
  const symbols = [...new Set(members)].filter((s) => infos.get(s)?.kind === "stock").sort();
  const sectors = symbols.map((s) => infos.get(s)?.sector ?? null);
  const nd = dates.length, ns = symbols.length;
  const panel: MarketPanel = {
    dates,
    symbols,
    sectors,
    open: new Float64Array(nd * ns).fill(NaN),
    high: new Float64Array(nd * ns).fill(NaN),
    low: new Float64Array(nd * ns).fill(NaN),
    close: new Float64Array(nd * ns).fill(NaN),
    volume: new Float64Array(nd * ns).fill(NaN),
    vwap: new Float64Array(nd * ns).fill(NaN),
  };
  if (!nd || !ns) return panel;
  const rowOf = new Map<number, number>();
  dates.forEach((d, r) => rowOf.set(toDayNumber(d), r));
  let lastRow = -1;
  const reader = openRunMarket(market, symbols, null);
  let next = 0;
  const work = async () => {
    for (let c = next++; c < ns; c = next++) {
      const bars = await reader.getBars(symbols[c], dates[0], dates[nd - 1]);
      if (!bars) continue;
      for (let i = 0; i < bars.days.length; i++) {
        const r = rowOf.get(bars.days[i]);
        if (r === undefined) continue;
        const at = r * ns + c, adj = bars.adj_factor[i];
        const high = bars.high[i] * adj, low = bars.low[i] * adj, close = bars.close[i] * adj;
        panel.open[at] = bars.open[i] * adj;
        panel.high[at] = high;
        panel.low[at] = low;
        panel.close[at] = close;
        panel.volume[at] = bars.volume[i];
        panel.vwap[at] = (high + low + close) / 3;
        if (r > lastRow) lastRow = r;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_READS, ns) }, work));
  return lastRow === nd - 1 ? panel : truncatePanel(panel, lastRow + 1);
}

/** Every SSE trading day of the span, validated and bounded. */
function panelDates(span: { start: string; end: string; before?: number; after?: number }): IsoDate[] {
  const { start, end } = span;
  const before = span.before ?? 0, after = span.after ?? 0;
  for (const [name, date] of [["start", start], ["end", end]] as const) {
    if (!isIsoDate(date) || !isSupportedCalendarDate(date)) {
      throw new BadRequestError(`Panel ${name} must be a supported date in YYYY-MM-DD form, got "${date}"`);
    }
  }
  if (end < start) throw new BadRequestError(`Panel end ${end} is before its start ${start}`);
  for (const [name, n] of [["before", before], ["after", after]] as const) {
    if (!Number.isInteger(n) || n < 0 || n > MAX_PANEL_DAYS) {
      throw new BadRequestError(
        `Panel ${name} must be a whole number of trading days from 0 to ${MAX_PANEL_DAYS}`,
      );
    }
  }
  // Counting trading days costs the holiday rules of every year in between: a span of more calendar days than
  // twice the bound (SSE has about 242 trading days in 365) is refused without counting.
  const calendarDays = toDayNumber(end) - toDayNumber(start) + 1;
  if (calendarDays > 2 * MAX_PANEL_DAYS || before + after > MAX_PANEL_DAYS) {
    throw new BadRequestError(
      `A market panel spans at most ${MAX_PANEL_DAYS} trading days; ${start}..${end} with ${before} before and ` +
        `${after} after is more`,
    );
  }
  const cal = getCalendar("SSE");
  const core = cal.countTradingDays(start, end);
  if (core + before + after > MAX_PANEL_DAYS) {
    throw new BadRequestError(
      `A market panel spans at most ${MAX_PANEL_DAYS} trading days; ${start}..${end} with ${before} before and ` +
        `${after} after is ${core + before + after}`,
    );
  }
  const first = before > 0 ? cal.tradingDayOffset(start, -before) : start;
  const last = after > 0 ? cal.tradingDayOffset(end, after) : end;
  return cal.tradingDaysBetween(first, last);
}

/** The panel's first `rows` dates. */
function truncatePanel(p: MarketPanel, rows: number): MarketPanel {
  const n = rows * p.symbols.length;
  return {
    dates: p.dates.slice(0, rows),
    symbols: p.symbols,
    sectors: p.sectors,
    open: p.open.slice(0, n),
    high: p.high.slice(0, n),
    low: p.low.slice(0, n),
    close: p.close.slice(0, n),
    volume: p.volume.slice(0, n),
    vwap: p.vwap.slice(0, n),
  };
}
