import assert from "node:assert/strict";
import { pairSymbol } from "../../../domain/backtest/named_strategy_config.ts";
import {
  BUILTIN_STRATEGIES,
  builtinSpec,
  findBuiltinStrategy,
} from "../../../domain/strategy/builtin_strategies.ts";

Deno.test("pairSymbol() maps USD-quoted pairs to BASE-USD, keeps Quantedge symbols, refuses the rest", async (t) => {
  for (
    const [pair, symbol] of [
      ["BTC/USDT:USDT", "BTC-USD"],
      ["ETH/USDT", "ETH-USD"],
      ["btc/usd", "BTC-USD"],
      ["SOL/USDC:USDC", "SOL-USD"],
      ["BTC-USD", "BTC-USD"],
      ["600519.SH", "600519.SH"],
      ["BTC/EUR", null],
      ["BTC/USDT:BTC", null],
      ["BTC/", null],
      ["a b", null],
    ] as const
  ) await t.step(`${pair} → ${symbol}`, () => assert.equal(pairSymbol(pair), symbol));
});

Deno.test("built-in strategies are found by name in any case and run on the given symbols", () => {
  assert.deepEqual(BUILTIN_STRATEGIES.map((b) => b.name), [
    "TrendFollowing",
    "MeanReversion",
    "Breakout",
    "MACDMomentum",
  ]);
  assert.equal(findBuiltinStrategy("trendfollowing")?.name, "TrendFollowing");
  assert.equal(findBuiltinStrategy("Nope"), null);
  for (const b of BUILTIN_STRATEGIES) {
    const spec = builtinSpec(b, ["BTC-USD", "ETH-USD"]);
    assert.deepEqual(spec.universe, { tickers: ["BTC-USD", "ETH-USD"] });
    assert.equal(spec.sizing.method === "percent_equity" && spec.sizing.percent, 50);
    assert.deepEqual([spec.start, spec.end, spec.capital], ["2020-01-01", "2024-12-31", 100_000]);
  }
});
