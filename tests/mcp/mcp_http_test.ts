/**
 * `/mcp` as a transport and a front door: methods, bearer credentials (invalid, revoked, disabled, none),
 * body limits, malformed JSON-RPC, unknown tools, the per-user call rate, concurrent calls on one client
 * (the stateless transport is built per request), ownership, and that no credential reaches a log line or an
 * error text.
 */
import assert from "node:assert/strict";
import { guideAccount, withGuideWorld } from "../_helpers/quantgpt_client.ts";
import { connectMcp, type ServedWorld, serveWorld } from "../_helpers/mcp_client.ts";
import type { TestWorld } from "../_helpers/test_app.ts";

/** Headers a Streamable-HTTP client sends with a JSON-RPC POST. */
const RPC_HEADERS = {
  "content-type": "application/json",
  accept: "application/json, text/event-stream",
};

const INITIALIZE = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-03-26",
    capabilities: {},
    clientInfo: { name: "raw-test", version: "1.0.0" },
  },
};

/** A raw POST to `/mcp` (no SDK), for what must happen before or outside the MCP messages. */
function rawPost(served: ServedWorld, body: BodyInit, headers: Record<string, string> = {}) {
  return fetch(`${served.url}/mcp`, { method: "POST", headers: { ...RPC_HEADERS, ...headers }, body });
}

/**
 * Asserts `credential`'s disabled account is refused with 403 "Account disabled": before any MCP message, or
 * per tool with the recovery line that points to support.
 */
async function assertDisabledRefused(served: ServedWorld, credential: string): Promise<void> {
  const res = await rawPost(served, JSON.stringify(INITIALIZE), { authorization: `Bearer ${credential}` });
  if (res.status === 403) {
    assert.equal((await res.json()).detail, "Account disabled");
    return;
  }
  assert.equal(res.status, 200, "refused with 403, or let through to refuse per tool");
  await res.body?.cancel();
  const mcp = await connectMcp(served.url, credential);
  for (const name of ["whoami", "list_strategies"]) {
    const r = await mcp.callTool(name, {});
    assert.equal(r.isError, true, name);
    assert.equal(r.body.error.status, 403, `${name}: ${r.text}`);
    assert.equal(r.body.error.detail, "Account disabled");
    assert.match(r.body.error.recovery, /create_ticket/);
  }
  await mcp.close();
}

/** Runs `fn` with a guide world (invite "YOUR_CODE") served on loopback. */
function withServed(
  fn: (w: TestWorld, served: ServedWorld, admin: string) => Promise<void>,
  env: Record<string, string> = {},
): Promise<void> {
  return withGuideWorld(async (w, admin) => {
    const served = serveWorld(w);
    try {
      await fn(w, served, admin);
    } finally {
      await served.close();
    }
  }, env);
}

Deno.test("mcp http: GET and DELETE /mcp answer 405 with Allow: POST", () =>
  withServed(async (_w, served) => {
    for (const method of ["GET", "DELETE"]) {
      const res = await fetch(`${served.url}/mcp`, { method, headers: { accept: "text/event-stream" } });
      assert.equal(res.status, 405, method);
      assert.equal(res.headers.get("allow"), "POST", method);
      const body = await res.json();
      assert.equal(body.jsonrpc, "2.0");
      assert.match(body.error.message, /POST/);
    }
  }));

