import assert from "node:assert/strict";
import { EngineDataError, simulate, type SymbolInput } from "../../../domain/backtest/engine.ts";
import { toDayNumber } from "../../../domain/calendar/dates.ts";
import { BadRequestError } from "../../../domain/errors.ts";
import { type StrategySpec, StrategySpecSchema } from "../../../domain/strategy/spec.ts";

const FIRST = toDayNumber("2024-01-02");

/** A symbol whose every bar is `price` (or `closes[k]` where given) and whose entry rule holds every day. */
function flat(symbol: string, n: number, price: number, closes: Record<number, number> = {}, lotSize = 1) {
  const days = Int32Array.from({ length: n }, (_, k) => FIRST + k);
  const col = () => new Float64Array(n).fill(price);
  const close = col();
  for (const [k, v] of Object.entries(closes)) close[Number(k)] = v;
  const input: SymbolInput = {
    symbol,
    name: symbol,
    lotSize,
    days,
    open: col(),
    high: col(),
    low: col(),
    close,
    entry: new Float64Array(n).fill(1),
    exit: new Float64Array(n).fill(0),
    rank: new Float64Array(n).fill(0),
    atr: new Float64Array(n).fill(NaN),
    entryText: "always",
    exitText: "never",
  };
  return input;
}

const spec = (extra: Record<string, unknown> = {}): StrategySpec =>
  StrategySpecSchema.parse({
    universe: { tickers: ["POISON"] },
    entry: "close > 0",
    exit: "close < 0",
    ...extra,
  });

function assertDataError(fn: () => unknown, symbol: string, date: string) {
  assert.throws(fn, (e) => {
    assert.ok(e instanceof EngineDataError, `got ${e}`);
    assert.ok(e instanceof BadRequestError, "a 400 at the route, a failure reason in a job");
    assert.equal(e.symbol, symbol);
    assert.match(e.message, new RegExp(`${symbol} on ${date}`));
    return true;
  });
}

Deno.test("engine: prices of 1e-305 with default sizing fail the run naming symbol and day (no endless sizing loop)", () => {
  // Default sizing: 100% of equity → 1e5 / 1e-305 shares = Infinity.
  for (const fill of ["next_open", "close"] as const) {
    assertDataError(
      () => simulate(spec({ fill }), [flat("POISON", 30, 1e-305)]),
      "POISON",
      "2024-01-02",
    );
  }
});

Deno.test("engine: an order size past 2^53 shares (where qty - lot === qty) is cut to what cash allows, not spun on", () => {
  // Capital 1e12 at 1e-5 a share: 1e17 shares wanted. The old loop subtracted one lot at a time forever.
  for (const lot of [1, 100]) {
    const sim = simulate(spec({ fill: "close", capital: 1e12 }), [flat("PENNY", 10, 1e-5, {}, lot)]);
    assert.equal(sim.trades.length, 1);
    const t = sim.trades[0];
    assert.ok(t.value + t.fees <= 1e12, "cash never goes negative");
    assert.ok(t.quantity > 9.9e16, `bought close to everything (${t.quantity})`);
    assert.ok(sim.equity.every(Number.isFinite));
  }
  // Finite but absurd prices: the run either completes with finite numbers or fails naming symbol and day.
  for (const price of [1e-12, 1e-15, 1e-20, 1e-30, 1e-100, 1e-300]) {
    let sim: ReturnType<typeof simulate>;
    try {
      sim = simulate(spec({ fill: "close", costs: { min_fee: 5 } }), [flat("TINY", 10, price, {}, 100)]);
    } catch (e) {
      assert.ok(e instanceof EngineDataError, `price ${price}: ${e}`);
      assert.match(e.message, /TINY on 2024-01-02/);
      continue;
    }
    assert.ok(sim.equity.every(Number.isFinite), `price ${price}: finite equity`);
  }
});

Deno.test("engine: a held position whose close turns non-finite or a zero fill price fails naming the day", () => {
  assertDataError(
    () => simulate(spec({ fill: "close" }), [flat("NANCLOSE", 20, 10, { 5: NaN })]),
    "NANCLOSE",
    "2024-01-07",
  );
  assertDataError(
    () => simulate(spec({ fill: "close" }), [flat("INFCLOSE", 20, 10, { 3: Infinity })]),
    "INFCLOSE",
    "2024-01-05",
  );
  // A zero close makes 100% of equity an infinite order on the day it is decided.
  assertDataError(
    () => simulate(spec({ fill: "next_open" }), [flat("ZERO", 20, 10, { 0: 0 })]),
    "ZERO",
    "2024-01-02",
  );
});

Deno.test("engine: sane tiny and huge prices still simulate with finite results", () => {
  for (const price of [1e-6, 1e-3, 1, 1e6, 1e9]) {
    const sim = simulate(spec({ fill: "close", capital: 1e10 }), [flat("OK", 30, price)]);
    assert.ok(sim.equity.every(Number.isFinite), `price ${price}`);
    assert.equal(sim.trades.length, 1, `price ${price}: one entry, held`);
  }
});
