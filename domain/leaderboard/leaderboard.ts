/**
 * The leaderboard: the server re-runs a library strategy version on a named dataset (fixed symbols, dates,
 * capital and costs — client-sent metrics are never trusted) and ranks entries by a bounded score:
 *
 *   score = 100 × (0.5 · s(Sharpe, 2) + 0.3 · s(total return %, 100) + 0.2 · (1 − |max drawdown %| / 100))
 *   where s(x, k) = (tanh(x / k) + 1) / 2 maps any value into (0, 1).
 *
 * So a Sharpe of 0, a 0 % return and no drawdown score 50; the score always lies in [0, 100]. One entry per
 * strategy version per dataset: resubmitting replaces it (and, the runs being deterministic, gives the same score).
 */
import type { RateCharge } from "../auth/rate_limiter.ts";
import { iso } from "../iso_time.ts";
import type { RunGate } from "../backtest/run_gate.ts";
import type { Clock } from "../clock.ts";
import { NotFoundError } from "../errors.ts";
import type { MarketData } from "../market/types.ts";
import type { LibraryDeps } from "../strategy/library.ts";
import { getOwnVersion, isInCatalog } from "../strategy/library.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { assertWithinExpressionBudget, estimateBacktestCost, runBacktest } from "../backtest/run_backtest.ts";
import type { LeaderboardEntry, LeaderboardRepo } from "../store/leaderboard_repo.ts";

/** A dataset: fixed symbols (or a universe) and dates. */
export interface Dataset {
  name: string;
  description: string;
  universe: StrategySpec["universe"];
  start: string;
  end: string;
}

/** The datasets strategies are ranked on. Capital 1,000,000 and costs 0.1 % a side apply to all. */
export const DATASETS: readonly Dataset[] = [
  {
    name: "default",
    description: "Five large A-shares (600519.SH, 000001.SZ, 600036.SH, 000858.SZ, 601318.SH), 2018–2022",
    universe: { tickers: ["600519.SH", "000001.SZ", "600036.SH", "000858.SZ", "601318.SH"] },
    start: "2018-01-01",
    end: "2022-12-31",
  },
  {
    name: "hs300-2020-2024",
    description: "The hs300 universe of the synthetic market, 2020–2024",
    universe: { name: "hs300" },
    start: "2020-01-01",
    end: "2024-12-31",
  },
  {
    name: "crypto-2021-2024",
    description: "BTC-USD and ETH-USD, 2021–2024",
    universe: { tickers: ["BTC-USD", "ETH-USD"] },
    start: "2021-01-01",
    end: "2024-12-31",
  },
];

/** The dataset named `name`; `NotFoundError` otherwise. */
function datasetNamed(name: string): Dataset {
  const d = DATASETS.find((x) => x.name === name);
  if (!d) {
    throw new NotFoundError(
      `Unknown dataset "${name}" (datasets: ${DATASETS.map((x) => x.name).join(", ")})`,
    );
  }
  return d;
}

/**
 * The spec a leaderboard run of `spec` on dataset `datasetName` runs: the strategy's rules, sizing, risk and fill
 * with the dataset's symbols and dates, capital 1,000,000, costs 0.1 % a side and no benchmarks.
 */
export function leaderboardRunSpec(spec: StrategySpec, datasetName: string): StrategySpec {
  const dataset = datasetNamed(datasetName);
  return {
    ...spec,
    universe: dataset.universe,
    start: dataset.start,
    end: dataset.end,
    capital: 1_000_000,
    costs: { buy_fee_pct: 0.1, sell_fee_pct: 0.1, min_fee: 0, slippage_pct: 0 },
    benchmarks: [],
  };
}

/** The score formula in words, as the API documents it. */
export const SCORE_FORMULA = "score = 100 × (0.5·s(Sharpe, 2) + 0.3·s(total return %, 100) + " +
  "0.2·(1 − |max drawdown %|/100)), s(x, k) = (tanh(x/k) + 1)/2; always in [0, 100]";

const squash = (x: number, k: number) => (Math.tanh(x / k) + 1) / 2;

/** The bounded leaderboard score (see the module comment); null inputs count as 0. */
export function leaderboardScore(
  sharpe: number | null,
  totalReturnPct: number | null,
  maxDrawdownPct: number | null,
): number {
  const dd = Math.min(100, Math.abs(maxDrawdownPct ?? 0));
  const score = 100 *
    (0.5 * squash(sharpe ?? 0, 2) + 0.3 * squash(totalReturnPct ?? 0, 100) + 0.2 * (1 - dd / 100));
  return Math.round(score * 100) / 100;
}

/** What the leaderboard needs. */
export interface LeaderboardDeps {
  entries: LeaderboardRepo;
  library: LibraryDeps;
  market: MarketData;
  clock: Clock;
  /** Nickname of a user (never an email). */
  nicknameOf: (userId: string) => Promise<string | null>;
  /** Expression budget of one leaderboard run (MAX_EXPRESSION_COST); no limit when absent. */
  maxExpressionCost?: number;
  /** The process-wide cap on synchronous runs (429 past it); none when absent. */
  gate?: RunGate;
  /** A submission is a synchronous run of the caller (`RATE_LIMIT_BACKTEST`); unlimited when absent. */
  rate?: RateCharge;
}

