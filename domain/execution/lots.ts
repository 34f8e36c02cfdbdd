/**
 * Board lots: quantities trade in whole lots, rounded down (never up: an order is cut, not grown). A lot size
 * below 1 (unknown, or a fractional-share market) counts as one share.
 */
import { asFraction, type CostModel } from "./costs.ts";

/** The lot a symbol trades in: its lot size, at least 1. */
export function boardLot(lotSize: number): number {
  return Math.max(1, lotSize);
}

/** `quantity` rounded down to whole lots. */
export function wholeLots(quantity: number, lot: number): number {
  return Math.floor(quantity / lot) * lot;
}

/**
 * The whole lots `budget` buys at `fill` once the buy fee rate is added on top and one minimum fee is set
 * aside: `⌊(budget − minFee) / (fill × (1 + buy rate)) / lot⌋ × lot`. With no minimum fee the cost of the
 * answer fits the budget up to rounding; with one it errs low (the proportional fee and the minimum are both
 * set aside).
 */
export function lotsWithin(budget: number, fill: number, costs: CostModel, lot: number): number {
  return wholeLots((budget - costs.minFee) / (fill * (1 + asFraction(costs.buy))), lot);
}
