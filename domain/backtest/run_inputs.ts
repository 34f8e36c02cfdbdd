/**
 * The one loader of a run's inputs, shared by the backtest (`run_backtest.ts`) and paper trading
 * (`domain/paper/paper_runner.ts`) so the two can never drift: for each symbol, in order, its bars from
 * `spec.start − WARMUP_DAYS` to `spec.end`, the rules evaluated over all of them (recursive indicators such as EMA
 * and RSI are seeded at the first loaded bar, so the evaluation must always start there), the dynamic filters, then
 * everything sliced from `spec.start`; plus the run's exchanges, sources, entry-signal counts and sessions.
 */
import { addDays, toDayNumber } from "../calendar/dates.ts";
import type { ExchangeCode } from "../calendar/exchanges.ts";
import { BadRequestError, NotFoundError, ValidationError } from "../errors.ts";
import type { FundamentalsRow, MarketData } from "../market/types.ts";
import { openRunMarket } from "../market/market_service.ts";
import { costedNodes, type WorkPacer } from "../strategy/cost.ts";
import { createEvalContext, evaluate, evaluateNodes } from "../strategy/evaluate.ts";
import { ExpressionError, printExpression } from "../strategy/expression.ts";
import type { FUNDAMENTAL_METRICS, StrategySpec } from "../strategy/spec.ts";
import { atr } from "../indicators/oscillators.ts";
import type { SymbolInput } from "./engine.ts";
import { confidenceColumn } from "./confidence.ts";
import type { EntrySignalCounts } from "./report.ts";
import { JOB_QUEUE_HINT, SyncRunTooLargeError } from "./run_errors.ts";
import {
  assertWithinExpressionBudget,
  estimateWith,
  passesStaticFilters,
  sessionDaysOf,
  specExpressions,
  WARMUP_DAYS,
} from "./run_backtest.ts";

type Filters = NonNullable<StrategySpec["universe"]["filters"]>;

const METRIC_FIELD: Record<typeof FUNDAMENTAL_METRICS[number], keyof FundamentalsRow> = {
  PE_RATIO: "pe_ratio",
  PBV: "pbv",
  ROE: "roe",
  DE_RATIO: "de_ratio",
  ROA: "roa",
  NPM: "npm",
  EPS: "eps",
};

/** Clears entries on days when the last public fundamentals (point-in-time) fail a bound, or there are none. */
function applyFundamentalFilters(
  entry: Float64Array,
  days: Int32Array,
  rows: FundamentalsRow[],
  bounds: NonNullable<Filters["fundamentals"]>,
): void {
  let r = -1;
  for (let k = 0; k < days.length; k++) {
    while (r + 1 < rows.length && toDayNumber(rows[r + 1].available_on) <= days[k]) r++;
    if (r < 0) {
      entry[k] = 0;
      continue;
    }
    for (const b of bounds) {
      const v = rows[r][METRIC_FIELD[b.metric]] as number | null;
      if (v === null || (b.min !== undefined && v < b.min) || (b.max !== undefined && v > b.max)) {
        entry[k] = 0;
        break;
      }
    }
  }
}

/** The first index of `days` on or after `day` (`days.length` when none). */
function firstIndexFrom(days: Int32Array, day: number): number {
  let k = 0;
  while (k < days.length && days[k] < day) k++;
  return k;
}

/**
 * What one position may spend at the start (capital × percent, the fixed cash, or unbounded for quantity and
 * risk sizing), to tell "capital below one lot" apart in a run without trades.
 */
function positionBudget(spec: StrategySpec): number {
  const s = spec.sizing;
  return s.method === "percent_equity"
    ? (spec.capital * s.percent) / 100
    : s.method === "fixed_cash"
    ? Math.min(s.cash, spec.capital)
    : spec.capital;
}

/** Symbols a synchronous run loads ahead of the one it evaluates. */
const LOAD_AHEAD = 8;

