/**
 * Trading costs in one unit: a rate is a fraction of traded notional. A rate is held as `value / per`, where
 * `per` is 1 for a rate given as a fraction (settlement's `commission_rate: 0.0003`) and 100 for one given in
 * percent (a backtest spec's `buy_fee_pct: 0.03`). Keeping the figure as written and dividing after the
 * multiplication (`notional × value / per`) charges exactly what each caller charged before this module existed:
 * dividing first (`value / 100`, then multiplying) rounds differently in the last bit for some inputs.
 *
 * Conventions:
 * - A fee is `max(minFee, notional × rate)` for a positive notional and 0 otherwise (nothing traded, nothing
 *   charged). Settlement has no minimum (`minFee` 0); a backtest spec may set one (`min_fee`).
 * - Fees are paid in cash on both sides, on top of a buy's notional and out of a sell's proceeds.
 * - Nothing is rounded here: cash carries full precision; callers round only what they display.
 */

/** A proportional rate: `value / per` of notional. */
export interface Rate {
  readonly value: number;
  /** 1: `value` is a fraction; 100: `value` is in percent. */
  readonly per: 1 | 100;
}

/** A rate given as a fraction of notional (0.0003 = 3 basis points). */
export function fractionRate(value: number): Rate {
  return { value, per: 1 };
}

/** A rate given in percent of notional (0.03 = 3 basis points). */
export function percentRate(value: number): Rate {
  return { value, per: 100 };
}

/** The rate as a fraction of notional (`value / per`). */
export function asFraction(rate: Rate): number {
  return rate.value / rate.per;
}

/** `notional × rate`, without a minimum. */
function charge(notional: number, rate: Rate): number {
  return (notional * rate.value) / rate.per;
}

/** What a broker charges: buy and sell fee rates, a minimum fee per fill, and slippage (see `slippage.ts`). */
export interface CostModel {
  buy: Rate;
  sell: Rate;
  /** Least fee of a fill with a positive notional (0: none). */
  minFee: number;
  slippage: Rate;
}

/** The fee of a fill of `notional` at `rate`: `max(minFee, notional × rate)`, 0 when nothing is traded. */
export function feeOf(notional: number, rate: Rate, minFee: number): number {
  return notional > 0 ? Math.max(minFee, charge(notional, rate)) : 0;
}

/** The costs of a backtest spec (percent fees, a minimum fee, percent slippage). */
export function costsFromPercent(c: {
  buy_fee_pct: number;
  sell_fee_pct: number;
  min_fee: number;
  slippage_pct: number;
}): CostModel {
  return {
    buy: percentRate(c.buy_fee_pct),
    sell: percentRate(c.sell_fee_pct),
    minFee: c.min_fee,
    slippage: percentRate(c.slippage_pct),
  };
}

/** The costs of a tracked strategy (one fractional commission on both sides, fractional slippage, no minimum). */
export function costsFromRates(commissionRate: number, slippageRate: number): CostModel {
  const commission = fractionRate(commissionRate);
  return { buy: commission, sell: commission, minFee: 0, slippage: fractionRate(slippageRate) };
}
