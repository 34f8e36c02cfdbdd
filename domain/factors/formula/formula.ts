/**
 * Formula factors (issue 15, "beyond the document"): a cross-sectional expression language with the operators
 * of the 101 Formulaic Alphas paper, evaluated on a date × symbol panel of the universe's own bars.
 *
 * CONTRACT FILE (issue 15 scaffolding): the signatures below are what the factor operations call; the formula
 * work fills in the bodies (and may split them over more files in this folder).
 */

/** A parse or type error, located in the source text (0-based `position`, `length` characters). */
export class FormulaError extends Error {
  constructor(message: string, readonly position: number, readonly length = 1) {
    super(message);
    this.name = "FormulaError";
  }
}

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

/** Longest window a formula may use (bars). */
export const MAX_FORMULA_WINDOW = 250;
/** Longest formula text (characters). */
export const MAX_FORMULA_LENGTH = 2000;

/** Parses and type-checks `source`; throws `FormulaError` with a position. */
export function parseFormula(_source: string): Formula {
  throw new Error("parseFormula: not built yet (issue 15 formula work)");
}

/**
 * Evaluates `formula` on `inputs`: `Float64Array(D × N)`, NaN where undefined (a window shorter than requested,
 * a missing input, no future data ever).
 */
export function evaluateFormula(_formula: Formula, _inputs: FormulaInputs): Float64Array {
  throw new Error("evaluateFormula: not built yet (issue 15 formula work)");
}
