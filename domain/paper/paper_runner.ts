/**
 * The paper-trading runner: advances an instance of a strategy over newly closed bars with the backtest's own
 * loader (`domain/backtest/run_inputs.ts`) and engine (`domain/backtest/engine.ts`), resuming from the engine
 * state stored after the last processed day. Every advance evaluates the rules from `start − WARMUP_DAYS` to the
 * date advanced through, exactly as a backtest from `start` to that date does (recursive indicators get the same
 * seeds), and simulates only the days after the state's last day; so an instance started on day D and advanced
 * over N days (one day at a time, all at once, or in any chunks) gives the trades (every field) and the daily
 * equity of `runBacktest` of the same spec from D to the last of those days with `close_at_end: false`.
 * A day is processed only when at least one instance symbol has a bar on or after it (the day axis is the
 * exchanges' sessions up to the last bar loaded, plus bar days): a session whose bars have not arrived waits.
 * Pure of the wall clock: the caller says through which date (`latestClosedDate` answers it for an instant).
 */
import { getCalendar } from "../calendar/calendar.ts";
import { addDays, fromDayNumber, toDayNumber } from "../calendar/dates.ts";
import type { ExchangeCode } from "../calendar/exchanges.ts";
import { createSimulation, type EngineState, type SymbolInput, type Trade } from "../backtest/engine.ts";
import { specSymbols, WARMUP_DAYS } from "../backtest/run_backtest.ts";
import { SyncRunTooLargeError } from "../backtest/run_errors.ts";
import { loadRunInputs, noInputsError } from "../backtest/run_inputs.ts";
import { FORCED_EXIT_CONFIDENCE } from "../backtest/confidence.ts";
import { costsFromPercent } from "../execution/costs.ts";
import { sellFill } from "../execution/fills.ts";
import { BadRequestError } from "../errors.ts";
import type { MarketData } from "../market/types.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { createWorkPacer } from "../strategy/cost.ts";

/** What one advance of an instance needs. */
export interface PaperRunInput {
  /** The library version's spec; `start` = the instance's start date, `end` ignored. */
  spec: StrategySpec;
  /** Pinned at start (tickers + resolved universe), upper-case, in `paperSymbols`' order. */
  symbols: string[];
  /** Whose private imports are visible. */
  ownerId: string;
  /** `null`: nothing processed yet. */
  state: EngineState | null;
  /** Process bars with date <= throughDate (and > state.last_day). */
  throughDate: string;
  market: MarketData;
  /** Work budget in symbol-bars (symbols × bars from `start − WARMUP_DAYS` to `throughDate`); over it → 413. */
  maxSymbolBars: number;
}

/** A paper order: placed at a close for the next open. */
export interface PaperOrder {
  symbol: string;
  action: "BUY" | "SELL";
  quantity: number;
  reason: string;
  confidence: number | null;
}

/** One processed day. */
export interface PaperDay {
  date: string;
  /** Fills of the day in execution order (the engine's Trade, portfolioValue filled). */
  fills: Trade[];
  /** Orders placed at this day's close for the next open (next_open specs); fills of `close` specs have none. */
  orders: PaperOrder[];
  /** Pending orders that did not fill today because the symbol had no bar (they lapse, as in a backtest). */
  lapsed: { symbol: string; action: "BUY" | "SELL"; quantity: number; reason: string }[];
  equity: number;
  cash: number;
  holdings: number;
  positions: number;
}

/** What an advance produced. */
export interface PaperAdvance {
  /** New days only, in order (may be empty). */
  days: PaperDay[];
  /** After the last day of `days` (unchanged input state when days is empty; the start state for `null`). */
  state: EngineState;
  /** Last close (on or before the last new day) per held symbol, for position views; `{}` when `days` is empty. */
  last_close: Record<string, number>;
  /** Data sources of the bars read (sorted). */
  sources: string[];
}

/**
 * The symbols to pin when an instance starts: the tickers (upper-cased) then the universe's members, each once,
 * in the order a backtest of `spec` uses (it decides ties between entry candidates, so parity needs it).
 */
export async function paperSymbols(spec: StrategySpec, market: MarketData): Promise<string[]> {
  return [...await specSymbols(spec, market)];
}

/** Days simulated between two pauses of an advance (other requests get through). */
const DAYS_PER_PAUSE = 64;

/** The state of an instance before its first day: all cash, nothing held or pending. */
function startState(spec: StrategySpec): EngineState {
  return {
    last_day: toDayNumber(spec.start) - 1,
    money: spec.capital,
    total_fees: 0,
    positions: [],
    pending: [],
  };
}

/** The close of `input`'s last bar on or before `day` (NaN when none). */
function closeOnOrBefore(input: SymbolInput, day: number): number {
  let lo = 0, hi = input.days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (input.days[mid] <= day) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? input.close[lo - 1] : NaN;
}

/**
 * Advances an instance through `throughDate`: loads and evaluates its symbols as `runBacktest` of the spec from
 * `start` to `throughDate` does, resumes the engine from `state` and simulates every day after `state.last_day`
 * up to the last bar loaded. Errors: over `maxSymbolBars` → 413 (before any bar is read); an unknown symbol 404;
 * a bad rule 422; filters that leave no symbol 400; unusable data 400 (`EngineDataError`).
 */
