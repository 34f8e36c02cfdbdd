import assert from "node:assert/strict";
import { parseStrategyText, toStrategyText } from "../../../domain/strategy/strategy_text.ts";
import { StrategySpecSchema } from "../../../domain/strategy/spec.ts";

Deno.test("toStrategyText() output parses back to the same spec", () => {
  const spec = StrategySpecSchema.parse({
    name: "RSI dip",
    universe: { name: "hs300" },
    entry: "RSI(close,14) < 30 and volume > 1.5*sma(volume,20)",
    exit: "rsi(close) > 55",
    sizing: { method: "risk_adjusted", risk_pct: 1, atr_period: 14, atr_multiple: 2, max_positions: 10 },
    risk: { stop_loss_pct: 5, max_holding_days: 30 },
    benchmarks: ["000300.SH"],
  });
  const text = toStrategyText(spec);
  assert.match(text, /^entry: rsi\(close, 14\) < 30 and volume > 1.5 \* sma\(volume, 20\)$/m);
  const back = parseStrategyText(text);
  assert.deepEqual(back, {
    ...spec,
    entry: "rsi(close, 14) < 30 and volume > 1.5 * sma(volume, 20)",
    exit: "rsi(close, 14) > 55",
  });
  assert.equal(toStrategyText(back), text);
});

Deno.test("parseStrategyText() names the line of a problem", () => {
  assert.throws(
    () => parseStrategyText('universe: {"tickers":["A"]}\nentry close > 1'),
    /line 2: expected "key: value"/,
  );
  assert.throws(() => parseStrategyText('colour: "red"'), /unknown key "colour"/);
  assert.throws(() => parseStrategyText("capital: 1e5\ncapital: 2"), /line 2: "capital" given twice/);
  assert.throws(() => parseStrategyText("universe: {tickers}"), /not valid JSON/);
  assert.throws(
    () => parseStrategyText('universe: {"tickers":["A"]}\nentry: smaa(close) > 1\nexit: close < 1'),
    /did you mean "sma"/,
  );
});
