import assert from "node:assert/strict";
import {
  asFraction,
  costsFromPercent,
  costsFromRates,
  feeOf,
  fractionRate,
  percentRate,
} from "../../../domain/execution/costs.ts";
import { buyFill, buyPrice, covers, cutToCash, sellFill } from "../../../domain/execution/fills.ts";
import { boardLot, lotsWithin, wholeLots } from "../../../domain/execution/lots.ts";

// ---- The formulas the engine and settlement held inline before the execution model, as the reference. ----

type PctCosts = { buy_fee_pct: number; sell_fee_pct: number; min_fee: number; slippage_pct: number };

/** The backtest engine's sell: price after slippage, value, fee with its minimum. */
function oldEngineSell(costs: PctCosts, quantity: number, rawPrice: number) {
  const fee = (
    value: number,
    pctFee: number,
  ) => (value > 0 ? Math.max(costs.min_fee, (value * pctFee) / 100) : 0);
  const price = rawPrice * (1 - costs.slippage_pct / 100);
  const value = quantity * price;
  return { price, value, fee: fee(value, costs.sell_fee_pct) };
}

/** The backtest engine's buy: slipped price, whole lots, the cut to cash; `null` when it cannot be cut. */
function oldEngineBuy(costs: PctCosts, rawPrice: number, wanted: number, lotSize: number, money: number) {
  const fee = (
    value: number,
    pctFee: number,
  ) => (value > 0 ? Math.max(costs.min_fee, (value * pctFee) / 100) : 0);
  const price = rawPrice * (1 + costs.slippage_pct / 100);
  const lot = Math.max(1, lotSize);
  let qty = Math.floor(wanted / lot) * lot;
  for (let steps = 0; qty > 0 && qty * price + fee(qty * price, costs.buy_fee_pct) > money + 1e-9; steps++) {
    const affordable = Math.floor((money - costs.min_fee) / (price * (1 + costs.buy_fee_pct / 100)) / lot) *
      lot;
    let next = affordable < qty ? Math.max(0, affordable) : qty - lot;
    if (next === qty) next = qty - lot * Math.ceil(2 ** (Math.floor(Math.log2(qty)) - 52) / lot);
    if (!(next < qty) || steps >= 64) return { price, qty, stuck: true, value: NaN, fee: NaN };
    qty = next;
  }
  const value = qty * price;
  return { price, qty, stuck: false, value, fee: fee(value, costs.buy_fee_pct) };
}

/** Settlement's target quantity of a weight. */
function oldSettleTarget(w: number, value: number, p: number, slip: number, comm: number, lot: number) {
  return Math.floor((w * value) / (p * (1 + slip) * (1 + comm)) / lot) * lot;
}

/** Settlement's sell. */
function oldSettleSell(quantity: number, price: number, slip: number, comm: number) {
  const fill = price * (1 - slip);
  const notional = quantity * fill;
  return { fill, notional, commission: notional * comm };
}

/** Settlement's buy cut to cash; `stuck` when it cannot be cut. */
function oldSettleBuy(
  quantity: number,
  price: number,
  cash: number,
  slip: number,
  comm: number,
  lot: number,
) {
  const fill = price * (1 + slip);
  if (quantity > 0 && quantity * fill * (1 + comm) > cash) {
    const fits = cash / (fill * (1 + comm));
    const skip = Math.floor((quantity - fits) / lot) - 2;
    if (quantity > Number.MAX_SAFE_INTEGER) quantity = (Math.max(0, Math.floor(fits / lot)) + 2) * lot;
    else if (skip > 0) quantity -= skip * lot;
  }
  for (let steps = 0; quantity > 0 && quantity * fill * (1 + comm) > cash; steps++) {
    if (steps >= 64 || quantity - lot === quantity) {
      return { fill, quantity, stuck: true, notional: NaN, commission: NaN };
    }
    quantity -= lot;
  }
  const notional = quantity * fill;
  return { fill, quantity, stuck: false, notional, commission: notional * comm };
}

// ---- A seeded generator of realistic and awkward inputs. ----

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
/** A decimal with `digits` places in [0, max). */
const dec = (r: () => number, max: number, digits: number) =>
  Math.round(r() * max * 10 ** digits) / 10 ** digits;
const price = (r: () => number) =>
  pick(r, [
    () => dec(r, 20, 2),
    () => dec(r, 3000, 2),
    () => dec(r, 1, 4) + 0.0001,
    () => r() * 500 + 1e-3,
  ])();
const same = (a: number, b: number, what: string) => assert.ok(Object.is(a, b), `${what}: ${a} !== ${b}`);

const CASES = 20_000;

