/**
 * Conformance with the Backtester API v2 document (`004_8eae355b049f84be.txt`), its agent paths: the
 * `POST /agent/invoke` example replayed exactly as written (no token, `session_id: "user_abc123"`) and
 * `GET /agent/config/user_abc123`, at the root and under `/api/v1`, asserting every documented field by name
 * and JSON type. The "config ready" answer is reached with a small fake provider (the chat flow, whatever the
 * parser), and its `backtest_config` is checked field by field against the document's example and passed to
 * `/run_backtest` unchanged, as the document's note says.
 */
import assert from "node:assert/strict";
import { assertDocumentShape } from "../_helpers/document_shape.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";
import { fakeChatProvider } from "../_helpers/assistant_chat_fake.ts";
import { DOCUMENT_CONFIG } from "../_helpers/backtester_v2_example.ts";

/** The document's request example, as written. */
const INVOKE = {
  input_text: "I want to test a momentum strategy on large cap stocks",
  session_id: "user_abc123",
};

/** The document's response examples, as written (`{ /* backtest_config object *\/ }` is the ready config). */
const NOT_READY = {
  response: "Great choice! For momentum trading...",
  config_ready: false,
  backtest_config: null,
};
const READY = {
  response: "Your configuration is ready! Click 'Run Backtest' to see results.",
  config_ready: true,
  backtest_config: DOCUMENT_CONFIG,
};
const CONFIG_STATUS = {
  config_ready: true,
  config: READY.backtest_config,
  summary: "📊 **Current Strategy Configuration**\n...",
  validation_errors: [],
};

async function invoke(w: TestWorld, path: string, json: unknown) {
  const r = await w.request("POST", path, { json });
  assert.equal(r.status, 200, await r.clone().text());
  return await r.json();
}

for (const prefix of ["", "/api/v1"]) {
  Deno.test(`v2 agent ${prefix || "root"}: the document's invoke and config requests as written`, async () => {
    const w = await openTestWorld();
    try {
      const body = await invoke(w, `${prefix}/agent/invoke`, INVOKE);
      // Not ready after one message that names no period or capital: the documented "not ready" shape.
      assertDocumentShape(body, NOT_READY, { nullAs: { backtest_config: ["object"] } });
      assert.equal(body.config_ready, false);
      assert.equal(body.backtest_config, null);
      assert.ok(body.response.length > 0);
      const r = await w.request("GET", `${prefix}/agent/config/user_abc123`);
      assert.equal(r.status, 200);
      const status = await r.json();
      assertDocumentShape(status, { ...CONFIG_STATUS, config: null }, { nullAs: { config: ["object"] } });
      assert.equal(status.config_ready, false);
      assert.ok(status.summary.startsWith("📊 **Current Strategy Configuration**\n"));
      assert.ok(status.validation_errors.length > 0, "a config that is not ready says why");
    } finally {
      await w.close();
    }
  });

  Deno.test(`v2 agent ${prefix || "root"}: the "config ready" answer has every documented field`, async () => {
    const w = await openTestWorld();
    try {
      w.deps.strategyAssistant.assist.provider = fakeChatProvider();
      await invoke(w, `${prefix}/agent/invoke`, INVOKE);
      await invoke(w, `${prefix}/agent/invoke`, { ...INVOKE, input_text: "RSI 14 below 30" });
      await invoke(w, `${prefix}/agent/invoke`, { ...INVOKE, input_text: "2024-01-01 to 2024-12-31" });
      const ready = await invoke(w, `${prefix}/agent/invoke`, { ...INVOKE, input_text: "100 million" });
      assertDocumentShape(ready, READY, {
        nullable: [
          "$.backtest_config.backtestConfig.riskManagement.stopLossPercent",
          "$.backtest_config.backtestConfig.riskManagement.takeProfitPercent",
          "$.backtest_config.backtestConfig.riskManagement.maxHoldingDays",
        ],
      });
      assert.equal(ready.config_ready, true);
      assert.equal(ready.backtest_config.backtestId, "agent_abc123");
      assert.deepEqual(ready.backtest_config.filters, { marketCap: ["large"] });
      assert.equal(ready.backtest_config.backtestConfig.initialCapital, 100_000_000);
      const r = await w.request("GET", `${prefix}/agent/config/user_abc123`);
      const status = await r.json();
      assertDocumentShape(status, CONFIG_STATUS, { nullable: true });
      assert.equal(status.config_ready, true);
      assert.deepEqual(status.config, ready.backtest_config);
      assert.deepEqual(status.validation_errors, []);
      // The summary lists every field with its value.
      for (
        const line of [
          "**Backtest ID:** agent_abc123",
          "**Market cap:** large",
          "**Technical indicators:** RSI (period 14, oversold 30, overbought 70)",
          "**Initial capital:** 100,000,000",
          "**Period:** 2024-01-01 → 2024-12-31",
          "**Trading costs:** broker fee 0.1%, sell fee 0.1%, minimum fee 0",
          "**Portfolio:** position size 10%, minimum position 0%, max positions 10",
          "**Risk management:** stop loss not set, take profit not set, max holding not set",
          "✅ **Ready:**",
        ]
      ) assert.ok(status.summary.includes(line), `${line} in ${status.summary}`);
      // "Pass the backtest_config object from /agent/invoke directly as config."
      const run = await w.request("POST", "/run_backtest", { json: { config: ready.backtest_config } });
      assert.equal(run.status, 200, await run.clone().text());
    } finally {
      await w.close();
    }
  });
}
