/**
 * Checks strategy code for an editor: every problem with its line, column and a hint, instead of the first one
 * as a 422. Strategy text is read line by line with the rules of `parseStrategyText` (each line's key, its JSON
 * value, its expression with the expression parser's column and hint), then the spec is validated and every
 * issue placed on the line of the key it names; a text with no issue is finally parsed by `parseStrategyText`
 * itself, so "valid" here means exactly what every route that takes `strategy_code` accepts. Backtrader Python
 * (see `looksLikePython`) is read by the importer, whose refusal names the line. At most `MAX_ISSUES` issues.
 */
import { ValidationError } from "../errors.ts";
import { looksLikePython, parseBacktraderCode } from "./backtrader/backtrader_import.ts";
import { editDistance, ExpressionError, parseExpression } from "./expression.ts";
import { type StrategySpec, StrategySpecSchema } from "./spec.ts";
import { parseStrategyText, STRATEGY_TEXT_KEYS, toStrategyText } from "./strategy_text.ts";

/** The most issues one check answers. */
export const MAX_ISSUES = 50;

/** One problem: where (1-based line and column; `null` when it belongs to no line), what, and how to fix it. */
export interface StrategyTextIssue {
  line: number | null;
  column: number | null;
  message: string;
  hint: string | null;
  /** The strategy-text key the problem is about, when there is one. */
  key: string | null;
}

/** The outcome of a check. */
export interface StrategyTextCheck {
  valid: boolean;
  format: "strategy_text" | "backtrader";
  issues: StrategyTextIssue[];
  /** The parsed spec; `null` unless valid. */
  spec: StrategySpec | null;
  /** The canonical strategy text of `spec`; `null` unless valid. */
  generated_code: string | null;
}

const EXPRESSION_KEYS = new Set(["entry", "exit", "rank_by"]);
const KEYS: readonly string[] = STRATEGY_TEXT_KEYS;

/** The closest strategy-text key, as a hint. */
function keyHint(key: string): string {
  let best = "", score = Infinity;
  for (const k of KEYS) {
    const d = editDistance(key, k);
    if (d < score) (score = d), (best = k);
  }
  return score <= 3 ? `did you mean "${best}"?` : `keys: ${KEYS.join(", ")}`;
}

/** The message of an `ExpressionError` without the " at column N (hint)" its text adds. */
const bareMessage = (e: ExpressionError) => e.message.replace(/ at column \d+(?: \(.*\))?$/s, "");

/** The 1-based column a `JSON.parse` error points at inside `value`, when its message says. */
function jsonColumn(e: unknown, value: string): number {
  const m = /position (\d+)/.exec(String(e instanceof Error ? e.message : e));
  return m ? Math.min(Number(m[1]), value.length) + 1 : 1;
}

/** Checks `text` (strategy text or backtrader Python). */
export function checkStrategyText(text: string): StrategyTextCheck {
  return looksLikePython(text) ? checkBacktrader(text) : checkText(text);
}

function checkBacktrader(text: string): StrategyTextCheck {
  try {
    const spec = parseBacktraderCode(text, []);
    return { valid: true, format: "backtrader", issues: [], spec, generated_code: toStrategyText(spec) };
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const line = /\bline (\d+)\b/.exec(e.message);
    const issue = {
      line: line ? Number(line[1]) : null,
      column: null,
      message: e.message,
      hint: "only a common subset of backtrader is read; see /docs/strategy-text",
      key: null,
    };
    return { valid: false, format: "backtrader", issues: [issue], spec: null, generated_code: null };
  }
}

function checkText(text: string): StrategyTextCheck {
  const issues: StrategyTextIssue[] = [];
  const raw: Record<string, unknown> = {};
  const lineOf = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length && issues.length < MAX_ISSUES; i++) {
    const line = lines[i];
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#")) continue;
    const start = line.length - line.trimStart().length; // 0-based column of the first character
    const colon = trimmed.indexOf(":");
    const at = (column: number, message: string, hint: string | null, key: string | null) =>
      issues.push({ line: i + 1, column, message, hint, key });
    if (colon < 1) {
      at(start + 1, 'Expected "key: value"', "write one field per line as key: value", null);
      continue;
    }
    const key = trimmed.slice(0, colon).trim().toLowerCase();
    if (!KEYS.includes(key)) {
      at(start + 1, `Unknown key "${key}"`, keyHint(key), null);
      continue;
    }
    if (lineOf.has(key)) {
      at(
        start + 1,
        `"${key}" given twice (first on line ${lineOf.get(key)})`,
        "each key may appear once",
        key,
      );
      continue;
    }
    lineOf.set(key, i + 1);
    const afterColon = line.indexOf(":", start) + 1;
    const value = line.slice(afterColon).trim();
    const valueColumn = afterColon +
      (line.slice(afterColon).length - line.slice(afterColon).trimStart().length) +
      1;
    if (EXPRESSION_KEYS.has(key)) {
      raw[key] = value;
      try {
        parseExpression(value);
      } catch (e) {
        if (!(e instanceof ExpressionError)) throw e;
        at(valueColumn + e.column - 1, bareMessage(e), e.hint || null, key);
      }
      continue;
    }
    try {
      raw[key] = JSON.parse(value);
    } catch (e) {
      at(
        valueColumn + jsonColumn(e, value) - 1,
        `The value of "${key}" is not valid JSON`,
        'strict JSON: strings in "double quotes", no trailing commas, no comments',
        key,
      );
    }
  }
  if (issues.length === 0) {
    const parsed = StrategySpecSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues.slice(0, MAX_ISSUES)) {
        const key = typeof issue.path[0] === "string" ? issue.path[0] : null;
        const line = key ? lineOf.get(key) ?? null : null;
        const missing = key !== null && line === null;
        issues.push({
          line,
          column: null,
          message: `${issue.path.join(".") || "strategy"}: ${issue.message}`,
          hint: missing ? `add a line "${key}: …"` : null,
          key,
        });
      }
    }
  }
  if (issues.length > 0) {
    return { valid: false, format: "strategy_text", issues, spec: null, generated_code: null };
  }
  try {
    const spec = parseStrategyText(text, []);
    return { valid: true, format: "strategy_text", issues: [], spec, generated_code: toStrategyText(spec) };
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    const key = typeof e.loc[0] === "string" ? e.loc[0] : null;
    const issue = {
      line: key ? lineOf.get(key) ?? null : null,
      column: null,
      message: e.message,
      hint: null,
      key,
    };
    return { valid: false, format: "strategy_text", issues: [issue], spec: null, generated_code: null };
  }
}
