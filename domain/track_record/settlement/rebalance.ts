/**
 * One strategy-day of settlement as a pure function: rebalance to a signal's weights (or hold), close positions
 * whose holding period ran out, and reprice at the close.
 *
 * Conventions (stated once, used by the verifier and the tests; the fill arithmetic is `domain/execution/`'s with
 * fractional rates, no minimum fee and the `grossed_up` cash rule):
 * - Execution at the day's open (or close) reference price `p`; buys fill at `p × (1 + slippage)`, sells at
 *   `p × (1 − slippage)`; commission is `commission_rate × fill notional`, paid on both sides; no minimum fee.
 * - Target quantity of a symbol with weight `w` = `floor(w × V / (p × (1 + slippage) × (1 + commission)) / lot)
 *   × lot`, where `V` is the portfolio value at execution prices (suspended holdings at their last price), so the
 *   cost of a full target fits in `w × V`. Sells run first, then buys in symbol order; a buy the cash cannot cover
 *   is cut by whole lots. Cash absorbs all remainders; it never goes negative.
 * - A symbol without a bar that day is suspended: it keeps its last price and neither trades nor opens.
 * - On a day without a signal, positions whose last signal is `holding_period` or more trading days old are sold
 *   at the execution price; everything else is held.
 * - NAV = cash + Σ quantity × close (last price when suspended).
 * - Cash dividends (convention `cash_on_ex_date_no_tax`): a position held at the start of a day whose bar
 *   carries a cash dividend per share `d` (that day is its ex-date) is credited `quantity × d` in cash before any
 *   trade, without tax. Shares bought on the ex-date get nothing; shares sold on it keep the credit. So the day's
 *   cash moves as: opening cash + dividends − buy notionals − commissions + sell notionals = closing cash.
 * - Data that would make a number non-finite (a price that is not finite, a price so small that a target
 *   quantity overflows) stops the day with `SettlementDataError` naming the symbol and date; the cut of a buy to
 *   what cash covers takes a bounded number of steps.
 */
import { BadRequestError } from "../../errors.ts";
import { costsFromRates } from "../../execution/costs.ts";
import { buyFill, buyPrice, cutToCash, sellFill } from "../../execution/fills.ts";
import { lotsWithin } from "../../execution/lots.ts";

/** A symbol's data on a day cannot be settled (a non-finite price or quantity). */
export class SettlementDataError extends BadRequestError {}

/** A held position. */
export interface Position {
  symbol: string;
  quantity: number;
  /** Last known close (the valuation price on suspended days). */
  last_price: number;
  /** The day the position was opened. */
  entry_date: string;
  /** The last signal day that named the symbol. */
  last_signal_date: string;
}

/** Cash and positions at the end of a day. */
export interface PortfolioState {
  cash: number;
  positions: Position[];
}

/** One fill. */
export interface SettledTrade {
  symbol: string;
  action: "BUY" | "SELL";
  quantity: number;
  /** Reference price (open or close of the day). */
  price: number;
  /** Price after slippage. */
  fill_price: number;
  /** quantity × fill_price. */
  notional: number;
  commission: number;
  reason: "rebalance" | "exit_not_in_signal" | "holding_period_expired";
}

/**
 * Prices of one symbol on the day; `null` when it has no bar (suspended). `dividend` is the cash dividend per
 * share when the day is the symbol's ex-date (absent or 0 otherwise).
 */
export type DayBar = { open: number; close: number; dividend?: number } | null;

/** A cash dividend credited on its ex-date. */
export interface DividendCredit {
  symbol: string;
  /** Shares held at the start of the ex-date. */
  quantity: number;
  /** Cash dividend per share. */
  per_share: number;
  /** quantity × per_share, added to cash. */
  cash: number;
}

/** Everything one day's settlement needs. */
export interface SettleDayInput {
  date: string;
  state: PortfolioState;
  /** The day's target weights, or `null` for a hold day. */
  signal: readonly { symbol: string; weight: number }[] | null;
  bar: (symbol: string) => DayBar;
  execution: "open" | "close";
  commission_rate: number;
  slippage_rate: number;
  holding_period: number;
  /** Trading days from `from` to the settlement date, `from` excluded (0 on the same day). */
  tradingAge: (from: string) => number;
  lot_size: number;
}

/** The settled day. */
export interface SettleDayResult {
  state: PortfolioState;
  trades: SettledTrade[];
  /** Dividends credited before trading, in symbol order. */
  dividends: DividendCredit[];
  nav: number;
  action: "REBALANCE" | "HOLD";
  /** Symbols that could not trade (suspended), sorted. */
  suspended: string[];
  detail: string;
}

