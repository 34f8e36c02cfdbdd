import assert from "node:assert/strict";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

const SPEC = {
  name: "SMA cross",
  universe: { tickers: ["RELIANCE.NS"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
  sizing: { method: "fixed_quantity", quantity: 100, max_positions: 1 },
  costs: { buy_fee_pct: 0.1, sell_fee_pct: 0.1, min_fee: 0, slippage_pct: 0 },
  fill: "next_open",
  capital: 100000,
  start: "2016-01-01",
  end: "2019-12-31",
  benchmarks: ["^NSEI"],
};

Deno.test("POST /backtests/run returns the full report for the documented spec", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "quant@example.com");
    const res = await w.request("POST", "/api/v1/backtests/run", {
      json: { spec: SPEC },
      token: me.access_token,
    });
    assert.equal(res.status, 200);
    const report = await res.json();
    assert.equal(report.source, "synthetic");
    assert.equal(report.summary.initialCapital, 100000);
    assert.ok(report.trades.length > 0);
    for (const t of report.trades) {
      assert.ok(getCalendar("NSE").isTradingDay(t.date));
      assert.equal(t.quantity, 100);
      assert.match(t.reason, /crosses_(above|below)/);
    }
    assert.equal(report.dailyPortfolio[0].portfolioNormalized, 100);
    assert.ok("^NSEINormalized" in report.dailyPortfolio[0]);
    assert.equal(report.conventions.periods_per_year, 252);
    assert.ok(report.timing.indicators_ms > 0 && report.timing.simulate_ms > 0);
    assert.match(
      res.headers.get("server-timing") ?? "",
      /^load;dur=[\d.]+, indicators;dur=[\d.]+, simulate;dur=/,
    );
    assert.ok(report.monthlyPerformance.length >= 47);
    assert.equal(typeof report.summary.sharpeRatio, "number");
  } finally {
    await w.close();
  }
});

Deno.test("POST /backtests/run answers 422 naming the column of a misspelt function in a rule", async () => {
  const w = await openTestWorld({ MAX_SYNC_SYMBOL_BARS: "100000" });
  try {
    const me = await signInWithOtp(w, "quant@example.com");
    const bad = await w.request("POST", "/api/v1/backtests/run", {
      json: { spec: { ...SPEC, entry: "smaa(close, 20) > close" } },
      token: me.access_token,
    });
    assert.equal(bad.status, 422);
    const detail = (await bad.json()).detail;
    assert.match(detail[0].msg, /column 1.*did you mean "sma"/);
  } finally {
    await w.close();
  }
});

Deno.test("POST /backtests/run answers 413 for a run too large to do synchronously, pointing to the job queue", async () => {
  const w = await openTestWorld({ MAX_SYNC_SYMBOL_BARS: "100000" });
  try {
    const me = await signInWithOtp(w, "quant@example.com");
    const big = await w.request("POST", "/api/v1/backtests/run", {
      json: { spec: { ...SPEC, universe: { name: "hs300" } } },
      token: me.access_token,
    });
    assert.equal(big.status, 413);
    assert.match((await big.json()).detail, /submit it to the job queue \(POST \/api\/v1\/backtests\)$/);
  } finally {
    await w.close();
  }
});

Deno.test("POST /backtests/run without a token answers 401", async () => {
  const w = await openTestWorld();
  try {
    assert.equal((await w.request("POST", "/api/v1/backtests/run", { json: { spec: SPEC } })).status, 401);
  } finally {
    await w.close();
  }
});

