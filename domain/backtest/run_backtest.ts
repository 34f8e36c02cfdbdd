/**
 * Runs a spec end to end: resolve the universe, load bars (with a year of extra history so indicators are warm
 * at `start`), evaluate the rules per symbol, simulate, and build the report with metrics and conventions.
 */
import type { RunGate } from "./run_gate.ts";
import { getCalendar } from "../calendar/calendar.ts";
import { addDays, fromDayNumber, toDayNumber } from "../calendar/dates.ts";
import type { ExchangeCode } from "../calendar/exchanges.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { MarketData, SymbolInfo } from "../market/types.ts";
import {
  BARS_PER_YEAR,
  createWorkPacer,
  estimateBars,
  estimateExpressionCost,
  type ExpressionCostEstimate,
  formatCost,
  yieldToEventLoop,
} from "../strategy/cost.ts";
import { type Expr, ExpressionError, parseExpression } from "../strategy/expression.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { createSimulation, type Trade } from "./engine.ts";
import { loadRunInputs, noInputsError } from "./run_inputs.ts";
import { type BacktestReport, buildReport } from "./report.ts";

/** The engine version reported with every result. */
export const ENGINE_VERSION = "1.0.0";
/** Calendar days of history loaded before `start` to warm up indicators. */
export const WARMUP_DAYS = 400;

type Filters = NonNullable<StrategySpec["universe"]["filters"]>;

/** Market-cap class, sector and syariah filters (the static ones: decided before the run, per symbol). */
export function passesStaticFilters(info: SymbolInfo, f: Filters | undefined): boolean {
  if (!f) return true;
  if (f.market_cap && (!info.market_cap_class || !f.market_cap.includes(info.market_cap_class))) return false;
  if (f.sectors && (!info.sector || !f.sectors.some((s) => s.toLowerCase() === info.sector!.toLowerCase()))) {
    return false;
  }
  if (f.syariah !== undefined && info.syariah !== f.syariah) return false;
  return true;
}

/** Progress of a sliced run: percent of trading days simulated, the last simulated date, trades so far. */
export interface BacktestProgress {
  progress: number;
  current_date: string | null;
  trades_executed: number;
}

/** Raised when a run's progress callback asks it to stop. */
export class BacktestCancelledError extends Error {}

/** The rule that `min_avg_traded_value` evaluates on every symbol. */
const TRADED_VALUE = "sma(close * volume, 20)";

/** Symbol-days simulated between two pauses of a synchronous run (about 5 ms of engine work). */
const SIM_SLICE_SYMBOL_DAYS = 150_000;

/**
 * The run's sessions: the trading days of `exchanges` from the first to the last simulated bar, as sorted day
 * numbers. Only days the calendar knows (published tables, rules, 24/7) count; where it only guesses (weekdays
 * with unknown holidays) the bars alone decide, so a guessed holiday never adds a flat row.
 */
export function sessionDaysOf(exchanges: Iterable<ExchangeCode>, first: number, last: number): Int32Array {
  const days = new Set<number>();
  if (last < first) return new Int32Array(0);
  for (const code of exchanges) {
    const cal = getCalendar(code);
    let sessions: string[];
    try {
      sessions = cal.tradingDaysBetween(fromDayNumber(first), fromDayNumber(last));
    } catch (e) {
      if (e instanceof RangeError) continue; // dates the calendar cannot answer: the bars alone decide
      throw e;
    }
    for (const d of sessions) if (cal.basisFor(d) !== "weekdays") days.add(toDayNumber(d));
  }
  return Int32Array.from(days).sort();
}

/** Parses a spec rule; a bad one is a 422 naming the field. */
function parseRule(src: string, field: string): Expr {
  try {
    return parseExpression(src);
  } catch (e) {
    if (e instanceof ExpressionError) {
      throw new ValidationError(e.message, ["spec", field], "expression");
    }
    throw e;
  }
}

/** Every expression a run of `spec` evaluates on each symbol: entry, exit, rank_by, then the filters' rule. */
export function specExpressions(spec: StrategySpec): Expr[] {
  const exprs = [
    parseRule(spec.entry, "entry"),
    parseRule(spec.exit, "exit"),
    parseRule(spec.rank_by, "rank_by"),
  ];
  if (spec.universe.filters?.min_avg_traded_value !== undefined) exprs.push(parseExpression(TRADED_VALUE));
  return exprs;
}

/**
 * The symbols a run of `spec` reads, in the run's order (tickers upper-cased, then universe members, each once);
 * the order decides ties between entry candidates, so paper trading pins exactly this list.
 */
export async function specSymbols(spec: StrategySpec, market: MarketData): Promise<Set<string>> {
  const symbols = new Set(spec.universe.tickers?.map((s) => s.toUpperCase()) ?? []);
  if (spec.universe.name) { for (const s of await market.getUniverse(spec.universe.name)) symbols.add(s); }
  return symbols;
}