/** What `loadRunInputs` needs beyond the spec: the caller's limits, hooks and work pacer. */
export interface RunInputsOptions {
  ownerId: string | null;
  maxSymbolBars: number;
  now: () => number;
  /** Refuse (422, before loading data) when the estimated evaluation cost is over this many units. */
  maxExpressionCost?: number;
  /** Where the strategy is in the caller's input, for that 422 (default `["spec"]`). */
  expressionCostLoc?: (string | number)[];
  /** Awaited before each symbol is loaded. */
  beforeSymbol?: () => Promise<void>;
  /** Paces the evaluation (pauses between slices of work). */
  pacer: WorkPacer;
  /** Milliseconds the pacer has paused so far, left out of the indicator time. */
  pausedMs: () => number;
}

/** A run's inputs (sliced from `spec.start`, in symbol order; empty when no symbol has a bar from then). */
export interface RunInputs {
  inputs: SymbolInput[];
  exchanges: Set<ExchangeCode>;
  sources: Set<string>;
  signals: EntrySignalCounts;
  /** `sessionDaysOf(exchanges, first bar, last bar)` of the inputs (empty without inputs). */
  sessions: Int32Array;
  /** Milliseconds spent evaluating (pauses left out). */
  indicatorsMs: number;
}

/** Why a run has no inputs: the filters removed every symbol, or no symbol has bars in the run's dates (400). */
export function noInputsError(
  spec: StrategySpec,
  signals: EntrySignalCounts,
  symbolCount: number,
): BadRequestError {
  return new BadRequestError(
    signals.filteredOut === symbolCount
      ? `Backtest failed: the filters left no tickers (market cap, sectors and syariah removed all ${symbolCount})`
      : `No bars for these symbols between ${spec.start} and ${spec.end}`,
  );
}

/**
 * Loads and evaluates `symbols` (upper-case, in order) for `spec` on `market`: a symbol-bar estimate over
 * `opts.maxSymbolBars` is a 413 and an expression cost over `opts.maxExpressionCost` a 422 (both before any bar
 * is read), an unknown symbol a 404, a bad rule a 422.
 */
