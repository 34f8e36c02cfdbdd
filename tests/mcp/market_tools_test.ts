/**
 * The market-data and indicator MCP tools over loopback with the SDK client: each answers the JSON of its HTTP
 * route for the same state (anonymously, and with an API key whose own CSV import only that key sees), bad
 * arguments are 422s naming the field, an unknown symbol is a 404 with a recovery line, and the indicator tool
 * needs a key.
 */
import assert from "node:assert/strict";
import { connectMcp, type McpTestClient, withMcpWorld } from "../_helpers/mcp_client.ts";
import { guideAccount, type GuideClient } from "../_helpers/quantgpt_client.ts";
import type { TestWorld } from "../_helpers/test_app.ts";

/** A five-day CSV of a private symbol (SSE trading days of May 2026, before the world's clock). */
const MY_CSV = [
  "date,open,high,low,close,volume",
  "2026-05-06,10.00,10.40,9.90,10.20,120000",
  "2026-05-07,10.20,10.50,10.10,10.30,98000",
  "2026-05-08,10.30,10.35,9.80,9.90,143000",
  "2026-05-11,9.90,10.10,9.70,10.05,87000",
  "2026-05-12,10.05,10.60,10.00,10.55,156000",
].join("\n");

interface MarketWorld {
  w: TestWorld;
  agent: GuideClient;
  anon: McpTestClient;
  mcp: McpTestClient;
}

