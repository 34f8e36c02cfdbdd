/**
 * Request bodies of the strategy assistant's routes (`/generate`, `/builder/translate`, `/explain`,
 * `/agent/invoke`), shared by those routes and the assistant's MCP tools so both validate alike.
 */
import { z } from "@hono/zod-openapi";
import { LANGUAGES } from "../../domain/assistant/turn_contract.ts";
import { BlueprintSchema } from "../../domain/strategy/blueprint_and_config.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";
import { safeText } from "./common.ts";

/** The answer's language. */
export const Language = z.enum(LANGUAGES).optional().openapi({
  description: "Language of the answer: en (default), zh or id",
});

/** A universe name or tickers, for backtrader code that names none. */
export const Universe = safeText({ min: 1, max: 4000 }).optional().openapi({
  description:
    "A universe name (idx, us, hs300, …) or tickers separated by commas: fills backtrader code that " +
    "names none (its data feeds are added outside the strategy)",
  example: "RELIANCE.NS",
});

/** Strategy text or backtrader Python. */
export const Code = safeText({ min: 1, max: 20_000, multiline: true, trim: false });

/** `POST /generate`. */
export const GenerateBody = z.strictObject({
  user_prompt: safeText({ min: 1, max: 20_000, multiline: true }).openapi({
    description:
      "The idea in words (English, Chinese or Indonesian), or backtrader Python code (parsed, never run)",
    example: "Create a moving average crossover strategy",
  }),
  universe: Universe,
  language: Language,
}).openapi("GenerateRequest");

/**
 * The blueprint as the body (the document's form) or wrapped as `{blueprint}`; every field optional here so
 * either form validates field by field, and the operation says which required field is missing.
 */
const blueprintFields = Object.fromEntries(
  Object.entries(BlueprintSchema.shape).map(([k, v]) => [k, v.optional()]),
) as { [K in keyof typeof BlueprintSchema.shape]: z.ZodOptional<typeof BlueprintSchema.shape[K]> };
export const TranslateBody = z.strictObject({
  ...blueprintFields,
  blueprint: BlueprintSchema.optional().openapi({ description: "The blueprint, when sent wrapped" }),
}).openapi("TranslateRequest", {
  description: "A StrategyBlueprint (document 000): `asset` and `entry` required; `timeframe` daily only " +
    '(1d, daily, D); `risk.stop_loss` a number or a string such as "5%"; `position_sizing` fixed (100 ' +
    "shares) | percent (all equity) | risk_adjusted (1% of equity at risk, stop 2 × ATR 14)",
  example: {
    asset: "RELIANCE.NS",
    timeframe: "1d",
    entry: [{ indicator: "sma", operator: "crosses_above", value: null, params: { lookback: 20 } }],
    exit: [{ indicator: "sma", operator: "crosses_below", value: null, params: { lookback: 50 } }],
    risk: { stop_loss: 5.0, take_profit: 10.0 },
    position_sizing: "fixed",
  },
});

/** `POST /explain`: exactly one of strategy_code, code, spec. */
export const ExplainBody = z.strictObject({
  strategy_code: Code.optional().openapi({
    description: "Quantedge strategy text or backtrader Python (parsed, never run)",
    example: "import backtrader as bt\n...",
  }),
  code: Code.optional().openapi({ description: "The same as strategy_code (the document's other name)" }),
  spec: StrategySpecSchema.optional(),
  universe: Universe,
  language: Language,
}).openapi("ExplainRequest", { description: "Exactly one of strategy_code, code, spec" });

/** A chat session id. */
export const SessionId = z.string().regex(
  /^[A-Za-z0-9_.:-]{1,128}$/,
  "1–128 characters: letters, digits, _ . : -",
);

/** `POST /agent/invoke`. */
export const AgentInvokeBody = z.strictObject({
  input_text: safeText({ min: 1, max: 4000, multiline: true }).openapi({
    description: "The user's message (at most 4,000 characters)",
    example: "I want to test a momentum strategy on large cap stocks",
  }),
  session_id: SessionId.default("default").openapi({ example: "user_abc123" }),
  language: Language,
}).openapi("AgentInvokeRequest");
