/**
 * The portfolio simulation: one event loop over the run's trading days: the exchange calendar's sessions passed
 * in (`sessionDays`) together with every day any symbol has a bar, so a day on which a symbol is suspended (or
 * every symbol is) stays in the daily series with holdings at their last close. Each day: fill orders
 * decided yesterday at today's open (`next_open`), then risk exits on today's bar (stop, target, trailing stop,
 * max holding days), then rule exits, then entries (ranked, up to `max_positions`), then mark to market at the
 * close. A symbol with no bar today (suspended) neither trades nor triggers; it is valued at its last close.
 * Long only; no pyramiding (an entry on a symbol already held adds nothing); cash never goes negative (orders
 * shrink to what cash allows after fees); quantities are whole lots. Fills, fees, slippage and the cut to cash are
 * `domain/execution/`'s (percent rates with the spec's minimum fee, the `fee_on_top` cash rule).
 * Stops and targets trigger on the bar's low/high and fill at the stop/target price, or at the open when the
 * bar opens beyond it (a gap). If a bar reaches both, the stop is assumed to come first.
 * Poison data (a price that is not a positive finite number, or so small that an order size overflows) never
 * makes the run loop: it stops with `EngineDataError` naming the symbol and day. Every loop here is bounded.
 */
import { fromDayNumber } from "../calendar/dates.ts";
import { BadRequestError } from "../errors.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { costsFromPercent } from "../execution/costs.ts";
import { buyFill, buyPrice, cutToCash, sellFill } from "../execution/fills.ts";
import { boardLot, wholeLots } from "../execution/lots.ts";
import { FORCED_EXIT_CONFIDENCE } from "./confidence.ts";

/**
 * The run cannot go on because a symbol's data makes a value non-finite (or an order size unusable) on a day; a
 * 400 for a synchronous run, the failure reason of a job.
 */
export class EngineDataError extends BadRequestError {
  constructor(readonly symbol: string, readonly day: number, detail: string) {
    super(`Unusable market data for ${symbol} on ${dayText(day)}: ${detail}`);
  }
}

const dayText = (day: number) => {
  try {
    return fromDayNumber(day);
  } catch {
    return `day ${day}`;
  }
};

/** One symbol's input: bars plus the evaluated rules (1 = true). */
export interface SymbolInput {
  symbol: string;
  name: string;
  lotSize: number;
  days: Int32Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  entry: Float64Array;
  exit: Float64Array;
  rank: Float64Array;
  /** ATR for risk-adjusted sizing (NaN when unused or in warm-up). */
  atr: Float64Array;
  /** Human text of the entry and exit rules, for trade reasons. */
  entryText: string;
  exitText: string;
  /**
   * How decisively the entry and exit rules fired on each bar, 0–100 (`domain/backtest/confidence.ts`); a trade
   * decided on bar i carries the value at i. Absent: the trades of the symbol carry `confidence: null`.
   */
  entryConfidence?: Uint8Array;
  exitConfidence?: Uint8Array;
}

/** A fill. */
export interface Trade {
  day: number;
  symbol: string;
  name: string;
  action: "BUY" | "SELL";
  quantity: number;
  price: number;
  value: number;
  fees: number;
  reason: string;
  /**
   * How decisively the rule fired on the decision bar, 0–100 (`domain/backtest/confidence.ts`); 100 for forced
   * exits (stops, targets, max holding days, close at end); `null` when the input carried no confidence column.
   */
  confidence: number | null;
  /** Equity after the trade's day closes (filled in at the close). */
  portfolioValue: number;
  /** For SELL: price P&L (sell − buy) × quantity, the entry fee not included. */
  profitLoss?: number;
  profitLossPercent?: number;
  /** For SELL: trading days on the run's day axis from the entry fill to this fill (held overnight: 1). */
  holdingDays?: number;
}

/** A position. */
interface Position {
  quantity: number;
  entryPrice: number;
  entryIndex: number;
  entryDay: number;
  /** Index of the entry fill's day on the run's day axis (holding days count sessions from there). */
  entryAt: number;
  peak: number;
  barsHeld: number;
}

/** What the simulation returns. */
export interface SimulationResult {
  days: Int32Array;
  equity: Float64Array;
  cash: Float64Array;
  /** Value of positions at each close. */
  holdings: Float64Array;
  /** Positions held at each close. */
  positions: Int32Array;
  trades: Trade[];
  /** Open positions at the end, valued at their last close. */
  open: { symbol: string; quantity: number; entryPrice: number; lastClose: number }[];
  totalFees: number;
}

