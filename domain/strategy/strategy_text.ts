/**
 * The canonical text form of a strategy spec (what API responses call `generated_code`): one `key: value` line
 * per field in a fixed order; rules are written in the expression language (canonically printed), everything
 * else as JSON. `parseStrategyText(toStrategyText(spec))` gives the same spec back.
 *
 *   name: "SMA cross"
 *   universe: {"tickers":["RELIANCE.NS"]}
 *   entry: crosses_above(sma(close, 20), sma(close, 50))
 *   exit: crosses_below(sma(close, 20), sma(close, 50))
 *   ...
 */
import { ValidationError } from "../errors.ts";
import { parseExpression, printExpression } from "./expression.ts";
import { type StrategySpec, StrategySpecSchema } from "./spec.ts";

/** The keys of strategy text, in the order they are written. */
export const STRATEGY_TEXT_KEYS = [
  "name",
  "universe",
  "entry",
  "exit",
  "rank_by",
  "sizing",
  "risk",
  "costs",
  "fill",
  "capital",
  "start",
  "end",
  "benchmarks",
  "close_at_end",
  "risk_free_pct",
] as const;
const EXPRESSIONS = new Set(["entry", "exit", "rank_by"]);

/** Writes `spec` in canonical text form. */
export function toStrategyText(spec: StrategySpec): string {
  return STRATEGY_TEXT_KEYS.map((k) => {
    const v = spec[k];
    return `${k}: ${EXPRESSIONS.has(k) ? printExpression(parseExpression(v as string)) : JSON.stringify(v)}`;
  }).join("\n") + "\n";
}

/**
 * Parses strategy text into a validated spec; `ValidationError` names the line. Lines starting with # are comments.
 * `loc` is where the text sits in the caller's input (errors carry it; adapters add their own prefix). `defaults`
 * fill keys the text does not give (e.g. the universe of a one-ticker run, where the ticker is the universe).
 */
export function parseStrategyText(
  text: string,
  loc: (string | number)[] = ["strategy_code"],
  defaults: Partial<Record<typeof STRATEGY_TEXT_KEYS[number], unknown>> = {},
): StrategySpec {
  const raw: Record<string, unknown> = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) return;
    const colon = trimmed.indexOf(":");
    if (colon < 1) throw new ValidationError(`line ${i + 1}: expected "key: value"`, loc);
    const key = trimmed.slice(0, colon).trim().toLowerCase();
    const value = trimmed.slice(colon + 1).trim();
    if (!(STRATEGY_TEXT_KEYS as readonly string[]).includes(key)) {
      throw new ValidationError(
        `line ${i + 1}: unknown key "${key}" (keys: ${STRATEGY_TEXT_KEYS.join(", ")})`,
        loc,
      );
    }
    if (key in raw) throw new ValidationError(`line ${i + 1}: "${key}" given twice`, loc);
    if (EXPRESSIONS.has(key)) raw[key] = value;
    else {
      try {
        raw[key] = JSON.parse(value);
      } catch {
        throw new ValidationError(`line ${i + 1}: the value of "${key}" is not valid JSON`, loc);
      }
    }
  });
  for (const [key, value] of Object.entries(defaults)) if (!(key in raw)) raw[key] = value;
  return validSpecAt(raw, loc);
}

/**
 * `raw` validated as a spec; the first issue is a `ValidationError` at `loc` plus the issue's path (what every
 * reader of strategy code — strategy text, backtrader — answers for a field the spec refuses).
 */
export function validSpecAt(raw: Record<string, unknown>, loc: (string | number)[]): StrategySpec {
  const parsed = StrategySpecSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`${issue.path.join(".") || "strategy"}: ${issue.message}`, [
      ...loc,
      ...issue.path.map(String),
    ]);
  }
  return parsed.data;
}
