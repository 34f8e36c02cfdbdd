/**
 * `GET /library/{id}/compare` runs two synchronous backtests per request, each as large as the synchronous limits
 * allow, but it was the one route running backtests that consumed no rate limit: a user could repeat it (or send
 * many at once) without end, while `/backtests/run`, `/backtest` and `/plot` stop at RATE_LIMIT_BACKTEST. It now
 * shares their per-user bucket, and a refused compare runs nothing.
 */
import assert from "node:assert/strict";
import { openTestWorld } from "../_helpers/test_app.ts";
import { signInWithOtp } from "../_helpers/test_app.ts";

const SPEC = {
  universe: { tickers: ["600519.SH"] },
  entry: "crosses_above(sma(close, 5), sma(close, 20))",
  exit: "crosses_below(sma(close, 5), sma(close, 20))",
  start: "2024-01-01",
  end: "2024-06-30",
};

Deno.test("library compare shares the RATE_LIMIT_BACKTEST bucket of the other synchronous runs: 429 past it", async () => {
  const w = await openTestWorld({ RATE_LIMIT_BACKTEST: "3/1m" });
  try {
    const t = (await signInWithOtp(w, "compare-limit@example.com")).access_token;
    const { strategy_id } = await (await w.request("POST", "/api/v1/library", {
      json: { name: "Cross", spec: SPEC },
      token: t,
    })).json();
    const saved = await w.request("POST", "/api/v1/library", {
      json: { name: "Cross", strategy_id, spec: { ...SPEC, entry: "close > sma(close, 10)" } },
      token: t,
    });
    assert.equal(saved.status, 201, await saved.clone().text());
    const compare = () => w.request("GET", `/api/v1/library/${strategy_id}/compare?a=1&b=2`, { token: t });
    for (let i = 0; i < 2; i++) {
      const ok = await compare();
      assert.equal(ok.status, 200, await ok.clone().text());
      assert.equal(typeof (await ok.json()).a.metrics.totalReturn, "number");
    }
    // One synchronous run elsewhere uses the same bucket: the third compare is refused.
    const run = await w.request("POST", "/api/v1/backtests/run", { json: { spec: SPEC }, token: t });
    assert.equal(run.status, 200);
    await run.body?.cancel();
    const refused = await compare();
    assert.equal(refused.status, 429);
    assert.match(refused.headers.get("content-type") ?? "", /application\/json/);
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    assert.match((await refused.json()).detail, /Rate limit exceeded: 3 per 1 minute/);
  } finally {
    await w.close();
  }
});
