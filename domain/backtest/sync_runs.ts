/**
 * Synchronous backtests for a caller (under the process-wide run gate and the synchronous size and expression
 * limits): the full report of a strategy in any source shape, and the one-ticker forms — start/end value and P&L,
 * or a Plotly figure. Error paths are relative to the request (`["spec", "entry"]`, `["strategy_code"]`).
 * A completed full-report or one-ticker run is recorded in the caller's run history (the last
 * `SYNC_RUN_HISTORY_PER_USER`), with its report; a plot is a picture of a run, not recorded.
 */
import { chargeRate, type RateCharge } from "../auth/rate_limiter.ts";
import { fromDayNumber } from "../calendar/dates.ts";
import type { MarketData } from "../market/types.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { parseStrategyCode, resolveSpec, sourcePath, type SpecSources } from "../strategy/strategy_source.ts";
import { agentConfigNotes } from "../strategy/blueprint_and_config.ts";
import { toStrategyText } from "../strategy/strategy_text.ts";
import { plotFigure, type PlotlyFigure } from "./plot.ts";
import type { BacktestReport } from "./report.ts";
import { type BacktestTiming, runBacktest, runBacktestTimed } from "./run_backtest.ts";
import type { RunGate } from "./run_gate.ts";
import type { Clock } from "../clock.ts";
import { newId } from "../tokens_and_hashes.ts";
import type { SyncRunRecord, SyncRunRepo } from "../store/sync_run_repo.ts";

/** The rate bucket every synchronous run of a user counts in (a library version compare is one too). */
export const SYNC_RUN_BUCKET = "backtest_user";

/** Completed synchronous runs kept per user in the run history (older ones are deleted). */
export const SYNC_RUN_HISTORY_PER_USER = 50;

/** What a synchronous run needs. */
export interface SyncRunDeps {
  market: MarketData;
  /** Largest run (symbols × bars) answered synchronously (`MAX_SYNC_SYMBOL_BARS`). */
  maxSymbolBars: number;
  /** Expression budget of a run (`MAX_EXPRESSION_COST`). */
  maxExpressionCost: number;
  /** The process-wide cap on synchronous runs at once. */
  gate?: RunGate;
  /** Milliseconds from a monotonic clock, for the report's timings. */
  now: () => number;
  /** Synchronous runs per user (`RATE_LIMIT_BACKTEST`, bucket `backtest_user`); unlimited when absent. */
  rate?: RateCharge;
  /**
   * Where completed runs of the full-report and one-ticker forms are recorded (the last `keep` per user), so run
   * lists (`GET /api/backtests`) show them beside queued jobs; nothing is recorded when absent.
   */
  history?: { runs: SyncRunRepo; clock: Clock; keep: number };
}

/**
 * What built a strategy, as run lists report it (`backend`): `rules` for every source shape there is today — a
 * spec, strategy text, a blueprint or an agent config are all compiled by rules; no LLM builds a strategy yet
 * (when one does, the strategy records its provider and runs of it report that instead).
 */
export const RULES_BACKEND = "rules";

/** Records a completed run of `ownerId` in the history (when there is one). */
async function recordRun(
  deps: SyncRunDeps,
  ownerId: string,
  form: SyncRunRecord["form"],
  report: BacktestReport,
): Promise<void> {
  const h = deps.history;
  if (!h) return;
  const now = h.clock.now();
  const s = report.summary;
  await h.runs.record(
    {
      id: newId("run", now),
      user_id: ownerId,
      form,
      name: report.spec.name,
      backend: RULES_BACKEND,
      start_date: report.spec.start,
      end_date: report.spec.end,
      initial_capital: s.initialCapital,
      final_value: s.finalValue,
      total_return_pct: s.totalReturn,
      total_trades: s.totalTrades,
      created_at: now,
    },
    report,
    h.keep,
  );
}

/** A full-report request: one strategy source, and how many variants were tried. */
export interface RunRequest extends SpecSources {
  trials?: number;
}

