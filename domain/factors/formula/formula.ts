/**
 * Formula factors (issue 15, "beyond the document"): a cross-sectional expression language with the operators
 * of the 101 Formulaic Alphas paper, evaluated on a date × symbol panel of the universe's own bars.
 *
 * The front door of `formula/`; the work is split over this folder: `lexer.ts` → `parser.ts` (syntax with
 * positions) → `check.ts` (names, arities, constant windows, look-back) → `evaluate.ts` (with `window_ops.ts`
 * and `cross_section_ops.ts`); `cost.ts` estimates the work. The vocabulary is in `operators.ts`.
 *
 * Conventions (the whole language):
 * - Fields: `open high low close vwap` (adjusted), `volume` (raw), `returns` = close / delay(close, 1) − 1,
 *   `adv{d}` = ts_mean(volume, d), the mean raw volume of the last d bars (d = 1 … 250; the paper's adv is in
 *   currency — here it is in shares, so `volume / adv20` compares like with like). Names are case-insensitive.
 * - Missing: NaN in any input is missing; a window that is not full yet, or holds a missing value, is missing
 *   (never a partial value); nothing reads a later row; ±Infinity (division by 0, log 0, …) becomes missing.
 * - Windows and lags are constant numbers floored to integers (9.7 → 9), windows ≥ 1 (≥ 2 for ts_std,
 *   ts_cov, ts_corr), lags ≥ 0 (no negative lags), both ≤ `MAX_FORMULA_WINDOW`.
 * - `rank`: per date, average ranks of the present values, divided by their count: (0, 1]. `ts_rank(x, d)`:
 *   today's average rank among the last d values, divided by d: (0, 1].
 * - `ts_std`, `ts_cov`: sample (ddof 1). `ts_corr`: Pearson, missing when a side is constant over the window.
 * - `decay_linear(x, d)`: weights d (today), d − 1, …, 1, normalised to sum 1.
 * - `ts_argmin`/`ts_argmax(x, d)`: bars since the extreme, 0 = today … d − 1 = the oldest bar of the window;
 *   ties → the most recent. (Implementations of the paper that use pandas' `argmax + 1` count the other way:
 *   theirs = d − ours.)
 * - `scale(x, a = 1)`: x·a / Σ|x| per date. `indneutralize(x, sector)` (= `neutralize_sector(x)`): x minus its
 *   sector's mean per date; a symbol with no sector is missing.
 * - Precision: running sums, means, decays, standard deviations, covariances and correlations agree with a
 *   from-scratch computation of each window to 1e-12 relative (relative to the size of the terms for results
 *   that are differences of larger terms, e.g. a correlation near 0; see `window_ops.ts`). Constant windows are
 *   exact. The same panel always gives the same bits; a panel that starts on another date may differ in the last
 *   bits (the running sums are refreshed every d rows from the panel's start).
 * - An operation that occurs more than once in a formula is computed once.
 * - `min`/`max(x, y)` are element-wise (use ts_min/ts_max for windows); `signedpower(x, a)` = sign(x)·|x|^a;
 *   `x ^ y` is a power. Comparisons, `&&`, `||` give 1 or 0, missing when an operand is missing; `c ? a : b`
 *   (and `where(c, a, b)`) is a where c ≠ 0, b where c = 0, missing where c is.
 */
import { check, type Node } from "./check.ts";
import { type FormulaCost, treeCost } from "./cost.ts";
import { FormulaError, MAX_FORMULA_LENGTH, MAX_FORMULA_WINDOW } from "./errors.ts";
import { evaluateTree } from "./evaluate.ts";
import { parseSyntax } from "./parser.ts";

export { FormulaError, MAX_FORMULA_LENGTH, MAX_FORMULA_WINDOW };
export type { FormulaCost };

/** A parsed formula (opaque to callers). */
export interface Formula {
  /** The source text as given. */
  readonly source: string;
  /** Bars of history (before the first output date) the formula needs for every window to be full. */
  readonly lookback: number;
  /** The input fields it reads (`close`, `volume`, `vwap`, `returns`, `adv20`, …). */
  readonly fields: readonly string[];
}

/** The panel a formula is evaluated on: `D` dates × `N` symbols, row-major by date, NaN = no bar. */
export interface FormulaInputs {
  readonly dates: readonly string[];
  readonly symbols: readonly string[];
  /** Sector of each symbol (`null` when unknown), for `indneutralize(x, sector)`. */
  readonly sectors: readonly (string | null)[];
  /** Adjusted open/high/low/close/vwap, raw volume; each `Float64Array(D × N)`. */
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly vwap: Float64Array;
}

/** The resolved tree of each formula this module parsed. */
const trees = new WeakMap<Formula, Node>();

function treeOf(formula: Formula): Node {
  let tree = trees.get(formula);
  if (!tree) {
    tree = compile(formula.source).root;
    trees.set(formula, tree);
  }
  return tree;
}

/** Length check, parse and check: the resolved tree and the fields it reads. */
function compile(source: string) {
  if (source.length > MAX_FORMULA_LENGTH) {
    throw new FormulaError(
      `The formula is ${source.length} characters long; the limit is ${MAX_FORMULA_LENGTH}`,
      MAX_FORMULA_LENGTH,
      source.length - MAX_FORMULA_LENGTH,
    );
  }
  return check(parseSyntax(source));
}

/** Parses and type-checks `source`; throws `FormulaError` with a position. */
export function parseFormula(source: string): Formula {
  const { root, fields } = compile(source);
  const formula: Formula = Object.freeze({ source, lookback: root.lookback, fields: Object.freeze(fields) });
  trees.set(formula, root);
  return formula;
}

/**
 * Evaluates `formula` on `inputs`: `Float64Array(D × N)`, NaN where undefined (a window shorter than requested,
 * a missing input, no future data ever).
 */
export function evaluateFormula(formula: Formula, inputs: FormulaInputs): Float64Array {
  const D = inputs.dates.length, N = inputs.symbols.length;
  const { open, high, low, close, volume, vwap } = inputs;
  const fields = { open, high, low, close, volume, vwap };
  for (const [name, a] of Object.entries(fields)) {
    if (a.length !== D * N) {
      throw new RangeError(
        `evaluateFormula: ${name} has ${a.length} values, expected ${D} dates × ${N} symbols`,
      );
    }
  }
  if (inputs.sectors.length !== N) {
    throw new RangeError(`evaluateFormula: ${inputs.sectors.length} sectors for ${N} symbols`);
  }
  return evaluateTree(treeOf(formula), { D, N, sectors: inputs.sectors, fields });
}

/**
 * The estimated work of evaluating `formula` on `dates × symbols` (elementary operations and peak bytes of
 * intermediate panels), to refuse a formula over a budget before running it.
 */
export function formulaCost(formula: Formula, dates: number, symbols: number): FormulaCost {
  return treeCost(treeOf(formula), dates, symbols);
}
