/**
 * The tools added when issue 17 was reviewed against the HTTP route list — the capabilities a non-admin has over
 * HTTP that had no tool: the document's `PATCH /auth/profile` (a row of its idempotency table) and the email
 * confirmation, the strategy-code check, the assistant usage, and my CSV imports (import, list, delete). Each
 * answers what its route answers; bad arguments are 422s naming the field; another user's import is a 404 like
 * an unknown one. Also: `arguments` that are not an object are JSON-RPC -32602 (invalid params), not -32603.
 */
import assert from "node:assert/strict";
import { connectMcp, hintsOf, withServedWorld } from "../_helpers/mcp_client.ts";
import { signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

async function http(
  w: TestWorld,
  method: string,
  path: string,
  token: string | undefined,
  opts: { json?: unknown; body?: BodyInit; headers?: Record<string, string>; status?: number } = {},
) {
  const res = await w.request(method, path, {
    token,
    json: opts.json,
    body: opts.body,
    headers: opts.headers,
  });
  const text = await res.text();
  assert.equal(res.status, opts.status ?? 200, text);
  return JSON.parse(text);
}

/** Three trading days of bars, as a Yahoo export would have them. */
const CSV = "Date,Open,High,Low,Close,Adj Close,Volume\n" +
  "2024-01-02,10,11,9.5,10.5,10.5,1000\n" +
  "2024-01-03,10.5,11.2,10.1,11,11,1200\n" +
  "2024-01-04,11,11.5,10.8,11.3,11.3,900\n";

Deno.test("mcp review: arguments that are not an object are JSON-RPC invalid params (-32602), not an internal error", () =>
  withServedWorld(async (_w, served) => {
    const mcp = await connectMcp(served.url);
    try {
      for (const args of [[1, 2], "text", 42]) {
        await assert.rejects(
          mcp.client.callTool({
            name: "get_calendar",
            arguments: args as unknown as Record<string, unknown>,
          }),
          (e: { code?: number; message?: string }) => {
            assert.equal(e.code, -32602, String(e.message));
            assert.match(String(e.message), /arguments/);
            return true;
          },
        );
      }
      const none = await mcp.client.callTool({ name: "list_tiers" });
      assert.equal(none.isError, undefined, "a call without arguments still runs");
      const wrongField = await mcp.callTool("get_calendar", { date: 20261207 });
      assert.deepEqual(wrongField.body.error.detail[0].loc, ["date"], "inside the object: the tool's 422");
    } finally {
      await mcp.close();
    }
  }));

Deno.test("mcp review: check_strategy_text (public) and get_assistant_usage answer what their routes answer", () =>
  withServedWorld(async (w, served) => {
    const alice = await signInWithOtp(w, "alice@example.com", "10.0.0.1");
    const anon = await connectMcp(served.url);
    const mcp = await connectMcp(served.url, alice.access_token);
    try {
      const good = 'name: "SMA cross"\nuniverse: {"tickers":["600519.SH"]}\n' +
        "entry: crosses_above(sma(close, 20), sma(close, 50))\nexit: crosses_below(sma(close, 20), sma(close, 50))\n";
      for (const code of [good, "name: x\nentry: smaa(close, 20) > 1\n"]) {
        const viaTool = await anon.callTool("check_strategy_text", { strategy_code: code });
        assert.equal(viaTool.isError, false, viaTool.text);
        const viaHttp = await http(w, "POST", "/api/v1/strategy-text/check", undefined, {
          json: { strategy_code: code },
        });
        assert.deepEqual(viaTool.body, viaHttp);
      }
      assert.equal((await anon.callTool("check_strategy_text", { strategy_code: good })).body.valid, true);
      const bad = await anon.callTool("check_strategy_text", { strategy_code: "" });
      assert.equal(bad.body.error.status, 422);
      assert.deepEqual(bad.body.error.detail[0].loc, ["strategy_code"]);

      const usage = await mcp.callTool("get_assistant_usage", { days: 7 });
      assert.equal(usage.isError, false, usage.text);
      assert.deepEqual(
        usage.body,
        await http(w, "GET", "/api/v1/assistant/usage?days=7", alice.access_token),
      );
      const tooMany = await mcp.callTool("get_assistant_usage", { days: 91 });
      assert.deepEqual(tooMany.body.error.detail[0].loc, ["days"]);
      const anonUsage = await anon.callTool("get_assistant_usage", {});
      assert.equal(anonUsage.body.error.status, 401);
    } finally {
      await anon.close();
      await mcp.close();
    }
  }));

Deno.test("mcp review: update_profile and confirm_email_change follow PATCH /auth/profile and its confirmation", () =>
  withServedWorld(async (w, served) => {
    const alice = await signInWithOtp(w, "alice@example.com", "10.0.0.1");
    const bob = await signInWithOtp(w, "bob@example.com", "10.0.0.2");
    const mcp = await connectMcp(served.url, alice.access_token);
    try {
      const listed = (await mcp.client.listTools()).tools;
      const hints = hintsOf(listed);
      assert.equal(
        hints("update_profile").idempotentHint,
        true,
        "the document's table: PATCH profile is idempotent",
      );
      assert.equal(hints("update_profile").destructiveHint, true, "a new password replaces the old one");

      const renamed = await mcp.callTool("update_profile", { nickname: "alpha_hunter" });
      assert.equal(renamed.isError, false, renamed.text);
      assert.equal(renamed.body.nickname, "alpha_hunter");
      assert.deepEqual(renamed.body, await http(w, "GET", "/api/v1/auth/me", alice.access_token));
      const again = await mcp.callTool("update_profile", { nickname: "alpha_hunter" });
      assert.deepEqual(again.body, renamed.body, "same data, same result");

      const none = await mcp.callTool("update_profile", {});
      assert.equal(none.body.error.status, 422);
      assert.match(none.text, /at least one of nickname, email, password/);
      const short = await mcp.callTool("update_profile", { password: "short" });
      assert.deepEqual(short.body.error.detail[0].loc, ["password"]);
      const reserved = await mcp.callTool("update_profile", { email: "x@quantedge.local" });
      assert.equal(reserved.body.error.status, 422, reserved.text);

      await http(w, "PATCH", "/api/v1/auth/profile", bob.access_token, { json: { nickname: "bob_quant" } });
      const taken = await mcp.callTool("update_profile", { nickname: "BOB_QUANT" });
      assert.equal(taken.body.error.status, 409, taken.text);

      const pending = await mcp.callTool("update_profile", { email: "alice2@example.com" });
      assert.equal(pending.isError, false, pending.text);
      assert.equal(pending.body.pending_email, "alice2@example.com");
      const wrong = await mcp.callTool("confirm_email_change", { code: "000000" });
      assert.equal(wrong.body.error.status, 422, wrong.text);
      const malformed = await mcp.callTool("confirm_email_change", { code: "12ab" });
      assert.deepEqual(malformed.body.error.detail[0].loc, ["code"]);
    } finally {
      await mcp.close();
    }
  }));

Deno.test("mcp review: import_bars_csv, list_my_imports and delete_import as the /data/import routes; others' imports are 404", () =>
  withServedWorld(async (w, served) => {
    const alice = await signInWithOtp(w, "alice@example.com", "10.0.0.1");
    const bob = await signInWithOtp(w, "bob@example.com", "10.0.0.2");
    const mcp = await connectMcp(served.url, alice.access_token);
    const bobMcp = await connectMcp(served.url, bob.access_token);
    try {
      const imported = await mcp.callTool("import_bars_csv", { symbol: "mytest.ns", csv: CSV });
      assert.equal(imported.isError, false, imported.text);
      assert.equal(imported.body.symbol, "MYTEST.NS");
      assert.equal(imported.body.rows, 3);
      // The same CSV through the route under another symbol answers the same summary.
      const viaHttp = await http(w, "POST", "/api/v1/data/import?symbol=OTHER.NS", alice.access_token, {
        body: CSV,
        headers: { "content-type": "text/csv" },
      });
      assert.deepEqual({ ...imported.body, symbol: "OTHER.NS" }, viaHttp);

      const list = await mcp.callTool("list_my_imports", {});
      assert.equal(list.body.total, 2);
      assert.deepEqual(list.body, await http(w, "GET", "/api/v1/data/imports", alice.access_token));
      const bars = await mcp.callTool("get_bars", { symbol: "MYTEST.NS" });
      assert.equal(bars.isError, false, bars.text);

      // Bob sees none of them and cannot delete them: the same 404 as an unknown symbol.
      assert.equal((await bobMcp.callTool("list_my_imports", {})).body.total, 0);
      const bobDelete = await bobMcp.callTool("delete_import", { symbol: "MYTEST.NS" });
      const unknown = await bobMcp.callTool("delete_import", { symbol: "NOPE.NS" });
      assert.equal(bobDelete.body.error.status, 404);
      assert.equal(unknown.body.error.status, 404);
      assert.equal(bobDelete.body.error.recovery, unknown.body.error.recovery);

      const badRow = await mcp.callTool("import_bars_csv", {
        symbol: "BAD.NS",
        csv: "Date,Open,High,Low,Close,Volume\n2024-01-02,10,9,11,10,100\n",
      });
      assert.equal(badRow.body.error.status, 422, badRow.text);
      const noCsv = await mcp.callTool("import_bars_csv", { symbol: "BAD.NS" });
      assert.deepEqual(noCsv.body.error.detail[0].loc, ["csv"]);

      const deleted = await mcp.callTool("delete_import", { symbol: "MYTEST.NS" });
      assert.equal(deleted.isError, false, deleted.text);
      assert.equal((await mcp.callTool("delete_import", { symbol: "MYTEST.NS" })).body.error.status, 404);
      assert.equal((await mcp.callTool("list_my_imports", {})).body.total, 1);

      const hints = hintsOf((await mcp.client.listTools()).tools);
      assert.equal(hints("delete_import").destructiveHint, true);
      assert.equal(hints("import_bars_csv").destructiveHint, true, "re-importing replaces the bars");
      assert.equal(hints("list_my_imports").readOnlyHint, true);
    } finally {
      await mcp.close();
      await bobMcp.close();
    }
  }));