Deno.test("mcp http: an invalid or revoked API key is refused with 401 before any MCP message; a disabled account 403", () =>
  withServed(async (w, served, admin) => {
    // A key that never existed: 401 with WWW-Authenticate, and the body is the HTTP API's, not JSON-RPC.
    const invalid = await rawPost(served, JSON.stringify(INITIALIZE), {
      authorization: "Bearer qe_not_a_real_key_0000000000000000",
    });
    assert.equal(invalid.status, 401);
    assert.equal(invalid.headers.get("www-authenticate"), "Bearer");
    const body = await invalid.json();
    assert.equal(typeof body.detail, "string");
    assert.ok(!("jsonrpc" in body), "refused before the MCP server reads the message");
    // The document's recovery row for a refused API key: check the keys, make a new one.
    assert.match(body.recovery, /list_api_keys/);
    assert.match(body.recovery, /create_api_key/);
    assert.ok(!JSON.stringify(body).includes("qe_not_a_real_key"), "the key is not echoed");
    // An expired or forged access token: refresh it (POST /auth/refresh), else sign in again.
    const token = await rawPost(served, JSON.stringify(INITIALIZE), {
      authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x",
    });
    assert.equal(token.status, 401);
    assert.match((await token.json()).recovery, /\/api\/v1\/auth\/refresh/);
    // Even a malformed message is refused by the credential first.
    const garbage = await rawPost(served, "{not json", { authorization: "Bearer qe_nope" });
    assert.equal(garbage.status, 401);
    await garbage.body?.cancel();
    // The SDK client cannot connect with it.
    await assert.rejects(() => connectMcp(served.url, "qe_not_a_real_key_0000000000000000"));

    // A revoked key: made and revoked through the tools themselves.
    const agent = await guideAccount(w);
    const mcp = await connectMcp(served.url, agent.token);
    const second = await mcp.callTool("create_api_key", { name: "to-revoke" });
    assert.equal(second.isError, false, second.text);
    const other = await connectMcp(served.url, second.body.api_key);
    assert.equal((await other.callTool("whoami")).isError, false);
    await other.close();
    const revoked = await mcp.callTool("revoke_api_key", { key_id: second.body.id });
    assert.equal(revoked.isError, false, revoked.text);
    const afterRevoke = await rawPost(served, JSON.stringify(INITIALIZE), {
      authorization: `Bearer ${second.body.api_key}`,
    });
    assert.equal(afterRevoke.status, 401);
    assert.equal(afterRevoke.headers.get("www-authenticate"), "Bearer");
    await afterRevoke.body?.cancel();

    // A disabled account: 403 "Account disabled" for its (still valid) key — refused by HTTP, or (where the
    // account keeps the support tools its HTTP routes allow) by every other tool.
    const me = (await mcp.callTool("whoami")).body;
    await mcp.close();
    const off = await w.request("PATCH", `/api/v1/admin/users/${me.id}`, {
      token: admin,
      json: { disabled: true },
    });
    assert.equal(off.status, 200, await off.clone().text());
    await assertDisabledRefused(served, agent.token);
  }));

Deno.test("mcp http: anonymous callers run public tools; user tools answer isError 401 with the recovery line", () =>
  withServed(async (_w, served) => {
    const anon = await connectMcp(served.url);
    const tiers = await anon.callTool("list_tiers");
    assert.equal(tiers.isError, false, tiers.text);
    const cal = await anon.callTool("get_calendar", { date: "2026-05-16" });
    assert.equal(cal.isError, false, cal.text);
    assert.equal(cal.body.next_trading_day, "2026-05-18");
    for (const name of ["whoami", "list_strategies", "create_api_key"]) {
      const refused = await anon.callTool(name, name === "create_api_key" ? { name: "x" } : {});
      assert.equal(refused.isError, true, name);
      assert.equal(refused.body.error.status, 401, name);
      assert.equal(refused.body.error.type, "unauthorized");
      assert.match(refused.body.error.recovery, /Authorization: Bearer/);
      assert.match(refused.text, /^401 unauthorized: .*\nRecovery: /s);
      assert.equal(typeof refused.body.error.correlation_id, "string");
    }
    await anon.close();
  }));

Deno.test("mcp http: a body over MAX_BODY_BYTES answers 413; malformed JSON a JSON-RPC parse error, not 500", () =>
  withServed(async (w, served) => {
    const big = JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "tools/call",
      params: { name: "get_calendar", arguments: { date: "x".repeat(w.config.maxBodyBytes + 10) } },
    });
    const tooLarge = await rawPost(served, big);
    assert.equal(tooLarge.status, 413);
    assert.match((await tooLarge.json()).detail, /too large/);

    for (const text of ["{not json", "[1, 2", ""]) {
      const res = await rawPost(served, text);
      assert.ok(res.status < 500, `${JSON.stringify(text)} → ${res.status}`);
      const body = await res.json();
      assert.equal(body.jsonrpc, "2.0");
      assert.equal(body.error.code, -32700, JSON.stringify(body));
    }
    // Valid JSON that is not a JSON-RPC message: an error, not a crash.
    const notRpc = await rawPost(served, JSON.stringify({ hello: "world" }));
    assert.ok(notRpc.status >= 400 && notRpc.status < 500, String(notRpc.status));
    const notRpcBody = await notRpc.json();
    assert.equal(notRpcBody.jsonrpc, "2.0");
    assert.equal(typeof notRpcBody.error.code, "number");
    assert.ok(
      !w.logs.some((l) => l.level === "error"),
      JSON.stringify(w.logs.filter((l) => l.level === "error")),
    );
  }));

