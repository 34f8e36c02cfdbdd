import assert from "node:assert/strict";
import type { MarketData } from "../../domain/market/types.ts";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

const SPEC = {
  name: "SMA cross",
  universe: { tickers: ["RELIANCE.NS"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
  start: "2016-01-01",
  end: "2019-12-31",
};

Deno.test("synchronous backtests past SYNC_BACKTEST_CONCURRENCY get 429 with Retry-After across routes; the place frees when a run ends", async () => {
  const w = await openTestWorld({ SYNC_BACKTEST_CONCURRENCY: "1", RATE_LIMIT_BACKTEST: "100/1m" });
  try {
    const t = (await signInWithOtp(w, "gate@example.com")).access_token;
    // Bar reads wait on a latch, so the first run stays inside the gate while the others arrive.
    let open!: () => void;
    const latch = new Promise<void>((resolve) => (open = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const market = w.deps.sync.market;
    const blocking: MarketData = {
      ...market,
      getBars: async (...args) => {
        entered();
        await latch;
        return market.getBars(...args);
      },
    };
    w.deps.sync.market = blocking;

    const first = w.request("POST", "/api/v1/backtests/run", { json: { spec: SPEC }, token: t });
    await inside;
    const second = await w.request("POST", "/api/v1/backtests/run", { json: { spec: SPEC }, token: t });
    assert.equal(second.status, 429);
    assert.equal(second.headers.get("retry-after"), "1");
    assert.match((await second.json()).detail, /already running its 1 synchronous backtest/);
    const plot = await w.request("POST", "/api/v1/plot", {
      json: { spec: SPEC, ticker: "RELIANCE.NS" },
      token: t,
    });
    assert.equal(plot.status, 429, "the same gate covers /plot");
    await plot.body?.cancel();

    open();
    const done = await first;
    assert.equal(done.status, 200, await done.clone().text());
    await done.body?.cancel();
    const after = await w.request("POST", "/api/v1/backtests/run", { json: { spec: SPEC }, token: t });
    assert.equal(after.status, 200, "the place is free again");
    await after.body?.cancel();
  } finally {
    await w.close();
  }
});
