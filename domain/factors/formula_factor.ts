/**
 * Formula factors (beyond the document): the platform computes the values from `expression` on the universe's
 * own bars, so anyone can recompute them from the public bars. The values of a formula factor cover the
 * `history_days` SSE trading days ending at the last completed trading day the market has, evaluated on a panel
 * extended by the formula's `lookback` warm-up rows (dropped from the output: no value is made from a partial
 * window); a date keeps the symbols with a finite value and a date with none is not stored.
 */
import { getCalendar } from "../calendar/calendar.ts";
import { ValidationError } from "../errors.ts";
import type {
  FactorRecord,
  FactorUniverse,
  FactorValuesRow,
  FactorValuesSummary,
} from "../store/factor_repo.ts";
import { evaluateFormula, type Formula, formulaCost, FormulaError, parseFormula } from "./formula/formula.ts";
import { loadMarketPanel } from "./market_panel.ts";
import type { FactorServices } from "./services.ts";

/**
 * Work budget of one formula computation (the formula module's estimate, before anything is read): elementary
 * operations (≈ 1 ns each) and peak bytes of intermediate panels.
 */
const FORMULA_BUDGET = { operations: 3e9, bytes: 512 * 1024 * 1024 } as const;

/** Default, least and most trading days of history a formula factor is computed (and validated) on. */
export const FORMULA_HISTORY_DAYS = { default: 500, min: 120, max: 1000 } as const;

/**
 * Parses a formula factor's expression; a `FormulaError` becomes a 422 at `["expression"]` whose message says
 * where (0-based character position).
 */
export function parseFactorFormula(source: string): Formula {
  try {
    return parseFormula(source);
  } catch (e) {
    if (e instanceof FormulaError) {
      throw new ValidationError(`${e.message} (at position ${e.position})`, ["expression"], "formula_error");
    }
    throw e;
  }
}

/** The values of `formula` on `universe` over `historyDays` trading days ending at the last completed day. */
export async function computeFormulaRows(
  deps: Pick<FactorServices, "market" | "clock">,
  universe: FactorUniverse,
  formula: Formula,
  historyDays: number,
): Promise<FactorValuesRow[]> {
  const size = (await deps.market.getUniverse(universe)).length;
  const cost = formulaCost(formula, historyDays + formula.lookback, size);
  if (cost.operations > FORMULA_BUDGET.operations || cost.bytes > FORMULA_BUDGET.bytes) {
    throw new ValidationError(
      `The formula costs about ${cost.operations.toPrecision(3)} operations and ${
        Math.ceil(cost.bytes / 2 ** 20)
      } MiB on ${historyDays + formula.lookback} days × ${size} symbols; the budget is ` +
        `${FORMULA_BUDGET.operations.toPrecision(3)} operations and ${FORMULA_BUDGET.bytes / 2 ** 20} MiB ` +
        "(use fewer history_days or a simpler formula)",
      ["expression"],
      "formula_cost",
    );
  }
  const sse = getCalendar("SSE");
  const end = sse.latestCompletedTradingDay(deps.clock.now());
  const start = sse.tradingDayOffset(end, -(historyDays - 1));
  const panel = await loadMarketPanel(deps.market, universe, { start, end, before: formula.lookback });
  const out = evaluateFormula(formula, panel);
  const N = panel.symbols.length;
  const rows: FactorValuesRow[] = [];
  for (let t = 0; t < panel.dates.length; t++) {
    if (panel.dates[t] < start) continue; // warm-up rows
    const symbols: string[] = [];
    const values: number[] = [];
    for (let j = 0; j < N; j++) {
      const x = out[t * N + j];
      if (Number.isFinite(x)) {
        symbols.push(panel.symbols[j]);
        values.push(x);
      }
    }
    if (symbols.length > 0) rows.push({ date: panel.dates[t], symbols, values: Float64Array.from(values) });
  }
  return rows;
}

/** The status a factor's values give it: ready from `minDays` trading days, else draft. */
export function statusForValues(summary: FactorValuesSummary, minDays: number): "ready" | "draft" {
  return summary.total_days >= minDays ? "ready" : "draft";
}

/** Recomputes a formula factor's values through the last completed day (upserted; earlier dates stay). */
export async function refreshFormulaValues(
  deps: FactorServices,
  record: FactorRecord,
): Promise<FactorRecord> {
  const formula = parseFactorFormula(record.expression ?? "");
  const rows = await computeFormulaRows(
    deps,
    record.universe,
    formula,
    record.history_days ?? FORMULA_HISTORY_DAYS.default,
  );
  if (rows.length === 0) return record;
  return await deps.factors.putValues(record.id, rows, (current, summary) => ({
    ...current,
    values: summary,
    updated_at: deps.clock.now(),
  }));
}