Deno.test("mcp http: an unknown tool answers isError 404 naming tools/list", () =>
  withServed(async (_w, served) => {
    const anon = await connectMcp(served.url);
    const unknown = await anon.callTool("no_such_tool", {});
    assert.equal(unknown.isError, true);
    assert.equal(unknown.body.error.status, 404);
    assert.match(unknown.body.error.detail, /tools\/list/);
    assert.match(unknown.text, /no_such_tool/);
    // A huge name is not echoed whole.
    const long = await anon.callTool("x".repeat(10_000), {});
    assert.equal(long.body.error.status, 404);
    assert.ok(long.text.length < 2_000, "the name is cut");
    await anon.close();
  }));

Deno.test("mcp http: RATE_LIMIT_MCP=3/1m — the 4th call of a user answers isError 429 with retry_after_seconds", () =>
  withServed(async (w, served) => {
    const agent = await guideAccount(w);
    const mcp = await connectMcp(served.url, agent.token);
    for (let i = 0; i < 3; i++) {
      const ok = await mcp.callTool("whoami");
      assert.equal(ok.isError, false, `call ${i + 1}: ${ok.text}`);
    }
    const limited = await mcp.callTool("whoami");
    assert.equal(limited.isError, true);
    assert.equal(limited.body.error.status, 429);
    assert.equal(limited.body.error.type, "rate_limited");
    assert.equal(typeof limited.body.error.retry_after_seconds, "number");
    assert.ok(limited.body.error.retry_after_seconds > 0 && limited.body.error.retry_after_seconds <= 60);
    assert.match(limited.body.error.recovery, /retry_after_seconds/);
    // The limit is per user: another account still has its own budget.
    const other = await guideAccount(w, "10.7.0.2");
    const mcp2 = await connectMcp(served.url, other.token);
    assert.equal((await mcp2.callTool("whoami")).isError, false);
    // A minute later the first user may call again.
    w.clock.set(w.clock.now() + 61_000);
    assert.equal((await mcp.callTool("whoami")).isError, false);
    await mcp.close();
    await mcp2.close();
  }, { RATE_LIMIT_MCP: "3/1m" }));

Deno.test("mcp http: 20 concurrent tool calls from one client all answer correctly", () =>
  withServed(async (w, served) => {
    const agent = await guideAccount(w);
    const mcp = await connectMcp(served.url, agent.token);
    const dates = Array.from({ length: 20 }, (_, i) => `2026-05-${String(i + 1).padStart(2, "0")}`);
    const answers = await Promise.all(
      dates.map((date, i) => i % 4 === 3 ? mcp.callTool("whoami") : mcp.callTool("get_calendar", { date })),
    );
    const me = answers[3].body.id;
    assert.equal(typeof me, "string");
    answers.forEach((a, i) => {
      assert.equal(a.isError, false, `${i}: ${a.text}`);
      if (i % 4 === 3) assert.equal(a.body.id, me);
      else assert.equal(a.body.date, dates[i], `answer ${i} belongs to its own request`);
    });
    // And concurrent writes: three strategies (the free tier's limit) at once, each created exactly once.
    const created = await Promise.all(
      Array.from(
        { length: 3 },
        (_, i) => mcp.callTool("create_strategy", { name: `S${i}`, slug: `concurrent-${i}` }),
      ),
    );
    created.forEach((c, i) => {
      assert.equal(c.isError, false, c.text);
      assert.equal(c.body.slug, `concurrent-${i}`);
    });
    const listed = await mcp.callTool("list_strategies", {});
    assert.deepEqual(
      listed.body.strategies.map((s: { slug: string }) => s.slug).sort(),
      ["concurrent-0", "concurrent-1", "concurrent-2"],
    );
    await mcp.close();
  }, { RATE_LIMIT_MCP: "10000/1m" }));

