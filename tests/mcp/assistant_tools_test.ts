/**
 * The assistant tools over `/mcp` with the SDK client, offline (no model key: the deterministic parser answers):
 * each answer equals the HTTP route's for the same caller and input, chat sessions belong to their owner (an API
 * key's user), refused arguments are 422s naming the field, and the annotations say which tools may reach a model.
 */
import assert from "node:assert/strict";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { connectMcp, withMcpWorld } from "../_helpers/mcp_client.ts";
import { guideAccount } from "../_helpers/quantgpt_client.ts";
import { BLUEPRINT, SPEC } from "../_helpers/assistant_examples.ts";

Deno.test("mcp assistant: generate, translate and explain answer what the HTTP routes answer", async () => {
  await withMcpWorld(async (w, served) => {
    const agent = await guideAccount(w);
    const mcp = await connectMcp(served.url, agent.token);
    const cases: [string, Record<string, unknown>, string][] = [
      ["generate_strategy", { user_prompt: "SMA crossover 20/50 on AAPL" }, "/api/v1/generate"],
      ["generate_strategy", { user_prompt: "buy AAPL" }, "/api/v1/generate"],
      ["generate_strategy", { user_prompt: "均线金叉 AAPL", language: "zh" }, "/generate"],
      ["translate_blueprint", BLUEPRINT, "/builder/translate"],
      [
        "translate_blueprint",
        { ...BLUEPRINT, risk: { stop_loss: "5%" }, position_sizing: "risk_adjusted" },
        "/api/v1/builder/translate",
      ],
      ["explain_strategy", { spec: SPEC }, "/explain"],
      ["explain_strategy", { spec: SPEC, language: "id" }, "/api/v1/explain"],
      [
        "explain_strategy",
        {
          strategy_code:
            'name: "x"\nuniverse: {"tickers":["AAPL"]}\nentry: close > sma(close, 20)\nexit: close < sma(close, 20)',
        },
        "/explain",
      ],
    ];
    for (const [tool, args, path] of cases) {
      const viaTool = await mcp.callTool(tool, args);
      assert.equal(viaTool.isError, false, `${tool}: ${viaTool.text.slice(0, 400)}`);
      const viaHttp = await agent.call("POST", path, args);
      assert.equal(viaHttp.status, 200, `${path}: ${JSON.stringify(viaHttp.body).slice(0, 300)}`);
      assert.deepEqual(viaTool.body, viaHttp.body, `${tool} ${JSON.stringify(args).slice(0, 60)}`);
    }
    const ready = await mcp.callTool("generate_strategy", { user_prompt: "SMA crossover 20/50 on AAPL" });
    assert.equal(ready.body.status, "ready");
    assert.equal(ready.body.provider, "offline");
    assert.equal(ready.body.strategy_text, ready.body.generated_code);
    const ask = await mcp.callTool("generate_strategy", { user_prompt: "buy AAPL" });
    assert.equal(ask.body.status, "needs_info");
    assert.equal(ask.body.spec, null);
    const translated = await mcp.callTool("translate_blueprint", BLUEPRINT);
    assert.equal(translated.body.spec.risk.stop_loss_pct, 5);
    assert.equal(translated.body.spec.sizing.method, "fixed_quantity");

    // Anonymous callers may use them too (the HTTP routes need no credential).
    const anon = await connectMcp(served.url);
    const anonTranslated = await anon.callTool("translate_blueprint", BLUEPRINT);
    assert.deepEqual(anonTranslated.body, translated.body);
    const anonExplained = await anon.callTool("explain_strategy", { spec: SPEC });
    assert.equal(anonExplained.isError, false, anonExplained.text);
    await anon.close();
    await mcp.close();
  });
});

