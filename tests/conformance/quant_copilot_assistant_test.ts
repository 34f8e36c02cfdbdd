/**
 * Conformance with the Quant Copilot document (`000_97e1527e0a55ef80.txt`), its AI paths: every request example
 * of `POST /generate`, `POST /builder/translate` and `POST /explain` replayed exactly as written, at the root
 * (and under `/api/v1`), asserting every documented response field by name and JSON type. `generated_code` is
 * Quantedge strategy text (the house rule; backtrader Python is `backtrader_code`), so its value is checked as a
 * string, not as Python. Also: the document's error shape (`error`) on these root paths, the blueprint wrapped
 * as `{blueprint}`, and that what `/builder/translate` answers runs as a backtest.
 */
import assert from "node:assert/strict";
import { assertDocumentShape } from "../_helpers/document_shape.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";
import { parseStrategyText } from "../../domain/strategy/strategy_text.ts";
import { runReport } from "../../domain/backtest/sync_runs.ts";

/** The document's request examples, as written. */
const REQUEST = {
  generate: { user_prompt: "Create a moving average crossover strategy" },
  translate: {
    asset: "RELIANCE.NS",
    timeframe: "1d",
    entry: [
      {
        indicator: "sma",
        operator: "crosses_above",
        value: null,
        params: {
          lookback: 20,
        },
      },
    ],
    exit: [
      {
        indicator: "sma",
        operator: "crosses_below",
        value: null,
        params: {
          lookback: 50,
        },
      },
    ],
    risk: {
      stop_loss: 5.0,
      take_profit: 10.0,
    },
    position_sizing: "fixed",
  },
  explain: { strategy_code: "import backtrader as bt\n..." },
};

/** The document's response examples, as written. */
const RESPONSE = {
  generate: { generated_code: "import backtrader as bt\n\nclass Strategy(bt.Strategy):\n ..." },
  translate: {
    prompt: "Build a strategy on RELIANCE.NS using 1d candles...",
    generated_code: "import backtrader as bt\n...",
  },
  explain: { explanation: "This strategy uses moving average crossover..." },
  error: { error: "Error message description" },
};

async function post(w: TestWorld, path: string, json: unknown) {
  const r = await w.request("POST", path, { json });
  return { status: r.status, body: await r.json() };
}

for (const prefix of ["", "/api/v1"]) {
  Deno.test(`copilot ${prefix || "root"}: POST /generate with the document's prompt answers its shape`, async () => {
    const w = await openTestWorld();
    try {
      const { status, body } = await post(w, `${prefix}/generate`, REQUEST.generate);
      assert.equal(status, 200);
      assertDocumentShape(body, RESPONSE.generate);
      // The prompt names no market: the strategy comes on a stated default universe, with the question kept.
      assert.equal(body.status, "ready");
      assert.deepEqual(parseStrategyText(body.generated_code), body.spec);
      assert.equal(body.spec.entry, "crosses_above(sma(close, 20), sma(close, 50))");
      assert.equal(body.spec.exit, "crosses_below(sma(close, 20), sma(close, 50))");
      assert.match(body.backtrader_code, /^import backtrader as bt$/m);
      assert.ok(body.assumptions.some((a: string) => /^universe: not given/.test(a)));
      assert.match(body.question, /Which market or tickers/);
      // And it runs.
      const run = await runReport(w.deps.sync, "conformance-user", { spec: body.spec });
      assert.ok(run.summary.totalTrades > 0);
    } finally {
      await w.close();
    }
  });

  Deno.test(`copilot ${prefix || "root"}: POST /builder/translate with the document's blueprint`, async () => {
    const w = await openTestWorld();
    try {
      const { status, body } = await post(w, `${prefix}/builder/translate`, REQUEST.translate);
      assert.equal(status, 200);
      assertDocumentShape(body, RESPONSE.translate);
      assert.equal(
        body.prompt,
        "Build a strategy on RELIANCE.NS using 1d candles: enter when the close crosses above the 20-day " +
          "simple moving average of the close; exit when the close crosses below the 50-day simple moving " +
          "average of the close; stop loss 5%, take profit 10%; fixed position size (100 shares).",
      );
      assert.deepEqual(body.spec.universe, { tickers: ["RELIANCE.NS"] });
      assert.equal(body.spec.entry, "crosses_above(close, sma(close, 20))");
      assert.equal(body.spec.exit, "crosses_below(close, sma(close, 50))");
      assert.equal(body.spec.risk.stop_loss_pct, 5);
      assert.equal(body.spec.risk.take_profit_pct, 10);
      assert.equal(body.spec.sizing.method, "fixed_quantity");
      assert.deepEqual(parseStrategyText(body.generated_code), body.spec);
      assert.equal(typeof body.backtrader_code, "string");
      // Wrapped as {blueprint}: the same answer.
      const wrapped = await post(w, `${prefix}/builder/translate`, { blueprint: REQUEST.translate });
      assert.equal(wrapped.status, 200);
      assert.deepEqual(wrapped.body, body);
      // What it answers runs as a backtest.
      const { access_token } = await signInWithOtp(w, "translate@example.com");
      const run = await w.request("POST", "/api/v1/backtests/run", {
        json: { spec: { ...body.spec, start: "2023-01-01", end: "2024-06-30" } },
        token: access_token,
      });
      assert.equal(run.status, 200, await run.clone().text());
    } finally {
      await w.close();
    }
  });

  Deno.test(`copilot ${prefix || "root"}: POST /explain with the document's code answers its shape`, async () => {
    const w = await openTestWorld();
    try {
      const { status, body } = await post(w, `${prefix}/explain`, REQUEST.explain);
      assert.equal(status, 200);
      assertDocumentShape(body, RESPONSE.explain);
      // The document's code imports backtrader and defines nothing: the explanation says so.
      assert.match(body.explanation, /defines no backtrader strategy/);
      assert.equal(body.spec, null);
    } finally {
      await w.close();
    }
  });
}

Deno.test("copilot: errors on the AI root paths carry the document's `error`", async () => {
  const w = await openTestWorld();
  try {
    for (
      const [path, json] of [
        ["/generate", { user_prompt: 42 }],
        ["/builder/translate", { ...REQUEST.translate, timeframe: "1h" }],
        ["/explain", {}],
      ] as const
    ) {
      const { status, body } = await post(w, path, json);
      assert.equal(status, 422, path);
      assertDocumentShape(body, RESPONSE.error);
    }
    const { body } = await post(w, "/builder/translate", { ...REQUEST.translate, timeframe: "1h" });
    assert.match(body.error, /Only daily bars exist/);
    // Under /api/v1 the house shape alone.
    const v1 = await post(w, "/api/v1/explain", {});
    assert.equal(v1.status, 422);
    assert.equal(v1.body.error, undefined);
  } finally {
    await w.close();
  }
});
