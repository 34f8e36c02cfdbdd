/**
 * One strategy-day of settlement, re-derived from README "Settlement conventions" (a second implementation: it
 * shares no code with the server). Pure: prices come in through `bar`.
 *
 * The rules, in the order they apply:
 * 1. Dividends (`cash_on_ex_date_no_tax`): each position held at the start of the day whose bar carries a cash
 *    dividend per share `d` is credited `quantity × d`, in symbol order, before any trade.
 * 2. With a signal: `V` = cash + Σ quantity × execution price (a suspended holding at its last price). Target
 *    quantity of weight `w` at execution price `p`: `floor(w·V / (p·(1+slip)·(1+comm)) / lot) × lot`. Sells first
 *    in symbol order (a held name not in the signal is sold whole; a name above target is cut to it), then buys
 *    in symbol order; a buy whose `quantity × fill × (1 + comm)` exceeds the cash is cut to the most whole lots
 *    that fit. Buys fill at `p·(1+slip)`, sells at `p·(1−slip)`; commission = rate × fill notional. Every name of
 *    the signal still held gets the day as its last signal day.
 * 3. Without a signal: positions whose last signal day is `holding_period` or more trading days back are sold
 *    whole at the execution price, in symbol order.
 * 4. A symbol without a bar that day is suspended: it neither trades nor opens and is valued at its last price.
 * 5. NAV = cash + Σ quantity × close (last price when suspended); positions are listed in symbol order.
 */
import { byCodeUnits } from "./canonical_json.ts";

/** A day's prices of one symbol (`dividend`: cash per share when the day is its ex-date, else 0). */
export interface ReplayBar {
  open: number;
  close: number;
  dividend: number;
}

/** A position carried from day to day. */
export interface Holding {
  symbol: string;
  quantity: number;
  /** The last close seen (the valuation price while suspended). */
  price: number;
  entry_date: string;
  last_signal_date: string;
}

/** Cash and holdings after a day. */
export interface ReplayState {
  cash: number;
  holdings: Holding[];
}

/** A replayed fill. */
export interface ReplayTrade {
  symbol: string;
  action: "BUY" | "SELL";
  quantity: number;
  price: number;
  fill_price: number;
  notional: number;
  commission: number;
  reason: "rebalance" | "exit_not_in_signal" | "holding_period_expired";
}

/** A replayed position at the close. */
export interface ReplayPosition extends Holding {
  market_value: number;
  suspended: boolean;
}

/** The strategy's settlement parameters. */
export interface ReplayParameters {
  execution_price: "open" | "close";
  commission_rate: number;
  slippage_rate: number;
  lot_size: number;
  holding_period: number;
}

/** One day to replay. */
export interface ReplayDayInput {
  date: string;
  state: ReplayState;
  /** The day's weights, or `null` on a day without a signal. */
  signal: readonly { symbol: string; weight: number }[] | null;
  /** The symbol's bar that day, `null` when it has none (suspended). */
  bar: (symbol: string) => ReplayBar | null;
  /** Trading days from `day` (excluded) to the replayed date (included). */
  tradingDaysSince: (day: string) => number;
  /** Whether the day credits cash dividends (`cash_on_ex_date_no_tax`) or not (`none`). */
  creditDividends: boolean;
  parameters: ReplayParameters;
}

/** The replayed day. */
export interface ReplayDay {
  state: ReplayState;
  dividends: { symbol: string; quantity: number; per_share: number; cash: number }[];
  trades: ReplayTrade[];
  positions: ReplayPosition[];
  nav: number;
}

/** The most one-lot steps a cut to cash may take after its first estimate (it needs one or two). */
const MAX_CUT_STEPS = 64;

