/**
 * The formula language's error and limits (issue 15, formula factors). Re-exported by `formula.ts`, the front
 * door; they live here so the lexer, parser and checker can use them without importing the front door.
 */

/** A parse or type error, located in the source text (0-based `position`, `length` characters). */
export class FormulaError extends Error {
  constructor(message: string, readonly position: number, readonly length = 1) {
    super(message);
    this.name = "FormulaError";
  }
}

/** Longest window (or lag) a formula may use (bars). */
export const MAX_FORMULA_WINDOW = 250;
/** Longest formula text (characters). */
export const MAX_FORMULA_LENGTH = 2000;
/**
 * Deepest nesting of parentheses, calls, unary minus, powers and ternaries the parser follows; deeper text is
 * refused (it bounds the parser's recursion; a chain like `a + b + c + …` is flat and bounded by the length).
 */
export const MAX_FORMULA_DEPTH = 64;