/** A guide world, served, with an agent (API key) that imported MYCO.SH, and an anonymous and a keyed client. */
function withMarketWorld(fn: (x: MarketWorld) => Promise<void>): Promise<void> {
  return withMcpWorld(async (w, served) => {
    const agent = await guideAccount(w);
    const imported = await w.request("POST", "/api/v1/data/import?symbol=MYCO.SH", {
      body: MY_CSV,
      token: agent.token,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(imported.status, 200, await imported.clone().text());
    const anon = await connectMcp(served.url);
    const mcp = await connectMcp(served.url, agent.token);
    try {
      await fn({ w, agent, anon, mcp });
    } finally {
      await anon.close();
      await mcp.close();
    }
  });
}

/** The JSON of `method path` (asserting 200), with `token` when given. */
async function httpJson(w: TestWorld, method: string, path: string, token?: string, json?: unknown) {
  const res = await w.request(method, path, { token, json });
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  return await res.json();
}

/** Calls `tool` and asserts it succeeded. */
async function ok(client: McpTestClient, tool: string, args: Record<string, unknown> = {}) {
  const out = await client.callTool(tool, args);
  assert.equal(out.isError, false, `${tool}: ${out.text}`);
  return out.body;
}

Deno.test("market tools answer what /data/* answers, anonymously and with a key (own imports visible)", () =>
  withMarketWorld(async ({ w, agent, anon, mcp }) => {
    const cases: [string, Record<string, unknown>, string][] = [
      ["list_symbols", {}, "/api/v1/data/symbols"],
      [
        "list_symbols",
        { universe: "hs300", limit: 7, offset: 3 },
        "/api/v1/data/symbols?universe=hs300&limit=7&offset=3",
      ],
      ["list_symbols", { exchange: "szse", q: "00085" }, "/api/v1/data/symbols?exchange=szse&q=00085"],
      ["list_symbols", { q: "MYCO" }, "/api/v1/data/symbols?q=MYCO"],
      ["get_bars", { symbol: "600519.SH" }, "/api/v1/data/bars/600519.SH"],
      [
        "get_bars",
        { symbol: "600519.SH", start: "2024-01-01", end: "2024-03-31" },
        "/api/v1/data/bars/600519.SH?start=2024-01-01&end=2024-03-31",
      ],
      ["get_bars", { symbol: "^GSPC", start: "2025-01-01" }, "/api/v1/data/bars/%5EGSPC?start=2025-01-01"],
      ["get_data_freshness", {}, "/api/v1/data/freshness"],
    ];
    for (const [tool, args, path] of cases) {
      const what = `${tool} ${JSON.stringify(args)}`;
      assert.deepEqual(await ok(anon, tool, args), await httpJson(w, "GET", path), `anonymous ${what}`);
      assert.deepEqual(
        await ok(mcp, tool, args),
        await httpJson(w, "GET", path, agent.token),
        `keyed ${what}`,
      );
    }
    const bars = await ok(mcp, "get_bars", { symbol: "MYCO.SH", start: "2026-05-01", end: "2026-05-13" });
    assert.equal(bars.source, "csv");
    assert.deepEqual(bars.bars.map((b: { close: number }) => b.close), [10.2, 10.3, 9.9, 10.05, 10.55]);
    assert.deepEqual(
      bars,
      await httpJson(w, "GET", "/api/v1/data/bars/MYCO.SH?start=2026-05-01&end=2026-05-13", agent.token),
    );
    assert.equal((await ok(mcp, "list_symbols", { q: "MYCO" })).total, 1, "the owner sees the import");
    assert.equal((await ok(anon, "list_symbols", { q: "MYCO" })).total, 0, "nobody else does");
    const hidden = await anon.callTool("get_bars", { symbol: "MYCO.SH" });
    assert.equal(hidden.body.error.status, 404);
    assert.match(hidden.body.error.recovery, /list_symbols/);
  }));

Deno.test("compute_indicators answers what POST /indicators answers, and needs an API key", () =>
  withMarketWorld(async ({ w, agent, anon, mcp }) => {
    const body = {
      symbol: "600519.SH",
      start: "2024-01-01",
      end: "2024-06-30",
      expressions: ["rsi(close, 14)", "sma(close, 20)", "close / sma(close, 50) - 1"],
    };
    const series = await ok(mcp, "compute_indicators", body);
    assert.deepEqual(series, await httpJson(w, "POST", "/api/v1/indicators", agent.token, body));
    assert.deepEqual(Object.keys(series.series), body.expressions);
    assert.equal(series.dates[0] >= "2024-01-01", true);
    assert.ok(series.series["rsi(close, 14)"][0] !== null, "warm-up history gives the first day a value");
    const own = { symbol: "MYCO.SH", expressions: ["close - open"] };
    assert.deepEqual(
      await ok(mcp, "compute_indicators", own),
      await httpJson(w, "POST", "/api/v1/indicators", agent.token, own),
    );
    const refused = await anon.callTool("compute_indicators", body);
    assert.equal(refused.isError, true);
    assert.equal(refused.body.error.status, 401);
  }));

Deno.test("market tools refuse bad arguments with a 422 naming the field", () =>
  withMarketWorld(async ({ mcp }) => {
    const cases: [string, Record<string, unknown>, (string | number)[]][] = [
      ["list_symbols", { limit: 0 }, ["limit"]],
      ["list_symbols", { limit: "10" }, ["limit"]],
      ["list_symbols", { universe: "sp500" }, ["universe"]],
      ["list_symbols", { exchange: "LSE" }, ["exchange"]],
      ["list_symbols", { page: 2 }, ["page"]],
      ["get_bars", { symbol: "600519.SH", start: "2024-13-01" }, ["start"]],
      ["get_bars", { symbol: "600519.SH", end: 20240101 }, ["end"]],
      ["get_bars", { symbol: "600519.SH", start: "2024-06-01", end: "2024-01-01" }, ["start"]],
      ["get_bars", { symbol: "600519.SH", start: "1990-01-01", end: "2024-01-01" }, ["start"]],
      ["get_bars", { symbol: "600 519" }, ["symbol"]],
      ["get_bars", { symbol: "600519.SH", adjusted: true }, ["adjusted"]],
      ["get_data_freshness", { source: "yahoo" }, ["source"]],
      ["compute_indicators", { symbol: "600519.SH", expressions: [] }, ["expressions"]],
      ["compute_indicators", { symbol: "600519.SH", expressions: ["rsi(close, 14)", "rsi(close,"] }, [
        "expressions",
        1,
      ]],
      ["compute_indicators", { symbol: "600519.SH", expressions: ["sma(close, 5)"], start: "2024-02-30" }, [
        "start",
      ]],
      ["compute_indicators", { expressions: ["sma(close, 5)"] }, ["symbol"]],
    ];
    for (const [tool, args, loc] of cases) {
      const out = await mcp.callTool(tool, args);
      const what = `${tool} ${JSON.stringify(args)}`;
      assert.equal(out.isError, true, what);
      assert.equal(out.body.error.status, 422, `${what}: ${out.text}`);
      assert.deepEqual(out.body.error.detail[0].loc, loc, what);
      assert.match(out.text, new RegExp(`^422 validation_error: ${loc.join("\\.")}:`), what);
    }
    const unknown: [string, Record<string, unknown>][] = [
      ["get_bars", { symbol: "NOPE.SH" }],
      ["compute_indicators", { symbol: "NOPE.SH", expressions: ["close"] }],
    ];
    for (const [tool, args] of unknown) {
      const out = await mcp.callTool(tool, args);
      assert.equal(out.body.error.status, 404, tool);
      assert.match(out.body.error.recovery, /list_symbols/, tool);
    }
  }));

Deno.test("market tools are listed read-only, compute_indicators among them", () =>
  withMarketWorld(async ({ anon }) => {
    const { tools } = await anon.client.listTools();
    for (const name of ["list_symbols", "get_bars", "get_data_freshness", "compute_indicators"]) {
      const tool = tools.find((t: { name: string }) => t.name === name);
      assert.ok(tool, name);
      assert.equal(tool.annotations?.readOnlyHint, true, name);
      assert.equal(tool.annotations?.destructiveHint, false, name);
      assert.equal(tool.annotations?.idempotentHint, true, name);
      assert.equal(tool.inputSchema.additionalProperties, false, name);
    }
    assert.ok(
      !tools.some((t: { name: string }) => t.name === "refresh_market_data"),
      "the refresh is admin-only",
    );
    const bars = tools.find((t: { name: string }) => t.name === "get_bars")!;
    for (const phrase of ["not adjusted", "adj_factor", "Asia/Shanghai", "20 years"]) {
      assert.ok(bars.description!.includes(phrase), phrase);
    }
  }));
