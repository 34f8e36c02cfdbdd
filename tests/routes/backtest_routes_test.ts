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
    assert.ok(report.monthlyPerformance.length >= 47);
    assert.equal(typeof report.summary.sharpeRatio, "number");
  } finally {
    await w.close();
  }
});

Deno.test("POST /backtests/run answers 422 with the column for a bad rule, 413 when too large, 401 without auth", async () => {
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
    const big = await w.request("POST", "/api/v1/backtests/run", {
      json: { spec: { ...SPEC, universe: { name: "hs300" } } },
      token: me.access_token,
    });
    assert.equal(big.status, 413);
    assert.match((await big.json()).detail, /job queue/);
    assert.equal((await w.request("POST", "/api/v1/backtests/run", { json: { spec: SPEC } })).status, 401);
  } finally {
    await w.close();
  }
});

Deno.test("POST /indicators evaluates expressions on one symbol, null during warm-up", async () => {
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
    assert.equal(body.series["rsi(close, 14)"][13], null);
    assert.equal(typeof body.series["rsi(close, 14)"][14], "number");
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