Deno.test("mcp http: another user's strategy is not found (ownership), for reads and writes", () =>
  withServed(async (w, served) => {
    const alice = await connectMcp(served.url, (await guideAccount(w, "10.7.0.1")).token);
    const bob = await connectMcp(served.url, (await guideAccount(w, "10.7.0.2")).token);
    const created = await alice.callTool("create_strategy", { name: "Alice", slug: "alice-alpha" });
    assert.equal(created.isError, false, created.text);
    const calls: [string, Record<string, unknown>][] = [
      ["get_strategy", { slug: "alice-alpha" }],
      ["list_signals", { slug: "alice-alpha" }],
      ["update_strategy", { slug: "alice-alpha", name: "Mine now" }],
      ["retire_strategy", { slug: "alice-alpha" }],
      ["submit_signal", {
        slug: "alice-alpha",
        trade_date: "2026-05-14",
        signals: [{ symbol: "600519.SH", weight: 0.1 }],
      }],
      ["withdraw_signal", { slug: "alice-alpha", trade_date: "2026-05-14" }],
      ["get_claimed_history", { slug: "alice-alpha" }],
      ["delete_claimed_history", { slug: "alice-alpha" }],
    ];
    for (const [name, args] of calls) {
      const r = await bob.callTool(name, args);
      assert.equal(r.isError, true, name);
      assert.equal(r.body.error.status, 404, `${name}: ${r.text}`);
    }
    const mine = await alice.callTool("get_strategy", { slug: "alice-alpha" });
    assert.deepEqual([mine.body.name, mine.body.status], ["Alice", "pending"], "untouched by bob");
    await alice.close();
    await bob.close();
  }));

Deno.test("mcp http: no API key or access token reaches a log line or an error text", () =>
  withServed(async (w, served) => {
    const invited = await w.request("POST", "/api/v1/auth/invite", {
      json: { invite_code: "YOUR_CODE" },
      headers: { "x-forwarded-for": "10.7.0.9" },
    });
    const accessToken: string = (await invited.json()).access_token;
    const viaToken = await connectMcp(served.url, accessToken);
    const texts: string[] = [];
    const who = await viaToken.callTool("whoami");
    assert.equal(who.body.authenticated_with, "access_token");
    const made = await viaToken.callTool("create_api_key", { name: "secret-holder" });
    const apiKey: string = made.body.api_key;
    assert.match(apiKey, /^qe_/);
    const viaKey = await connectMcp(served.url, apiKey);
    // Errors of every kind, with the credentials about.
    for (
      const [c, name, args] of [
        [viaKey, "get_strategy", { slug: "nope-nope" }],
        [viaKey, "create_strategy", { name: apiKey, slug: apiKey }],
        [viaKey, "create_api_key", { name: accessToken }],
        [viaKey, "revoke_api_key", { key_id: apiKey }],
        [viaToken, "submit_signal", { slug: "x", trade_date: accessToken, signals: [] }],
        [viaKey, "no_such_tool", { key: apiKey }],
      ] as const
    ) {
      const r = await c.callTool(name, args as Record<string, unknown>);
      assert.equal(r.isError, true, `${name}: ${r.text}`);
      texts.push(r.text, JSON.stringify(r.body));
    }
    // A refused credential's answer.
    const bad = await rawPost(served, JSON.stringify(INITIALIZE), { authorization: `Bearer ${apiKey}x` });
    texts.push(await bad.text());
    // Register through the tool: its key is in the answer only.
    const anon = await connectMcp(served.url);
    const reg = await anon.callTool("register_with_invite", { invite_code: "YOUR_CODE" });
    const regKey: string = reg.body.api_key;
    await Promise.all([viaToken.close(), viaKey.close(), anon.close()]);

    const logged = JSON.stringify(w.logs);
    assert.ok(w.logs.some((l) => l.msg === "mcp tool call"), "tool calls are logged");
    for (const secret of [accessToken, apiKey, regKey]) {
      assert.ok(!logged.includes(secret), "a credential reached the log");
      assert.ok(!logged.includes(secret.slice(-12)), "a credential's tail reached the log");
    }
    for (const text of texts) {
      assert.ok(!text.includes(apiKey), `an error text holds the API key: ${text.slice(0, 200)}`);
      assert.ok(!text.includes(accessToken), `an error text holds the access token: ${text.slice(0, 200)}`);
    }
  }));