/** Runs version `version` (default latest) of my strategy on `dataset` and stores the entry (replacing any). */
export async function submitToLeaderboard(
  deps: LeaderboardDeps,
  userId: string,
  input: { strategyId: string; version?: number; dataset: string },
): Promise<LeaderboardEntry> {
  const dataset = datasetNamed(input.dataset);
  const v = await getOwnVersion(deps.library, userId, input.strategyId, input.version);
  const spec = leaderboardRunSpec(v.spec, dataset.name);
  if (deps.maxExpressionCost !== undefined) {
    assertWithinExpressionBudget(
      await estimateBacktestCost(spec, deps.market, null),
      deps.maxExpressionCost,
      ["strategy_id"],
      `version ${v.version} on dataset "${dataset.name}"`,
    );
  }
  const report = await runBacktest(spec, deps.market, {
    ownerId: null, // datasets use public data only
    maxSymbolBars: Number.MAX_SAFE_INTEGER,
    now: () => 0,
    gate: deps.gate,
  });
  const s = report.summary;
  const entry: LeaderboardEntry = {
    id: `${dataset.name}:${v.strategy_id}:${v.version}`,
    user_id: userId,
    strategy_id: v.strategy_id,
    strategy_name: v.spec.name,
    version: v.version,
    dataset: dataset.name,
    run_at: deps.clock.now(),
    return_pct: s.totalReturn,
    sharpe: s.sharpeRatio,
    max_drawdown: s.maxDrawdown,
    score: leaderboardScore(s.sharpeRatio, s.totalReturn, s.maxDrawdown),
  };
  await deps.entries.put(entry);
  return entry;
}

/** Period windows. */
export const PERIOD_MS = { daily: 86_400_000, weekly: 7 * 86_400_000, alltime: Infinity } as const;

/**
 * Top entries of a period (by run time) and optional dataset, best score first, with nicknames. Submitting is
 * the owner's choice to be ranked (name, nickname and metrics, never the rules); a deleted strategy leaves it.
 */
export async function topEntries(
  deps: LeaderboardDeps,
  period: keyof typeof PERIOD_MS,
  dataset: string | undefined,
  limit: number,
) {
  if (dataset) datasetNamed(dataset);
  const now = deps.clock.now();
  const all = (await deps.entries.list(dataset)).filter((e) => now - e.run_at <= PERIOD_MS[period]);
  all.sort((a, b) => b.score - a.score || a.run_at - b.run_at || a.id.localeCompare(b.id));
  // Entries of strategies their owners have since deleted are not shown (each strategy is read once; the walk
  // stops as soon as `limit` live entries are found).
  const live = new Map<string, boolean>();
  const shown: typeof all = [];
  for (const e of all) {
    if (shown.length >= limit) break;
    if (!live.has(e.strategy_id)) {
      const s = await deps.library.library.get(e.strategy_id);
      live.set(e.strategy_id, !!s && !s.deleted);
    }
    if (live.get(e.strategy_id)) shown.push(e);
  }
  return await Promise.all(
    shown.map(async (e) => ({
      id: e.id,
      user_id: e.user_id,
      username: (await deps.nicknameOf(e.user_id)) ?? "anonymous",
      strategy_id: e.strategy_id,
      strategy_name: e.strategy_name,
      version: e.version,
      dataset: e.dataset,
      run_at: iso(e.run_at),
      return_pct: e.return_pct,
      sharpe: e.sharpe,
      max_drawdown: e.max_drawdown,
      score: e.score,
    })),
  );
}

/**
 * The catalog ranking: each catalog strategy (promoted and published) scored by its production version's best
 * leaderboard entry (on `dataset`, or any dataset); strategies never submitted are left out.
 */
export async function catalogLeaderboard(deps: LeaderboardDeps, dataset: string | undefined, limit: number) {
  if (dataset) datasetNamed(dataset);
  const promoted = await deps.library.library.listAll({ limit: 200, offset: 0 }, isInCatalog);
  const entries = await deps.entries.list(dataset);
  const rows = [];
  for (const s of promoted.items) {
    const best = entries.filter((e) => e.strategy_id === s.id && e.version === s.production_version)
      .sort((a, b) => b.score - a.score)[0];
    if (!best) continue;
    rows.push({
      strategy_id: s.id,
      name: s.name,
      author: (await deps.nicknameOf(s.user_id)) ?? "anonymous",
      production_version: s.production_version!,
      dataset: best.dataset,
      score: best.score,
      return_pct: best.return_pct,
      sharpe: best.sharpe,
      max_drawdown: best.max_drawdown,
    });
  }
  rows.sort((a, b) => b.score - a.score || a.strategy_id.localeCompare(b.strategy_id));
  return rows.slice(0, limit);
}
