/**
 * Slippage moves every fill price against the trade by a fixed rate of the reference price (the open or close
 * the fill is made at): a buy pays `price × (1 + slippage)`, a sell receives `price × (1 − slippage)`. The rate
 * is a `Rate` (see `costs.ts`), so percent and fractional slippage give the same bits as before.
 */
import type { Rate } from "./costs.ts";

/** The price a buy fills at, from the reference price. */
export function buyFillPrice(reference: number, slippage: Rate): number {
  return reference * (1 + slippage.value / slippage.per);
}

/** The price a sell fills at, from the reference price. */
export function sellFillPrice(reference: number, slippage: Rate): number {
  return reference * (1 - slippage.value / slippage.per);
}