Deno.test("POST /indicators evaluates expressions on one symbol, warmed up on the bars before start", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "quant@example.com");
    const res = await w.request("POST", "/api/v1/indicators", {
      json: {
        symbol: "600519.SH",
        start: "2024-01-01",
        end: "2024-03-31",
        expressions: ["rsi(close, 14)", "close"],
      },
      token: me.access_token,
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.dates.length, body.series["close"].length);
    // Warm-up reads the bars before `start`: the first requested bar already has its RSI.
    assert.equal(body.dates[0] >= "2024-01-01", true);
    assert.ok(body.series["rsi(close, 14)"].every((v: number | null) => typeof v === "number"));
    const later = await w.request("POST", "/api/v1/indicators", {
      json: { symbol: "600519.SH", start: "2024-03-01", end: "2024-03-31", expressions: ["rsi(close, 14)"] },
      token: me.access_token,
    });
    const laterBody = await later.json();
    assert.equal(typeof laterBody.series["rsi(close, 14)"][0], "number");
    const at = body.dates.indexOf(laterBody.dates[0]);
    assert.ok(at > 0);
    assert.equal(laterBody.dates[0] >= "2024-03-01", true);
    const bad = await w.request("POST", "/api/v1/indicators", {
      json: { symbol: "600519.SH", expressions: ["close", "rsi(close,"] },
      token: me.access_token,
    });
    assert.equal(bad.status, 422);
    assert.deepEqual((await bad.json()).detail[0].loc, ["body", "expressions", 1]);
  } finally {
    await w.close();
  }
});

Deno.test("a copilot blueprint and a chat-agent config both run and report, with their generated code", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "quant@example.com");
    const blueprint = {
      asset: "600519.SH",
      timeframe: "1d",
      entry: [{ indicator: "rsi", operator: "<", value: 35, params: { lookback: 14 } }, {
        indicator: "sma",
        operator: ">",
        params: { lookback: 200 },
      }],
      exit: [{ indicator: "rsi", operator: ">", value: 60, params: { lookback: 14 } }, {
        indicator: "atr",
        operator: "<",
        params: { lookback: 22, multiplier: 3 },
      }],
      risk: { stop_loss: 0.05, take_profit: 0.15 },
      position_sizing: "percent",
      start: "2016-01-01",
      end: "2020-12-31",
    };
    const a = await w.request("POST", "/api/v1/backtests/run", {
      json: { blueprint },
      token: me.access_token,
    });
    assert.equal(a.status, 200);
    const ra = await a.json();
    assert.equal(ra.spec.entry, "rsi(close, 14) < 35 and close > sma(close, 200)");
    assert.equal(ra.spec.exit, "rsi(close, 14) > 60 or close < highest(close, 22) - 3 * atr(22)");
    assert.equal(ra.spec.risk.stop_loss_pct, 5);
    assert.match(ra.generated_code, /^entry: rsi\(close, 14\) < 35 and close > sma\(close, 200\)$/m);

    const config = {
      tickers: ["600519.SH", "000001.SZ", "600036.SH"],
      filters: { marketCap: "large" },
      technicalIndicators: [{ type: "RSI", period: 14, oversold: 35, overbought: 65 }, {
        type: "VOLUME_SMA",
        period: 20,
        multiplier: 1.2,
      }],
      backtestConfig: {
        initialCapital: 500000,
        startDate: "2017-01-01",
        endDate: "2020-12-31",
        tradingCosts: { brokerFee: 0.03, sellFee: 0.13, minimumFee: 5 },
        portfolio: { positionSizePercent: 30, minPositionPercent: 1, maxPositions: 3 },
        riskManagement: { stopLossPercent: 8, takeProfitPercent: 20, maxHoldingDays: 40 },
      },
    };
    const b = await w.request("POST", "/api/v1/backtests/run", { json: { config }, token: me.access_token });
    assert.equal(b.status, 200);
    const rb = await b.json();
    assert.equal(rb.spec.entry, "rsi(close, 14) < 35 and volume > 1.2 * volume_sma(20)");
    assert.equal(rb.spec.exit, "rsi(close, 14) > 65");
    assert.equal(rb.summary.initialCapital, 500000);
    assert.ok(rb.trades.every((t: { fees: number }) => t.fees >= 5));

    const code = await w.request("POST", "/api/v1/backtests/run", {
      json: { strategy_code: ra.generated_code },
      token: me.access_token,
    });
    assert.equal(code.status, 200);
    assert.deepEqual((await code.json()).summary, ra.summary, "the generated code reproduces the run");
    const both = await w.request("POST", "/api/v1/backtests/run", {
      json: { blueprint, config },
      token: me.access_token,
    });
    assert.equal(both.status, 422);
  } finally {
    await w.close();
  }
});