const round = (x: number) => Math.round(x * 1e8) / 1e8;

/** The confidence a column holds at bar `i`, or `null` without a column. */
const confidenceAt = (column: Uint8Array | undefined, i: number): number | null => column ? column[i] : null;

/** Widest span of day numbers `unionOfDays` marks in a table (beyond it, it sorts). */
const MAX_MARKED_SPAN = 1 << 22;

/**
 * The sorted union of day lists (one list: itself, no copy). Days are marked in a table
 * over the lists' span (one pass over the days and one over the span), or sorted when the span is very wide.
 */
function unionOfDays(lists: Int32Array[]): Int32Array {
  if (lists.length === 1) return lists[0];
  let lo = Infinity, hi = -Infinity, total = 0;
  for (const d of lists) {
    total += d.length;
    for (let i = 0; i < d.length; i++) {
      const x = d[i];
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
  }
  if (total === 0) return new Int32Array(0);
  if (hi - lo < MAX_MARKED_SPAN) {
    const seen = new Uint8Array(hi - lo + 1);
    let count = 0;
    for (const d of lists) {
      for (let i = 0; i < d.length; i++) {
        const at = d[i] - lo;
        if (seen[at] === 0) (seen[at] = 1, count++);
      }
    }
    const out = new Int32Array(count);
    for (let at = 0, k = 0; k < count; at++) if (seen[at] === 1) out[k++] = at + lo;
    return out;
  }
  const all = new Int32Array(total);
  let at = 0;
  for (const d of lists) (all.set(d, at), (at += d.length));
  all.sort();
  let k = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) all[k++] = all[i];
  return all.slice(0, k);
}

/**
 * Everything the simulation carries from one day to the next, by symbol and day (never by array index), so a run
 * can stop after any day and resume later on inputs that reach further (paper trading). Plain JSON values.
 */
export interface EngineState {
  /** Day number (domain/calendar/dates.ts toDayNumber) of the last simulated day; the resumed run starts after it. */
  last_day: number;
  money: number;
  total_fees: number;
  /** Open positions in the engine's insertion order (sums and trade order depend on it). */
  positions: {
    symbol: string;
    quantity: number;
    entry_price: number;
    /** Day number of the entry fill. */
    entry_day: number;
    peak: number;
    bars_held: number;
    /**
     * Trading days on the run's day axis from the entry fill to `last_day` (what a sale on `last_day` reports as
     * `holdingDays`). Written by `snapshot()` for liquidation without the axis; a resume recomputes it from
     * `entry_day` and never reads it.
     */
    holding_days?: number;
  }[];
  /** Orders decided on `last_day` to fill at the next open, in insertion order. */
  pending: {
    symbol: string;
    action: "BUY" | "SELL";
    quantity: number;
    reason: string;
    confidence: number | null;
  }[];
}

/** A `next_open` order that did not fill because its symbol had no bar on the fill day (it lapses). */
export interface LapsedOrder {
  day: number;
  symbol: string;
  action: "BUY" | "SELL";
  quantity: number;
  reason: string;
}

/** One simulated day's close. */
export interface DayClose {
  day: number;
  equity: number;
  cash: number;
  holdings: number;
  positions: number;
}

