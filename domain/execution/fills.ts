/**
 * Fills: what a buy or a sell of a quantity at a reference price costs or brings in, and how a buy is cut to the
 * cash that covers it. The backtest engine, settlement of tracked strategies (and paper trading next) all fill
 * through here, so research and live records price a trade the same way.
 *
 * Conventions every user follows:
 * - Fill timing is the caller's: a backtest fills at the next bar's open (`next_open`) or the decision bar's
 *   close; settlement at the day's open or close. The price handed in is that reference price.
 * - Sells run before buys on a day, so their proceeds fund the buys; within a side, in the caller's order
 *   (settlement: symbol order; the backtest: the order in which the orders were placed).
 * - Prices move against the trade by the slippage rate (`slippage.ts`); the fee is charged on the notional at
 *   the fill price (`costs.ts`), with a minimum when the model has one.
 * - Quantities are whole lots, rounded down (`lots.ts`); a buy cash cannot cover is cut by whole lots, never
 *   grown, and cash never goes negative.
 * - Nothing is rounded: notional and fee carry full precision (callers round what they display).
 *
 * Two cash rules are kept, because records already settled or compared against a reference depend on each:
 * - `fee_on_top` (backtests): a buy is covered when `notional + fee ≤ cash + 1e-9` (the fee with its minimum).
 *   The cut first jumps to `lotsWithin` (which sets the minimum fee aside, so with a minimum it may stop a lot
 *   below the most cash covers), then steps down one lot at a time.
 * - `grossed_up` (settlement): a buy is covered when `notional × (1 + fee rate) ≤ cash`. The cut keeps the
 *   largest number of whole lots that is covered: a jump to two lots above what fits, then single lots.
 * Both stop after a bounded number of steps and report a buy they cannot cut (poison data) instead of looping.
 */
import { asFraction, type CostModel, feeOf } from "./costs.ts";
import { lotsWithin } from "./lots.ts";
import { buyFillPrice, sellFillPrice } from "./slippage.ts";

/** A priced fill (before it is applied to a portfolio). */
export interface Fill {
  quantity: number;
  /** The price after slippage. */
  price: number;
  /** quantity × price. */
  notional: number;
  fee: number;
}

/** How a broker decides that cash covers a buy, and how it cuts one that is not covered (see the module). */
export type CashRule = "fee_on_top" | "grossed_up";

/** Most steps a cut may take (with sane data it takes a jump and a lot or two). */
const MAX_CUT_STEPS = 64;

/** The price a buy at `reference` fills at. */
export function buyPrice(reference: number, costs: CostModel): number {
  return buyFillPrice(reference, costs.slippage);
}

/** The price a sell at `reference` fills at. */
function sellPrice(reference: number, costs: CostModel): number {
  return sellFillPrice(reference, costs.slippage);
}

/** A buy of `quantity` at the fill price `price` (already slipped, see `buyPrice`). */
export function buyFill(quantity: number, price: number, costs: CostModel): Fill {
  const notional = quantity * price;
  return { quantity, price, notional, fee: feeOf(notional, costs.buy, costs.minFee) };
}

/** A sell of `quantity` at the reference price `reference` (slippage applied here). */
export function sellFill(quantity: number, reference: number, costs: CostModel): Fill {
  const price = sellPrice(reference, costs);
  const notional = quantity * price;
  return { quantity, price, notional, fee: feeOf(notional, costs.sell, costs.minFee) };
}

/** Whether `cash` covers a buy of `quantity` at `price` under `rule`. */
export function covers(
  quantity: number,
  price: number,
  cash: number,
  costs: CostModel,
  rule: CashRule,
): boolean {
  if (rule === "grossed_up") return !(quantity * price * (1 + asFraction(costs.buy)) > cash);
  const notional = quantity * price;
  return !(notional + feeOf(notional, costs.buy, costs.minFee) > cash + 1e-9);
}

/** The outcome of a cut: the covered quantity (0: none), or `stuck` with the quantity the cut could not pass. */
export type CutResult = { quantity: number; stuck?: undefined } | { quantity: number; stuck: true };

/**
 * Cuts a buy of `quantity` (whole lots of `lot`) at the fill price `price` to what `cash` covers under `rule`
 * (see the module comment). A quantity already covered comes back unchanged.
 */
export function cutToCash(
  quantity: number,
  price: number,
  cash: number,
  lot: number,
  costs: CostModel,
  rule: CashRule,
): CutResult {
  return rule === "fee_on_top"
    ? cutFeeOnTop(quantity, price, cash, lot, costs)
    : cutGrossedUp(quantity, price, cash, lot, costs);
}

function cutFeeOnTop(qty: number, price: number, cash: number, lot: number, costs: CostModel): CutResult {
  for (let steps = 0; qty > 0 && !covers(qty, price, cash, costs, "fee_on_top"); steps++) {
    const affordable = lotsWithin(cash, price, costs, lot);
    let next = affordable < qty ? Math.max(0, affordable) : qty - lot;
    // Past 2^53 shares one lot is below the spacing of doubles (`qty - lot === qty`): step by that spacing.
    if (next === qty) next = qty - lot * Math.ceil(2 ** (Math.floor(Math.log2(qty)) - 52) / lot);
    if (!(next < qty) || steps >= MAX_CUT_STEPS) return { quantity: qty, stuck: true };
    qty = next;
  }
  return { quantity: qty };
}

function cutGrossedUp(
  quantity: number,
  price: number,
  cash: number,
  lot: number,
  costs: CostModel,
): CutResult {
  const gross = 1 + asFraction(costs.buy);
  if (quantity > 0 && quantity * price * gross > cash) {
    // Skip the lots that plainly do not fit (two lots of margin), then step one lot at a time.
    const fits = cash / (price * gross);
    const skip = Math.floor((quantity - fits) / lot) - 2;
    // Past 2^53 whole lots are not exact: restart from a whole number of lots just above what fits.
    if (quantity > Number.MAX_SAFE_INTEGER) quantity = (Math.max(0, Math.floor(fits / lot)) + 2) * lot;
    else if (skip > 0) quantity -= skip * lot;
  }
  for (let steps = 0; quantity > 0 && quantity * price * gross > cash; steps++) {
    if (steps >= MAX_CUT_STEPS || quantity - lot === quantity) return { quantity, stuck: true };
    quantity -= lot;
  }
  return { quantity };
}
