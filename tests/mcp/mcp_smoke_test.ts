/** `/mcp` end to end with the SDK client: listing, a public tool, an authenticated tool, a refused argument. */
import assert from "node:assert/strict";
import { guideAccount } from "../_helpers/quantgpt_client.ts";
import { connectMcp, withMcpWorld } from "../_helpers/mcp_client.ts";

Deno.test("mcp: list tools, call the calendar anonymously, create a strategy with an API key", async () => {
  await withMcpWorld(async (w, served) => {
    const agent = await guideAccount(w);
    const anon = await connectMcp(served.url);
    // Tools, resources and prompts are fixed lists: the server promises no change notifications.
    assert.deepEqual(anon.client.getServerCapabilities(), {
      tools: { listChanged: false },
      resources: { listChanged: false },
      prompts: { listChanged: false },
    });
    const { tools } = await anon.client.listTools();
    assert.ok(tools.some((t: { name: string }) => t.name === "submit_signal"));
    const cal = await anon.callTool("get_calendar", { date: "2026-05-14" });
    assert.equal(cal.isError, false, cal.text);
    assert.equal(cal.body.is_trading_day, true);
    const refused = await anon.callTool("list_strategies", {});
    assert.equal(refused.isError, true);
    assert.equal(refused.body.error.status, 401);
    await anon.close();

    const mcp = await connectMcp(served.url, agent.token);
    const created = await mcp.callTool("create_strategy", {
      name: "HS300 ML Alpha",
      slug: "hs300-ml-alpha",
    });
    assert.equal(created.isError, false, created.text);
    assert.equal(created.body.status, "pending");
    const bad = await mcp.callTool("submit_signal", {
      slug: "hs300-ml-alpha",
      trade_date: "2026-05-14",
      signals: [{ symbol: "600519.SH", weight: 1.5 }],
    });
    assert.equal(bad.isError, true);
    assert.equal(bad.body.error.status, 422);
    assert.deepEqual(bad.body.error.detail[0].loc, ["signals", 0, "weight"]);
    assert.match(bad.text, /signals\.0\.weight/);
    await mcp.close();
  });
});

Deno.test("mcp: register_with_invite makes an account and a key that then works", async () => {
  await withMcpWorld(async (w, served) => {
    const anon = await connectMcp(served.url);
    const reg = await anon.callTool("register_with_invite", { invite_code: "YOUR_CODE" });
    assert.equal(reg.isError, false, reg.text);
    assert.match(reg.body.api_key, /^qe_/);
    assert.equal(reg.body.user.tier, "free");
    await anon.close();
    const mcp = await connectMcp(served.url, reg.body.api_key);
    const me = await mcp.callTool("whoami");
    assert.equal(me.body.id, reg.body.user.id);
    assert.equal(me.body.authenticated_with, "api_key");
    await mcp.close();
    assert.ok(!JSON.stringify(w.logs).includes(reg.body.api_key), "the key never reaches the log");
  });
});
