/**
 * A tiny hand-written `SyntheticMarket` for unit tests of the provider and the market service: four symbols,
 * history from `SYNTHETIC_START` like the real one, prices that are a pure function of (seed, symbol, day) so
 * generation is prefix-stable, suspensions on every 11th trading day of `AAA.SH`, and a log of every `bars()` call.
 */
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { type IsoDate, toDayNumber } from "../../domain/calendar/dates.ts";
import type { ExchangeCode } from "../../domain/calendar/exchanges.ts";
import { emptySeries } from "../../domain/store/bar_codec.ts";
import { SYNTHETIC_START, type SyntheticMarket } from "../../domain/market/synthetic/synthetic_market.ts";
import type { BarSeries, FundamentalsRow, SymbolInfo, UniverseName } from "../../domain/market/types.ts";

/** First day of the fake's history (the real market's first day). */
export const FAKE_START: IsoDate = SYNTHETIC_START;

const info = (
  symbol: string,
  exchange: ExchangeCode,
  kind: SymbolInfo["kind"],
  universes: UniverseName[],
  name: string,
): SymbolInfo => ({
  symbol,
  name,
  exchange,
  currency: exchange === "CRYPTO" ? "USD" : "CNY",
  kind,
  sector: kind === "stock" ? "Financials" : null,
  market_cap_class: kind === "stock" ? "large" : null,
  lot_size: exchange === "CRYPTO" ? 1 : 100,
  price_limit: exchange === "CRYPTO" ? null : 0.1,
  syariah: null,
  universes,
  source: "synthetic",
});

/** The fake's catalogue. */
export const FAKE_SYMBOLS: readonly SymbolInfo[] = [
  info("AAA.SH", "SSE", "stock", ["hs300"], "Alpha Bank"),
  info("BBB.SZ", "SZSE", "stock", ["hs300"], "Beta Motors"),
  info("000300.SH", "SSE", "index", [], "Fake 300"),
  info("COIN-USD", "CRYPTO", "crypto", ["crypto"], "Coin"),
];

/** `true` for the days `AAA.SH` is suspended (every 11th SSE trading day from `FAKE_START`, the first excluded). */
export function isFakeSuspension(symbol: string, index: number): boolean {
  return symbol === "AAA.SH" && index > 0 && index % 11 === 0;
}

/** A fake market plus a log of its `bars()` calls (tests may clear it). */
export type FakeSyntheticMarket = SyntheticMarket & { calls: { symbol: string; through: IsoDate }[] };

/** Creates the fake; `priceShift` changes every price (a stand-in for a new generator version). */
export function createFakeSyntheticMarket(
  opts: { seed?: number; priceShift?: number } = {},
): FakeSyntheticMarket {
  const seed = opts.seed ?? 42;
  const shift = opts.priceShift ?? 0;
  const calls: { symbol: string; through: IsoDate }[] = [];
  const bySymbol = new Map(FAKE_SYMBOLS.map((s) => [s.symbol, s]));
  return {
    seed,
    calls,
    symbols: () => FAKE_SYMBOLS,
    symbol: (s) => bySymbol.get(s) ?? null,
    universe: (name) => FAKE_SYMBOLS.filter((s) => s.universes.includes(name)).map((s) => s.symbol),
    indexOf: (name) => (name === "hs300" ? "000300.SH" : null),
    bars(symbol, through): BarSeries {
      const s = bySymbol.get(symbol);
      if (!s) throw new Error(`unknown fake symbol ${symbol}`);
      calls.push({ symbol, through });
      const cal = getCalendar(s.exchange === "SZSE" ? "SSE" : s.exchange);
      const days = cal.tradingDaysBetween(FAKE_START, through).filter((_, i) => !isFakeSuspension(symbol, i));
      const out = emptySeries(symbol, "synthetic", days.length);
      const base = 10 + (seed % 7) + shift + symbol.charCodeAt(0) / 10;
      days.forEach((d, i) => {
        const day = toDayNumber(d);
        const close = base + (day % 13) / 4;
        out.days[i] = day;
        out.open[i] = close - 0.25;
        out.high[i] = close + 0.5;
        out.low[i] = close - 0.5;
        out.close[i] = close;
        out.volume[i] = 1000 + (day % 5) * 100;
        out.adj_factor[i] = 1;
      });
      return out;
    },
    fundamentals(symbol, through): FundamentalsRow[] {
      if (bySymbol.get(symbol)?.kind !== "stock") return [];
      const rows: FundamentalsRow[] = [
        { period_end: "2025-12-31", available_on: "2026-03-31" },
        { period_end: "2026-03-31", available_on: "2026-04-30" },
      ].map((p) => ({
        symbol,
        ...p,
        pe_ratio: 12,
        pbv: 1.5,
        roe: 0.12,
        de_ratio: 0.8,
        roa: 0.02,
        npm: 0.3,
        eps: 1,
      }));
      return rows.filter((r) => r.available_on <= through);
    },
  };
}
