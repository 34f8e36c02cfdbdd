import assert from "node:assert/strict";
import {
  type DayBar,
  type PortfolioState,
  settleDay,
  type SettleDayInput,
} from "../../../../domain/track_record/settlement/rebalance.ts";

const close = (a: number, b: number) => Math.abs(a - b) < 1e-6;

function input(over: Partial<SettleDayInput> & { bars: Record<string, DayBar> }): SettleDayInput {
  return {
    date: "2026-03-02",
    state: { cash: 1_000_000, positions: [] },
    signal: null,
    bar: (s) => over.bars[s] ?? null,
    execution: "open",
    commission_rate: 0.0003,
    slippage_rate: 0.002,
    holding_period: 1,
    tradingAge: () => 1,
    lot_size: 100,
    ...over,
  };
}

// Hand calculation (see the module conventions):
// V = 1,000,000. A: 0.5·V / (10·1.002·1.0003) = 49,885.2 → 49,800 shares; B: 0.3·V / (20·1.002·1.0003) = 14,965.6
// → 14,900. Buy A at 10.02: 498,996 + commission 149.6988. Buy B at 20.04: 298,596 + 89.5788.
// Cash = 1,000,000 − 498,996 − 149.6988 − 298,596 − 89.5788 = 202,168.7224.
// NAV at closes A 10.5, B 19: 202,168.7224 + 522,900 + 283,100 = 1,008,168.7224.
const day1Bars = { "600000.SH": { open: 10, close: 10.5 }, "600001.SH": { open: 20, close: 19 } };
const day1 = () =>
  settleDay(input({
    bars: day1Bars,
    signal: [{ symbol: "600000.SH", weight: 0.5 }, { symbol: "600001.SH", weight: 0.3 }],
  }));

Deno.test("settleDay() rebalances into lots at the open with slippage and commission (hand-computed)", () => {
  const r = day1();
  assert.equal(r.action, "REBALANCE");
  assert.deepEqual(r.trades.map((t) => [t.symbol, t.action, t.quantity]), [
    ["600000.SH", "BUY", 49_800],
    ["600001.SH", "BUY", 14_900],
  ]);
  assert.ok(close(r.trades[0].fill_price, 10.02));
  assert.ok(close(r.trades[0].commission, 149.6988));
  assert.ok(close(r.trades[1].commission, 89.5788));
  assert.ok(close(r.state.cash, 202_168.7224), String(r.state.cash));
  assert.ok(close(r.nav, 1_008_168.7224), String(r.nav));
  assert.deepEqual(r.state.positions.map((p) => [p.symbol, p.last_price, p.entry_date]), [
    ["600000.SH", 10.5, "2026-03-02"],
    ["600001.SH", 19, "2026-03-02"],
  ]);
});

Deno.test("settleDay() closes positions past the holding period on a day without a signal (hand-computed)", () => {
  const state: PortfolioState = day1().state;
  // Sell A at 11·0.998 = 10.978: 546,704.4 − 164.01132; sell B at 18·0.998 = 17.964: 267,663.6 − 80.29908.
  // Cash = 202,168.7224 + 546,540.38868 + 267,583.30092 = 1,016,292.412.
  const r = settleDay(input({
    date: "2026-03-03",
    state,
    bars: { "600000.SH": { open: 11, close: 12 }, "600001.SH": { open: 18, close: 17 } },
  }));
  assert.equal(r.action, "HOLD");
  assert.deepEqual(r.trades.map((t) => [t.symbol, t.action, t.reason]), [
    ["600000.SH", "SELL", "holding_period_expired"],
    ["600001.SH", "SELL", "holding_period_expired"],
  ]);
  assert.equal(r.state.positions.length, 0);
  assert.ok(close(r.nav, 1_016_292.412), String(r.nav));
});

Deno.test("settleDay() keeps a suspended position at its last price and does not trade it", () => {
  const state = day1().state;
  const r = settleDay(input({ date: "2026-03-03", state, bars: { "600000.SH": { open: 11, close: 12 } } }));
  // A sold as above (cash 748,709.11108); B suspended: held at 19.
  assert.deepEqual(r.suspended, ["600001.SH"]);
  assert.deepEqual(r.trades.map((t) => t.symbol), ["600000.SH"]);
  assert.ok(close(r.nav, 748_709.11108 + 14_900 * 19), String(r.nav));
  assert.equal(r.state.positions[0].last_price, 19);
});

Deno.test("settleDay() holds positions younger than the holding period and reprices them at the close", () => {
  const state = day1().state;
  const r = settleDay(input({
    date: "2026-03-03",
    state,
    holding_period: 5,
    tradingAge: () => 1,
    bars: { "600000.SH": { open: 11, close: 12 }, "600001.SH": { open: 18, close: 17 } },
  }));
  assert.equal(r.trades.length, 0);
  assert.ok(close(r.nav, 202_168.7224 + 49_800 * 12 + 14_900 * 17));
});

