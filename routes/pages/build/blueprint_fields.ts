/**
 * What the blueprint form offers, read from the blueprint schema the API validates (`BlueprintSchema`): the
 * indicators, operators, sizing methods and timeframes, and which inputs each indicator takes with the default
 * `compileBlueprint` uses when one is left empty. The page renders every input and the form's script shows only
 * the ones of the chosen indicator (it receives this table as page data, so the two never disagree).
 */
import { BlueprintSchema } from "../../../domain/strategy/blueprint_and_config.ts";

const ruleShape = BlueprintSchema.shape.entry.element.shape;

/** The indicators of a blueprint rule. */
export const INDICATORS = ruleShape.indicator.options;
/** The comparison operators of a blueprint rule. */
export const OPERATORS = ruleShape.operator.options;
/** The position-sizing methods. */
export const SIZINGS = BlueprintSchema.shape.position_sizing.unwrap().options;

/** A rule input: its label, bounds and the default the compiler uses when it is left empty. */
export interface ParamField {
  name: "value" | "lookback" | "multiplier";
  label: string;
  zh: string;
  min?: number;
  max?: number;
  step: string;
  /** What the compiler uses when the input is empty (`null`: compare with the indicator's signal line). */
  fallback: number | null;
}

const lookback = (fallback: number): ParamField => ({
  name: "lookback",
  label: "Lookback (bars)",
  zh: "周期",
  min: 1,
  max: 1000,
  step: "1",
  fallback,
});
const multiplier = (fallback: number, label: string): ParamField => ({
  name: "multiplier",
  label,
  zh: "倍数",
  min: 0.01,
  max: 100,
  step: "any",
  fallback,
});
const level = (fallback: number | null, label: string): ParamField => ({
  name: "value",
  label,
  zh: "阈值",
  step: "any",
  fallback,
});

/** What each indicator compares and the inputs it takes (mirrors `compileBlueprint`'s rule for it). */
export const INDICATOR_FIELDS: Record<typeof INDICATORS[number], { compares: string; fields: ParamField[] }> =
  {
    sma: { compares: "close against the simple moving average", fields: [lookback(20)] },
    ema: { compares: "close against the exponential moving average", fields: [lookback(20)] },
    rsi: { compares: "RSI against a level", fields: [lookback(14), level(30, "Level (0–100)")] },
    zscore: { compares: "z-score of close against a level", fields: [lookback(20), level(-2, "Level (σ)")] },
    macd: {
      compares: "MACD (12, 26, 9) against a level, or its signal line when the level is empty",
      fields: [level(null, "Level (empty: signal line)")],
    },
    bollinger: {
      compares: "close against the upper band (> crosses_above) or the lower band (< crosses_below)",
      fields: [lookback(20), multiplier(2, "Band width (σ)")],
    },
    atr: {
      compares: "close against the highest close minus a multiple of ATR (a chandelier stop)",
      fields: [lookback(22), multiplier(2, "ATR multiple")],
    },
  };

/** Readable operator labels. */
export const OPERATOR_LABELS: Record<typeof OPERATORS[number], string> = {
  ">": "is above (>)",
  "<": "is below (<)",
  ">=": "is at or above (≥)",
  "<=": "is at or below (≤)",
  crosses_above: "crosses above",
  crosses_below: "crosses below",
};

/** Readable sizing labels. */
export const SIZING_LABELS: Record<typeof SIZINGS[number], string> = {
  percent: "All equity 全仓",
  fixed: "100 shares 固定数量",
  risk_adjusted: "Risk-adjusted 风险调整",
};

/** One condition row as the form shows it. */
export interface RuleRow {
  indicator: typeof INDICATORS[number];
  operator: typeof OPERATORS[number];
  value?: number | null;
  lookback?: number;
  multiplier?: number;
}

/** The rows the form opens with: document 000's example (SMA 20 crosses above; exit SMA 50 crosses below). */
export const START_ROWS: { entry: RuleRow[]; exit: RuleRow[] } = {
  entry: [{ indicator: "sma", operator: "crosses_above", lookback: 20 }],
  exit: [{ indicator: "sma", operator: "crosses_below", lookback: 50 }],
};

/** The most rows of one side (the schema's bound). */
export const MAX_ROWS = 10;
