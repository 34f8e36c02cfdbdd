/** `POST /api/v1/backtests/run` (synchronous backtest → full report) and `POST /api/v1/indicators`. */
import type { RunGate } from "../domain/backtest/run_gate.ts";
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { plotFigure } from "../domain/backtest/plot.ts";
import {
  assertWithinExpressionBudget,
  runBacktest,
  runBacktestTimed,
  serverTiming,
  WARMUP_DAYS,
} from "../domain/backtest/run_backtest.ts";
import { costedNodes, createWorkPacer, estimateExpressionCost, formatCost } from "../domain/strategy/cost.ts";
import { addDays, fromDayNumber, toDayNumber } from "../domain/calendar/dates.ts";
import type { RateRule } from "../domain/config.ts";
import { NotFoundError, ValidationError } from "../domain/errors.ts";
import type { MarketDeps } from "../domain/market/market_deps.ts";
import { createEvalContext, evaluate, evaluateNodes } from "../domain/strategy/evaluate.ts";
import { ExpressionError, parseExpression } from "../domain/strategy/expression.ts";
import { type StrategySpec, StrategySpecSchema } from "../domain/strategy/spec.ts";
import {
  AgentConfigSchema,
  BlueprintSchema,
  compileAgentConfig,
  compileBlueprint,
} from "../domain/strategy/compile_shapes.ts";
import { parseStrategyText, toStrategyText } from "../domain/strategy/strategy_text.ts";
import { ZodError } from "zod";
import { newRouter } from "./app_env.ts";
import { requireAuth } from "./middleware/auth.ts";
import { IsoDateString } from "./schemas/calendar.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, safeText } from "./schemas/common.ts";

/** The strategy fields of a run request. */
export const StrategySources = {
  spec: StrategySpecSchema.optional(),
  blueprint: BlueprintSchema.optional().openapi({ description: "The copilot's seed blueprint shape" }),
  config: AgentConfigSchema.optional().openapi({ description: "The chat agent's config shape" }),
  strategy_code: safeText({ min: 1, max: 20_000, multiline: true, trim: false }).optional().openapi({
    description: "Canonical strategy text",
  }),
};

/** Exactly one of the strategy fields. */
export const oneStrategySource = (b: SpecSources) =>
  [b.spec, b.blueprint, b.config, b.strategy_code].filter((x) => x !== undefined).length === 1;

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

const ReportSchema = z.looseObject({
  summary: z.record(z.string(), z.unknown()),
  trades: z.array(z.record(z.string(), z.unknown())),
  dailyPortfolio: z.array(z.record(z.string(), z.unknown())),
  monthlyPerformance: z.array(z.record(z.string(), z.unknown())),
  source: z.string(),
  generated_code: z.string(),
  engine_version: z.string(),
  conventions: z.record(z.string(), z.unknown()),
  timing: z.record(z.string(), z.number()),
}).openapi("BacktestReport");

/**
 * Most values one `/indicators` answer holds (bars in the range × expressions): the expression budget prices the
 * evaluation, this bounds the answer built and serialised in one go (about 9 MB of JSON at the limit).
 */
export const MAX_INDICATOR_VALUES = 500_000;

const IndicatorsBody = z.strictObject({
  symbol: z.string().min(1).max(32).regex(/^[A-Za-z0-9._^=-]+$/, "Not a symbol").openapi({
    example: "600519.SH",
  }),
  start: IsoDateString.optional().openapi({ example: "2024-01-01" }),
  end: IsoDateString.optional().openapi({ example: "2024-12-31" }),
  expressions: z.array(safeText({ min: 1, max: 2000, multiline: true, trim: false })).min(1).max(20).openapi({
    example: ["rsi(close, 14)", "macd(close, 12, 26, 9)", "bb_upper(close, 20, 2)"],
  }),
}).openapi("IndicatorsRequest");

const IndicatorsSchema = z.object({
  symbol: z.string(),
  source: z.string(),
  dates: z.array(z.string()),
  series: z.record(z.string(), z.array(z.number().nullable())),
}).openapi("Indicators");