Deno.test("settleDay() sells names missing from a new signal and trims over-weight ones first", () => {
  const state = day1().state;
  const r = settleDay(input({
    date: "2026-03-03",
    state,
    bars: { "600000.SH": { open: 10, close: 10 }, "600001.SH": { open: 20, close: 20 } },
    signal: [{ symbol: "600000.SH", weight: 0.1 }],
  }));
  assert.deepEqual(r.trades.map((t) => [t.symbol, t.action, t.reason]), [
    ["600000.SH", "SELL", "rebalance"],
    ["600001.SH", "SELL", "exit_not_in_signal"],
  ]);
  const a = r.state.positions.find((p) => p.symbol === "600000.SH")!;
  assert.equal(a.quantity % 100, 0);
  assert.equal(a.last_signal_date, "2026-03-03");
  assert.equal(a.entry_date, "2026-03-02");
});

Deno.test("settleDay() with a full weight never lets cash go negative", () => {
  // 1,000,000 / (10·1.002·1.0003) = 99,770.5 → 99,700 shares; cost 998,994 + 299.6982; cash 706.3018.
  const r = settleDay(
    input({ bars: { "600000.SH": { open: 10, close: 10 } }, signal: [{ symbol: "600000.SH", weight: 1 }] }),
  );
  assert.equal(r.trades[0].quantity, 99_700);
  assert.ok(close(r.state.cash, 706.3018));
  assert.ok(r.state.cash >= 0);
});

Deno.test("settleDay() executes at the close for close-execution strategies", () => {
  const r = settleDay(
    input({ execution: "close", bars: day1Bars, signal: [{ symbol: "600000.SH", weight: 0.5 }] }),
  );
  assert.ok(close(r.trades[0].price, 10.5));
  // Bought at 10.5·1.002; valued at 10.5: NAV = cash + q·10.5 is below 1,000,000 by slippage + commission.
  const t = r.trades[0];
  assert.ok(close(r.nav, 1_000_000 - t.quantity * 10.5 * 0.002 - t.commission));
});

Deno.test("settleDay() does not open a suspended target and says so", () => {
  const r = settleDay(input({ bars: {}, signal: [{ symbol: "600000.SH", weight: 0.5 }] }));
  assert.equal(r.trades.length, 0);
  assert.deepEqual(r.suspended, ["600000.SH"]);
  assert.equal(r.nav, 1_000_000);
});

Deno.test("settleDay() credits a cash dividend to a position held into its ex-date (hand-computed)", () => {
  // Held from day 1: 49,800 A and 14,900 B, cash 202,168.7224. Day 2 is A's ex-date with 0.25 per share; no
  // signal and the holding period not reached, so nothing trades. Dividend = 49,800 × 0.25 = 12,450.
  // Cash = 202,168.7224 + 12,450 = 214,618.7224; NAV at closes A 10.3, B 19.5:
  // 214,618.7224 + 512,940 + 290,550 = 1,018,108.7224.
  const r = settleDay(input({
    date: "2026-03-03",
    state: day1().state,
    tradingAge: () => 0,
    bars: {
      "600000.SH": { open: 10.2, close: 10.3, dividend: 0.25 },
      "600001.SH": { open: 19, close: 19.5 },
    },
  }));
  assert.deepEqual(r.trades, []);
  assert.deepEqual(r.dividends, [{ symbol: "600000.SH", quantity: 49_800, per_share: 0.25, cash: 12_450 }]);
  assert.ok(close(r.state.cash, 214_618.7224), String(r.state.cash));
  assert.ok(close(r.nav, 1_018_108.7224), String(r.nav));
});

Deno.test("settleDay() pays the dividend on shares held at the start of the ex-date, not on shares bought that day", () => {
  // Day 2 is A's ex-date (0.25 per share) and the signal moves everything into A. The 49,800 held shares earn
  // 12,450 before trading; the shares bought that day earn nothing.
  const r = settleDay(input({
    date: "2026-03-03",
    state: day1().state,
    signal: [{ symbol: "600000.SH", weight: 0.9 }],
    bars: {
      "600000.SH": { open: 10, close: 10, dividend: 0.25 },
      "600001.SH": { open: 19, close: 19 },
    },
  }));
  assert.deepEqual(r.dividends.map((d) => [d.symbol, d.quantity, d.cash]), [["600000.SH", 49_800, 12_450]]);
  let cash = day1().state.cash + 12_450;
  for (const t of r.trades) {
    cash += t.action === "BUY" ? -t.notional - t.commission : t.notional - t.commission;
  }
  assert.ok(close(r.state.cash, cash), `${r.state.cash} vs ${cash}`);
  assert.ok(r.trades.some((t) => t.symbol === "600000.SH" && t.action === "BUY"));
});
