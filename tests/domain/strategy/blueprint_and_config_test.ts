import assert from "node:assert/strict";
import {
  agentConfigNotes,
  AgentConfigSchema,
  BlueprintSchema,
  compileAgentConfig,
  compileBlueprint,
  IDX_BENCHMARKS,
  IDX_DEFAULT_CAPITAL,
  TECHNICAL_PARAMETERS,
} from "../../../domain/strategy/blueprint_and_config.ts";

/** Compiles a config of one technical indicator (the universe is given, so only the rule varies). */
const ruleOf = (indicator: Record<string, unknown>) => {
  const spec = compileAgentConfig(AgentConfigSchema.parse({
    universe: "hs300",
    technicalIndicators: [indicator, ...(indicator.type === "ATR" ? [{ type: "RSI" }] : [])],
  }));
  return { entry: spec.entry, exit: spec.exit };
};

/** Issues of parsing `config` (path joined by dots → message). */
const issuesOf = (config: unknown) => {
  const r = AgentConfigSchema.safeParse(config);
  assert.equal(r.success, false, "expected a refusal");
  return r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

Deno.test("compileAgentConfig() maps filters and fundamental indicators to universe filters", () => {
  const spec = compileAgentConfig(AgentConfigSchema.parse({
    universe: "hs300",
    filters: { marketCap: "Large", sectors: ["Financials"], syariah: false, minAvgDailyValue: 5e7 },
    fundamentalIndicators: [{ type: "PE_RATIO", max: 20 }, { type: "ROE", min: 0.1 }],
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

Deno.test("agent config: the document's filter names (tickers, minDailyValue) are honoured; bare codes are IDX", () => {
  const spec = compileAgentConfig(AgentConfigSchema.parse({
    filters: { tickers: ["BBCA", "tlkm.jk"], marketCap: ["large", "mid"], minDailyValue: 1e9, syariah: true },
    technicalIndicators: [{ type: "RSI" }],
  }));
  assert.deepEqual(spec.universe, {
    tickers: ["BBCA.JK", "TLKM.JK"],
    filters: { market_cap: ["large", "mid"], syariah: true, min_avg_traded_value: 1e9 },
  });
  assert.deepEqual(spec.benchmarks, [...IDX_BENCHMARKS]);
  assert.equal(spec.capital, IDX_DEFAULT_CAPITAL);
});

Deno.test("agent config: no tickers and no universe runs the IDX universe with IDR capital and both IDX benchmarks", () => {
  const config = AgentConfigSchema.parse({ technicalIndicators: [{ type: "RSI" }] });
  const spec = compileAgentConfig(config);
  assert.deepEqual(spec.universe, { name: "idx" });
  assert.equal(spec.capital, 100_000_000);
  assert.deepEqual(spec.benchmarks, ["^JKSE", "LQ45"]);
  const notes = agentConfigNotes(config);
  assert.ok(notes.some((n) => n.includes("100,000,000 IDR")), notes.join("; "));
  assert.ok(notes.some((n) => n.includes("every indicator's buy condition")));
  // A given capital is kept and no default is announced; a non-IDX run has no IDX benchmarks.
  const given = AgentConfigSchema.parse({
    technicalIndicators: [{ type: "RSI" }],
    backtestConfig: { initialCapital: 5e8 },
  });
  assert.equal(compileAgentConfig(given).capital, 5e8);
  assert.ok(!agentConfigNotes(given).some((n) => n.includes("IDR")));
  const cn = compileAgentConfig(
    AgentConfigSchema.parse({ universe: "hs300", technicalIndicators: [{ type: "RSI" }] }),
  );
  assert.deepEqual(cn.benchmarks, []);
  assert.equal(cn.capital, 100_000);
});

Deno.test("agent config: backtestConfig costs, portfolio and risk map to the spec", () => {
  const spec = compileAgentConfig(AgentConfigSchema.parse({
    technicalIndicators: [{ type: "RSI" }],
    backtestConfig: {
      initialCapital: 200_000_000,
      startDate: "2024-01-01",
      endDate: "2024-06-30",
      tradingCosts: { brokerFee: 0.15, sellFee: 0.25, minimumFee: 1000 },
      portfolio: { positionSizePercent: 20, minPositionPercent: 5, maxPositions: 4 },
      riskManagement: { stopLossPercent: 5, takeProfitPercent: 10, maxHoldingDays: 30 },
    },
  }));
  assert.deepEqual(spec.costs, { buy_fee_pct: 0.15, sell_fee_pct: 0.25, min_fee: 1000, slippage_pct: 0 });
  assert.deepEqual(spec.sizing, {
    method: "percent_equity",
    percent: 20,
    max_positions: 4,
    min_position: 10_000_000,
  });
  assert.deepEqual(spec.risk, {
    stop_loss_pct: 5,
    take_profit_pct: 10,
    trailing_stop_pct: null,
    max_holding_days: 30,
  });
  assert.deepEqual([spec.capital, spec.start, spec.end], [200_000_000, "2024-01-01", "2024-06-30"]);
});

Deno.test("agent config: every parameter of every technical indicator changes the rule", async (t) => {
  for (const [type, params] of Object.entries(TECHNICAL_PARAMETERS)) {
    await t.step(type, () => {
      const base = ruleOf({ type });
      for (const key of Object.keys(params)) {
        if (type === "SMA_TREND" && key === "period") continue; // the earlier form, checked below
        // A value no default uses (periods 7/77 keep short < long; levels 11/88 keep oversold < overbought).
        const value = key === "longPeriod" || key === "slowPeriod"
          ? 77
          : key === "overbought"
          ? 88
          : key === "oversold"
          ? 11
          : key === "stdDev" || key === "threshold" || key === "multiplier"
          ? 2.75
          : 7;
        const changed = ruleOf({ type, [key]: value });
        assert.notDeepEqual(changed, base, `${type}.${key} changed nothing`);
        assert.ok(
          `${changed.entry} ${changed.exit}`.includes(String(value)),
          `${type}.${key}=${value} is not in ${JSON.stringify(changed)}`,
        );
      }
    });
  }
  assert.deepEqual(ruleOf({ type: "SMA_TREND", shortPeriod: 5, longPeriod: 60 }), {
    entry: "sma(close, 5) > sma(close, 60)",
    exit: "sma(close, 5) < sma(close, 60)",
  });
  assert.deepEqual(ruleOf({ type: "SMA_TREND", period: 100 }), {
    entry: "close > sma(close, 100)",
    exit: "close < sma(close, 100)",
  });
  assert.equal(ruleOf({ type: "VOLUME_SMA", period: 10, threshold: 2 }).entry, "volume > 2 * volume_sma(10)");
  assert.equal(ruleOf({ type: "OBV", period: 9 }).entry, "obv() > sma(obv(), 9)");
  assert.equal(ruleOf({ type: "VWAP", period: 9 }).entry, "close > vwap(9)");
  assert.equal(
    ruleOf({ type: "VOLATILITY_BREAKOUT", period: 9, multiplier: 1.5 }).entry,
    "close > delay(close, 1) + 1.5 * atr(9)",
  );
  assert.equal(ruleOf({ type: "VOLUME_PRICE_TREND", period: 9 }).entry, "vpt() > sma(vpt(), 9)");
});

Deno.test("agent config: indicators combine — every buy condition (and), any sell condition (or)", () => {
  const spec = compileAgentConfig(AgentConfigSchema.parse({
    universe: "hs300",
    technicalIndicators: [
      { type: "RSI", period: 10, oversold: 25, overbought: 75 },
      { type: "VWAP", period: 15 },
      { type: "ATR", period: 20 },
    ],
  }));
  assert.equal(spec.entry, "rsi(close, 10) < 25 and close > vwap(15)");
  assert.equal(
    spec.exit,
    "rsi(close, 10) > 75 or close < vwap(15) or close < highest(close, 20) - 2 * atr(20)",
  );
});

Deno.test("agent config: ATR alone gives no buy signal and is refused", () => {
  const issues = issuesOf({ technicalIndicators: [{ type: "ATR", period: 14 }] });
  assert.equal(issues.length, 1);
  assert.match(
    issues[0],
    /^technicalIndicators: No technical indicator gives a buy signal: ATR is volatility only/,
  );
});

Deno.test("agent config: unknown parameters, types, fields and fundamentals are refused by name", () => {
  assert.deepEqual(issuesOf({ technicalIndicators: [{ type: "RSI", periods: 14 }] }), [
    'technicalIndicators.0.periods: Unknown parameter "periods" for RSI: expected period, oversold, overbought',
  ]);
  assert.match(
    issuesOf({ technicalIndicators: [{ type: "ICHIMOKU" }] })[0],
    /Unknown technical indicator type "ICHIMOKU"/,
  );
  assert.match(issuesOf({ technicalIndicators: [{ type: "RSI" }], filter: {} })[0], /filter/);
  assert.match(
    issuesOf({ technicalIndicators: [{ type: "RSI" }], filters: { minDailyVolume: 1 } })[0],
    /minDailyVolume/,
  );
  assert.match(
    issuesOf({
      technicalIndicators: [{ type: "RSI" }],
      fundamentalIndicators: [{ type: "UNKNOWN", min: 1 }],
    })[0],
    /^fundamentalIndicators\.0\.type/,
  );
  assert.match(
    issuesOf({ technicalIndicators: [{ type: "RSI" }], fundamentalIndicators: [{ type: "PBV" }] })[0],
    /min and\/or max/,
  );
  assert.match(
    issuesOf({
      technicalIndicators: [{ type: "RSI" }],
      backtestConfig: { portfolio: { maxPosition: 3 } },
    })[0],
    /maxPosition/,
  );
  assert.match(issuesOf({ technicalIndicators: [{ type: "RSI", period: "14" }] })[0], /RSI\.period/);
  assert.match(
    issuesOf({ technicalIndicators: [{ type: "MACD", fastPeriod: 30, slowPeriod: 10 }] })[0],
    /fastPeriod must be below slowPeriod/,
  );
  assert.match(
    issuesOf({ technicalIndicators: [{ type: "SMA_TREND", period: 5, shortPeriod: 3 }] })[0],
    /not both/,
  );
  assert.match(issuesOf({ technicalIndicators: [] })[0], /^technicalIndicators/);
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