/**
 * Estimates, before any data is loaded, what evaluating `spec`'s rules costs (see `domain/strategy/cost.ts`):
 * bars per symbol are estimated from the calendar over the run's dates plus the warm-up, at 252 a year (365 for
 * crypto, which trades every day).
 */
export function estimateBacktestCost(
  spec: StrategySpec,
  market: MarketData,
  ownerId: string | null,
): Promise<ExpressionCostEstimate> {
  return estimateWith(spec, market, (symbol) => market.getSymbol(symbol, ownerId));
}

/** `estimateBacktestCost`, looking symbols up with `getSymbol`. */
export async function estimateWith(
  spec: StrategySpec,
  market: MarketData,
  getSymbol: (symbol: string) => Promise<SymbolInfo | null>,
): Promise<ExpressionCostEstimate> {
  const exprs = specExpressions(spec);
  const from = toDayNumber(addDays(spec.start, -WARMUP_DAYS)), to = toDayNumber(spec.end);
  const tickers = new Set(spec.universe.tickers?.map((s) => s.toUpperCase()) ?? []);
  const everyDay = estimateBars(from, to, BARS_PER_YEAR.everyDay);
  const exchange = estimateBars(from, to, BARS_PER_YEAR.exchange);
  // Look-ups at once (in ticker order): each is a KV read, and waiting on them one by one adds up.
  const infos = await Promise.all([...tickers].map(getSymbol));
  const bars: number[] = infos.map((info) => (info?.exchange === "CRYPTO" ? everyDay : exchange));
  if (spec.universe.name) {
    const perYear = spec.universe.name === "crypto" ? everyDay : exchange;
    for (const s of await market.getUniverse(spec.universe.name)) if (!tickers.has(s)) bars.push(perYear);
  }
  return estimateExpressionCost(exprs, bars);
}

/**
 * Refuses (422) an estimate over `budget`, naming the budget, the cost and where it comes from; `loc` says which
 * part of the request holds the strategy, `what` names it in the message.
 */
export function assertWithinExpressionBudget(
  estimate: ExpressionCostEstimate,
  budget: number,
  loc: (string | number)[] = ["spec"],
  what = "this strategy",
  budgetName = "MAX_EXPRESSION_COST",
): void {
  if (estimate.cost <= budget) return;
  const top = estimate.costliest[0];
  const msg =
    `Too expensive to evaluate ${what}: estimated cost ${formatCost(estimate.cost)} units is over ` +
    `the expression budget of ${formatCost(budget)} (${budgetName}); ${estimate.symbols} symbol(s) × ` +
    `about ${estimate.bars_per_symbol} bars × ${estimate.nodes} distinct sub-expressions` +
    (top ? `, costliest ${top.expression} (${formatCost(top.cost)})` : "") +
    ". Use shorter windows, fewer terms, fewer symbols or a shorter date range.";
  throw new ValidationError(msg, loc, "expression_cost", [{
    type: "expression_cost",
    loc,
    msg,
    ctx: { ...estimate, budget, budget_setting: budgetName },
  }]);
}

/**
 * Runs `spec` on `market` for `ownerId` (whose private imports are visible); `maxSymbolBars` bounds the work.
 * The report holds no wall-clock figure, so the same inputs give the same report byte for byte (jobs store it);
 * `runBacktestTimed` also answers how long each stage took.
 */
export async function runBacktest(
  spec: StrategySpec,
  market: MarketData,
  opts: RunBacktestOptions,
): Promise<BacktestReport> {
  return (await runBacktestTimed(spec, market, opts)).report;
}

/** Milliseconds spent in each stage of a run (time paused for other work left out), measured with `opts.now`. */
export interface BacktestTiming {
  load_ms: number;
  indicators_ms: number;
  simulate_ms: number;
  metrics_ms: number;
}

/** The timings as a `Server-Timing` header value (`load;dur=12.5, indicators;dur=3.1, …`). */
export function serverTiming(t: BacktestTiming): string {
  return [
    `load;dur=${t.load_ms}`,
    `indicators;dur=${t.indicators_ms}`,
    `simulate;dur=${t.simulate_ms}`,
    `metrics;dur=${t.metrics_ms}`,
  ].join(", ");
}

/** `runBacktest`, with the stage timings beside the report (never inside it). */
export function runBacktestTimed(
  spec: StrategySpec,
  market: MarketData,
  opts: RunBacktestOptions,
): Promise<{ report: BacktestReport; timing: BacktestTiming }> {
  return opts.gate ? opts.gate.run(() => runUngated(spec, market, opts)) : runUngated(spec, market, opts);
}