/** Settles one day (see the module comment for every convention). */
export function settleDay(input: SettleDayInput): SettleDayResult {
  const { date, execution, lot_size: lot } = input;
  // The fractional rates through the shared execution model (`domain/execution/`, the `grossed_up` cash rule).
  const costs = costsFromRates(input.commission_rate, input.slippage_rate);
  const held = new Map(input.state.positions.map((p) => [p.symbol, { ...p }]));
  let cash = input.state.cash;
  const trades: SettledTrade[] = [];
  const suspended = new Set<string>();
  const dividends: DividendCredit[] = [];
  for (const symbol of [...held.keys()].sort()) {
    const per = input.bar(symbol)?.dividend ?? 0;
    if (!(per > 0)) continue;
    if (!Number.isFinite(per)) {
      throw new SettlementDataError(`Cannot settle ${symbol} on ${date}: its dividend per share is ${per}`);
    }
    const quantity = held.get(symbol)!.quantity;
    const credit = quantity * per;
    cash += credit;
    dividends.push({ symbol, quantity, per_share: per, cash: credit });
  }
  const execPrice = (symbol: string): number | null => {
    const b = input.bar(symbol);
    if (!b) {
      suspended.add(symbol);
      return null;
    }
    const p = execution === "open" ? b.open : b.close;
    if (!Number.isFinite(p)) {
      throw new SettlementDataError(`Cannot settle ${symbol} on ${date}: its ${execution} price is ${p}`);
    }
    return p;
  };
  const sell = (p: Position, quantity: number, price: number, reason: SettledTrade["reason"]) => {
    const fill = sellFill(quantity, price, costs);
    cash += fill.notional - fill.fee;
    trades.push({
      symbol: p.symbol,
      action: "SELL",
      quantity,
      price,
      fill_price: fill.price,
      notional: fill.notional,
      commission: fill.fee,
      reason,
    });
    p.quantity -= quantity;
    if (p.quantity === 0) held.delete(p.symbol);
  };

  let detail: string;
  if (input.signal) {
    const targets = new Map(input.signal.map((s) => [s.symbol, s.weight]));
    const prices = new Map<string, number | null>();
    for (const symbol of new Set([...held.keys(), ...targets.keys()])) prices.set(symbol, execPrice(symbol));
    let value = cash;
    for (const p of held.values()) value += p.quantity * (prices.get(p.symbol) ?? p.last_price);
    const targetQty = new Map<string, number>();
    for (const [symbol, w] of targets) {
      const p = prices.get(symbol);
      if (p == null || p <= 0) continue;
      const q = lotsWithin(w * value, buyPrice(p, costs), costs, lot);
      if (!Number.isFinite(q)) {
        throw new SettlementDataError(
          `Cannot settle ${symbol} on ${date}: the target quantity at price ${p} is not finite`,
        );
      }
      targetQty.set(symbol, q);
    }
    // Sells first (symbols sorted), so their cash funds the buys.
    for (const symbol of [...held.keys()].sort()) {
      const p = held.get(symbol)!;
      const price = prices.get(symbol);
      if (price == null) continue;
      const target = targets.has(symbol) ? targetQty.get(symbol) ?? p.quantity : 0;
      if (target < p.quantity) {
        sell(p, p.quantity - target, price, targets.has(symbol) ? "rebalance" : "exit_not_in_signal");
      }
    }
    for (const symbol of [...targetQty.keys()].sort()) {
      const price = prices.get(symbol)!;
      const have = held.get(symbol)?.quantity ?? 0;
      const wanted = targetQty.get(symbol)! - have;
      if (wanted <= 0) continue;
      const fillPrice = buyPrice(price, costs);
      const cut = cutToCash(wanted, fillPrice, cash, lot, costs, "grossed_up");
      if (cut.stuck) {
        throw new SettlementDataError(
          `Cannot settle ${symbol} on ${date}: a buy of ${cut.quantity} at ${fillPrice} cannot be cut to the cash ${cash}`,
        );
      }
      const quantity = cut.quantity;
      if (quantity <= 0) continue;
      const fill = buyFill(quantity, fillPrice, costs);
      cash -= fill.notional + fill.fee;
      trades.push({
        symbol,
        action: "BUY",
        quantity,
        price,
        fill_price: fill.price,
        notional: fill.notional,
        commission: fill.fee,
        reason: "rebalance",
      });
      const p = held.get(symbol);
      if (p) p.quantity += quantity;
      else {held.set(symbol, {
          symbol,
          quantity,
          last_price: price,
          entry_date: date,
          last_signal_date: date,
        });}
    }
    for (const symbol of targets.keys()) {
      const p = held.get(symbol);
      if (p) p.last_signal_date = date;
    }
    detail = `Rebalanced to ${targets.size} targets: ${
      trades.filter((t) => t.action === "BUY").length
    } buys, ` +
      `${trades.filter((t) => t.action === "SELL").length} sells`;
  } else {
    const expired = [...held.values()].filter((p) =>
      input.tradingAge(p.last_signal_date) >= input.holding_period
    )
      .sort((a, b) => (a.symbol < b.symbol ? -1 : 1));
    for (const p of expired) {
      const price = execPrice(p.symbol);
      if (price !== null) sell(p, p.quantity, price, "holding_period_expired");
    }
    detail = trades.length > 0
      ? `No signal: held; closed ${trades.length} positions past the ${input.holding_period}-day holding period`
      : "No signal: held and repriced at the close";
  }
  let nav = cash;
  const positions: Position[] = [];
  for (const symbol of [...held.keys()].sort()) {
    const p = held.get(symbol)!;
    const b = input.bar(symbol);
    if (!b) suspended.add(symbol);
    const price = b ? b.close : p.last_price;
    nav += p.quantity * price;
    positions.push({ ...p, last_price: price });
  }
  const suspendedList = [...suspended].sort();
  if (suspendedList.length > 0) detail += `; suspended: ${suspendedList.join(", ")}`;
  return {
    state: { cash, positions },
    trades,
    dividends,
    nav,
    action: input.signal ? "REBALANCE" : "HOLD",
    suspended: suspendedList,
    detail,
  };
}