Deno.test("mcp http: control characters and huge strings in a text field answer 422, never 500", () =>
  withServed(async (w, served) => {
    const mcp = await connectMcp(served.url, (await guideAccount(w)).token);
    const cases: [string, Record<string, unknown>, string][] = [
      ["create_strategy", { name: "bad\u0000name", slug: "ctl-one" }, "name"],
      ["create_strategy", { name: "bell\u0007", slug: "ctl-two" }, "name"],
      ["create_strategy", { name: "line\nbreak", slug: "ctl-three" }, "name"],
      ["create_strategy", { name: "x".repeat(200_000), slug: "huge-one" }, "name"],
      ["create_strategy", { name: "ok", slug: "\u202e".repeat(10) }, "slug"],
      ["create_strategy", { name: "ok", slug: "s".repeat(100_000) }, "slug"],
      ["create_api_key", { name: "k\u0000" }, "name"],
      ["create_api_key", { name: "k".repeat(100_000) }, "name"],
      ["get_strategy", { slug: "\u0000".repeat(10_000) }, "slug"],
      ["get_calendar", { date: "2026-05-14\u0000" }, "date"],
      ["submit_signal", {
        slug: "any-slug",
        trade_date: "2026-05-14",
        signals: [{ symbol: "600519.SH\u0000", weight: 0.1 }],
      }, "signals"],
    ];
    for (const [name, args, field] of cases) {
      const r = await mcp.callTool(name, args);
      assert.equal(r.isError, true, `${name} ${field}`);
      const status = r.body.error.status;
      assert.ok(status < 500, `${name} ${field}: ${status} ${r.text.slice(0, 300)}`);
      assert.equal(status, 422, `${name} ${field}: ${r.text.slice(0, 300)}`);
      assert.equal(r.body.error.detail[0].loc[0], field, r.text.slice(0, 300));
      assert.ok(r.text.length < 5_000, "the refused value is not echoed whole");
    }
    assert.ok(!w.logs.some((l) => l.level === "error"));
    await mcp.close();
  }));

Deno.test("mcp http: an Authorization header that is not `Bearer …` is refused with 401, not taken as anonymous", () =>
  withServed(async (_w, served) => {
    for (const header of ["qe_abcdef", "Token qe_abcdef", "Basic dXNlcjpwYXNz"]) {
      const res = await rawPost(served, JSON.stringify(INITIALIZE), { authorization: header });
      assert.equal(res.status, 401, header);
      assert.match((await res.json()).detail, /Malformed Authorization header/);
    }
  }));

Deno.test("mcp http: a call still running at REQUEST_TIMEOUT_MS is a JSON-RPC error saying it may still complete", () =>
  withServed(async (w, served) => {
    const agent = await guideAccount(w);
    const mcp = await connectMcp(served.url, agent.token);
    try {
      // Ten years of 30 symbols cannot be evaluated within the 100 ms deadline of this world.
      const tickers = (await w.deps.market.data.getUniverse("hs300")).slice(0, 30);
      await assert.rejects(
        mcp.callTool("run_backtest", {
          spec: {
            name: "slow",
            universe: { tickers },
            entry: "rsi(close, 14) < 35",
            exit: "rsi(close, 14) > 60",
            start: "2012-01-01",
            end: "2021-12-31",
          },
        }),
        (e: Error & { code?: number }) => {
          assert.equal(e.code, -32001, String(e));
          assert.match(e.message, /may still complete.*read the matching list or get tool first/s);
          assert.doesNotMatch(e.message, /try again later/);
          return true;
        },
      );
    } finally {
      await mcp.close();
    }
  }, { REQUEST_TIMEOUT_MS: "100" }));
