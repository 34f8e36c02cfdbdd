import assert from "node:assert/strict";
import { createOfflineProvider } from "../../../domain/assistant/offline_provider.ts";
import type { TurnMessage } from "../../../domain/assistant/turn_contract.ts";
import { runBacktest } from "../../../domain/backtest/run_backtest.ts";
import { AgentConfigSchema, compileAgentConfig } from "../../../domain/strategy/blueprint_and_config.ts";
import { openBacktestWorld } from "../../_helpers/backtest_world.ts";

Deno.test("the config the document's momentum chat ends with runs as a backtest on the offline market", async () => {
  const provider = createOfflineProvider();
  const history: TurnMessage[] = [];
  let draft: Record<string, unknown> | null = null;
  let kind = "";
  for (
    const message of [
      "I want to test a momentum strategy on large cap stocks",
      "yes",
      "from 2024 to 2025",
      "100 juta",
    ]
  ) {
    const reply = await provider.turn(
      {
        task: "chat",
        message,
        history: [...history],
        draft,
        errors: [],
        language: "en",
        today: "2026-05-14",
      },
      new AbortController().signal,
    );
    history.push({ role: "user", text: message }, { role: "assistant", text: reply.message });
    draft = reply.draft;
    kind = reply.kind;
  }
  assert.equal(kind, "config_ready");
  const spec = compileAgentConfig(AgentConfigSchema.parse(draft));
  assert.deepEqual(spec.universe, { name: "idx", filters: { market_cap: ["large"] } });
  const w = await openBacktestWorld();
  try {
    const report = await runBacktest(spec, w.market.data, {
      ownerId: "usr_a",
      maxSymbolBars: 1e9,
      now: () => 0,
    });
    assert.equal(report.summary.initialCapital, 100_000_000);
    assert.ok(report.summary.totalTrades > 0);
  } finally {
    w.close();
  }
});
