/**
 * The platform's own prices as date × symbol panels for factor work (issue 15): the close panel validation
 * and out-of-sample tracking measure forward returns on, and the bar panels formula factors are computed from.
 *
 * CONTRACT FILE (issue 15 scaffolding): the factor-store work fills in the bodies.
 */
import type { MarketData } from "../market/types.ts";
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

/**
 * Loads `universe`'s bars from `start` to `end` (inclusive), extended by `before` SSE trading days before
 * `start` (formula warm-up) and `after` trading days after `end` (forward returns), never past the last
 * completed day the market has.
 */
export function loadMarketPanel(
  _market: MarketData,
  _universe: FactorUniverse,
  _span: { start: string; end: string; before?: number; after?: number },
): Promise<MarketPanel> {
  throw new Error("loadMarketPanel: not built yet (issue 15 factor store)");
}