Deno.test("POST /backtest (quick form) and POST /plot run strategy text on one ticker", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "quant@example.com");
    const code = [
      'universe: {"tickers":["IGNORED"]}',
      "entry: crosses_above(sma(close, 20), sma(close, 50))",
      "exit: crosses_below(sma(close, 20), sma(close, 50))",
      'start: "2016-01-01"',
      'end: "2018-12-31"',
      'benchmarks: ["000300.SH"]',
    ].join("\n");
    const quick = await w.request("POST", "/api/v1/backtest", {
      json: { strategy_code: code, ticker: "600036.SH" },
      token: me.access_token,
    });
    assert.equal(quick.status, 200);
    const q = await quick.json();
    assert.equal(q.start_value, 100000);
    assert.ok(Math.abs(q.end_value - q.start_value - q.pnl) < 1e-6);
    const full = await (await w.request("POST", "/api/v1/backtests/run", {
      json: { strategy_code: code.replace("IGNORED", "600036.SH") },
      token: me.access_token,
    })).json();
    assert.equal(q.end_value, full.summary.finalValue, "the quick form is the same run");
    const plot = await w.request("POST", "/api/v1/plot", {
      json: { strategy_code: code, ticker: "600036.SH" },
      token: me.access_token,
    });
    assert.equal(plot.status, 200);
    const fig = await plot.json();
    const names = fig.data.map((d: { name: string }) => d.name);
    assert.deepEqual(names, [
      "600036.SH",
      "Entries",
      "Exits",
      "Strategy (=100 at start)",
      "000300.SH",
      "Drawdown %",
    ]);
    assert.equal(
      fig.data[1].x.length,
      full.trades.filter((t: { action: string }) => t.action === "BUY").length,
    );
    assert.ok(fig.layout.yaxis3);
  } finally {
    await w.close();
  }
});

Deno.test("universe filters: static ones drop symbols, fundamental bounds gate entries point-in-time", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "quant@example.com");
    const base = {
      universe: { tickers: ["600519.SH", "RELIANCE.NS", "BBCA.JK", "TLKM.JK"] },
      entry: "close > 0",
      exit: "0 > 1",
      sizing: { method: "percent_equity", percent: 20, max_positions: 4 },
      capital: 1e9, // currencies differ (IDR lots cost more than 20,000): a large notional buys a lot of each
      start: "2018-01-01",
      end: "2018-06-30",
    };
    const run = async (filters: unknown) => {
      const res = await w.request("POST", "/api/v1/backtests/run", {
        json: { spec: { ...base, universe: { ...base.universe, filters } } },
        token: me.access_token,
      });
      return { status: res.status, body: await res.json() };
    };
    const syariah = await run({ syariah: true });
    assert.equal(syariah.status, 200);
    assert.deepEqual([...new Set(syariah.body.trades.map((t: { ticker: string }) => t.ticker))], ["TLKM.JK"]);
    const staples = await run({ sectors: ["consumer staples"] });
    assert.deepEqual([...new Set(staples.body.trades.map((t: { ticker: string }) => t.ticker))], [
      "600519.SH",
    ]);
    // A PE ceiling no stock meets: nothing is bought, and the symbol still takes part (no 400).
    const none = await run({ fundamentals: [{ metric: "PE_RATIO", max: 0.001 }] });
    assert.equal(none.status, 200);
    assert.equal(none.body.trades.length, 0);
    const all = await run({ fundamentals: [{ metric: "PBV", min: 0 }] });
    assert.ok(all.body.trades.length >= 1);
    const empty = await run({ market_cap: ["small"] });
    assert.equal(empty.status, 400);
    const bad = await run({ fundamentals: [{ metric: "PE" }] });
    assert.equal(bad.status, 422);
  } finally {
    await w.close();
  }
});