/** The first index of sorted `days` whose day is after `day` (`days.length` when none). */
function firstIndexAfter(days: Int32Array, day: number): number {
  let lo = 0, hi = days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (days[mid] <= day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first index of sorted `days` whose day is on or after `day` (`days.length` when none). */
function firstIndexOnOrAfter(days: Int32Array, day: number): number {
  return firstIndexAfter(days, day - 1);
}

/** A simulation that can run in slices (a job worker yields between them and reports progress). */
export interface Simulation {
  /** Trading days in the whole run. */
  readonly totalDays: number;
  /** Simulates up to `days` more trading days; returns how many are done in all. */
  advance(days: number): number;
  /** Days done so far. */
  daysDone(): number;
  /** The day number of the last simulated day (or `null` before the first). */
  currentDay(): number | null;
  /** Trades executed so far. */
  tradeCount(): number;
  /** The trades executed after the first `count` (in execution order). */
  tradesSince(count: number): readonly Trade[];
  /** The `next_open` orders that lapsed so far (a symbol without a bar on the fill day), in order. */
  lapsedOrders(): readonly LapsedOrder[];
  /** The close of the last simulated day (`null` before the first). */
  lastClose(): DayClose | null;
  /**
   * The state after the last simulated day (before `finish()` applies `close_at_end`); resuming from it gives
   * exactly what this run gives after that day. Before the first day: the resumed state, or the start.
   */
  snapshot(): EngineState;
  /** Finishes (runs any remaining days) and returns the result. */
  finish(): SimulationResult;
}

/** Runs the simulation of `spec` over `inputs` (and `sessionDays`, see `createSimulation`) in one go. */
export function simulate(
  spec: StrategySpec,
  inputs: SymbolInput[],
  sessionDays?: Int32Array,
): SimulationResult {
  return createSimulation(spec, inputs, sessionDays).finish();
}

/**
 * Prepares a simulation of `spec` over `inputs`; slices give the same result as one run. The day axis is the
 * union of `sessionDays` (sorted day numbers: the exchanges' trading days of the run) and the inputs' bar days.
 * With `resume` (a `snapshot()` of a run over the same start), only the days after `resume.last_day` are
 * simulated, from that state: the result's series and trades cover those days only, and equal the uninterrupted
 * run's after that day bit for bit, provided the inputs hold the same bars and rule values up to it (holding days
 * count on this axis, so it must reach back to the entry days of the positions held). A held or pending symbol
 * missing from `inputs` is a 400.
 */
export function createSimulation(
  spec: StrategySpec,
  inputs: SymbolInput[],
  sessionDays?: Int32Array,
  resume?: EngineState,
): Simulation {
  const fullDays = unionOfDays(
    sessionDays && sessionDays.length > 0
      ? [sessionDays, ...inputs.map((s) => s.days)]
      : inputs.map((s) => s.days),
  );
  // A resumed run simulates the axis after its last day; positions keep their entry index on the full axis,
  // shifted by `offset` (negative for entries before the resumed part), so holding days count the same.
  const offset = resume ? firstIndexAfter(fullDays, resume.last_day) : 0;
  const allDays = offset > 0 ? fullDays.subarray(offset) : fullDays;
  const T = allDays.length;
  const idx = new Int32Array(inputs.length).fill(-1); // index of each symbol's bar at or before the current day
  const positions = new Map<number, Position>(); // iteration (insertion) order decides sums and trade order
  const pending = new Map<
    number,
    { action: "BUY" | "SELL"; quantity: number; reason: string; confidence: number | null }
  >();
  // The same positions and pending orders by symbol index, for the per-bar look-ups.
  const posAt: (Position | undefined)[] = new Array(inputs.length).fill(undefined);
  const pendingAt = new Uint8Array(inputs.length);
  const trades: Trade[] = [];
  const equity = new Float64Array(T), cash = new Float64Array(T), holdings = new Float64Array(T);
  const held = new Int32Array(T);
  let money = spec.capital;
  let totalFees = 0;
  const { costs, risk, sizing } = spec;
  const lastClose = (j: number) => (idx[j] >= 0 ? inputs[j].close[idx[j]] : NaN);
  const dayTrades: Trade[] = [];
  const lapsed: LapsedOrder[] = [];
  let dayAt = 0; // index of the day being simulated on the day axis
  if (resume) {
    const bySymbol = new Map<string, number>();
    for (let j = inputs.length - 1; j >= 0; j--) bySymbol.set(inputs[j].symbol, j);
    const indexOf = (symbol: string): number => {
      const j = bySymbol.get(symbol);
      if (j === undefined) {
        throw new BadRequestError(
          `Cannot resume the simulation after ${
            dayText(resume.last_day)
          }: no bars for ${symbol}, which it holds`,
        );
      }
      return j;
    };
    for (let j = 0; j < inputs.length; j++) idx[j] = firstIndexAfter(inputs[j].days, resume.last_day) - 1;
    money = resume.money;
    totalFees = resume.total_fees;
    for (const p of resume.positions) {
      const j = indexOf(p.symbol);
      const restored: Position = {
        quantity: p.quantity,
        entryPrice: p.entry_price,
        entryIndex: firstIndexOnOrAfter(inputs[j].days, p.entry_day),
        entryDay: p.entry_day,
        entryAt: firstIndexOnOrAfter(fullDays, p.entry_day) - offset,
        peak: p.peak,
        barsHeld: p.bars_held,
      };
      positions.set(j, restored);
      posAt[j] = restored;
    }
    for (const o of resume.pending) {
      const j = indexOf(o.symbol);
      pending.set(j, { action: o.action, quantity: o.quantity, reason: o.reason, confidence: o.confidence });
      pendingAt[j] = 1;
    }
  }

  // The spec's percent costs through the shared execution model: fills, fees and the cut to cash follow
  // `domain/execution/` (the `fee_on_top` cash rule).
  const model = costsFromPercent(costs);

  const fail = (j: number, day: number, detail: string): never => {
    throw new EngineDataError(inputs[j].symbol, day, detail);
  };

  const sell = (j: number, day: number, rawPrice: number, reason: string, confidence: number | null) => {
    const p = positions.get(j)!;
    const s = inputs[j];
    const fill = sellFill(p.quantity, rawPrice, model);
    const price = fill.price, value = fill.notional;
    if (!Number.isFinite(value)) fail(j, day, `sale of ${p.quantity} at price ${rawPrice} is not finite`);
    const f = fill.fee;
    money += value - f;
    totalFees += f;
    const t: Trade = {
      day,
      symbol: s.symbol,
      name: s.name,
      action: "SELL",
      quantity: p.quantity,
      price: round(price),
      value: round(value),
      fees: round(f),
      reason,
      confidence,
      portfolioValue: 0,
      profitLoss: round((price - p.entryPrice) * p.quantity),
      profitLossPercent: round((price / p.entryPrice - 1) * 100),
      holdingDays: dayAt - p.entryAt,
    };
    trades.push(t);
    dayTrades.push(t);
    positions.delete(j);
    posAt[j] = undefined;
  };

  const buy = (
    j: number,
    day: number,
    rawPrice: number,
    wanted: number,
    reason: string,
    barIndex: number,
    confidence: number | null,
  ) => {
    const s = inputs[j];
    const price = buyPrice(rawPrice, model);
    if (!(price > 0 && price < Infinity)) {
      fail(j, day, `fill price ${rawPrice} is not a positive finite number`);
    }
    const lot = boardLot(s.lotSize);
    let qty = wholeLots(wanted, lot);
    if (!Number.isFinite(qty)) fail(j, day, `order size is not finite at price ${rawPrice}`);
    const cut = cutToCash(qty, price, money, lot, model, "fee_on_top");
    if (cut.stuck) {
      fail(j, day, `order size ${cut.quantity} at price ${rawPrice} cannot be cut to what cash allows`);
    }
    qty = cut.quantity;
    if (qty <= 0 || qty * price < sizing.min_position) return;
    const fill = buyFill(qty, price, model);
    const value = fill.notional;
    const f = fill.fee;
    money -= value + f;
    totalFees += f;
    const opened: Position = {
      quantity: qty,
      entryPrice: price,
      entryIndex: barIndex,
      entryDay: day,
      entryAt: dayAt,
      peak: price,
      barsHeld: 0,
    };
    positions.set(j, opened);
    posAt[j] = opened;
    const t: Trade = {
      day,
      symbol: s.symbol,
      name: s.name,
      action: "BUY",
      quantity: qty,
      price: round(price),
      value: round(value),
      fees: round(f),
      reason,
      confidence,
      portfolioValue: 0,
    };
    trades.push(t);
    dayTrades.push(t);
  };

  const equityNow = () => {
    let v = money;
    for (const [j, p] of positions) v += p.quantity * lastClose(j);
    return v;
  };

  const targetQuantity = (j: number, i: number, price: number): number => {
    switch (sizing.method) {
      case "percent_equity":
        return (equityNow() * sizing.percent) / 100 / price;
      case "fixed_cash":
        return sizing.cash / price;
      case "fixed_quantity":
        return sizing.quantity;
      case "risk_adjusted": {
        const a = inputs[j].atr[i];
        return Number.isFinite(a) && a > 0
          ? (equityNow() * sizing.risk_pct) / 100 / (a * sizing.atr_multiple)
          : 0;
      }
    }
  };

  /** Names the position whose value is not finite at the close of `day` (else the last symbol traded). */
  const notFinite = (day: number): never => {
    for (const [j, p] of positions) {
      if (!Number.isFinite(p.quantity * lastClose(j))) {
        fail(j, day, `position of ${p.quantity} at close ${lastClose(j)} has no finite value`);
      }
    }
    const last = trades.at(-1);
    const j = last ? inputs.findIndex((s) => s.symbol === last.symbol) : 0;
    return fail(Math.max(0, j), day, `portfolio value ${money} is not finite`);
  };

  const today = new Int32Array(inputs.length); // symbols with a bar today: today[0 .. nToday)
  const dayLists = inputs.map((s) => s.days), entries = inputs.map((s) => s.entry);
  let nToday = 0;
  const candidates: number[] = [];
  const tradesOn = new Int32Array(inputs.length).fill(-1); // the day index on which symbol j last traded
  let currentDay = -1;
  const tradedToday = { has: (j: number) => tradesOn[j] === currentDay };
  const rankOf = (j: number) => (Number.isNaN(inputs[j].rank[idx[j]]) ? -Infinity : inputs[j].rank[idx[j]]);
  let t = 0;
  const advance = (days: number): number => {
    const stop = Math.min(T, t + Math.max(0, Math.floor(days)));
    for (; t < stop; t++) {
      const day = allDays[t];
      dayAt = t;
      if (dayTrades.length > 0) dayTrades.length = 0;
      nToday = 0;
      for (let j = 0; j < inputs.length; j++) {
        const next = idx[j] + 1, days = dayLists[j];
        if (next < days.length && days[next] === day) {
          idx[j]++;
          today[nToday++] = j;
          tradesOn[j] = t;
        }
      }
      currentDay = t;

      // 1. Orders decided yesterday fill at today's open (sells first, to free cash).
      if (spec.fill === "next_open" && pending.size > 0) {
        for (const action of ["SELL", "BUY"] as const) {
          for (const [j, order] of [...pending]) {
            if (order.action !== action) continue;
            if (!tradedToday.has(j)) {
              pending.delete(j); // suspended: the order lapses
              pendingAt[j] = 0;
              lapsed.push({
                day,
                symbol: inputs[j].symbol,
                action,
                quantity: order.quantity,
                reason: order.reason,
              });
              continue;
            }
            pending.delete(j);
            pendingAt[j] = 0;
            const i = idx[j];
            if (action === "SELL" && positions.has(j)) {
              sell(j, day, inputs[j].open[i], order.reason, order.confidence);
            }
            if (action === "BUY" && !positions.has(j)) {
              buy(j, day, inputs[j].open[i], order.quantity, order.reason, i, order.confidence);
            }
          }
        }
      }

      // 2. Risk exits on today's bar; 3. rule exits.
      if (positions.size > 0) {
        for (let k = 0; k < nToday; k++) {
          const j = today[k];
          const p = posAt[j];
          if (!p) continue;
          const s = inputs[j], i = idx[j];
          if (p.entryDay !== day) p.barsHeld++;
          const o = s.open[i], h = s.high[i], l = s.low[i];
          // The tighter of the fixed stop and the trailing stop (the higher price) applies; its label is only
          // written when it triggers.
          let stopPrice = -Infinity, trailing = false, stopped = false;
          if (risk.stop_loss_pct !== null) {
            stopPrice = p.entryPrice * (1 - risk.stop_loss_pct / 100);
            stopped = true;
          }
          if (risk.trailing_stop_pct !== null && p.peak * (1 - risk.trailing_stop_pct / 100) > stopPrice) {
            stopPrice = p.peak * (1 - risk.trailing_stop_pct / 100);
            trailing = stopped = true;
          }
          if (stopped && l <= stopPrice) {
            const label = trailing
              ? `trailing stop -${risk.trailing_stop_pct!.toFixed(1)}% from ${round(p.peak)}`
              : `stop loss -${risk.stop_loss_pct!.toFixed(1)}%`;
            sell(
              j,
              day,
              o <= stopPrice ? o : stopPrice,
              o <= stopPrice ? `${label} (gap, filled at open ${o})` : label,
              FORCED_EXIT_CONFIDENCE,
            );
            continue;
          }
          if (risk.take_profit_pct !== null) {
            const target = p.entryPrice * (1 + risk.take_profit_pct / 100);
            if (h >= target) {
              const label = `take profit +${risk.take_profit_pct.toFixed(1)}%`;
              sell(
                j,
                day,
                o >= target ? o : target,
                o >= target ? `${label} (gap, filled at open ${o})` : label,
                FORCED_EXIT_CONFIDENCE,
              );
              continue;
            }
          }
          p.peak = Math.max(p.peak, h);
          const maxDays = risk.max_holding_days !== null && p.barsHeld >= risk.max_holding_days;
          const ruleExit = s.exit[i] > 0;
          if ((maxDays || ruleExit) && pendingAt[j] === 0) {
            const reason = maxDays ? `max holding days ${risk.max_holding_days}` : `exit: ${s.exitText}`;
            const confidence = maxDays ? FORCED_EXIT_CONFIDENCE : confidenceAt(s.exitConfidence, i);
            if (spec.fill === "close") sell(j, day, s.close[i], reason, confidence);
            else {
              pending.set(j, { action: "SELL", quantity: p.quantity, reason, confidence });
              pendingAt[j] = 1;
            }
          }
        }
      }

      // 4. Entries, best-ranked first, into free slots.
      let pendingBuys = 0;
      if (pending.size > 0) { for (const o of pending.values()) if (o.action === "BUY") pendingBuys++; }
      let slots = sizing.max_positions - positions.size - pendingBuys;
      if (slots > 0 && nToday > 0) {
        candidates.length = 0;
        for (let k = 0; k < nToday; k++) {
          const j = today[k];
          if (entries[j][idx[j]] > 0 && posAt[j] === undefined && pendingAt[j] === 0) candidates.push(j);
        }
        if (candidates.length > 1) candidates.sort((a, b) => rankOf(b) - rankOf(a) || a - b);
        for (const j of candidates) {
          if (slots <= 0) break;
          const s = inputs[j], i = idx[j];
          const qty = targetQuantity(j, i, s.close[i]);
          if (!(qty > 0)) {
            if (Number.isNaN(qty)) fail(j, day, `order size is not a number at close ${s.close[i]}`);
            continue;
          }
          if (qty === Infinity) fail(j, day, `order size is not finite at close ${s.close[i]}`);
          const reason = `entry: ${s.entryText}`;
          const confidence = confidenceAt(s.entryConfidence, i);
          if (spec.fill === "close") {
            const before = positions.size;
            buy(j, day, s.close[i], qty, reason, i, confidence);
            if (positions.size > before) slots--;
          } else {
            pending.set(j, { action: "BUY", quantity: qty, reason, confidence });
            pendingAt[j] = 1;
            slots--;
          }
        }
      }

      // 5. Mark to market.
      let value = 0;
      if (positions.size > 0) { for (const [j, p] of positions) value += p.quantity * lastClose(j); }
      cash[t] = money;
      holdings[t] = value;
      equity[t] = money + value;
      if (!Number.isFinite(equity[t])) notFinite(day);
      held[t] = positions.size;
      if (dayTrades.length > 0) { for (const tr of dayTrades) tr.portfolioValue = round(equity[t]); }
    }
    return t;
  };

  const finish = (): SimulationResult => {
    advance(T);
    if (spec.close_at_end && T > 0 && positions.size > 0) {
      if (dayTrades.length > 0) dayTrades.length = 0;
      dayAt = T - 1;
      for (const j of [...positions.keys()]) {
        sell(j, allDays[T - 1], lastClose(j), "close at end", FORCED_EXIT_CONFIDENCE);
      }
      holdings[T - 1] = 0;
      cash[T - 1] = money;
      equity[T - 1] = money;
      held[T - 1] = 0;
      for (const tr of dayTrades) tr.portfolioValue = round(money);
    }

    return {
      days: Int32Array.from(allDays),
      equity,
      cash,
      holdings,
      positions: held,
      trades,
      open: [...positions].map(([j, p]) => ({
        symbol: inputs[j].symbol,
        quantity: p.quantity,
        entryPrice: p.entryPrice,
        lastClose: lastClose(j),
      })),
      totalFees,
    };
  };

  const snapshot = (): EngineState => ({
    last_day: t > 0 ? allDays[t - 1] : resume ? resume.last_day : (allDays.length > 0 ? allDays[0] - 1 : 0),
    money,
    total_fees: totalFees,
    positions: [...positions].map(([j, p]) => ({
      symbol: inputs[j].symbol,
      quantity: p.quantity,
      entry_price: p.entryPrice,
      entry_day: p.entryDay,
      peak: p.peak,
      bars_held: p.barsHeld,
      holding_days: t - 1 - p.entryAt,
    })),
    pending: [...pending].map(([j, o]) => ({
      symbol: inputs[j].symbol,
      action: o.action,
      quantity: o.quantity,
      reason: o.reason,
      confidence: o.confidence,
    })),
  });

  return {
    totalDays: T,
    advance,
    daysDone: () => t,
    currentDay: () => (t > 0 ? allDays[t - 1] : null),
    tradeCount: () => trades.length,
    tradesSince: (count) => trades.slice(count),
    lapsedOrders: () => lapsed,
    lastClose: () =>
      t > 0
        ? {
          day: allDays[t - 1],
          equity: equity[t - 1],
          cash: cash[t - 1],
          holdings: holdings[t - 1],
          positions: held[t - 1],
        }
        : null,
    snapshot,
    finish,
  };
}
