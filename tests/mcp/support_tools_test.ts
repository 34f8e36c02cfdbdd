/**
 * The support tools over `/mcp` with the SDK client: tickets and notifications answer what the HTTP routes
 * answer; bad arguments are a 422 naming the field; another user's ticket or notification is a 404; a disabled
 * account reaches support through create_ticket (and reads its tickets) while every other tool is a 403 whose
 * recovery line points to create_ticket.
 */
import assert from "node:assert/strict";
import { adminUpdateUser } from "../../domain/auth/accounts.ts";
import { connectMcp, hintsOf, withServedWorld } from "../_helpers/mcp_client.ts";
import { signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

/** A plain world served on loopback; `fn` gets its URL. */
const withServed = (fn: (w: TestWorld, url: string) => Promise<void>) =>
  withServedWorld((w, served) => fn(w, served.url));

async function http(
  w: TestWorld,
  method: string,
  path: string,
  token: string,
  opts: { json?: unknown; status?: number } = {},
) {
  const res = await w.request(method, path, { token, json: opts.json });
  const text = await res.text();
  assert.equal(res.status, opts.status ?? 200, text);
  return JSON.parse(text);
}

Deno.test("mcp support tools: tickets and notifications answer what the HTTP routes answer", () =>
  withServed(async (w, url) => {
    const alice = await signInWithOtp(w, "alice@example.com", "10.0.0.1");
    const a = alice.access_token;
    const admin = (await signInAdmin(w)).access_token;
    const mcp = await connectMcp(url, a);
    try {
      const created = await mcp.callTool("create_ticket", {
        title: "Backtest stuck",
        description: "It stays at 40%.",
        category: "bug",
      });
      assert.equal(created.isError, false, created.text);
      assert.equal(created.body.status, "open");
      assert.equal(created.body.user_id, alice.user.id);
      assert.equal(created.body.title, "Backtest stuck");
      assert.deepEqual(created.body.replies, []);
      const id = created.body.id as string;
      assert.deepEqual(created.body, await http(w, "GET", `/api/v1/tickets/${id}`, a));
      const titleOnly = await mcp.callTool("create_ticket", { title: "account disabled" });
      assert.equal(titleOnly.body.category, "other");
      assert.equal(titleOnly.body.description, "");

      const got = await mcp.callTool("get_ticket", { ticket_id: id });
      assert.deepEqual(got.body, await http(w, "GET", `/api/v1/tickets/${id}`, a));
      const list = await mcp.callTool("list_tickets", {});
      assert.equal(list.body.total, 2);
      assert.deepEqual(list.body, await http(w, "GET", "/api/v1/tickets", a));
      assert.deepEqual(
        (await mcp.callTool("list_tickets", { status: "open", limit: 1, offset: 1 })).body,
        await http(w, "GET", "/api/v1/tickets?status=open&limit=1&offset=1", a),
      );

      // Support answers: a notification arrives.
      await http(w, "POST", `/api/v1/admin/tickets/${id}/reply`, admin, { json: { message: "Fixed." } });
      const unread = await mcp.callTool("get_unread_count", {});
      assert.deepEqual(unread.body, { unread_count: 1, count: 1 });
      assert.deepEqual(unread.body, await http(w, "GET", "/api/v1/notifications/unread-count", a));
      const notes = await mcp.callTool("list_notifications", { unread_only: true });
      assert.equal(notes.body.total, 1);
      assert.deepEqual(notes.body, await http(w, "GET", "/api/v1/notifications?unread_only=true", a));
      assert.deepEqual(
        (await mcp.callTool("list_notifications", {})).body,
        await http(w, "GET", "/api/v1/notifications", a),
      );
      const nid = notes.body.items[0].id as string;
      const read = await mcp.callTool("mark_notification_read", { notification_id: nid });
      assert.equal(read.body.read, true);
      const readAgain = await mcp.callTool("mark_notification_read", { notification_id: nid });
      assert.deepEqual(readAgain.body, read.body, "marking read again changes nothing");
      assert.deepEqual(
        (await http(w, "GET", "/api/v1/notifications", a)).items[0],
        read.body,
      );
      assert.deepEqual((await mcp.callTool("mark_all_notifications_read", {})).body, { updated: 0 });

      w.clock.advance(1000); // replies are ordered by time: mine comes after support's
      const replied = await mcp.callTool("reply_ticket", { ticket_id: id, message: "Still stuck." });
      assert.equal(replied.isError, false, replied.text);
      assert.equal(replied.body.status, "open");
      assert.deepEqual(replied.body.replies.map((r: { author: string }) => r.author), ["support", "user"]);
      assert.deepEqual(replied.body, await http(w, "GET", `/api/v1/tickets/${id}`, a));
    } finally {
      await mcp.close();
    }
  }));

Deno.test("mcp support tools: bad arguments are a 422 naming the field; another user's objects are a 404", () =>
  withServed(async (w, url) => {
    const a = (await signInWithOtp(w, "alice@example.com", "10.0.0.1")).access_token;
    const b = (await signInWithOtp(w, "bob@example.com", "10.0.0.2")).access_token;
    const admin = (await signInAdmin(w)).access_token;
    const ticket = await http(w, "POST", "/api/v1/tickets", a, { json: { title: "mine" }, status: 201 });
    await http(w, "POST", `/api/v1/admin/tickets/${ticket.id}/reply`, admin, { json: { message: "ok" } });
    const note = (await http(w, "GET", "/api/v1/notifications", a)).items[0];
    const mb = await connectMcp(url, b);
    try {
      const bad = async (name: string, args: Record<string, unknown>, loc: string) => {
        const r = await mb.callTool(name, args);
        assert.equal(r.body.error?.status, 422, `${name} ${JSON.stringify(args)}: ${r.text}`);
        assert.ok(r.body.error.detail.some((d: { loc: unknown[] }) => d.loc.join(".") === loc), r.text);
      };
      await bad("create_ticket", { description: "no title" }, "title");
      await bad("create_ticket", { title: "" }, "title");
      await bad("create_ticket", { title: "a\u0007b" }, "title");
      await bad("create_ticket", { title: "x", category: "urgent" }, "category");
      await bad("create_ticket", { title: "x", subject: "x" }, "subject");
      await bad("create_ticket", { title: "x", description: "d".repeat(5001) }, "description");
      await bad("list_tickets", { status: "pending" }, "status");
      await bad("reply_ticket", { ticket_id: ticket.id, message: "" }, "message");
      await bad("list_notifications", { unread_only: "true" }, "unread_only");
      await bad("list_notifications", { limit: 201 }, "limit");
      await bad("mark_notification_read", {}, "notification_id");
      await bad("get_unread_count", { all: true }, "all");

      for (
        const [name, args] of [
          ["get_ticket", { ticket_id: ticket.id }],
          ["reply_ticket", { ticket_id: ticket.id, message: "hi" }],
          ["mark_notification_read", { notification_id: note.id }],
        ] as const
      ) {
        const r = await mb.callTool(name, args);
        assert.equal(r.body.error?.status, 404, `${name}: ${r.text}`);
      }
      assert.equal((await http(w, "GET", "/api/v1/notifications/unread-count", a)).unread_count, 1);
      assert.equal((await http(w, "GET", `/api/v1/tickets/${ticket.id}`, a)).reply_count, 1);
    } finally {
      await mb.close();
    }
  }));

Deno.test("mcp: a disabled account may open and read tickets; every other tool is 403 pointing to create_ticket", () =>
  withServed(async (w, url) => {
    const user = await signInWithOtp(w, "banned@example.com", "10.0.0.3");
    const key = await http(w, "POST", "/api/v1/billing/api-keys", user.access_token, {
      json: { name: "agent" },
      status: 201,
    });
    await adminUpdateUser(w.deps.auth, user.user.id, { disabled: true });
    // The HTTP API agrees: tickets yes, the rest no.
    await http(w, "GET", "/api/v1/strategies", key.api_key, { status: 403 });
    await http(w, "GET", "/api/v1/tickets", key.api_key);

    const mcp = await connectMcp(url, key.api_key);
    try {
      const refused = await mcp.callTool("list_strategies", {});
      assert.equal(refused.isError, true);
      assert.equal(refused.body.error.status, 403);
      assert.equal(refused.body.error.detail, "Account disabled");
      assert.match(refused.body.error.recovery, /create_ticket/);
      assert.match(refused.text, /^403 forbidden: Account disabled\nRecovery: .*create_ticket/);
      for (const name of ["whoami", "get_unread_count", "list_notifications", "get_my_license"]) {
        assert.equal((await mcp.callTool(name, {})).body.error?.status, 403, name);
      }
      const replyRefused = await mcp.callTool("reply_ticket", { ticket_id: "tkt_x", message: "hi" });
      assert.equal(replyRefused.body.error.status, 403, "reply is not open to a disabled account over HTTP");
      // A public tool too: the account is refused as a whole, except for contacting support.
      assert.equal((await mcp.callTool("get_license_public_key", {})).body.error?.status, 403);

      const opened = await mcp.callTool("create_ticket", { category: "other", title: "account disabled" });
      assert.equal(opened.isError, false, opened.text);
      assert.equal(opened.body.user_id, user.user.id);
      const listed = await mcp.callTool("list_tickets", {});
      assert.deepEqual(listed.body, await http(w, "GET", "/api/v1/tickets", key.api_key));
      const got = await mcp.callTool("get_ticket", { ticket_id: opened.body.id });
      assert.deepEqual(got.body, await http(w, "GET", `/api/v1/tickets/${opened.body.id}`, key.api_key));
      // The disabled account's cap on tickets that are not closed holds here too.
      await mcp.callTool("create_ticket", { title: "second" });
      await mcp.callTool("create_ticket", { title: "third" });
      const fourth = await mcp.callTool("create_ticket", { title: "fourth" });
      assert.equal(fourth.body.error.status, 403);
      assert.match(fourth.body.error.detail, /at most 3 tickets/);
      assert.match(fourth.body.error.recovery, /list_tickets|get_ticket/);
    } finally {
      await mcp.close();
    }
    // Re-enabled, the same key works everywhere again.
    await adminUpdateUser(w.deps.auth, user.user.id, { disabled: false });
    const again = await connectMcp(url, key.api_key);
    try {
      const ok = await again.callTool("list_strategies", {});
      assert.equal(ok.isError, false, ok.text);
    } finally {
      await again.close();
    }
  }));

Deno.test("mcp support tools: annotations", () =>
  withServed(async (_w, url) => {
    const anon = await connectMcp(url);
    try {
      const { tools } = await anon.client.listTools();
      const hints = hintsOf(tools);
      assert.equal(hints("create_ticket").idempotentHint, false);
      assert.equal(hints("reply_ticket").idempotentHint, false);
      for (const name of ["mark_notification_read", "mark_all_notifications_read"]) {
        assert.equal(hints(name).idempotentHint, true, name);
        assert.equal(hints(name).destructiveHint, false, name);
        assert.equal(hints(name).readOnlyHint, false, name);
      }
      for (const name of ["list_tickets", "get_ticket", "list_notifications", "get_unread_count"]) {
        assert.equal(hints(name).readOnlyHint, true, name);
      }
      assert.equal((await anon.callTool("create_ticket", { title: "x" })).body.error.status, 401);
    } finally {
      await anon.close();
    }
  }));
