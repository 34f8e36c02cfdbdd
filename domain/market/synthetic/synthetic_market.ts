/**
 * The contract of the synthetic market generator (the embedded default market). Pure and deterministic: the same
 * seed gives byte-identical bars, and generating through a later date never changes earlier bars.
 * Implemented by `createSyntheticMarket` in `generator.ts`.
 */
import type { IsoDate } from "../../calendar/dates.ts";
import type { BarSeries, FundamentalsRow, SymbolInfo, UniverseName } from "../types.ts";

/** First date of synthetic history. */
export const SYNTHETIC_START: IsoDate = "2015-01-01";

/** A deterministic synthetic market. */
export interface SyntheticMarket {
  readonly seed: number;
  /** Every synthetic symbol (stocks, ETFs, indexes, crypto), in a stable order. */
  symbols(): readonly SymbolInfo[];
  /** Metadata of one symbol, or `null`. */
  symbol(symbol: string): SymbolInfo | null;
  /** Constituents of a universe. */
  universe(name: UniverseName): readonly string[];
  /** The benchmark index symbol of a universe (e.g. `hs300` → `000300.SH`), or `null` when it has none. */
  indexOf(name: UniverseName): string | null;
  /**
   * Daily bars from `SYNTHETIC_START` through `through` (inclusive) on the symbol's exchange calendar; index
   * symbols are built from their constituents (cap-weighted). Throws for an unknown symbol.
   */
  bars(symbol: string, through: IsoDate): BarSeries;
  /** Quarterly fundamentals available on or before `through`, oldest first (empty for non-stocks). */
  fundamentals(symbol: string, through: IsoDate): FundamentalsRow[];
}
