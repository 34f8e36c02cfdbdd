/**
 * Backtrader code as the assistant reads it (parsed by `parseBacktraderCode`, never run). Backtrader adds its
 * data feeds outside the strategy, so code often names no universe: a `universe` the client sends fills it
 * (a universe name such as `idx`, or tickers separated by commas or spaces); without one the rules are still
 * read (for an explanation) and the caller learns that the universe is missing.
 */
import { ValidationError } from "../errors.ts";
import { UNIVERSE_NAMES } from "../market/types.ts";
import { parseBacktraderCode } from "../strategy/backtrader/backtrader_import.ts";
import type { StrategySpec } from "../strategy/spec.ts";

/** The importer with its optional defaults (fields the code does not give). */
const importBacktrader = parseBacktraderCode as (
  code: string,
  loc: (string | number)[],
  defaults?: Record<string, unknown>,
) => StrategySpec;

/** A universe that stands in while the rules of code without one are read (never answered as the universe). */
const STAND_IN = { tickers: ["UNIVERSE-NOT-SET"] };

/** `"idx"` → `{name: "idx"}`; `"AAPL, MSFT"` → `{tickers: ["AAPL", "MSFT"]}` (the spec checks each symbol). */
export function universeOf(text: string): { name: string } | { tickers: string[] } {
  const t = text.trim();
  if ((UNIVERSE_NAMES as readonly string[]).includes(t.toLowerCase())) return { name: t.toLowerCase() };
  return { tickers: t.split(/[\s,]+/).filter(Boolean).slice(0, 500).map((s) => s.toUpperCase()) };
}

/** True when `e` says only that the spec has no universe. */
function onlyUniverseMissing(e: ValidationError, loc: (string | number)[]): boolean {
  const issues = e.issues?.length ? e.issues : [{ loc: e.loc }];
  return issues.every((i) => i.loc.slice(loc.length).includes("universe"));
}

/**
 * The spec of backtrader `code` (errors at `loc`). `universe` fills a universe the code does not give. When
 * neither gives one, `spec` holds the rules over a stand-in universe and `universeMissing` is true: show its
 * rules, never run it.
 */
export function readBacktrader(
  code: string,
  loc: (string | number)[],
  universe?: string,
): { spec: StrategySpec; universeMissing: boolean } {
  const defaults = universe ? { universe: universeOf(universe) } : {};
  try {
    return { spec: importBacktrader(code, loc, defaults), universeMissing: false };
  } catch (e) {
    if (universe || !(e instanceof ValidationError) || !onlyUniverseMissing(e, loc)) throw e;
    return { spec: importBacktrader(code, loc, { universe: STAND_IN }), universeMissing: true };
  }
}
