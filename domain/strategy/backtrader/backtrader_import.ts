/**
 * Backtrader Python → spec (placeholder until the importer lands: issue 14). The code is parsed, never run.
 */
import { ValidationError } from "../../errors.ts";
import type { StrategySpec } from "../spec.ts";

/** The spec a backtrader strategy describes; a 422 naming the construct and the line otherwise. */
export function parseBacktraderCode(code: string, loc: (string | number)[]): StrategySpec {
  throw new ValidationError(`backtrader code is not supported yet (${code.length} characters)`, loc);
}
