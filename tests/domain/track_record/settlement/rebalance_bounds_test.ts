import assert from "node:assert/strict";
import {
  settleDay,
  type SettleDayInput,
  SettlementDataError,
} from "../../../../domain/track_record/settlement/rebalance.ts";
import { BadRequestError } from "../../../../domain/errors.ts";

const base = (over: Partial<SettleDayInput>): SettleDayInput => ({
  date: "2026-03-02",
  state: { cash: 1_000_000, positions: [] },
  signal: null,
  bar: () => null,
  execution: "open",
  commission_rate: 0.0003,
  slippage_rate: 0.002,
  holding_period: 1,
  tradingAge: () => 1,
  lot_size: 100,
  ...over,
});

/** A held position in `symbol` that is suspended today (so its value counts but cannot be sold). */
const suspendedHolding = (symbol: string, quantity: number, lastPrice: number) => ({
  symbol,
  quantity,
  last_price: lastPrice,
  entry_date: "2026-01-05",
  last_signal_date: "2026-03-01",
});

Deno.test("settleDay(): a 1e-305 or non-finite price fails the day naming symbol and date instead of looping", () => {
  for (const price of [1e-305, NaN, Infinity]) {
    assert.throws(
      () =>
        settleDay(base({
          signal: [{ symbol: "600000.SH", weight: 1 }],
          bar: (s) => (s === "600000.SH" ? { open: price, close: price } : null),
        })),
      (e) => {
        assert.ok(e instanceof SettlementDataError && e instanceof BadRequestError, String(e));
        assert.match(e.message, /600000\.SH on 2026-03-02/);
        return true;
      },
    );
  }
});

Deno.test("settleDay(): a target far beyond the cash (past 2^53 shares) is cut to what cash covers in a few steps", () => {
  // NAV is mostly a suspended holding; the whole of it targets a 1e-6 stock: about 1e18 shares wanted,
  // cash covers about 1e9. One lot at a time that was a loop without end (qty - 100 === qty past 2^53).
  const r = settleDay(base({
    state: { cash: 1_000, positions: [suspendedHolding("600999.SH", 1e10, 100)] },
    signal: [{ symbol: "600000.SH", weight: 1 }, { symbol: "600999.SH", weight: 0 }],
    bar: (s) => (s === "600000.SH" ? { open: 1e-6, close: 1e-6 } : null),
  }));
  const buy = r.trades.find((t) => t.action === "BUY")!;
  assert.ok(buy, "bought what cash covers");
  assert.ok(r.state.cash >= 0, "cash never negative");
  const unit = buy.fill_price * 1.0003;
  assert.ok(r.state.cash < 100 * unit, "not another lot's worth left");
  assert.equal(buy.quantity % 100, 0);
});

Deno.test("settleDay(): the cut of a buy to the cash gives exactly the one-lot-at-a-time result", () => {
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let n = 0; n < 3000; n++) {
    const lot = rnd() < 0.5 ? 1 : 100;
    const cash = Math.round(rnd() * 100_000 * 100) / 100;
    const heldValue = rnd() * 1_000_000;
    const price = Math.round((0.5 + rnd() * 99.5) * 100) / 100;
    const weight = Math.round(rnd() * 100) / 100;
    const slip = rnd() * 0.005, comm = rnd() * 0.001;
    const input = base({
      state: { cash, positions: [suspendedHolding("600999.SH", 1000, heldValue / 1000)] },
      signal: [{ symbol: "600000.SH", weight }, { symbol: "600999.SH", weight: 1 - weight }],
      bar: (s) => (s === "600000.SH" ? { open: price, close: price } : null),
      slippage_rate: slip,
      commission_rate: comm,
      lot_size: lot,
    });
    // The reference: the convention as written, one lot at a time.
    const value = cash + heldValue;
    const fill = price * (1 + slip);
    let expected = Math.floor((weight * value) / (price * (1 + slip) * (1 + comm)) / lot) * lot;
    while (expected > 0 && expected * fill * (1 + comm) > cash) expected -= lot;
    const buy = settleDay(input).trades.find((t) => t.action === "BUY");
    assert.equal(buy?.quantity ?? 0, Math.max(0, expected), `case ${n}`);
  }
});
