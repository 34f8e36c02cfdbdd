import assert from "node:assert/strict";
import {
  AgentConfigSchema,
  BlueprintSchema,
  compileAgentConfig,
  compileBlueprint,
} from "../../../domain/strategy/blueprint_and_config.ts";

Deno.test("compileAgentConfig() maps filters and fundamental indicators to universe filters", () => {
  const spec = compileAgentConfig(AgentConfigSchema.parse({
    universe: "hs300",
    filters: { marketCap: "Large", sectors: ["Financials"], syariah: false, minAvgDailyValue: 5e7 },
    fundamentalIndicators: [{ type: "PE_RATIO", max: 20 }, { type: "ROE", min: 0.1 }, {
      type: "UNKNOWN",
      min: 1,
    }],
    technicalIndicators: [{ type: "SMA_CROSSOVER", shortPeriod: 10, longPeriod: 30 }, {
      type: "ATR",
      period: 14,
      multiplier: 3,
    }],
  }));
  assert.deepEqual(spec.universe, {
    name: "hs300",
    filters: {
      market_cap: ["large"],
      sectors: ["Financials"],
      syariah: false,
      min_avg_traded_value: 5e7,
      fundamentals: [{ metric: "PE_RATIO", max: 20 }, { metric: "ROE", min: 0.1 }],
    },
  });
  assert.equal(spec.entry, "crosses_above(sma(close, 10), sma(close, 30))");
  assert.equal(
    spec.exit,
    "crosses_below(sma(close, 10), sma(close, 30)) or close < highest(close, 14) - 3 * atr(14)",
  );
});

Deno.test("compileBlueprint() turns fractions into percent and maps sizing", () => {
  const spec = compileBlueprint(BlueprintSchema.parse({
    asset: "aapl",
    entry: [{ indicator: "macd", operator: "crosses_above" }, {
      indicator: "bollinger",
      operator: "<",
      params: { lookback: 10, multiplier: 1.5 },
    }],
    risk: { stop_loss: 0.05, take_profit: 12, trailing_stop: 0.1 },
    position_sizing: "risk_adjusted",
  }));
  assert.deepEqual(spec.universe, { tickers: ["AAPL"] });
  assert.equal(
    spec.entry,
    "crosses_above(macd(close, 12, 26, 9), macd_signal(close, 12, 26, 9)) and close < bb_lower(close, 10, 1.5)",
  );
  assert.equal(spec.exit, "0 > 1");
  assert.deepEqual([spec.risk.stop_loss_pct, spec.risk.take_profit_pct, spec.risk.trailing_stop_pct], [
    5,
    12,
    10,
  ]);
  assert.equal(spec.sizing.method, "risk_adjusted");
});