Deno.test("the engine's fills through the execution model equal the old inline formulas bit for bit", () => {
  const r = rng(20261206);
  let cut = 0, stuck = 0;
  for (let n = 0; n < CASES; n++) {
    const costs: PctCosts = {
      buy_fee_pct: pick(r, [0, 0.1, 0.03, dec(r, 1, 3), dec(r, 10, 4)]),
      sell_fee_pct: pick(r, [0, 0.1, 0.13, dec(r, 1, 3)]),
      min_fee: pick(r, [0, 0, 5, 1.5, dec(r, 50, 2)]),
      slippage_pct: pick(r, [0, 0.05, dec(r, 2, 3)]),
    };
    const model = costsFromPercent(costs);
    const raw = price(r);
    const lotSize = pick(r, [0, 1, 10, 100, 1000]);
    const money = pick(r, [dec(r, 1e6, 2), dec(r, 5e3, 2), r() * 1e9, 0]);
    const wanted = pick(r, [r() * 1e4, (money / raw) * (1 + r() * 0.01), r() * 1e6, 2 ** 60 * (1 + r()), 0]);
    const quantity = pick(r, [100, 1, Math.floor(r() * 1e5) + 1]);

    const s = oldEngineSell(costs, quantity, raw);
    const sf = sellFill(quantity, raw, model);
    same(sf.price, s.price, `sell price #${n}`);
    same(sf.notional, s.value, `sell value #${n}`);
    same(sf.fee, s.fee, `sell fee #${n}`);

    const b = oldEngineBuy(costs, raw, wanted, lotSize, money);
    const p = buyPrice(raw, model);
    same(p, b.price, `buy price #${n}`);
    const lot = boardLot(lotSize);
    const start = wholeLots(wanted, lot);
    const c = cutToCash(start, p, money, lot, model, "fee_on_top");
    same(c.quantity, b.qty, `buy quantity #${n}`);
    assert.equal(c.stuck === true, b.stuck, `buy stuck #${n}`);
    if (c.quantity !== start) cut++;
    if (b.stuck) {
      stuck++;
      continue;
    }
    const bf = buyFill(c.quantity, p, model);
    same(bf.notional, b.value, `buy value #${n}`);
    same(bf.fee, b.fee, `buy fee #${n}`);
    if (c.quantity > 0) assert.ok(covers(c.quantity, p, money, model, "fee_on_top"), `covered #${n}`);
  }
  assert.ok(cut > CASES / 10, `the cut to cash ran in ${cut} cases`);
  assert.ok(stuck < CASES / 10, `${stuck} cases could not be cut`);
});

Deno.test("settlement's fills through the execution model equal the old inline formulas bit for bit", () => {
  const r = rng(8675309);
  let cut = 0;
  for (let n = 0; n < CASES; n++) {
    const comm = pick(r, [0, 0.0003, 0.00025, dec(r, 0.003, 6), r() * 0.01]);
    const slip = pick(r, [0, 0.001, 0.002, dec(r, 0.01, 5)]);
    const costs = costsFromRates(comm, slip);
    const lot = pick(r, [100, 100, 1, 10]);
    const p = price(r);
    const nav = pick(r, [1e6, dec(r, 1e7, 2), r() * 1e5]);
    const w = pick(r, [0.1, 0.05, dec(r, 1, 4), 1, 1 / 3]);

    const q = oldSettleTarget(w, nav, p, slip, comm, lot);
    same(lotsWithin(w * nav, buyPrice(p, costs), costs, lot), q, `target #${n}`);

    const held = Math.floor(r() * 1e5);
    const s = oldSettleSell(held, p, slip, comm);
    const sf = sellFill(held, p, costs);
    same(sf.price, s.fill, `sell fill #${n}`);
    same(sf.notional, s.notional, `sell notional #${n}`);
    same(sf.fee, s.commission, `sell commission #${n}`);

    if (!(p > 0)) continue; // settlement never buys at a price that is not positive (no target)
    const cash = pick(r, [nav * r(), q * p * (1 + r() * 0.01), r() * 1e4]);
    const want = pick(r, [q, q + lot * Math.floor(r() * 5), 2 ** 60 + lot * 64, Math.max(lot, q)]);
    const b = oldSettleBuy(want, p, cash, slip, comm, lot);
    const fp = buyPrice(p, costs);
    same(fp, b.fill, `buy fill #${n}`);
    const c = cutToCash(want, fp, cash, lot, costs, "grossed_up");
    same(c.quantity, b.quantity, `buy quantity #${n}`);
    assert.equal(c.stuck === true, b.stuck, `buy stuck #${n}`);
    if (c.quantity !== want) cut++;
    if (b.stuck) continue;
    const bf = buyFill(c.quantity, fp, costs);
    same(bf.notional, b.notional, `buy notional #${n}`);
    same(bf.fee, b.commission, `buy commission #${n}`);
    if (c.quantity > 0) assert.ok(covers(c.quantity, fp, cash, costs, "grossed_up"), `covered #${n}`);
  }
  assert.ok(cut > CASES / 10, `the cut to cash ran in ${cut} cases`);
});

