/** Request-schema pieces shared by the routes that take a strategy (run, queue, save). */
import { z } from "@hono/zod-openapi";
import { AgentConfigSchema, BlueprintSchema } from "../../domain/strategy/blueprint_and_config.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";
import { safeText } from "./common.ts";

/** The strategy fields of a request (the rule that exactly one is given is `oneStrategySource`). */
export const StrategySources = {
  spec: StrategySpecSchema.optional(),
  blueprint: BlueprintSchema.optional().openapi({ description: "The copilot's seed blueprint shape" }),
  config: AgentConfigSchema.optional().openapi({ description: "The chat agent's config shape" }),
  strategy_code: safeText({ min: 1, max: 20_000, multiline: true, trim: false }).optional().openapi({
    description:
      "Canonical strategy text, or backtrader Python of the supported subset (parsed, never run; " +
      "see /docs/strategy-text); outside the subset: 422 naming the construct and the line",
  }),
};

/** A ticker symbol in a request. */
export const TickerSymbol = z.string().min(1).max(32).regex(/^[A-Za-z0-9._^=-]+$/, "Not a symbol");
