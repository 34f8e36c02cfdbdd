/**
 * Request bodies that take a strategy, shared by their HTTP routes and the MCP tools (one schema, one set of
 * rules): a synchronous run, a queued job, a library save, a leaderboard submission.
 */
import { z } from "@hono/zod-openapi";
import { DATASETS } from "../../domain/leaderboard/leaderboard.ts";
import { AgentConfigSchema } from "../../domain/strategy/blueprint_and_config.ts";
import { BUILTIN_STRATEGIES } from "../../domain/strategy/builtin_strategies.ts";
import {
  anyStrategySource,
  oneStrategySource,
  type SpecSources,
} from "../../domain/strategy/strategy_source.ts";
import { safeText } from "./common.ts";
import { StrategySources } from "./strategy_source.ts";

/** `POST /backtests/run`: one strategy source and how many variants were tried. */
export const RunBody = z.strictObject({
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

/** The TradAI backend document's config: a strategy by name and the pairs to run it on. */
const NamedStrategyConfigSchema = z.strictObject({
  strategy: safeText({ min: 1, max: 200 }).openapi({
    description: "A strategy by name: one of your saved strategies, else a built-in (" +
      BUILTIN_STRATEGIES.map((b) => b.name).join(", ") + "), else a strategy of the public catalog",
    example: "TrendFollowing",
  }),
  pairs: z.array(safeText({ min: 1, max: 40 })).min(1).max(50).openapi({
    description: "BASE/USDT, BASE/USDT:USDT, BASE/USD(C) → the crypto symbol BASE-USD; or Quantedge symbols",
    example: ["BTC/USDT:USDT"],
  }),
  timeframe: z.literal("1d").optional().openapi({ description: "Bar size: only daily bars (1d) exist" }),
  timerange: safeText({ min: 1, max: 17 }).optional().openapi({
    description: "YYYYMMDD-YYYYMMDD (either side may be empty): replaces the strategy's dates",
    example: "20230101-20241231",
  }),
}).openapi("NamedStrategyConfig");

/** `POST /backtests`: one strategy source (or a library strategy), an experiment name and a priority. */
export const JobSubmitBody = z.strictObject({
  ...StrategySources,
  config: z.union([NamedStrategyConfigSchema, AgentConfigSchema]).optional().openapi({
    description: "The TradAI document's {strategy, pairs}, or the chat agent's config shape",
  }),
  library_id: safeText({ min: 1, max: 64, trim: false }).optional().openapi({
    description: "Run a saved strategy of mine",
  }),
  version: z.number().int().min(1).optional().openapi({ description: "Its version (default: latest)" }),
  experiment_name: safeText({ min: 1, max: 200 }).optional(),
  priority: z.number().int().min(0).max(10).default(0).openapi({
    description: "Among my waiting jobs, higher priority starts first (then oldest first)",
  }),
}).refine(
  (b) =>
    b.library_id !== undefined ? !anyStrategySource(b as SpecSources) : oneStrategySource(b as SpecSources),
  {
    message: "Give exactly one of spec, blueprint, config, strategy_code or library_id",
  },
)
  .openapi("BacktestJobSubmit");

/**
 * `POST /library`: a name, a prompt, one strategy source (`code` = `strategy_code`), optionally the strategy it
 * versions.
 */
export const SaveStrategyBody = z.strictObject({
  name: safeText({ min: 1, max: 200 }).openapi({ example: "SMA cross" }),
  prompt: safeText({ max: 10_000, multiline: true, trim: false }).nullable().optional(),
  strategy_id: safeText({ min: 1, max: 64, trim: false }).optional().openapi({
    description: "Save as a new version of this strategy",
  }),
  ...StrategySources,
  code: safeText({ min: 1, max: 20_000, multiline: true, trim: false }).optional().openapi({
    description: "Strategy text or backtrader Python (same as strategy_code)",
  }),
}).refine((b) => oneStrategySource({ ...b, strategy_code: b.strategy_code ?? b.code }), {
  message: "Give exactly one of spec, blueprint, config or code",
}).openapi("SaveStrategy");

/** A leaderboard dataset's name. */
export const DatasetName = z.enum(DATASETS.map((d) => d.name) as [string, ...string[]]);

/** `POST /leaderboard/submit`: a library strategy (and version) and the dataset to rank it on. */
export const LeaderboardSubmitBody = z.strictObject({
  strategy_id: safeText({ min: 1, max: 64, trim: false }),
  version: z.number().int().min(1).optional(),
  dataset: DatasetName.default("default"),
}).openapi("LeaderboardSubmit");