/** The ways a request can name a strategy (exactly one is given). */
export interface SpecSources {
  spec?: StrategySpec;
  blueprint?: z.infer<typeof BlueprintSchema>;
  config?: z.infer<typeof AgentConfigSchema>;
  strategy_code?: string;
}

/** The spec of a run request, whichever shape it came in; a shape that does not compile is a 422. */
export function resolveSpec(body: SpecSources): StrategySpec {
  if (body.spec) return body.spec;
  if (body.strategy_code) return parseStrategyText(body.strategy_code);
  try {
    return body.blueprint ? compileBlueprint(body.blueprint) : compileAgentConfig(body.config!);
  } catch (e) {
    if (e instanceof ZodError) {
      const issue = e.issues[0];
      throw new ValidationError(issue.message, [
        "body",
        body.blueprint ? "blueprint" : "config",
        ...issue.path.map(String),
      ]);
    }
    throw e;
  }
}

/** Where the strategy is in a request body, for errors about it. */
export function sourceLoc(body: SpecSources): string[] {
  const field = (["spec", "blueprint", "config", "strategy_code"] as const).find((k) =>
    body[k] !== undefined
  );
  return ["body", field ?? "spec"];
}

/** Builds the backtest router. */
export function backtestRoutes(
  auth: AuthDeps,
  market: MarketDeps,
  opts: { maxSymbolBars: number; maxExpressionCost: number; rate: RateRule; gate: RunGate },
) {
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
        200: jsonResponse(ReportSchema, "Report"),
        ...errorResponses(400, 401, 403, 404, 422, 429),
        413: jsonResponse(z.object({ detail: z.string() }), "Too large for a synchronous run"),
      },
    }),
    async (c) => {
      const me = c.get("principal").user;
      await auth.limiter.consume("backtest_user", me.id, opts.rate);
      const body = c.req.valid("json");
      const spec = resolveSpec(body);
      const { report, timing } = await runBacktestTimed(spec, market.data, {
        ownerId: me.id,
        maxSymbolBars: opts.maxSymbolBars,
        maxExpressionCost: opts.maxExpressionCost,
        gate: opts.gate,
        expressionCostLoc: sourceLoc(body),
        now: () => performance.now(),
        trials: body.trials,
      });
      c.header("Server-Timing", serverTiming(timing));
      return c.json({ ...report, generated_code: toStrategyText(spec), timing }, 200);
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
      const body = c.req.valid("json");
      const owner = c.get("principal").user.id;
      const info = await market.data.getSymbol(body.symbol, owner);
      if (!info) throw new NotFoundError(`Unknown symbol "${body.symbol}"`);
      const end = body.end ?? market.synthetic.targetDate(body.symbol);
      const start = body.start ?? `${Number(end.slice(0, 4)) - 1}${end.slice(4)}`;
      if (start > end) throw new ValidationError("start must not be after end", ["body", "start"]);
      // Indicators read the history before `start` (the backtests' warm-up), so the first answered bar has a
      // value when earlier bars exist; only bars from `start` are answered.
      const bars = await market.data.getBars(body.symbol, addDays(start, -WARMUP_DAYS), end, owner);
      if (!bars) throw new NotFoundError(`Unknown symbol "${body.symbol}"`);
      const startDay = toDayNumber(start);
      let from = 0;
      while (from < bars.days.length && bars.days[from] < startDay) from++;
      const exprs = body.expressions.map((src, i) => {
        try {
          return parseExpression(src);
        } catch (e) {
          if (e instanceof ExpressionError) {
            throw new ValidationError(e.message, ["body", "expressions", i], "expression");
          }
          throw e;
        }
      });
      // Refused before any evaluation when over budget; otherwise evaluated in slices that yield.
      const n = bars.days.length, answered = n - from;
      if (answered * exprs.length > MAX_INDICATOR_VALUES) {
        throw new ValidationError(
          `Too many values to answer: ${answered} bars × ${exprs.length} expressions = ${
            formatCost(answered * exprs.length)
          }, ` +
            `over the limit of ${formatCost(MAX_INDICATOR_VALUES)} per request. ` +
            "Use a shorter date range (start/end) or fewer expressions.",
          ["body", "expressions"],
          "too_many_values",
        );
      }
      assertWithinExpressionBudget(
        estimateExpressionCost(exprs, [n]),
        opts.maxExpressionCost,
        ["body", "expressions"],
        "these expressions",
      );
      const pacer = createWorkPacer();
      const ctx = createEvalContext(bars);
      const series: Record<string, (number | null)[]> = {};
      for (const [i, e] of exprs.entries()) {
        try {
          await evaluateNodes(costedNodes([e], n), ctx, pacer);
          series[body.expressions[i]] = Array.from(
            evaluate(e, ctx).subarray(from),
            (v) => (Number.isFinite(v) ? v : null),
          );
        } catch (err) {
          if (err instanceof ExpressionError) {
            throw new ValidationError(err.message, ["body", "expressions", i], "expression");
          }
          throw err;
        }
      }
      return c.json({
        symbol: info.symbol,
        source: bars.source,
        dates: Array.from(bars.days.subarray(from), fromDayNumber),
        series,
      }, 200);
    },
  );

  const QuickBody = z.strictObject({
    strategy_code: safeText({ min: 1, max: 20_000, multiline: true, trim: false }).optional(),
    spec: StrategySpecSchema.optional(),
    ticker: z.string().min(1).max(32).regex(/^[A-Za-z0-9._^=-]+$/, "Not a symbol").openapi({
      example: "600519.SH",
    }),
  }).refine((b) => (b.strategy_code === undefined) !== (b.spec === undefined), {
    message: "Give exactly one of strategy_code or spec",
  });
  const onTicker = (b: z.infer<typeof QuickBody>): StrategySpec => {
    const spec = b.spec ?? parseStrategyText(b.strategy_code!);
    return { ...spec, universe: { tickers: [b.ticker.toUpperCase()] } };
  };

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
      await auth.limiter.consume("backtest_user", me.id, opts.rate);
      const body = c.req.valid("json");
      const spec = onTicker(body);
      const report = await runBacktest(spec, market.data, {
        ownerId: me.id,
        maxSymbolBars: opts.maxSymbolBars,
        maxExpressionCost: opts.maxExpressionCost,
        gate: opts.gate,
        expressionCostLoc: sourceLoc(body),
        now: () => performance.now(),
      });
      const end = report.summary.finalValue as number;
      return c.json({
        start_value: spec.capital,
        end_value: end,
        pnl: Math.round((end - spec.capital) * 1e4) / 1e4,
      }, 200);
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
        200: jsonResponse(
          z.object({
            data: z.array(z.record(z.string(), z.unknown())),
            layout: z.record(z.string(), z.unknown()),
          })
            .openapi("PlotlyFigure"),
          "Figure",
        ),
        ...errorResponses(400, 401, 403, 404, 422, 429),
      },
    }),
    async (c) => {
      const me = c.get("principal").user;
      await auth.limiter.consume("backtest_user", me.id, opts.rate);
      const body = c.req.valid("json");
      const spec = onTicker(body);
      const ticker = spec.universe.tickers![0];
      const report = await runBacktest(spec, market.data, {
        ownerId: me.id,
        maxSymbolBars: opts.maxSymbolBars,
        maxExpressionCost: opts.maxExpressionCost,
        gate: opts.gate,
        expressionCostLoc: sourceLoc(body),
        now: () => performance.now(),
      });
      const bars = await market.data.getBars(ticker, spec.start, spec.end, me.id);
      const prices = {
        dates: Array.from(bars?.days ?? [], fromDayNumber),
        close: Array.from(bars?.close ?? []),
      };
      return c.json(plotFigure(report, ticker, prices), 200);
    },
  );

  return app;
}
