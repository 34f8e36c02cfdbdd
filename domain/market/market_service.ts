/**
 * The one `MarketData` the product reads through. Symbols: the synthetic catalogue, plus the caller's private
 * CSV imports and published imports. Bars: the caller's own import of a symbol first, then a published import,
 * then Yahoo (when enabled and it has bars for the symbol), then synthetic. Every symbol and series says its
 * `source`.
 */
import { getCalendar } from "../calendar/calendar.ts";
import { fromDayNumber, type IsoDate, toDayNumber } from "../calendar/dates.ts";
import type { Clock } from "../clock.ts";
import type { BarRepo } from "../store/bar_repo.ts";
import type { ImportedSymbolRecord, ImportedSymbolRepo } from "../store/imported_symbol_repo.ts";
import type { MarketFreshnessRepo } from "../store/market_freshness_repo.ts";
import type { SyntheticCacheRepo } from "../store/synthetic_cache_repo.ts";
import { YAHOO_NAMESPACE } from "./yahoo/yahoo_provider.ts";
import { toYahooSymbol, yahooExchangeOf } from "./yahoo/yahoo_symbols.ts";
import { EXCHANGES } from "../calendar/exchanges.ts";
import type { SyntheticProvider } from "./synthetic_provider.ts";
import type { SyntheticMarket } from "./synthetic/synthetic_market.ts";
import type {
  BarSeries,
  FreshnessEntry,
  MarketData,
  SymbolFilter,
  SymbolInfo,
  UniverseName,
} from "./types.ts";

/** What the service needs. */
export interface MarketServiceDeps {
  market: SyntheticMarket;
  synthetic: SyntheticProvider;
  bars: BarRepo;
  imports: ImportedSymbolRepo;
  marks: SyntheticCacheRepo;
  freshness: MarketFreshnessRepo;
  /** Serve Yahoo bars for symbols it has refreshed. */
  yahooEnabled: boolean;
  clock: Clock;
}

const toInfo = (r: ImportedSymbolRecord): SymbolInfo => {
  const { owner_id: _o, published: _p, rows: _r, start: _s, end: _e, imported_at: _i, ...info } = r;
  return info;
};

/** Metadata for a Yahoo-only symbol (outside the synthetic catalogue). */
function liveOnlyInfo(symbol: string): SymbolInfo {
  const exchange = yahooExchangeOf(toYahooSymbol(symbol));
  return {
    symbol,
    name: symbol,
    exchange,
    currency: EXCHANGES[exchange].currency,
    kind: symbol.startsWith("^") ? "index" : exchange === "CRYPTO" ? "crypto" : "stock",
    sector: null,
    market_cap_class: null,
    lot_size: exchange === "SSE" || exchange === "SZSE" || exchange === "IDX" ? 100 : 1,
    price_limit: null,
    syariah: null,
    universes: [],
    source: "yahoo",
  };
}

/** Creates the market-data service. */
export function createMarketData(deps: MarketServiceDeps): MarketData {
  async function importFor(symbol: string, ownerId?: string | null): Promise<ImportedSymbolRecord | null> {
    if (ownerId) {
      const own = await deps.imports.get(ownerId, symbol);
      if (own) return own;
    }
    return (await deps.imports.listPublished()).find((r) => r.symbol === symbol) ?? null;
  }

  return {
    async listSymbols(filter: SymbolFilter = {}) {
      const imported = [
        ...(filter.ownerId ? await deps.imports.list(filter.ownerId) : []),
        ...(await deps.imports.listPublished()).filter((r) => r.owner_id !== filter.ownerId),
      ].map(toInfo);
      const q = filter.q?.toLowerCase();
      return [...imported, ...deps.market.symbols()].filter((s) =>
        (!filter.universe || s.universes.includes(filter.universe)) &&
        (!filter.exchange || s.exchange === filter.exchange) &&
        (!q || s.symbol.toLowerCase().includes(q) || s.name.toLowerCase().includes(q))
      );
    },
    async getSymbol(symbol, ownerId) {
      const imported = await importFor(symbol, ownerId);
      if (imported) return toInfo(imported);
      const info = deps.market.symbol(symbol);
      if (deps.yahooEnabled && (await deps.bars.getMeta(YAHOO_NAMESPACE, symbol))) {
        return { ...(info ?? liveOnlyInfo(symbol)), source: "yahoo" as const };
      }
      return info;
    },
    async getBars(symbol, start, end, ownerId): Promise<BarSeries | null> {
      const imported = await importFor(symbol, ownerId);
      if (imported) {
        return await deps.bars.getBars(
          { source: "csv", owner: imported.owner_id },
          symbol,
          toDayNumber(start),
          toDayNumber(end),
        );
      }
      if (deps.yahooEnabled) {
        // A symbol Yahoo has refreshed is served from Yahoo for the whole range (never spliced with synthetic).
        const live = await deps.bars.getBars(YAHOO_NAMESPACE, symbol, toDayNumber(start), toDayNumber(end));
        if (live) return live;
      }
      if (!deps.market.symbol(symbol)) return null;
      return await deps.synthetic.getBars(symbol, start, end);
    },
    getUniverse: (name: UniverseName) => Promise.resolve([...deps.market.universe(name)]),
    getFundamentals(symbol) {
      return Promise.resolve(
        deps.market.symbol(symbol) ? deps.market.fundamentals(symbol, deps.synthetic.targetDate(symbol)) : [],
      );
    },
    async freshness(): Promise<FreshnessEntry[]> {
      const now = deps.clock.now();
      const out: FreshnessEntry[] = [];
      const groups: [string, string][] = [["SSE", "000300.SH"], ["NSE", "^NSEI"], ["IDX", "^JKSE"], [
        "NYSE",
        "^GSPC",
      ], [
        "CRYPTO",
        "BTC-USD",
      ]];
      for (const [exchange, probe] of groups) {
        const meta = await deps.bars.getMeta(deps.synthetic.namespace, probe);
        const expected: IsoDate = getCalendar(exchange as "SSE").latestCompletedTradingDay(now);
        const last = meta?.last_day != null ? fromDayNumber(meta.last_day) : null;
        out.push({
          source: "synthetic",
          scope: exchange,
          last_bar_date: last,
          expected_date: expected,
          // Synthetic data is generated on demand: not yet generated is not stale, it is produced on first read.
          stale: last !== null && last < expected,
          symbols: deps.market.symbols().filter((s) =>
            (s.exchange === "SZSE" ? "SSE" : s.exchange) === exchange
          ).length,
          rows: meta?.rows ?? null,
          first_bar_date: meta?.first_day != null ? fromDayNumber(meta.first_day) : null,
          checked_at: now,
          error: null,
        });
      }
      return [...out, ...(await deps.freshness.list())];
    },
  };
}
