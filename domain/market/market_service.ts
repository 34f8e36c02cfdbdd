/**
 * The one `MarketData` the product reads through. Symbols: the synthetic catalogue, plus the caller's private
 * CSV imports and published imports, plus (when Yahoo is enabled) the symbols Yahoo has bars for. Bars: the
 * caller's own import of a symbol first, then a published import, then Yahoo (when enabled and it has bars for
 * the symbol), then synthetic; the symbol list applies the same precedence (one entry per symbol). Every symbol
 * and series says its `source`.
 */
import { getCalendar } from "../calendar/calendar.ts";
import { fromDayNumber, toDayNumber } from "../calendar/dates.ts";
import type { Clock } from "../clock.ts";
import { sha256Hex } from "../tokens_and_hashes.ts";
import type { BarNamespace, BarRepo, BarSeriesMeta } from "../store/bar_repo.ts";
import { createBarCache } from "./bar_cache.ts";
import { sliceSeries, viewSeries } from "../store/bar_codec.ts";
import type { ImportedSymbolRecord, ImportedSymbolRepo } from "../store/imported_symbol_repo.ts";
import type { MarketFreshnessRepo } from "../store/market_freshness_repo.ts";
import type { SyntheticCacheRepo } from "../store/synthetic_cache_repo.ts";
import { YAHOO_NAMESPACE, type YahooRefreshDeps } from "./yahoo/yahoo_provider.ts";
import { toYahooSymbol, yahooExchangeOf } from "./yahoo/yahoo_symbols.ts";
import { EXCHANGE_CODES, type ExchangeCode, EXCHANGES } from "../calendar/exchanges.ts";
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

/** Market options from configuration. */
export interface MarketOptions {
  seed: number;
  cacheBytes: number;
  yahoo?: { enabled: boolean; symbols: string[]; baseUrl?: string };
}

/** Market services plus the pieces routes and jobs use directly. */
export type MarketDeps = MarketServiceDeps & {
  data: MarketData;
  /** Yahoo refresh dependencies and symbols, when Yahoo is enabled. */
  yahoo: (YahooRefreshDeps & { symbols: string[] }) | null;
};

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

/** Bytes of imported series each service keeps decoded in memory (whole series; least recently used go first). */
const IMPORT_CACHE_BYTES = 64 * 1024 * 1024;

/** What changes whenever a stored series does (a replacement is a new generation, an append moves the rest). */
const stampOf = (m: BarSeriesMeta) => `${m.gen}:${m.updated_at}:${m.rows}:${m.last_day}`;

/**
 * What one backtest run reads: symbol look-ups and bars of the symbols it named, for one caller. Bars may be views
 * of the service's decoded cache: the run only reads them, never writes into them.
 */
export interface RunMarket {
  getSymbol(symbol: string): Promise<SymbolInfo | null>;
  getBars(symbol: string, start: string, end: string): Promise<BarSeries | null>;
}

/** The batched run readers of the services this module built (a wrapped or other `MarketData` has none). */
const runReaders = new WeakMap<
  MarketData,
  (symbols: readonly string[], ownerId: string | null) => RunMarket
>();

/**
 * Opens what a run of `symbols` for `ownerId` reads. From a service built here, the caller's import records of all
 * `symbols` are read at once (in batches of KV's `getMany` limit, concurrently) when the first look-up needs them,
 * and imported bars are handed out as views of the decoded cache instead of copies; any other `MarketData` is read
 * one call at a time, as it is. Either way each symbol is served by the same source with the same bars.
 */
export function openRunMarket(
  market: MarketData,
  symbols: readonly string[],
  ownerId: string | null,
): RunMarket {
  const reader = runReaders.get(market);
  if (reader) return reader(symbols, ownerId);
  return {
    getSymbol: (symbol) => market.getSymbol(symbol, ownerId),
    getBars: (symbol, start, end) => market.getBars(symbol, start, end, ownerId),
  };
}

