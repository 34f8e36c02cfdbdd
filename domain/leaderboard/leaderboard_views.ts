/** What a client sees of the leaderboard: the answer to a submission, a period's ranking, the catalog ranking. */
import { chargeRate } from "../auth/rate_limiter.ts";
import { SYNC_RUN_BUCKET } from "../backtest/sync_runs.ts";
import {
  catalogLeaderboard,
  type LeaderboardDeps,
  PERIOD_MS,
  submitToLeaderboard,
  topEntries,
} from "./leaderboard.ts";

/** The answer to a submission: the entry, its metrics under their report names, and its score. */
export interface SubmissionView {
  entry_id: string;
  metrics: { "Sharpe Ratio": number | null; "Max Drawdown": number | null; "Total Return": number | null };
  score: number;
}

/** Runs and ranks version `version` (default latest) of my strategy on `dataset`; paths relative to the input. */
export async function submitEntry(
  deps: LeaderboardDeps,
  userId: string,
  input: { strategy_id: string; version?: number; dataset: string },
): Promise<SubmissionView> {
  await chargeRate(deps.rate, SYNC_RUN_BUCKET, userId);
  const e = await submitToLeaderboard(deps, userId, {
    strategyId: input.strategy_id,
    version: input.version,
    dataset: input.dataset,
  });
  return {
    entry_id: e.id,
    metrics: { "Sharpe Ratio": e.sharpe, "Max Drawdown": e.max_drawdown, "Total Return": e.return_pct },
    score: e.score,
  };
}

/** The top entries of a period (and optionally a dataset). */
export async function periodRanking(
  deps: LeaderboardDeps,
  query: { period: keyof typeof PERIOD_MS; dataset?: string; limit: number },
) {
  return {
    period: query.period,
    dataset: query.dataset ?? null,
    top: await topEntries(deps, query.period, query.dataset, query.limit),
  };
}

/** Catalog strategies ranked by their production version's best score (optionally on one dataset). */
export async function catalogRanking(deps: LeaderboardDeps, query: { dataset?: string; limit: number }) {
  return { dataset: query.dataset ?? null, top: await catalogLeaderboard(deps, query.dataset, query.limit) };
}