/** Replays one day (see the module comment for the rules). */
export function replayDay(input: ReplayDayInput): ReplayDay {
  const { date, parameters: k } = input;
  const slip = k.slippage_rate, comm = k.commission_rate, lot = Math.max(1, k.lot_size);
  const held = new Map<string, Holding>();
  for (const h of input.state.holdings) held.set(h.symbol, { ...h });
  let cash = input.state.cash;
  const heldSymbols = () => [...held.keys()].sort(byCodeUnits);

  const dividends: ReplayDay["dividends"] = [];
  if (input.creditDividends) {
    for (const symbol of heldSymbols()) {
      const perShare = input.bar(symbol)?.dividend ?? 0;
      if (!(perShare > 0)) continue;
      const h = held.get(symbol)!;
      dividends.push({ symbol, quantity: h.quantity, per_share: perShare, cash: h.quantity * perShare });
      cash += h.quantity * perShare;
    }
  }

  const execution = (symbol: string): number | null => {
    const b = input.bar(symbol);
    return b ? (k.execution_price === "open" ? b.open : b.close) : null;
  };
  const trades: ReplayTrade[] = [];
  const sell = (h: Holding, quantity: number, p: number, reason: ReplayTrade["reason"]) => {
    const fill = p * (1 - slip);
    const notional = quantity * fill;
    const commission = notional * comm;
    cash += notional - commission;
    trades.push({
      symbol: h.symbol,
      action: "SELL",
      quantity,
      price: p,
      fill_price: fill,
      notional,
      commission,
      reason,
    });
    h.quantity -= quantity;
    if (h.quantity === 0) held.delete(h.symbol);
  };

  if (input.signal) {
    const weights = new Map(input.signal.map((s) => [s.symbol, s.weight]));
    let value = cash;
    for (const h of held.values()) value += h.quantity * (execution(h.symbol) ?? h.price);
    const targets = new Map<string, number>();
    for (const [symbol, w] of weights) {
      const p = execution(symbol);
      if (p === null || !(p > 0)) continue;
      targets.set(symbol, Math.floor((w * value) / (p * (1 + slip) * (1 + comm)) / lot) * lot);
    }
    for (const symbol of heldSymbols()) {
      const h = held.get(symbol)!;
      const p = execution(symbol);
      if (p === null) continue;
      const target = weights.has(symbol) ? targets.get(symbol) ?? h.quantity : 0;
      if (target < h.quantity) {
        sell(h, h.quantity - target, p, weights.has(symbol) ? "rebalance" : "exit_not_in_signal");
      }
    }
    for (const symbol of [...targets.keys()].sort(byCodeUnits)) {
      const p = execution(symbol)!;
      const fill = p * (1 + slip);
      const quantity = wholeLotsCovered(
        targets.get(symbol)! - (held.get(symbol)?.quantity ?? 0),
        fill,
        comm,
        cash,
        lot,
      );
      if (quantity <= 0) continue;
      const notional = quantity * fill;
      const commission = notional * comm;
      cash -= notional + commission;
      trades.push({
        symbol,
        action: "BUY",
        quantity,
        price: p,
        fill_price: fill,
        notional,
        commission,
        reason: "rebalance",
      });
      const h = held.get(symbol);
      if (h) h.quantity += quantity;
      else held.set(symbol, { symbol, quantity, price: p, entry_date: date, last_signal_date: date });
    }
    for (const symbol of weights.keys()) {
      const h = held.get(symbol);
      if (h) h.last_signal_date = date;
    }
  } else {
    for (const symbol of heldSymbols()) {
      const h = held.get(symbol)!;
      if (input.tradingDaysSince(h.last_signal_date) < k.holding_period) continue;
      const p = execution(symbol);
      if (p !== null) sell(h, h.quantity, p, "holding_period_expired");
    }
  }

  let nav = cash;
  const positions: ReplayPosition[] = [];
  for (const symbol of heldSymbols()) {
    const h = held.get(symbol)!;
    const b = input.bar(symbol);
    const price = b ? b.close : h.price;
    h.price = price;
    nav += h.quantity * price;
    positions.push({ ...h, market_value: h.quantity * price, suspended: b === null });
  }
  return {
    state: { cash, holdings: positions.map(({ market_value: _m, suspended: _s, ...h }) => h) },
    dividends,
    trades,
    positions,
    nav,
  };
}

/**
 * The part of a wanted buy of `wanted` shares (whole lots) the cash covers under the `grossed_up` rule: all of it
 * when `wanted × fill × (1 + comm) ≤ cash`, otherwise the most whole lots that fit (never more than wanted).
 */
export function wholeLotsCovered(
  wanted: number,
  fill: number,
  comm: number,
  cash: number,
  lot: number,
): number {
  const covered = (q: number) => !(q * fill * (1 + comm) > cash);
  if (wanted <= 0 || covered(wanted)) return Math.max(0, wanted);
  // Start two lots above the estimate (rounding can put it one lot off either way), then step down.
  let q = Math.min(wanted, (Math.floor(cash / (fill * (1 + comm)) / lot) + 2) * lot);
  for (let steps = 0; q > 0 && !covered(q); steps++) {
    if (steps >= MAX_CUT_STEPS) return 0;
    q -= lot;
  }
  return Math.max(0, q);
}
