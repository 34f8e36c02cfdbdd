/**
 * The indicator preview: expressions of the strategy language evaluated on one symbol's bars, for charts. The
 * history before `start` is read (the backtests' warm-up) so the first answered bar has a value when earlier bars
 * exist; only bars from `start` are answered. Refused before any evaluation when the answer would be too large
 * or the expressions are over the expression budget. Error paths are relative to the request.
 */
import { addDays, fromDayNumber, toDayNumber } from "../calendar/dates.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { MarketData } from "../market/types.ts";
import { costedNodes, createWorkPacer, estimateExpressionCost, formatCost } from "../strategy/cost.ts";
import { createEvalContext, evaluate, evaluateNodes } from "../strategy/evaluate.ts";
import { ExpressionError, parseExpression } from "../strategy/expression.ts";
import { assertWithinExpressionBudget, WARMUP_DAYS } from "./run_backtest.ts";

/**
 * Most values one preview answer holds (bars in the range × expressions): the expression budget prices the
 * evaluation, this bounds the answer built and serialised in one go (about 9 MB of JSON at the limit).
 */
export const MAX_INDICATOR_VALUES = 500_000;

/** What the preview needs. */
export interface IndicatorPreviewDeps {
  market: MarketData;
  /** The default end date of a symbol's range (its last generated or stored day). */
  targetDate: (symbol: string) => string;
  /** Expression budget (`MAX_EXPRESSION_COST`). */
  maxExpressionCost: number;
}

/** A preview request; the range defaults to the year up to the symbol's last day. */
export interface IndicatorRequest {
  symbol: string;
  start?: string;
  end?: string;
  expressions: string[];
}

/** Dates and one series per expression (keyed by its text; `null` where undefined). */
export interface IndicatorSeries {
  symbol: string;
  source: string;
  dates: string[];
  series: Record<string, (number | null)[]>;
}

/** Evaluates `input.expressions` on the bars of `input.symbol` visible to `ownerId`. */
export async function previewIndicators(
  deps: IndicatorPreviewDeps,
  ownerId: string | null,
  input: IndicatorRequest,
): Promise<IndicatorSeries> {
  const info = await deps.market.getSymbol(input.symbol, ownerId);
  if (!info) throw new NotFoundError(`Unknown symbol "${input.symbol}"`);
  const end = input.end ?? deps.targetDate(input.symbol);
  const start = input.start ?? `${Number(end.slice(0, 4)) - 1}${end.slice(4)}`;
  if (start > end) throw new ValidationError("start must not be after end", ["start"]);
  const bars = await deps.market.getBars(input.symbol, addDays(start, -WARMUP_DAYS), end, ownerId);
  if (!bars) throw new NotFoundError(`Unknown symbol "${input.symbol}"`);
  const startDay = toDayNumber(start);
  let from = 0;
  while (from < bars.days.length && bars.days[from] < startDay) from++;
  const exprs = input.expressions.map((src, i) => {
    try {
      return parseExpression(src);
    } catch (err) {
      throw invalidAt(i, err);
    }
  });
  const n = bars.days.length, answered = n - from;
  if (answered * exprs.length > MAX_INDICATOR_VALUES) {
    throw new ValidationError(
      `Too many values to answer: ${answered} bars × ${exprs.length} expressions = ${
        formatCost(answered * exprs.length)
      }, ` +
        `over the limit of ${formatCost(MAX_INDICATOR_VALUES)} per request. ` +
        "Use a shorter date range (start/end) or fewer expressions.",
      ["expressions"],
      "too_many_values",
    );
  }
  assertWithinExpressionBudget(
    estimateExpressionCost(exprs, [n]),
    deps.maxExpressionCost,
    ["expressions"],
    "these expressions",
  );
  // Evaluated in slices that yield.
  const pacer = createWorkPacer();
  const ctx = createEvalContext(bars);
  const series: Record<string, (number | null)[]> = {};
  for (const [i, e] of exprs.entries()) {
    try {
      await evaluateNodes(costedNodes([e], n), ctx, pacer);
      series[input.expressions[i]] = Array.from(
        evaluate(e, ctx).subarray(from),
        (v) => (Number.isFinite(v) ? v : null),
      );
    } catch (err) {
      throw invalidAt(i, err);
    }
  }
  return {
    symbol: info.symbol,
    source: bars.source,
    dates: Array.from(bars.days.subarray(from), fromDayNumber),
    series,
  };
}

/** `err` as the error of expression `i`: a 422 naming it when the expression is not valid. */
function invalidAt(i: number, err: unknown): unknown {
  return err instanceof ExpressionError
    ? new ValidationError(err.message, ["expressions", i], "expression")
    : err;
}
