/**
 * Leaderboard tools (`/api/v1/leaderboard/*`, `/api/v1/catalog/leaderboard`): rank a library strategy (the
 * server runs it on a dataset's fixed symbols and dates) and read the rankings, with the route's body schema.
 */
import { z } from "zod";
import { DATASETS, SCORE_FORMULA } from "../../domain/leaderboard/leaderboard.ts";
import { catalogRanking, periodRanking, submitEntry } from "../../domain/leaderboard/leaderboard_views.ts";
import { DatasetName, LeaderboardSubmitBody } from "../../routes/schemas/strategy_requests.ts";
import { defineTool, READ_ONLY, type ToolDef } from "../tool_kit.ts";

const DATASETS_DOC = DATASETS.map((d) => `${d.name} (${d.description})`).join("; ");

/** An entry's fields, for the descriptions of the rankings. */
const ENTRY_DOC =
  "return_pct (total return, percent), sharpe (annualised, 252 days), max_drawdown (percent), " +
  `score (${SCORE_FORMULA})`;

/** The leaderboard tools. */
export const leaderboardTools: ToolDef[] = [
  defineTool({
    name: "submit_to_leaderboard",
    title: "Rank a saved strategy",
    description: "Runs a version of one of my saved strategies on a leaderboard dataset — the dataset's " +
      "symbols and dates, capital 1,000,000, costs 0.1 % a side, no benchmark; the strategy's rules, sizing, " +
      'risk and fill kept — and records a ranked entry. Answers {entry_id, metrics: {"Sharpe Ratio", ' +
      `"Max Drawdown", "Total Return"}, score}; ${ENTRY_DOC}. Datasets: ${DATASETS_DOC}. Counts as one ` +
      "synchronous run against my backtest rate. Ranking shows my nickname, the strategy's name and its " +
      "metrics, never its rules. Not idempotent: each call adds an entry; check get_leaderboard before " +
      "retrying after a timeout.",
    input: z.strictObject({
      strategy_id: LeaderboardSubmitBody.shape.strategy_id.describe(
        "The library strategy's id (save_strategy's strategy_id)",
      ),
      version: LeaderboardSubmitBody.shape.version.describe("The version to rank (default: the latest)"),
      dataset: LeaderboardSubmitBody.shape.dataset.describe(
        `The dataset: ${DATASETS.map((d) => d.name).join(", ")} (default "default")`,
      ),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, args) => submitEntry(ctx.deps.leaderboard, ctx.user().id, args),
  }),
  defineTool({
    name: "get_leaderboard",
    title: "Leaderboard of a period",
    description: "The best entries submitted in a period (by run time: daily = the last 24 hours, weekly = " +
      "the last 7 days, alltime), best score first, optionally on one dataset: {period, dataset, top: " +
      `[{id, username, strategy_id, strategy_name, version, dataset, run_at, ${ENTRY_DOC}}]}. No credential ` +
      "needed.",
    input: z.strictObject({
      period: z.enum(["daily", "weekly", "alltime"]).default("daily").describe(
        "daily (default), weekly or alltime",
      ),
      dataset: DatasetName.optional().describe(
        `Only this dataset: ${DATASETS.map((d) => d.name).join(", ")} (default: all)`,
      ),
      limit: z.number().int().min(1).max(50).default(10).describe("Entries to return, 1–50 (default 10)"),
    }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, query) => periodRanking(ctx.deps.leaderboard, query),
  }),
  defineTool({
    name: "get_catalog_leaderboard",
    title: "Catalog strategies ranked",
    description:
      "Published catalog strategies ranked by their production version's best leaderboard score, " +
      "optionally on one dataset: {dataset, top: [{strategy_id, name, author, production_version, dataset, " +
      `score, return_pct, sharpe, max_drawdown}]}; ${ENTRY_DOC}. No credential needed.`,
    input: z.strictObject({
      dataset: DatasetName.optional().describe(
        `Only this dataset: ${DATASETS.map((d) => d.name).join(", ")} (default: all)`,
      ),
      limit: z.number().int().min(1).max(50).default(20).describe("Entries to return, 1–50 (default 20)"),
    }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, query) => catalogRanking(ctx.deps.leaderboard, query),
  }),
];
