/**
 * The market-data vocabulary shared by every provider and consumer: symbols with metadata, daily bars as typed
 * columns, fundamentals, freshness, and the `MarketData` interface the rest of the product reads prices through.
 */
import type { ExchangeCode } from "../calendar/exchanges.ts";
import type { IsoDate } from "../calendar/dates.ts";

/** Where a series comes from; every API response that carries market data says it. */
export type DataSource = "synthetic" | "csv" | "yahoo";

/** Market-capitalisation class. */
export type MarketCapClass = "small" | "mid" | "large";

/** What a symbol is. */
export type SymbolKind = "stock" | "etf" | "index" | "crypto";

/** The named universes of the synthetic market (A-share benchmarks and the other markets' groups). */
export const UNIVERSE_NAMES = [
  "hs300",
  "csi500",
  "csi1000",
  "csi2000",
  "etf_all",
  "nifty",
  "lq45",
  "idx",
  "us",
  "crypto",
] as const;
/** A universe name. */
export type UniverseName = typeof UNIVERSE_NAMES[number];

/** A tradable (or index) symbol and its metadata. */
export interface SymbolInfo {
  /** `600519.SH`, `000001.SZ`, `RELIANCE.NS`, `BBCA.JK`, `AAPL`, `BTC-USD`, `000300.SH`, `^JKSE`, … */
  symbol: string;
  name: string;
  exchange: ExchangeCode;
  currency: string;
  kind: SymbolKind;
  sector: string | null;
  market_cap_class: MarketCapClass | null;
  /** Shares per board lot (100 for A-shares). */
  lot_size: number;
  /** Daily price limit as a fraction (0.1 = ±10%); `null` when the market has none. */
  price_limit: number | null;
  /** Sharia-compliance flag where the market publishes one (IDX); otherwise `null`. */
  syariah: boolean | null;
  universes: UniverseName[];
  source: DataSource;
}

/**
 * Daily bars of one symbol as parallel columns, ascending by date. `days` are day numbers (days since
 * 1970-01-01, see `domain/calendar/dates.ts`); `adj_factor` is the total-return adjustment factor (multiply a
 * close by it to get a total-return price; 1 when there were no dividends or splits).
 */
export interface BarSeries {
  symbol: string;
  source: DataSource;
  days: Int32Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
  adj_factor: Float64Array;
}

/** One quarter's fundamentals, usable from `available_on` (the report date) for point-in-time filters. */
export interface FundamentalsRow {
  symbol: string;
  /** Quarter end, e.g. `2024-03-31`. */
  period_end: IsoDate;
  /** First date the figures were public. */
  available_on: IsoDate;
  pe_ratio: number | null;
  pbv: number;
  roe: number;
  de_ratio: number;
  roa: number;
  npm: number;
  eps: number;
}

/** How current one source's data is. */
export interface FreshnessEntry {
  source: DataSource;
  /** Universe, exchange or symbol the entry covers. */
  scope: string;
  last_bar_date: IsoDate | null;
  /** The last completed trading day the data should reach. */
  expected_date: IsoDate | null;
  stale: boolean;
  symbols: number;
  rows: number | null;
  first_bar_date: IsoDate | null;
  checked_at: number;
  error: string | null;
}

/** Filters of a symbol listing. */
export interface SymbolFilter {
  universe?: UniverseName;
  exchange?: ExchangeCode;
  /** Case-insensitive substring of symbol or name. */
  q?: string;
  /** The caller: private CSV imports of this user are included. */
  ownerId?: string | null;
}

/** Read access to prices and metadata, whatever the provider behind it. */
export interface MarketData {
  listSymbols(filter?: SymbolFilter): Promise<SymbolInfo[]>;
  /** `null` when the symbol is unknown (or is another user's private import). */
  getSymbol(symbol: string, ownerId?: string | null): Promise<SymbolInfo | null>;
  /** Bars with `start ≤ date ≤ end`; `null` when the symbol is unknown. */
  getBars(symbol: string, start: IsoDate, end: IsoDate, ownerId?: string | null): Promise<BarSeries | null>;
  /** Constituent symbols of a universe (its benchmark index is `universeIndexSymbol(name)`). */
  getUniverse(name: UniverseName): Promise<string[]>;
  /** Quarterly fundamentals of a stock, oldest first (empty when none). */
  getFundamentals(symbol: string): Promise<FundamentalsRow[]>;
  /** Per source and scope; `ownerId` adds that user's private imports (published imports are always listed). */
  freshness(ownerId?: string | null): Promise<FreshnessEntry[]>;
  /**
   * A token that changes whenever the bars `ownerId` would read for `symbols` up to `end` can change: which
   * source serves each symbol and that source's version (an import's time and size, a Yahoo series' last
   * update, the synthetic generator's namespace and how far it has generated when that is before `end`).
   * Reads metadata only, never bars.
   */
  dataVersion(symbols: readonly string[], end: IsoDate, ownerId?: string | null): Promise<string>;
}