/** Options of `runBacktest`. */
export interface RunBacktestOptions {
  ownerId: string | null;
  maxSymbolBars: number;
  now: () => number;
  trials?: number;
  /** Refuse (422, before loading data) when the estimated evaluation cost is over this many units. */
  maxExpressionCost?: number;
  /** Where the strategy is in the caller's input, for that 422 (default `["spec"]`). */
  expressionCostLoc?: (string | number)[];
  /**
   * Awaited between slices of evaluation (and of simulation when there is no `onProgress`), so a long run
   * lets other requests through; default: a macrotask.
   */
  pause?: () => Promise<void>;
  /**
   * Called after each slice of `sliceDays` simulated days with the trades executed in that slice (jobs report
   * progress, stream the trades and yield here); answering `false` cancels the run with `BacktestCancelledError`.
   * Trades of the end of the run (`close_at_end`) come with the report only.
   */
  onProgress?: (p: BacktestProgress, trades: readonly Trade[]) => Promise<boolean>;
  sliceDays?: number;
  /** Awaited before each symbol is loaded: jobs yield, stop when cancelled or out of time (it throws then). */
  beforeSymbol?: () => Promise<void>;
  /** Synchronous callers: the process-wide cap on runs at once (429 past it). Jobs have their semaphore. */
  gate?: RunGate;
}

async function runUngated(
  spec: StrategySpec,
  market: MarketData,
  opts: RunBacktestOptions,
): Promise<{ report: BacktestReport; timing: BacktestTiming }> {
  const t0 = opts.now();
  const symbols = await specSymbols(spec, market);
  // Time spent paused (other requests running) is left out of the reported timings.
  let pausedMs = 0;
  const pause = opts.pause ?? yieldToEventLoop;
  const pacer = createWorkPacer(async () => {
    const p0 = opts.now();
    await pause();
    pausedMs += opts.now() - p0;
  });
  const { inputs, exchanges, sources, signals, sessions, indicatorsMs } = await loadRunInputs(
    spec,
    symbols,
    market,
    { ...opts, pacer, pausedMs: () => pausedMs },
  );
  if (inputs.length === 0) throw noInputsError(spec, signals, symbols.size);
  const t1 = opts.now(), pausedBeforeSim = pausedMs;
  let sim;
  if (opts.onProgress) {
    const run = createSimulation(spec, inputs, sessions);
    const slice = Math.max(1, Math.floor(opts.sliceDays ?? 50));
    let tradesReported = 0;
    while (run.daysDone() < run.totalDays) {
      const done = run.advance(slice);
      const day = run.currentDay();
      const fresh = run.tradesSince(tradesReported);
      tradesReported += fresh.length;
      const keepGoing = await opts.onProgress({
        progress: Math.round((done / run.totalDays) * 1000) / 10,
        current_date: day === null ? null : fromDayNumber(day),
        trades_executed: run.tradeCount(),
      }, fresh);
      if (!keepGoing) throw new BacktestCancelledError("Backtest cancelled");
    }
    sim = run.finish();
  } else {
    // Synchronous callers: the same simulation in slices of about SIM_SLICE_SYMBOL_DAYS, pausing between them.
    const run = createSimulation(spec, inputs, sessions);
    const slice = Math.max(1, Math.floor(SIM_SLICE_SYMBOL_DAYS / inputs.length));
    // No pause after the last slice: the report follows at once.
    while (run.advance(slice) < run.totalDays) await pacer.spend(Infinity);
    sim = run.finish();
  }
  const t2 = opts.now();
  const benchmarks = [];
  const benchmarkSources: Record<string, string> = {};
  for (const b of spec.benchmarks) {
    const bars = await market.getBars(b, spec.start, spec.end, opts.ownerId);
    if (!bars) throw new NotFoundError(`Unknown benchmark "${b}"`);
    benchmarks.push({ symbol: b, days: bars.days, close: bars.close });
    benchmarkSources[b] = bars.source;
    sources.add(bars.source);
  }
  // Reading the benchmarks' bars is loading (a first read of an index may build it), not metrics.
  const benchmarksLoaded = opts.now();
  const report = buildReport({
    spec,
    sim,
    benchmarks,
    source: [...sources].sort().join("+"),
    benchmarkSources,
    engineVersion: ENGINE_VERSION,
    trials: opts.trials,
    firstDate: fromDayNumber(sim.days[0]),
    exchanges: [...exchanges],
    signals,
  });
  const t3 = opts.now();
  const ms = (x: number) => Math.round(x * 100) / 100;
  const timing: BacktestTiming = {
    load_ms: ms(t1 - t0 - indicatorsMs - pausedBeforeSim + (benchmarksLoaded - t2)),
    indicators_ms: ms(indicatorsMs),
    simulate_ms: ms(t2 - t1 - (pausedMs - pausedBeforeSim)),
    metrics_ms: ms(t3 - benchmarksLoaded),
  };
  return { report, timing };
}