export async function loadRunInputs(
  spec: StrategySpec,
  symbols: Set<string>,
  market: MarketData,
  opts: RunInputsOptions,
): Promise<RunInputs> {
  let indicatorsMs = 0;
  const pacer = opts.pacer;
  const loadFrom = addDays(spec.start, -WARMUP_DAYS);
  const estimate = symbols.size * Math.ceil(((toDayNumber(spec.end) - toDayNumber(loadFrom)) * 252) / 365);
  if (estimate > opts.maxSymbolBars) {
    throw new SyncRunTooLargeError(
      `This backtest needs about ${estimate} symbol-bars, over the synchronous limit of ${opts.maxSymbolBars}: ` +
        JOB_QUEUE_HINT,
    );
  }
  const ruleExprs = specExpressions(spec);
  const [entry, exit, rank] = ruleExprs;
  // The run's reads: look-ups and bars of its symbols (batched where the market can, bars read-only).
  const runMarket = openRunMarket(market, [...symbols], opts.ownerId);
  if (opts.maxExpressionCost !== undefined) {
    assertWithinExpressionBudget(
      await estimateWith(spec, market, runMarket.getSymbol),
      opts.maxExpressionCost,
      opts.expressionCostLoc,
    );
  }
  const startDay = toDayNumber(spec.start);
  const inputs: SymbolInput[] = [];
  const exchanges = new Set<ExchangeCode>();
  const sources = new Set<string>();
  const filters = spec.universe.filters;
  /** Entry signals on or after `start`: as the rule fired, after the dynamic filters, and affordable at one lot. */
  const signals: EntrySignalCounts = { tickers: 0, filteredOut: 0, raw: 0, eligible: 0, affordable: 0 };
  const budget = positionBudget(spec);
  /** A symbol's info and bars (`null` bars: filtered out); an unknown symbol is a 404. */
  const loadSymbol = async (symbol: string) => {
    const info = await runMarket.getSymbol(symbol);
    if (!info) throw new NotFoundError(`Unknown symbol "${symbol}"`);
    if (!passesStaticFilters(info, filters)) {
      signals.filteredOut++;
      return { info, bars: null };
    }
    return { info, bars: await runMarket.getBars(symbol, loadFrom, spec.end) };
  };
  // Without a per-symbol hook (synchronous runs), the next symbols load while this one is evaluated: their KV
  // reads overlap instead of queueing one after another. Results are used in symbol order, errors included.
  const order = [...symbols];
  const entryText = printExpression(entry), exitText = printExpression(exit);
  // Without risk-adjusted sizing the ATR is never read: every symbol gets a view of one shared all-NaN column.
  let nanColumn = new Float64Array(0);
  const noAtr = (n: number) => {
    if (nanColumn.length < n) nanColumn = new Float64Array(n).fill(NaN);
    return nanColumn.subarray(0, n);
  };
  const ahead = opts.beforeSymbol ? 0 : LOAD_AHEAD;
  const loads: Promise<Awaited<ReturnType<typeof loadSymbol>>>[] = [];
  let started = 0;
  for (let k = 0; k < order.length; k++) {
    await opts.beforeSymbol?.();
    for (; started < order.length && started <= k + ahead; started++) {
      loads[started] = loadSymbol(order[started]);
      // Awaited in order below; this only keeps a failure that arrives early from counting as unhandled.
      loads[started].catch(() => {});
    }
    const { info, bars } = await loads[k];
    delete loads[k];
    if (!bars || bars.days.length === 0) continue;
    const symbol = order[k];
    sources.add(bars.source);
    const evalStarted = opts.now(), pausedBefore = opts.pausedMs();
    const ctx = createEvalContext(bars);
    let e: Float64Array, x: Float64Array, r: Float64Array;
    try {
      await evaluateNodes(costedNodes(ruleExprs, bars.days.length), ctx, pacer);
      e = evaluate(entry, ctx);
      x = evaluate(exit, ctx);
      r = evaluate(rank, ctx);
    } catch (err) {
      if (err instanceof ExpressionError) {
        throw new ValidationError(err.message, ["spec"], "expression");
      }
      throw err;
    }
    const from0 = firstIndexFrom(bars.days, startDay);
    const lotCost = info.lot_size * (1 + spec.costs.buy_fee_pct / 100);
    for (let k = from0; k < e.length; k++) if (e[k] > 0) signals.raw++;
    const a = spec.sizing.method === "risk_adjusted"
      ? atr(bars.high, bars.low, bars.close, spec.sizing.atr_period)
      : noAtr(bars.days.length);
    if (filters) e = e.slice(); // the cached rule values are shared: mask a copy
    if (filters?.min_avg_traded_value !== undefined) {
      const adv = evaluate(ruleExprs[3], ctx);
      for (let k = 0; k < e.length; k++) if (!(adv[k] >= filters.min_avg_traded_value)) e[k] = 0;
    }
    if (filters?.fundamentals?.length) {
      applyFundamentalFilters(e, bars.days, await market.getFundamentals(symbol), filters.fundamentals);
    }
    for (let k = from0; k < e.length; k++) {
      if (!(e[k] > 0)) continue;
      signals.eligible++;
      if (bars.close[k] * lotCost <= budget) signals.affordable++;
    }
    indicatorsMs += opts.now() - evalStarted - (opts.pausedMs() - pausedBefore);
    const from = from0;
    if (from === bars.days.length) continue;
    const cut = <T extends Float64Array | Int32Array | Uint8Array>(arr: T) => arr.subarray(from) as T;
    exchanges.add(info.exchange);
    inputs.push({
      symbol: info.symbol,
      name: info.name,
      lotSize: info.lot_size,
      days: cut(bars.days),
      open: cut(bars.open),
      high: cut(bars.high),
      low: cut(bars.low),
      close: cut(bars.close),
      entry: cut(e),
      exit: cut(x),
      rank: cut(r),
      atr: cut(a),
      entryText,
      exitText,
      entryConfidence: cut(confidenceColumn(entry, ctx, e)),
      exitConfidence: cut(confidenceColumn(exit, ctx, x)),
    });
  }
  signals.tickers = inputs.length;
  let firstBar = Infinity, lastBar = -Infinity;
  for (const s of inputs) {
    firstBar = Math.min(firstBar, s.days[0]);
    lastBar = Math.max(lastBar, s.days[s.days.length - 1]);
  }
  const sessions = inputs.length > 0 ? sessionDaysOf(exchanges, firstBar, lastBar) : new Int32Array(0);
  return { inputs, exchanges, sources, signals, sessions, indicatorsMs };
}
