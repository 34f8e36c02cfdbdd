/**
 * `POST /api/v1/strategy-text/check`: strategy code (strategy text or backtrader Python) checked for an editor —
 * every problem with its line, column and hint (`checkStrategyText`), and the spec and canonical text when it is
 * valid. Invalid code is a 200 with `valid: false` (the answer is the list of problems); a body that is not a
 * string of code is the house 422. Parsing only: nothing is run, no credential is needed.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { checkStrategyText, MAX_ISSUES } from "../domain/strategy/strategy_text_check.ts";
import { newRouter } from "./app_env.ts";
import { StrategySpecResponse } from "./schemas/backtest.ts";
import { errorResponses, jsonBody, jsonResponse, safeText } from "./schemas/common.ts";

const CheckBody = z.strictObject({
  strategy_code: safeText({ min: 1, max: 20_000, multiline: true, trim: false }).openapi({
    description: "Strategy text (see /docs/strategy-text) or backtrader Python of the supported subset",
    example:
      'name: "SMA cross"\nuniverse: {"tickers":["RELIANCE.NS"]}\nentry: crosses_above(smaa(close, 20), ' +
      "sma(close, 50))\nexit: crosses_below(sma(close, 20), sma(close, 50))\n",
  }),
}).openapi("StrategyTextCheckRequest");

const Issue = z.object({
  line: z.number().int().nullable().openapi({
    description: "1-based line; null when the problem has no line",
  }),
  column: z.number().int().nullable().openapi({ description: "1-based column in the line, when known" }),
  message: z.string(),
  hint: z.string().nullable().openapi({ description: 'How to fix it (e.g. did you mean "sma"?)' }),
  key: z.string().nullable().openapi({ description: "The strategy-text key it is about" }),
}).openapi("StrategyTextIssue");

const CheckAnswer = z.object({
  valid: z.boolean(),
  format: z.enum(["strategy_text", "backtrader"]),
  issues: z.array(Issue).openapi({ description: `Every problem found (at most ${MAX_ISSUES})` }),
  spec: z.union([StrategySpecResponse, z.null()]).openapi({ description: "The spec; null unless valid" }),
  generated_code: z.string().nullable().openapi({
    description: "Canonical strategy text; null unless valid",
  }),
}).openapi("StrategyTextCheck");

/** Builds the strategy-text check router (mounted under `/api/v1`). */
export function strategyTextCheckRoutes() {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: "post",
      path: "/strategy-text/check",
      tags: ["assistant"],
      summary: "Check strategy code for an editor: every problem with line, column and hint",
      description:
        "Strategy text is checked line by line (key, JSON value, expression column and hint) and then " +
        "as a spec; valid means every route taking `strategy_code` accepts it. Backtrader Python is read by the " +
        "importer (its refusal names the line). Invalid code answers 200 with `valid: false`.",
      request: { body: jsonBody(CheckBody) },
      responses: { 200: jsonResponse(CheckAnswer, "The check"), ...errorResponses(422) },
    }),
    (c) => c.json(checkStrategyText(c.req.valid("json").strategy_code), 200),
  );
  return app;
}
