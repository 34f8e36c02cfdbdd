/**
 * The prompts over `/mcp` with the SDK client: listed with their arguments, rendered in this server's tool names
 * (in the document's order), the code's deadlines and thresholds, and the security rules.
 */
import assert from "node:assert/strict";
import { connectMcp, serveWorld } from "../_helpers/mcp_client.ts";
import { openTestWorld } from "../_helpers/test_app.ts";
import type { McpTestClient } from "../_helpers/mcp_client.ts";

/**
 * Tool names of issue 17's shared tool contract that other parts of the server add; a name a
 * prompt uses must be served (`tools/list`) or be one of these.
 */
const CONTRACT_TOOLS = new Set([
  "verify_day",
  "create_factor",
  "list_factors",
  "get_factor",
  "upload_factor_values",
  "get_factor_values_status",
  "submit_factor",
  "get_factor_submission",
  "get_factor_ic_series",
  "get_factor_correlations",
  "get_factor_chart_data",
  "create_ticket",
]);

async function withClient(fn: (mcp: McpTestClient) => Promise<void>): Promise<void> {
  const w = await openTestWorld();
  const served = serveWorld(w);
  const mcp = await connectMcp(served.url);
  try {
    await fn(mcp);
  } finally {
    await mcp.close();
    await served.close();
    await w.close();
  }
}

async function promptText(mcp: McpTestClient, name: string, args: Record<string, string>): Promise<string> {
  const result = await mcp.client.getPrompt({ name, arguments: args });
  assert.equal(result.messages.length, 1);
  assert.equal(result.messages[0].role, "user");
  const content = result.messages[0].content as { type: string; text: string };
  assert.equal(content.type, "text");
  return content.text;
}

/** Asserts `names` appear in `text` in this order. */
function assertInOrder(text: string, names: string[]): void {
  let at = -1;
  for (const n of names) {
    const next = text.indexOf(n, at + 1);
    assert.ok(next > at, `${n} after position ${at}`);
    at = next;
  }
}

/** Every tool-like name in `text` is a tool of this server or of the contract. */
async function assertToolNamesExist(mcp: McpTestClient, text: string): Promise<void> {
  const { tools } = await mcp.client.listTools();
  const served = new Set(tools.map((t: { name: string }) => t.name));
  const used = new Set(
    text.match(/\b(?:get|list|create|submit|update|withdraw|verify|upload|revoke|delete)_[a-z_]+\b/g) ?? [],
  );
  assert.ok(used.size >= 5);
  for (const name of used) assert.ok(served.has(name) || CONTRACT_TOOLS.has(name), `unknown tool ${name}`);
}

Deno.test("mcp prompts: both listed with their arguments", async () => {
  await withClient(async (mcp) => {
    const { prompts } = await mcp.client.listPrompts();
    type Listed = { name: string; arguments?: { name: string; required?: boolean }[] };
    const byName = new Map((prompts as Listed[]).map((p) => [p.name, p]));
    assert.deepEqual([...byName.keys()].sort(), ["daily_signal_loop", "validate_factor"]);
    const daily = byName.get("daily_signal_loop")!;
    assert.deepEqual(daily.arguments?.map((a) => [a.name, a.required ?? false]), [["strategy_slug", false]]);
    const factor = byName.get("validate_factor")!;
    assert.deepEqual(
      factor.arguments?.map((a) => [a.name, a.required ?? false]).sort(),
      [["factor_id", false], ["universe", true]],
    );
    for (const p of prompts) assert.ok(p.description && p.title, p.name);
  });
});

Deno.test("mcp prompts: daily_signal_loop is the document's loop in tool names, with recovery and security", async () => {
  await withClient(async (mcp) => {
    const text = await promptText(mcp, "daily_signal_loop", {});
    assertInOrder(text, [
      "get_calendar",
      'list_strategies {status: "active"}',
      "submit_signal",
      "list_signals",
    ]);
    assertInOrder(text, ["After 18:15", "list_signals {slug, limit: 1}", "verify_day"]);
    assert.match(text, /09:15 for "open" and 15:00 for "close"/);
    assert.match(text, /409 conflict: call list_signals \{slug, limit: 1\}/);
    assert.match(text, /withdraw_signal/);
    assert.match(text, /deadline passed: .*next_trading_day/);
    assert.match(text, /422: fix the field named by `loc`/);
    assert.match(text, /Never print, log or repeat the API key/);
    assert.match(text, /quantedge:\/\/docs\/settlement/);
    await assertToolNamesExist(mcp, text);

    const one = await promptText(mcp, "daily_signal_loop", { strategy_slug: "hs300-ml-alpha" });
    assert.match(one, /the strategy `hs300-ml-alpha`/);
    assert.match(one, /get_strategy \{slug: "hs300-ml-alpha"\}/);
  });
});

Deno.test("mcp prompts: validate_factor walks create → upload ≤ 500 → status → submit → the five checks", async () => {
  await withClient(async (mcp) => {
    const text = await promptText(mcp, "validate_factor", { universe: "csi500" });
    assertInOrder(text, [
      'create_factor {name, universe: "csi500"',
      "upload_factor_values",
      "get_factor_values_status",
      "submit_factor",
      "IC_MEAN",
    ]);
    assert.match(text, /at most 500 dates a call/);
    assert.match(text, /MAX_BODY_BYTES/);
    assert.match(text, /at least 120 trading days/);
    for (
      const check of [
        "IC_MEAN: |ic_mean| > 0.015",
        "IC_IR: |ic_ir| > 0.15",
        "HIGH_TURNOVER: turnover < 0.35",
        "< 0.7",
        "DATA_COVERAGE: data_days ≥ 120",
      ]
    ) assert.ok(text.includes(check), check);
    assert.match(text, /Never print/);
    await assertToolNamesExist(mcp, text);

    const existing = await promptText(mcp, "validate_factor", { universe: "hs300", factor_id: "fac_123" });
    assert.match(existing, /get_factor \{factor_id: "fac_123"\}/);
    assert.ok(!existing.includes("create_factor {name"));

    await assert.rejects(mcp.client.getPrompt({ name: "validate_factor", arguments: {} }), /universe/);
  });
});
