/**
 * A synchronous backtest near the expression budget runs on a real loopback server while `/health` is polled:
 * the run completes and `/health` keeps answering throughout, because evaluation and simulation yield to the
 * event loop between slices. (Without the slicing, one symbol's evaluation blocks the process for its whole
 * duration — about a second here — and no `/health` request is answered meanwhile.) The bound is generous on
 * purpose (the slowest `/health` under half the run's time; slices are a few milliseconds), so a loaded machine
 * does not fail it; `benchmarks/health_under_load.ts` measures the p99 on the default budget.
 */
import assert from "node:assert/strict";
import { estimateBacktestCost } from "../../domain/backtest/run_backtest.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

const BUDGET = 1_500_000_000;
const SYMBOL = "600519.SH";

Deno.test("while a near-budget synchronous backtest runs, /health keeps answering on a loopback server", async () => {
  const w = await openTestWorld({ MAX_EXPRESSION_COST: String(BUDGET) });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
  const base = `http://127.0.0.1:${server.addr.port}`;
  try {
    // 140 ts_rank terms with windows near half the symbol's bars (the costliest per term), split over two rules.
    const terms = Array.from({ length: 140 }, (_, i) => `ts_rank(close,${1450 + 2 * i})>0.5`);
    const spec = StrategySpecSchema.parse({
      universe: { tickers: [SYMBOL] },
      entry: terms.slice(0, 70).join(" and "),
      exit: terms.slice(70).join(" and "),
      rank_by: "close",
      start: "2015-01-01",
      end: "2026-05-13",
    });
    const estimate = await estimateBacktestCost(spec, w.deps.market.data, null);
    assert.ok(estimate.cost <= BUDGET && estimate.cost > 0.7 * BUDGET, `estimate ${estimate.cost}`);

    const me = await signInWithOtp(w, "load@example.com");
    const headers = { authorization: `Bearer ${me.access_token}`, "content-type": "application/json" };
    // Generate the bars first: the measured window is evaluation and simulation.
    const warm = await fetch(`${base}/api/v1/data/bars/${SYMBOL}?start=2015-01-01&end=2026-05-13`, {
      headers,
    });
    assert.equal(warm.status, 200);
    await warm.body?.cancel();

    let done = false;
    const started = performance.now();
    const run = fetch(`${base}/api/v1/backtests/run`, {
      method: "POST",
      headers,
      body: JSON.stringify({ spec }),
    })
      .then(async (res) => {
        const body = await res.json();
        done = true;
        return { status: res.status, body };
      });
    const latencies: number[] = [];
    while (!done) {
      const t0 = performance.now();
      const res = await fetch(`${base}/health`);
      assert.equal(res.status, 200);
      await res.body?.cancel();
      if (!done) latencies.push(performance.now() - t0);
    }
    const result = await run;
    const runMs = performance.now() - started;
    assert.equal(result.status, 200, JSON.stringify(result.body).slice(0, 300));
    assert.ok(result.body.dailyPortfolio.length > 2000);
    assert.ok(latencies.length >= 5, `only ${latencies.length} /health answers during the run`);
    // Relative to the run, so a loaded machine slows both sides alike: unsliced, one /health waits for
    // (nearly) the whole evaluation.
    const worst = Math.max(...latencies);
    assert.ok(worst < runMs / 2, `/health took ${worst.toFixed(0)} ms during a ${runMs.toFixed(0)} ms run`);
  } finally {
    await server.shutdown();
    await w.close();
  }
});
