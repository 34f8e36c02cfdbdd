/**
 * The verifier's settlement replay on five hand-worked days (open execution, commission 0.001, slippage 0.01,
 * lots of 100, holding period 2): a first rebalance, a sale of a name left out with a buy cut by whole lots to the
 * cash, a dividend on its ex-date, a suspension that blocks an expiry sale, and the expiry sale after it.
 */
import assert from "node:assert/strict";
import { type ReplayBar, replayDay, type ReplayState, wholeLotsCovered } from "../../verifier/replay.ts";
import { dividendPerShare, tradingDaysBetween } from "../../verifier/market.ts";

const PARAMS = {
  execution_price: "open" as const,
  commission_rate: 0.001,
  slippage_rate: 0.01,
  lot_size: 100,
  holding_period: 2,
};
const DAYS = ["2026-07-06", "2026-07-07", "2026-07-08", "2026-07-09", "2026-07-10"];
const near = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} ≠ ${b}`);

function day(
  i: number,
  state: ReplayState,
  signal: { symbol: string; weight: number }[] | null,
  bars: Record<string, ReplayBar | null>,
) {
  return replayDay({
    date: DAYS[i],
    state,
    signal,
    bar: (s) => bars[s] ?? null,
    tradingDaysSince: (from) => tradingDaysBetween(DAYS, from, DAYS[i]),
    creditDividends: true,
    parameters: PARAMS,
  });
}

Deno.test("replayDay() on five hand-worked days: lots, cash cut, slippage, commission, dividend, suspension, expiry", async (t) => {
  // Day 1: V = 100000; A: ⌊50000 / (10·1.01·1.001) / 100⌋·100 = 4900 (4945.55 before lots), B: 2400 (2472.77).
  const d1 = day(0, { cash: 100_000, holdings: [] }, [{ symbol: "B", weight: 0.5 }, {
    symbol: "A",
    weight: 0.5,
  }], {
    A: { open: 10, close: 11, dividend: 0 },
    B: { open: 20, close: 19, dividend: 0 },
  });
  await t.step("day 1: buys in symbol order at p·(1+slip), commission on the fill notional", () => {
    assert.deepEqual(d1.trades.map((x) => [x.action, x.symbol, x.quantity, x.reason]), [
      ["BUY", "A", 4900, "rebalance"],
      ["BUY", "B", 2400, "rebalance"],
    ]);
    near(d1.trades[0].fill_price, 10.1, "A fill");
    near(d1.trades[0].notional, 49_490, "A notional");
    near(d1.trades[0].commission, 49.49, "A commission");
    near(d1.trades[1].fill_price, 20.2, "B fill");
    near(d1.trades[1].notional, 48_480, "B notional");
    near(d1.trades[1].commission, 48.48, "B commission");
    near(d1.state.cash, 1932.03, "cash"); // 100000 − 49539.49 − 48528.48
    near(d1.nav, 101_432.03, "NAV"); // + 4900·11 + 2400·19
    assert.deepEqual(d1.positions.map((p) => [p.symbol, p.quantity, p.price, p.entry_date, p.suspended]), [
      ["A", 4900, 11, DAYS[0], false],
      ["B", 2400, 19, DAYS[0], false],
    ]);
  });

  // Day 2: signal B 1.0. V = 1932.03 + 4900·11.27 + 2400·20 = 105155.03; target B = 5200 (5200.49).
  // Sell A 4900 at 11.27·0.99 = 11.1573: notional 54670.77, commission 54.67077 → cash 56548.12923.
  // Buy B 2800 would cost 2800·20.2·1.001 = 56616.56 > cash: cut to 2700 (54594.54).
  const d2 = day(1, d1.state, [{ symbol: "B", weight: 1 }], {
    A: { open: 11.27, close: 11.5, dividend: 0 },
    B: { open: 20, close: 21, dividend: 0 },
  });
  await t.step("day 2: the name left out is sold first, the buy is cut by whole lots to the cash", () => {
    assert.deepEqual(d2.trades.map((x) => [x.action, x.symbol, x.quantity, x.reason]), [
      ["SELL", "A", 4900, "exit_not_in_signal"],
      ["BUY", "B", 2700, "rebalance"],
    ]);
    near(d2.trades[0].fill_price, 11.1573, "A sell fill");
    near(d2.trades[0].notional, 54_670.77, "A sell notional");
    near(d2.trades[0].commission, 54.67077, "A sell commission");
    near(d2.trades[1].notional, 54_540, "B buy notional");
    near(d2.trades[1].commission, 54.54, "B buy commission");
    near(d2.state.cash, 1953.58923, "cash");
    near(d2.nav, 109_053.58923, "NAV"); // + 5100·21
    assert.deepEqual(d2.positions.map((p) => [p.symbol, p.quantity, p.entry_date, p.last_signal_date]), [
      ["B", 5100, DAYS[0], DAYS[1]],
    ]);
  });

  // Day 3: no signal, B's ex-date pays 0.5 a share on the 5100 held at the start; age 1 < 2: held.
  const d3 = day(2, d2.state, null, { B: { open: 20.5, close: 20, dividend: 0.5 } });
  await t.step("day 3: a dividend on the ex-date is credited before trading; the position is held", () => {
    assert.deepEqual(d3.dividends, [{ symbol: "B", quantity: 5100, per_share: 0.5, cash: 2550 }]);
    assert.equal(d3.trades.length, 0);
    near(d3.state.cash, 4503.58923, "cash");
    near(d3.nav, 106_503.58923, "NAV");
  });

  // Day 4: B has no bar: suspended, valued at its last close 20, not sold although its age is 2.
  const d4 = day(3, d3.state, null, { B: null });
  await t.step("day 4: a suspended holding keeps its last price and is not sold at expiry", () => {
    assert.equal(d4.trades.length, 0);
    assert.deepEqual(d4.positions.map((p) => [p.symbol, p.price, p.suspended]), [["B", 20, true]]);
    near(d4.nav, 106_503.58923, "NAV");
  });

  // Day 5: age 3 ≥ 2: sold at 19·0.99 = 18.81: notional 95931, commission 95.931.
  const d5 = day(4, d4.state, null, { B: { open: 19, close: 18, dividend: 0 } });
  await t.step("day 5: the position past its holding period is sold at the execution price", () => {
    assert.deepEqual(d5.trades.map((x) => [x.action, x.symbol, x.quantity, x.reason]), [
      ["SELL", "B", 5100, "holding_period_expired"],
    ]);
    near(d5.trades[0].notional, 95_931, "notional");
    near(d5.trades[0].commission, 95.931, "commission");
    near(d5.state.cash, 100_338.65823, "cash");
    near(d5.nav, 100_338.65823, "NAV");
    assert.deepEqual(d5.positions, []);
  });
});

Deno.test("replayDay() buys nothing for a suspended name of the signal and keeps a suspended holding of it", () => {
  const out = replayDay({
    date: DAYS[1],
    state: {
      cash: 1000,
      holdings: [{ symbol: "A", quantity: 100, price: 9, entry_date: DAYS[0], last_signal_date: DAYS[0] }],
    },
    signal: [{ symbol: "A", weight: 0.5 }, { symbol: "C", weight: 0.5 }],
    bar: () => null,
    tradingDaysSince: () => 1,
    creditDividends: true,
    parameters: PARAMS,
  });
  assert.deepEqual(out.trades, []);
  assert.deepEqual(
    out.positions.map((p) => [p.symbol, p.quantity, p.price, p.last_signal_date, p.suspended]),
    [
      ["A", 100, 9, DAYS[1], true],
    ],
  );
  assert.equal(out.nav, 1900);
});

Deno.test("replayDay() credits no dividend on a day of convention none", () => {
  const out = replayDay({
    date: DAYS[1],
    state: {
      cash: 0,
      holdings: [{ symbol: "A", quantity: 100, price: 9, entry_date: DAYS[0], last_signal_date: DAYS[0] }],
    },
    signal: null,
    bar: () => ({ open: 9, close: 9, dividend: 1 }),
    tradingDaysSince: () => 1,
    creditDividends: false,
    parameters: PARAMS,
  });
  assert.deepEqual(out.dividends, []);
  assert.equal(out.nav, 900);
});

Deno.test("wholeLotsCovered() keeps the most whole lots whose cost with commission fits the cash", () => {
  assert.equal(wholeLotsCovered(2800, 20.2, 0.001, 56_548.12923, 100), 2700);
  assert.equal(wholeLotsCovered(2800, 20.2, 0.001, 56_616.56, 100), 2800); // exactly covered
  assert.equal(wholeLotsCovered(2800, 20.2, 0.001, 2021, 100), 0); // not one lot (2022.02)
  assert.equal(wholeLotsCovered(2800, 20.2, 0.001, 2022.02, 100), 100);
  assert.equal(wholeLotsCovered(0, 20.2, 0.001, 1e6, 100), 0);
});

Deno.test("dividendPerShare() reads the cash dividend from an adj_factor step up, 0 otherwise", () => {
  // 20 · (1 − 1 / 1.025) = 20 · 0.025 / 1.025 = 0.487804878…
  near(dividendPerShare(20, 1, 1.025), 0.5 / 1.025, "step up");
  assert.equal(dividendPerShare(20, 1.025, 1.025), 0);
  assert.equal(dividendPerShare(20, 1.1, 1.0), 0);
  assert.equal(dividendPerShare(20, 0, 1.0), 0);
});

Deno.test("tradingDaysBetween() counts trading days after the first day up to and including the last", () => {
  assert.equal(tradingDaysBetween(DAYS, DAYS[0], DAYS[0]), 0);
  assert.equal(tradingDaysBetween(DAYS, DAYS[0], DAYS[2]), 2);
  assert.equal(tradingDaysBetween(DAYS, "2026-07-04", DAYS[1]), 2); // a weekend day before the list
});