/**
 * The full report of a run, with the canonical text of the spec that ran and the wall-clock stage timings of
 * this run (beside the report, which is the same bytes for the same inputs; never stored).
 */
export type RunAnswer = BacktestReport & { generated_code: string; timing: BacktestTiming };

/** A one-ticker request: strategy text or a spec, run on `ticker` alone. */
export interface TickerRunRequest {
  strategy_code?: string;
  spec?: StrategySpec;
  ticker: string;
}

/** The one-ticker summary. */
export interface TickerRunAnswer {
  start_value: number;
  end_value: number;
  pnl: number;
}

/**
 * Runs the strategy of `input` for `ownerId` and answers the full report; a chat-agent `config` adds its notes
 * (how its indicators combine, the defaults it chose) in front of the report's.
 */
export async function runReport(deps: SyncRunDeps, ownerId: string, input: RunRequest): Promise<RunAnswer> {
  await chargeRate(deps.rate, SYNC_RUN_BUCKET, ownerId);
  const spec = resolveSpec(input);
  const { report, timing } = await runBacktestTimed(
    spec,
    deps.market,
    runOptions(deps, ownerId, input, input.trials),
  );
  const notes = input.config ? [...agentConfigNotes(input.config), ...report.notes] : report.notes;
  await recordRun(deps, ownerId, "report", { ...report, notes });
  return { ...report, notes, generated_code: toStrategyText(spec), timing };
}

/** Runs strategy text (or a spec) on one ticker: start value, end value and P&L. */
export async function runOnTicker(
  deps: SyncRunDeps,
  ownerId: string,
  input: TickerRunRequest,
): Promise<TickerRunAnswer> {
  await chargeRate(deps.rate, SYNC_RUN_BUCKET, ownerId);
  const spec = onTicker(input);
  const report = await run(deps, ownerId, spec, input);
  await recordRun(deps, ownerId, "ticker", report);
  const end = report.summary.finalValue as number;
  return { start_value: spec.capital, end_value: end, pnl: Math.round((end - spec.capital) * 1e4) / 1e4 };
}

/** Runs strategy text (or a spec) on one ticker and answers the Plotly figure of price, equity and drawdown. */
export async function plotOnTicker(
  deps: SyncRunDeps,
  ownerId: string,
  input: TickerRunRequest,
): Promise<PlotlyFigure> {
  await chargeRate(deps.rate, SYNC_RUN_BUCKET, ownerId);
  const spec = onTicker(input);
  const ticker = spec.universe.tickers![0];
  const report = await run(deps, ownerId, spec, input);
  const bars = await deps.market.getBars(ticker, spec.start, spec.end, ownerId);
  const prices = { dates: Array.from(bars?.days ?? [], fromDayNumber), close: Array.from(bars?.close ?? []) };
  return plotFigure(report, ticker, prices);
}

/**
 * The spec of a one-ticker run: the ticker is the universe (strategy text needs no `universe:` line and
 * backtrader code no data feed; a universe either gives is replaced).
 */
function onTicker(input: TickerRunRequest): StrategySpec {
  const universe = { tickers: [input.ticker.toUpperCase()] };
  const spec = input.spec ?? parseStrategyCode(input.strategy_code!, ["strategy_code"], { universe });
  return { ...spec, universe };
}

function runOptions(deps: SyncRunDeps, ownerId: string, sources: SpecSources, trials?: number) {
  return {
    ownerId,
    maxSymbolBars: deps.maxSymbolBars,
    maxExpressionCost: deps.maxExpressionCost,
    gate: deps.gate,
    expressionCostLoc: sourcePath(sources),
    now: deps.now,
    ...(trials === undefined ? {} : { trials }),
  };
}

function run(
  deps: SyncRunDeps,
  ownerId: string,
  spec: StrategySpec,
  sources: SpecSources,
  trials?: number,
): Promise<BacktestReport> {
  return runBacktest(spec, deps.market, runOptions(deps, ownerId, sources, trials));
}