/** Creates the market-data service. */
export function createMarketData(deps: MarketServiceDeps): MarketData {
  const importCache = createBarCache(IMPORT_CACHE_BYTES);

  /**
   * Bars of an imported series: the whole series is read once and kept decoded, keyed by its meta's stamp, so
   * later reads cost one meta read and a copy of the range; a series replaced or appended to since is read
   * afresh. A whole read is cached only when the meta did not change while it was read (else the range is read
   * directly, as without the cache).
   */
  async function importedBars(
    ns: BarNamespace,
    symbol: string,
    start: string,
    end: string,
    view = false,
    known?: BarSeriesMeta | null,
  ) {
    const meta = known !== undefined ? known : await deps.bars.getMeta(ns, symbol);
    if (!meta || meta.first_day === null || meta.last_day === null) {
      return await deps.bars.getBars(ns, symbol, toDayNumber(start), toDayNumber(end));
    }
    const key = `${ns.owner}\u0000${symbol}\u0000${stampOf(meta)}`;
    let whole = importCache.get(key);
    if (!whole) {
      const read = await deps.bars.getBars(ns, symbol, meta.first_day, meta.last_day);
      const after = await deps.bars.getMeta(ns, symbol);
      if (!read || !after || stampOf(after) !== stampOf(meta)) {
        // Changed while it was read: read the range as it is now, and cache nothing.
        return await deps.bars.getBars(ns, symbol, toDayNumber(start), toDayNumber(end));
      }
      importCache.set(key, read);
      whole = read;
    }
    return (view ? viewSeries : sliceSeries)(whole, toDayNumber(start), toDayNumber(end));
  }

  /** The import that serves `symbol` to `ownerId`: their own first, then the published one. */
  async function importFor(symbol: string, ownerId?: string | null): Promise<ImportedSymbolRecord | null> {
    if (ownerId) {
      const own = await deps.imports.get(ownerId, symbol);
      if (own) return own;
    }
    return await deps.imports.getPublished(symbol);
  }

  /** The imports visible to `ownerId`, one per symbol (their own wins over a published one), by symbol. */
  async function visibleImports(ownerId?: string | null): Promise<ImportedSymbolRecord[]> {
    const own = ownerId ? await deps.imports.list(ownerId) : [];
    const mine = new Set(own.map((r) => r.symbol));
    const published = (await deps.imports.listPublished()).filter((r) => !mine.has(r.symbol));
    return [...own, ...published].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  }

  /** Symbols with Yahoo bars stored (empty when Yahoo is disabled). */
  async function yahooSymbols(): Promise<Set<string>> {
    if (!deps.yahooEnabled) return new Set();
    return new Set((await deps.bars.listMetas(YAHOO_NAMESPACE)).map((m) => m.symbol));
  }

  /** A symbol no import serves: Yahoo's (when it has bars), else the synthetic catalogue's. */
  async function unimportedSymbol(symbol: string): Promise<SymbolInfo | null> {
    const info = deps.market.symbol(symbol);
    if (deps.yahooEnabled && (await deps.bars.getMeta(YAHOO_NAMESPACE, symbol))) {
      return { ...(info ?? liveOnlyInfo(symbol)), source: "yahoo" as const };
    }
    return info;
  }

  /** Bars of a symbol no import serves: Yahoo's (when it has them), else synthetic. */
  async function unimportedBars(symbol: string, start: string, end: string): Promise<BarSeries | null> {
    if (deps.yahooEnabled) {
      // A symbol Yahoo has refreshed is served from Yahoo for the whole range (never spliced with synthetic).
      const live = await deps.bars.getBars(YAHOO_NAMESPACE, symbol, toDayNumber(start), toDayNumber(end));
      if (live) return live;
    }
    if (!deps.market.symbol(symbol)) return null;
    return await deps.synthetic.getBars(symbol, start, end);
  }

  const service: MarketData = {
    async listSymbols(filter: SymbolFilter = {}) {
      const imported = (await visibleImports(filter.ownerId)).map(toInfo);
      const taken = new Set(imported.map((s) => s.symbol));
      const live = await yahooSymbols();
      const out: SymbolInfo[] = [...imported];
      for (const info of deps.market.symbols()) {
        if (taken.has(info.symbol)) continue;
        taken.add(info.symbol);
        out.push(live.has(info.symbol) ? { ...info, source: "yahoo" } : info);
      }
      for (const symbol of [...live].sort()) if (!taken.has(symbol)) out.push(liveOnlyInfo(symbol));
      const q = filter.q?.toLowerCase();
      return out.filter((s) =>
        (!filter.universe || s.universes.includes(filter.universe)) &&
        (!filter.exchange || s.exchange === filter.exchange) &&
        (!q || s.symbol.toLowerCase().includes(q) || s.name.toLowerCase().includes(q))
      );
    },
    async getSymbol(symbol, ownerId) {
      const imported = await importFor(symbol, ownerId);
      return imported ? toInfo(imported) : await unimportedSymbol(symbol);
    },
    async getBars(symbol, start, end, ownerId): Promise<BarSeries | null> {
      const imported = await importFor(symbol, ownerId);
      if (imported) {
        return await importedBars({ source: "csv", owner: imported.owner_id }, symbol, start, end);
      }
      return await unimportedBars(symbol, start, end);
    },
    getUniverse: (name: UniverseName) => Promise.resolve([...deps.market.universe(name)]),
    async dataVersion(symbols, end, ownerId) {
      const parts: string[] = [];
      for (const symbol of [...new Set(symbols)].sort()) {
        const imported = await importFor(symbol, ownerId);
        if (imported) {
          parts.push(`${symbol}=csv:${imported.owner_id}:${imported.imported_at}:${imported.rows}`);
          continue;
        }
        const live = deps.yahooEnabled ? await deps.bars.getMeta(YAHOO_NAMESPACE, symbol) : null;
        if (live) {
          parts.push(`${symbol}=yahoo:${live.gen}:${live.updated_at}:${live.rows}`);
          continue;
        }
        if (!deps.market.symbol(symbol)) {
          parts.push(`${symbol}=none`);
          continue;
        }
        // Synthetic bars are deterministic: once generated through `end`, the range read never changes.
        const through = deps.synthetic.targetDate(symbol);
        parts.push(
          `${symbol}=synthetic:${deps.synthetic.namespace.owner}:${through >= end ? "complete" : through}`,
        );
      }
      return await sha256Hex(parts.join("\n"));
    },
    getFundamentals(symbol) {
      return Promise.resolve(
        deps.market.symbol(symbol) ? deps.market.fundamentals(symbol, deps.synthetic.targetDate(symbol)) : [],
      );
    },
    /**
     * Synthetic: one entry per exchange (SZSE counted with SSE) over the series generated so far — `symbols` and
     * `rows` of those series, the latest bar any of them has, and `stale` when that is before the exchange's last
     * completed trading day (nothing generated yet is not stale: it is generated on first read). CSV: one entry
     * per import visible to `ownerId` (scope = symbol), never stale (a file is as current as its last row).
     * Yahoo: the entries the refresh recorded per symbol.
     */
    async freshness(ownerId?: string | null): Promise<FreshnessEntry[]> {
      const now = deps.clock.now();
      const groupOf = (e: ExchangeCode): ExchangeCode => (e === "SZSE" ? "SSE" : e);
      const groups = new Map<ExchangeCode, { symbols: number; rows: number; first: number; last: number }>();
      for (const code of EXCHANGE_CODES) {
        if (code !== "SZSE") groups.set(code, { symbols: 0, rows: 0, first: Infinity, last: -Infinity });
      }
      for (const meta of await deps.bars.listMetas(deps.synthetic.namespace)) {
        const info = deps.market.symbol(meta.symbol);
        const g = info && groups.get(groupOf(info.exchange));
        if (!g) continue;
        g.symbols++;
        g.rows += meta.rows;
        if (meta.first_day !== null) g.first = Math.min(g.first, meta.first_day);
        if (meta.last_day !== null) g.last = Math.max(g.last, meta.last_day);
      }
      const out: FreshnessEntry[] = [];
      for (const [exchange, g] of groups) {
        const expected = getCalendar(exchange).latestCompletedTradingDay(now);
        const last = Number.isFinite(g.last) ? fromDayNumber(g.last) : null;
        out.push({
          source: "synthetic",
          scope: exchange,
          last_bar_date: last,
          expected_date: expected,
          stale: last !== null && last < expected,
          symbols: g.symbols,
          rows: g.rows,
          first_bar_date: Number.isFinite(g.first) ? fromDayNumber(g.first) : null,
          checked_at: now,
          error: null,
        });
      }
      for (const r of await visibleImports(ownerId)) {
        out.push({
          source: "csv",
          scope: r.symbol,
          last_bar_date: r.end,
          expected_date: null,
          stale: false,
          symbols: 1,
          rows: r.rows,
          first_bar_date: r.start,
          checked_at: now,
          error: null,
        });
      }
      return [...out, ...(await deps.freshness.list())];
    },
  };

  runReaders.set(service, (symbols, ownerId) => {
    type Own = Map<string, { record: ImportedSymbolRecord; meta: BarSeriesMeta | null }>;
    let batch: Promise<Own> | null = null;
    /**
     * The caller's own imports among `symbols`, with the metas of their series, both read in batches at once on
     * first use (the metas beside the records, not after them).
     */
    const ownImports = (owner: string) =>
      batch ??= Promise.all([
        deps.imports.getEach(owner, symbols),
        deps.bars.getMetaEach({ source: "csv", owner }, symbols),
      ]).then(([records, metas]) => {
        const own: Own = new Map();
        records.forEach((record, i) => record && own.set(symbols[i], { record, meta: metas[i] }));
        return own;
      });
    /** The import serving `symbol`: the caller's own from the batch read, else the published one. */
    const importOf = async (symbol: string) => {
      if (!ownerId) return await deps.imports.getPublished(symbol);
      const own = (await ownImports(ownerId)).get(symbol)?.record;
      if (own) return own;
      // A symbol outside the batch, or none of the caller's own: read as `importFor` does.
      return symbols.includes(symbol)
        ? await deps.imports.getPublished(symbol)
        : await importFor(symbol, ownerId);
    };
    return {
      async getSymbol(symbol) {
        const imported = await importOf(symbol);
        return imported ? toInfo(imported) : await unimportedSymbol(symbol);
      },
      async getBars(symbol, start, end) {
        const imported = await importOf(symbol);
        if (!imported) return await unimportedBars(symbol, start, end);
        // The own import's meta came with the batch; a published one's is read now.
        const known = ownerId && imported.owner_id === ownerId
          ? (await ownImports(ownerId)).get(symbol)?.meta
          : undefined;
        return await importedBars(
          { source: "csv", owner: imported.owner_id },
          symbol,
          start,
          end,
          true,
          known,
        );
      },
    };
  });
  return service;
}