export async function advancePaper(input: PaperRunInput): Promise<PaperAdvance> {
  const spec: StrategySpec = { ...input.spec, end: input.throughDate, close_at_end: false };
  const state = input.state ?? startState(spec);
  const unchanged: PaperAdvance = { days: [], state, last_close: {}, sources: [] };
  const startDay = toDayNumber(spec.start), through = toDayNumber(input.throughDate);
  if (through < startDay || through <= state.last_day) return unchanged;
  const symbols = new Set(input.symbols.map((s) => s.toUpperCase()));
  const loadFrom = toDayNumber(addDays(spec.start, -WARMUP_DAYS));
  const estimate = symbols.size * Math.ceil(((through - loadFrom) * 252) / 365);
  if (estimate > input.maxSymbolBars) {
    throw new SyncRunTooLargeError(
      `Advancing this paper instance needs about ${estimate} symbol-bars (${symbols.size} symbol(s) from ` +
        `${fromDayNumber(loadFrom)} to ${input.throughDate}), over the limit of ${input.maxSymbolBars}`,
    );
  }
  const pacer = createWorkPacer();
  const loaded = await loadRunInputs(spec, symbols, input.market, {
    ownerId: input.ownerId,
    maxSymbolBars: input.maxSymbolBars,
    now: () => 0,
    pacer,
    pausedMs: () => 0,
  });
  const { inputs } = loaded;
  if (inputs.length === 0) {
    // Filters that remove every symbol never change; no bars since the start yet: wait for them.
    if (loaded.signals.filteredOut === symbols.size) throw noInputsError(spec, loaded.signals, symbols.size);
    return unchanged;
  }
  const sim = createSimulation(spec, inputs, loaded.sessions, input.state ?? undefined);
  const days: PaperDay[] = [];
  let tradesSeen = 0, lapsesSeen = 0;
  while (sim.daysDone() < sim.totalDays) {
    sim.advance(1);
    const close = sim.lastClose()!;
    const fills = sim.tradesSince(tradesSeen);
    tradesSeen += fills.length;
    const lapses = sim.lapsedOrders();
    const lapsed = lapses.slice(lapsesSeen).map(({ symbol, action, quantity, reason }) => ({
      symbol,
      action,
      quantity,
      reason,
    }));
    lapsesSeen = lapses.length;
    days.push({
      date: fromDayNumber(close.day),
      fills: [...fills],
      orders: sim.snapshot().pending,
      lapsed,
      equity: close.equity,
      cash: close.cash,
      holdings: close.holdings,
      positions: close.positions,
    });
    if (days.length % DAYS_PER_PAUSE === 0) await pacer.spend(Infinity);
  }
  if (days.length === 0) return { ...unchanged, sources: [...loaded.sources].sort() };
  const after = sim.snapshot();
  const bySymbol = new Map(inputs.map((s) => [s.symbol, s]));
  const last_close: Record<string, number> = {};
  for (const p of after.positions) {
    last_close[p.symbol] = closeOnOrBefore(bySymbol.get(p.symbol)!, after.last_day);
  }
  return { days, state: after, last_close, sources: [...loaded.sources].sort() };
}

/**
 * Sells every position at its last close (reason "liquidated on stop"), as the engine's `close_at_end` does: in
 * the state's order, through the spec's costs, each fill's `portfolioValue` the cash after all of them, holding
 * days from the state (`holding_days`, else `bars_held`). Pending orders are dropped (the caller cancels them).
 * `lotSizes` is accepted for symmetry with entries (a sale is the whole position, always whole lots); `names`
 * gives the fills' `name` (default: the symbol). A position without a finite last close is a 400.
 */
export function liquidatePaper(
  state: EngineState,
  lastClose: Record<string, number>,
  spec: StrategySpec,
  date: string,
  _lotSizes?: Record<string, number>,
  names?: Record<string, string>,
): { fills: Trade[]; state: EngineState; equity: number } {
  const model = costsFromPercent(spec.costs);
  const round = (x: number) => Math.round(x * 1e8) / 1e8;
  const day = toDayNumber(date);
  let money = state.money, totalFees = state.total_fees;
  const fills: Trade[] = [];
  for (const p of state.positions) {
    const raw = lastClose[p.symbol];
    if (!(raw > 0 && raw < Infinity)) {
      throw new BadRequestError(`No usable last close for ${p.symbol} to liquidate at (${raw})`);
    }
    const fill = sellFill(p.quantity, raw, model);
    money += fill.notional - fill.fee;
    totalFees += fill.fee;
    fills.push({
      day,
      symbol: p.symbol,
      name: names?.[p.symbol] ?? p.symbol,
      action: "SELL",
      quantity: p.quantity,
      price: round(fill.price),
      value: round(fill.notional),
      fees: round(fill.fee),
      reason: "liquidated on stop",
      confidence: FORCED_EXIT_CONFIDENCE,
      portfolioValue: 0,
      profitLoss: round((fill.price - p.entry_price) * p.quantity),
      profitLossPercent: round((fill.price / p.entry_price - 1) * 100),
      holdingDays: p.holding_days ?? p.bars_held,
    });
  }
  for (const f of fills) f.portfolioValue = round(money);
  return {
    fills,
    state: { last_day: state.last_day, money, total_fees: totalFees, positions: [], pending: [] },
    equity: money,
  };
}

/**
 * The day through which an instance on `exchanges` may be advanced at `nowMs`: the latest session every one of
 * its exchanges has closed (each exchange's `latestCompletedTradingDay`, the earliest of them; crypto: the
 * previous UTC day). Without exchanges: the previous UTC day.
 */
export function latestClosedDate(exchanges: ExchangeCode[], nowMs: number): string {
  const list: ExchangeCode[] = exchanges.length > 0 ? exchanges : ["CRYPTO"];
  let latest: string | null = null;
  for (const code of list) {
    const d = getCalendar(code).latestCompletedTradingDay(nowMs);
    if (latest === null || d < latest) latest = d;
  }
  return latest!;
}