Deno.test("mcp assistant: agent_chat sessions belong to the key's user and match the HTTP agent", async () => {
  await withMcpWorld(async (w, served) => {
    const alice = await guideAccount(w, "10.7.0.1");
    const bob = await guideAccount(w, "10.7.0.2");
    const mcp = await connectMcp(served.url, alice.token);
    const message = "I want to test a momentum strategy on large cap stocks";
    const turn = await mcp.callTool("agent_chat", { input_text: message, session_id: "mcp_1" });
    assert.equal(turn.isError, false, turn.text);
    assert.equal(turn.body.session_id, "mcp_1");
    assert.equal(turn.body.config_ready, false);
    assert.ok(turn.body.missing.length > 0 || turn.body.question);
    // The same first message over HTTP, in a fresh session of the same user, answers the same turn.
    const http = await alice.call("POST", "/api/v1/agent/invoke", {
      input_text: message,
      session_id: "http_1",
    });
    assert.equal(http.status, 200);
    assert.deepEqual({ ...turn.body, session_id: "http_1" }, http.body);

    // The session the tool wrote is the user's: HTTP reads it with the same key, as the tool does.
    const state = await mcp.callTool("get_agent_config", { session_id: "mcp_1" });
    assert.equal(state.isError, false, state.text);
    assert.equal(state.body.messages, 2);
    assert.deepEqual(state.body, (await alice.call("GET", "/api/v1/agent/config/mcp_1")).body);
    // A second turn continues it.
    const next = await mcp.callTool("agent_chat", {
      input_text: "SMA crossover 20/50",
      session_id: "mcp_1",
    });
    assert.equal(next.isError, false, next.text);
    assert.equal((await mcp.callTool("get_agent_config", { session_id: "mcp_1" })).body.messages, 4);
    // The default session id is "default".
    const dflt = await mcp.callTool("agent_chat", { input_text: message });
    assert.equal(dflt.body.session_id, "default");

    // Bob's key names other sessions: Alice's id is not found for him (as over HTTP), and anonymous neither.
    const asBob = await connectMcp(served.url, bob.token);
    const theirs = await asBob.callTool("get_agent_config", { session_id: "mcp_1" });
    assert.equal(theirs.body.error.status, 404);
    assert.equal((await bob.call("GET", "/api/v1/agent/config/mcp_1")).status, 404);
    await asBob.close();
    const anon = await connectMcp(served.url);
    assert.equal((await anon.callTool("get_agent_config", { session_id: "mcp_1" })).body.error.status, 404);
    await anon.close();
    await mcp.close();
  });
});

Deno.test("mcp assistant: bad arguments are 422s naming the field; annotations say which tools may reach a model", async () => {
  await withMcpWorld(async (_w, served) => {
    const mcp = await connectMcp(served.url);
    const refused: [string, Record<string, unknown>, (string | number)[]][] = [
      ["generate_strategy", { user_prompt: 42 }, ["user_prompt"]],
      ["generate_strategy", { user_prompt: "   " }, ["user_prompt"]],
      ["generate_strategy", { user_prompt: "SMA", language: "fr" }, ["language"]],
      ["generate_strategy", { user_prompt: "SMA", temperature: 0.2 }, ["temperature"]],
      ["translate_blueprint", { timeframe: "1d" }, ["asset"]],
      ["translate_blueprint", { ...BLUEPRINT, timeframe: "1h" }, ["timeframe"]],
      ["translate_blueprint", { ...BLUEPRINT, risk: { stop_loss: "five" } }, ["risk", "stop_loss"]],
      ["translate_blueprint", { blueprint: BLUEPRINT }, ["blueprint"]],
      ["explain_strategy", { strategy_code: "x", spec: SPEC }, ["spec"]],
      ["explain_strategy", { strategy_code: "hello\u202Eworld" }, ["strategy_code"]],
      ["explain_strategy", { spec: SPEC, universe: "AAPL" }, ["universe"]],
      ["explain_strategy", {}, []],
      ["agent_chat", { input_text: "hi", session_id: "a/b" }, ["session_id"]],
      ["agent_chat", { input_text: "x".repeat(4001) }, ["input_text"]],
      ["agent_chat", { input_text: "bell\u0007" }, ["input_text"]],
      ["get_agent_config", { session_id: "y".repeat(200) }, ["session_id"]],
    ];
    for (const [tool, args, loc] of refused) {
      const r = await mcp.callTool(tool, args);
      assert.equal(r.isError, true, `${tool} ${JSON.stringify(args).slice(0, 80)}`);
      assert.equal(r.body.error.status, 422, `${tool}: ${r.text}`);
      const locs = r.body.error.detail.map((d: { loc: unknown[] }) => JSON.stringify(d.loc));
      assert.ok(locs.includes(JSON.stringify(loc)), `${tool}: ${r.text}`);
    }
    assert.equal((await mcp.callTool("get_agent_config", { session_id: "none" })).body.error.status, 404);

    const { tools } = await mcp.client.listTools();
    const byName = new Map<string, Tool>(tools.map((t: Tool) => [t.name, t]));
    const hints = (name: string) => byName.get(name)!.annotations!;
    for (const name of ["generate_strategy", "explain_strategy", "agent_chat"]) {
      assert.equal(hints(name).openWorldHint, true, name);
      assert.match(byName.get(name)!.description!, /offline/, name);
    }
    for (const name of ["translate_blueprint", "get_agent_config"]) {
      assert.equal(hints(name).openWorldHint, false, name);
      assert.equal(hints(name).readOnlyHint, true, name);
    }
    assert.equal(hints("agent_chat").idempotentHint, false);
    assert.equal(hints("agent_chat").readOnlyHint, false);
    assert.equal(hints("generate_strategy").readOnlyHint, true);
    await mcp.close();
  });
});
