/**
 * A formula factor's values for new trading days (issue 15, out-of-sample tracking): the platform evaluates the
 * factor's `expression` on the universe's own bars with the formula's full lookback before the first new day,
 * so each day's value is exactly what the evaluation over the whole history gives for that day (windows shorter
 * than requested are missing, never partial; no future bar is read).
 *
 * Only days the market has bars for are produced (a day without a single usable close in the universe yields
 * no row), and only finite values are kept (a symbol without a value that day is absent, as in an upload).
 */
import { evaluateFormula, parseFormula } from "./formula/formula.ts";
import { loadMarketPanel } from "./market_panel.ts";
import type { MarketData } from "../market/types.ts";
import type { FactorUniverse, FactorValuesRow } from "../store/factor_repo.ts";

/**
 * Evaluates `expression` on `universe` for `days` (SSE trading days, ascending, non-empty) and answers one row
 * per day that has bars and at least one finite value. Throws `FormulaError` for a formula that no longer parses.
 */
export async function formulaValueRows(
  market: MarketData,
  universe: FactorUniverse,
  expression: string,
  days: readonly string[],
): Promise<FactorValuesRow[]> {
  if (days.length === 0) return [];
  const formula = parseFormula(expression);
  const panel = await loadMarketPanel(market, universe, {
    start: days[0],
    end: days[days.length - 1],
    before: formula.lookback,
  });
  const D = panel.dates.length, N = panel.symbols.length;
  if (D === 0 || N === 0) return [];
  const out = evaluateFormula(formula, panel);
  const wanted = new Set(days);
  const rows: FactorValuesRow[] = [];
  for (let t = 0; t < D; t++) {
    if (!wanted.has(panel.dates[t])) continue;
    const base = t * N;
    let bars = false;
    for (let j = 0; j < N && !bars; j++) bars = panel.close[base + j] > 0;
    if (!bars) continue;
    const symbols: string[] = [];
    const values: number[] = [];
    for (let j = 0; j < N; j++) {
      const v = out[base + j];
      if (Number.isFinite(v)) {
        symbols.push(panel.symbols[j]);
        values.push(v);
      }
    }
    if (symbols.length > 0) rows.push({ date: panel.dates[t], symbols, values: Float64Array.from(values) });
  }
  return rows;
}
