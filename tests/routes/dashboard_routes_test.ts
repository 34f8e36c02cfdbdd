import assert from "node:assert/strict";
import { fromDayNumber } from "../../domain/calendar/dates.ts";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

Deno.test("GET /api/backtests/{id}: btc_price is the reference close, alpha vs hold matches a hand computation", async () => {
  const w = await openTestWorld();
  try {
    const token = (await signInWithOtp(w, "alpha@example.com")).access_token;
    const spec = {
      universe: { tickers: ["BTC-USD"] },
      entry: "crosses_above(sma(close, 10), sma(close, 30))",
      exit: "crosses_below(sma(close, 10), sma(close, 30))",
      start: "2022-01-01",
      end: "2022-12-31",
      benchmarks: ["BTC-USD"],
    };
    const run = await w.request("POST", "/api/v1/backtests/run", { json: { spec }, token });
    assert.equal(run.status, 200);
    const report = await run.json();
    const [summary] = await (await w.request("GET", "/api/backtests", { token })).json();
    const d = await (await w.request("GET", `/api/backtests/${summary.id}`, { token })).json();
    // By hand from the market's bars: each day's close, and buy-and-hold from the first to the last day.
    const bars = (await w.deps.market.data.getBars("BTC-USD", "2022-01-01", "2022-12-31"))!;
    const close = new Map(Array.from(bars.days, (day, i) => [fromDayNumber(day), bars.close[i]]));
    for (const p of d.equity_curve) assert.equal(p.btc_price, close.get(p.timestamp));
    const first = d.equity_curve[0].btc_price, last = d.equity_curve.at(-1).btc_price;
    const hold = (last / first - 1) * 100;
    const strategy = (d.final_value / d.initial_capital - 1) * 100;
    assert.ok(Math.abs(d.metrics.buy_and_hold_return_pct - hold) < 1e-4);
    assert.ok(Math.abs(d.metrics.alpha_vs_hold - (strategy - hold)) < 1e-3);
    // With the reference as the benchmark, the report's own alpha vs buy-and-hold agrees.
    assert.ok(Math.abs(d.metrics.alpha_vs_hold - report.summary.alphaVsBuyAndHold) < 1e-3);
    assert.equal(d.metrics.sharpe_ratio, report.summary.sharpeRatio);
    assert.equal(d.metrics.max_drawdown, report.summary.maxDrawdown);
    assert.deepEqual(
      d.trades.map((t: { confidence: number }) => t.confidence),
      report.trades.map((t: { confidence: number }) => t.confidence),
    );
  } finally {
    await w.close();
  }
});
