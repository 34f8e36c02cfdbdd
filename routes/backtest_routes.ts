/** `POST /api/v1/backtests/run` (synchronous backtest → full report) and `POST /api/v1/indicators`. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { type IndicatorPreviewDeps, previewIndicators } from "../domain/backtest/indicator_preview.ts";
import { plotOnTicker, runOnTicker, runReport, type SyncRunDeps } from "../domain/backtest/sync_runs.ts";
import { serverTiming } from "../domain/backtest/run_backtest.ts";
import { StrategySpecSchema } from "../domain/strategy/spec.ts";
import { oneStrategySource } from "../domain/strategy/strategy_source.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAuth } from "./middleware/auth.ts";
import { BacktestReportSchema, PlotlyFigureSchema } from "./schemas/backtest.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, safeText } from "./schemas/common.ts";
import { StrategySources, TickerSymbol } from "./schemas/strategy_source.ts";
import { IndicatorsBody, IndicatorsSchema } from "./schemas/indicators.ts";

const RunBody = z.strictObject({
  ...StrategySources,
  trials: z.number().int().min(1).max(100_000).optional().openapi({
    description: "How many variants were tried (for the deflated Sharpe ratio)",
  }),
}).refine(oneStrategySource, { message: "Give exactly one of spec, blueprint, config or strategy_code" })
  .openapi("BacktestRun", {
    example: {
      spec: {
        name: "SMA cross",
        universe: { tickers: ["RELIANCE.NS"] },
        entry: "crosses_above(sma(close, 20), sma(close, 50))",
        exit: "crosses_below(sma(close, 20), sma(close, 50))",
        sizing: { method: "fixed_quantity", quantity: 100, max_positions: 1 },
        costs: { buy_fee_pct: 0.1, sell_fee_pct: 0.1, min_fee: 0, slippage_pct: 0 },
        fill: "next_open",
        capital: 100000,
        start: "2015-01-01",
        end: "2022-12-31",
        benchmarks: ["^NSEI"],
      },
    },
  });

/** Builds the backtest router. */
export function backtestRoutes(auth: AuthDeps, runs: SyncRunDeps, preview: IndicatorPreviewDeps) {
  const app = newRouter();
  const user = requireAuth(auth);

  app.openapi(
    createRoute({
      method: "post",
      path: "/backtests/run",
      tags: ["backtests"],
      summary: "Run a backtest synchronously and return the full report (small jobs; larger ones answer 413)",
      security: bearerSecurity,
      middleware: [user],
      request: { body: jsonBody(RunBody) },
      responses: {
        200: jsonResponse(BacktestReportSchema, "Report"),
        ...errorResponses(400, 401, 403, 404, 422, 429),
        413: jsonResponse(z.object({ detail: z.string() }), "Too large for a synchronous run"),
      },
    }),
    async (c) => {
      const me = c.get("principal").user;
      const body = c.req.valid("json");
      const answer = await fromInput("body", () => runReport(runs, me.id, body));
      c.header("Server-Timing", serverTiming(answer.timing));
      return c.json(answer, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/indicators",
      tags: ["backtests"],
      summary: "Evaluate expressions of the strategy language on one symbol's bars (for charts and previews)",
      security: bearerSecurity,
      middleware: [user],
      request: { body: jsonBody(IndicatorsBody) },
      responses: { 200: jsonResponse(IndicatorsSchema, "Series"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => {
      const owner = c.get("principal").user.id;
      return c.json(
        await fromInput("body", () => previewIndicators(preview, owner, c.req.valid("json"))),
        200,
      );
    },
  );

  const QuickBody = z.strictObject({
    strategy_code: safeText({ min: 1, max: 20_000, multiline: true, trim: false }).optional(),
    spec: StrategySpecSchema.optional(),
    ticker: TickerSymbol.openapi({ example: "600519.SH" }),
  }).refine(oneStrategySource, { message: "Give exactly one of strategy_code or spec" });

  app.openapi(
    createRoute({
      method: "post",
      path: "/backtest",
      tags: ["backtests"],
      summary: "Quick form: run strategy text (or a spec) on one ticker → start value, end value, P&L",
      security: bearerSecurity,
      middleware: [user],
      request: { body: jsonBody(QuickBody.openapi("QuickBacktest")) },
      responses: {
        200: jsonResponse(
          z.object({ start_value: z.number(), end_value: z.number(), pnl: z.number() }).openapi(
            "QuickResult",
          ),
          "Result",
        ),
        ...errorResponses(400, 401, 403, 404, 422, 429),
      },
    }),
    async (c) => {
      const me = c.get("principal").user;
      const body = c.req.valid("json");
      return c.json(await fromInput("body", () => runOnTicker(runs, me.id, body)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/plot",
      tags: ["backtests"],
      summary:
        "Plotly figure of a run on one ticker: price with entries/exits, equity vs benchmark, drawdown",
      security: bearerSecurity,
      middleware: [user],
      request: { body: jsonBody(QuickBody.openapi("PlotRequest")) },
      responses: {
        200: jsonResponse(PlotlyFigureSchema, "Figure"),
        ...errorResponses(400, 401, 403, 404, 422, 429),
      },
    }),
    async (c) => {
      const me = c.get("principal").user;
      const body = c.req.valid("json");
      return c.json(await fromInput("body", () => plotOnTicker(runs, me.id, body)), 200);
    },
  );

  return app;
}
