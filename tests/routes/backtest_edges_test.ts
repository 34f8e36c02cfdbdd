import assert from "node:assert/strict";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

/** An SMA 10/30 crossover on the synthetic 000858.SZ, all-in, no costs. */
const tieSpec = (start: string) => ({
  name: "SMA 10/30",
  universe: { tickers: ["000858.SZ"] },
  entry: "crosses_above(sma(close, 10), sma(close, 30))",
  exit: "crosses_below(sma(close, 10), sma(close, 30))",
  sizing: { method: "percent_equity", percent: 100, max_positions: 1 },
  costs: { buy_fee_pct: 0, sell_fee_pct: 0, min_fee: 0, slippage_pct: 0 },
  fill: "next_open",
  capital: 150000,
  start,
  end: "2020-12-31",
  benchmarks: [],
});

Deno.test("An exact SMA tie (both 6.615 on 2020-06-02) is not a cross, whatever the start date", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "quant@example.com");
    for (const start of ["2018-01-01", "2019-01-01"]) {
      const res = await w.request("POST", "/api/v1/backtests/run", {
        json: { spec: tieSpec(start) },
        token: me.access_token,
      });
      assert.equal(res.status, 200);
      const trades: { date: string; action: string; price: number }[] = (await res.json()).trades;
      const june = trades.filter((t) => t.action === "SELL" && t.date.startsWith("2020-06"));
      assert.deepEqual(
        june.map((t) => [t.date, t.price]),
        [["2020-06-04", 6.49]],
        `start ${start}: the exit waits for the real cross on 2020-06-03 and fills at the next open`,
      );
    }
  } finally {
    await w.close();
  }
});
