/**
 * What the MCP front end costs on top of the HTTP one (issue 17), in process through `app.fetch` with an
 * in-memory KV: the same operation (a calendar date, then my strategy list with an API key) asked as an HTTP
 * route and as an MCP `tools/call` (a new SDK server and transport per request, arguments checked by the tool's
 * schema, the answer as text + structured content), plus a whole `tools/list` (every tool's JSON Schema,
 * built once at start-up). The ratio MCP/HTTP is the overhead an agent pays per call.
 */
import { guideAccount } from "../tests/_helpers/quantgpt_client.ts";
import { openTestWorld, signInAdmin } from "../tests/_helpers/test_app.ts";

// No MCP call rate in a benchmark: every iteration is one call.
const world = await openTestWorld({
  RATE_LIMIT_MCP: "100000000/1m",
  RATE_LIMIT_MCP_ANON_PER_IP: "100000000/1m",
});
const admin = (await signInAdmin(world)).access_token;
await world.request("POST", "/api/v1/admin/invite-codes", {
  token: admin,
  json: { code: "YOUR_CODE", max_uses: 5 },
});
const apiKey = (await guideAccount(world)).token;
await world.request("POST", "/api/v1/strategies", {
  token: apiKey,
  json: { name: "Bench", slug: "bench-strategy" },
});

let id = 0;
const mcp = async (method: string, params: unknown, token?: string) => {
  const r = await world.app.request("/mcp", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2025-06-18",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params }),
  });
  const body = await r.json();
  if (r.status !== 200 || body.error || body.result?.isError) throw new Error(JSON.stringify(body));
};
const http = async (path: string, token?: string) => {
  const r = await world.app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  if (r.status !== 200) throw new Error(await r.text());
  await r.arrayBuffer();
};

Deno.bench({ name: "HTTP GET /api/v1/calendar?date=", group: "calendar date", baseline: true }, async () => {
  await http("/api/v1/calendar?date=2026-05-14");
});
Deno.bench({ name: "MCP tools/call get_calendar", group: "calendar date" }, async () => {
  await mcp("tools/call", { name: "get_calendar", arguments: { date: "2026-05-14" } });
});
Deno.bench(
  { name: "HTTP GET /api/v1/strategies (API key)", group: "my strategies", baseline: true },
  async () => {
    await http("/api/v1/strategies", apiKey);
  },
);
Deno.bench({ name: "MCP tools/call list_strategies (API key)", group: "my strategies" }, async () => {
  await mcp("tools/call", { name: "list_strategies", arguments: {} }, apiKey);
});
Deno.bench({ name: "MCP tools/list (every tool's schema)", group: "listing" }, async () => {
  await mcp("tools/list", {});
});