Deno.test("costs: percent and fractional rates, the minimum fee, nothing charged on nothing", () => {
  assert.equal(asFraction(percentRate(0.1)), 0.001);
  assert.equal(asFraction(fractionRate(0.0003)), 0.0003);
  // 10,000 at 0.1 % is 10; a minimum of 15 lifts it; a zero notional is charged nothing, minimum or not.
  assert.equal(feeOf(10_000, percentRate(0.1), 0), 10);
  assert.equal(feeOf(10_000, percentRate(0.1), 15), 15);
  assert.equal(feeOf(0, percentRate(0.1), 15), 0);
  // 3 basis points of 250,000 as a fraction and as a percent: 75 either way.
  assert.equal(feeOf(250_000, fractionRate(0.0003), 0), 75);
  assert.equal(feeOf(250_000, percentRate(0.03), 0), 75);
});

Deno.test("fills: slippage against the trade, fee on the slipped notional (hand-worked)", () => {
  const costs = costsFromPercent({ buy_fee_pct: 0.1, sell_fee_pct: 0.2, min_fee: 5, slippage_pct: 1 });
  // Buy 100 at 50 → 50.5 a share; 5,050 notional; 0.1 % = 5.05 (over the 5 minimum).
  assert.equal(buyPrice(50, costs), 50.5);
  assert.deepEqual(buyFill(100, 50.5, costs), { quantity: 100, price: 50.5, notional: 5050, fee: 5.05 });
  // Sell 100 at 50 → 49.5 a share; 4,950 notional; 0.2 % = 9.9.
  const s = sellFill(100, 50, costs);
  assert.equal(s.price, 49.5);
  assert.equal(s.notional, 4950);
  assert.ok(Math.abs(s.fee - 9.9) < 1e-12);
  // A small sell pays the minimum: 10 × 49.5 = 495; 0.2 % = 0.99 → 5.
  assert.equal(sellFill(10, 50, costs).fee, 5);
});

Deno.test("lots: whole lots rounded down; lotsWithin sets the minimum fee aside", () => {
  assert.equal(boardLot(0), 1);
  assert.equal(boardLot(100), 100);
  assert.equal(wholeLots(1_299, 100), 1_200);
  assert.equal(wholeLots(99, 100), 0);
  const none = costsFromRates(0, 0);
  // 10,000 at 9.99 buys 1,001 shares = 10 lots of 100.
  assert.equal(lotsWithin(10_000, 9.99, none, 100), 1_000);
  // With 1 % fees and a 100 minimum set aside: (10,000 − 100) / (10 × 1.01) = 980.2 → 900 in lots of 100.
  const fees = costsFromPercent({ buy_fee_pct: 1, sell_fee_pct: 1, min_fee: 100, slippage_pct: 0 });
  assert.equal(lotsWithin(10_000, 10, fees, 100), 900);
});

Deno.test("cutToCash: each cash rule keeps what it covers (hand-worked)", () => {
  // grossed_up: 0.1 % commission, 10,050 cash, 10 a share: 1,000 shares cost 10,010 (covered), 1,100 cost 11,011.
  const settle = costsFromRates(0.001, 0);
  assert.deepEqual(cutToCash(1_000, 10, 10_050, 100, settle, "grossed_up"), { quantity: 1_000 });
  assert.deepEqual(cutToCash(5_000, 10, 10_050, 100, settle, "grossed_up"), { quantity: 1_000 });
  assert.deepEqual(cutToCash(5_000, 10, 50, 100, settle, "grossed_up"), { quantity: 0 });
  // fee_on_top with a minimum of 20: 1,000 shares at 10 cost 10,000 + max(20, 10) = 10,020 > 10,015. The jump
  // sets the minimum aside: (10,015 − 20) / (10 × 1.001) = 998.5 → 900 (a lot below what grossed_up keeps).
  const bt = costsFromPercent({ buy_fee_pct: 0.1, sell_fee_pct: 0.1, min_fee: 20, slippage_pct: 0 });
  assert.deepEqual(cutToCash(1_000, 10, 10_015, 100, bt, "fee_on_top"), { quantity: 900 });
  assert.equal(covers(900, 10, 10_015, bt, "fee_on_top"), true);
  assert.equal(covers(1_000, 10, 10_015, bt, "fee_on_top"), false);
});
