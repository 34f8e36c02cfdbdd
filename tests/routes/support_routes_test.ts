import assert from "node:assert/strict";
import { assert422, assertDetail, ok } from "../_helpers/identity.ts";
import { openTestWorld, signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

type Ticket = {
  id: string;
  user_id: string;
  subject: string;
  category: string;
  status: string;
  message: string;
  reply_count: number;
  created_at: string;
  updated_at: string;
  replies?: { id: string; author: string; message: string; created_at: string }[];
};
type Notification = { id: string; kind: string; title: string; link: string | null; read: boolean };
type PageOf<T> = { items: T[]; total: number; limit: number; offset: number };

/** Opens a world and signs in two users; runs `fn`, then closes the world. */
async function withUsers(
  fn: (w: TestWorld, a: string, b: string, aId: string) => Promise<void>,
): Promise<void> {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "alice@example.com", "10.0.0.1");
    const b = await signInWithOtp(w, "bob@example.com", "10.0.0.2");
    await fn(w, a.access_token, b.access_token, a.user.id);
  } finally {
    await w.close();
  }
}

function openTicket(w: TestWorld, token: string, body: Record<string, unknown> = {}) {
  return w.request("POST", "/api/v1/tickets", {
    token,
    json: { subject: "Backtest stuck", message: "It stays at 40%.", ...body },
  });
}

Deno.test("POST /tickets opens a ticket (category defaults to other) that GET /tickets/{id} returns", async () => {
  await withUsers(async (w, a, _b, aId) => {
    const res = await openTicket(w, a);
    assert.equal(res.status, 201);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const created = await res.json() as Ticket;
    assert.equal(created.user_id, aId);
    assert.equal(created.category, "other");
    assert.equal(created.status, "open");
    assert.deepEqual(created.replies, []);
    assert.equal(created.created_at, new Date(w.clock.now()).toISOString());
    const got = await ok<Ticket>(await w.request("GET", `/api/v1/tickets/${created.id}`, { token: a }));
    assert.deepEqual(got, created);
  });
});

Deno.test("GET /tickets lists only my tickets, newest first, with status filter and paging", async () => {
  await withUsers(async (w, a, b) => {
    for (const subject of ["first", "second", "third"]) {
      await ok(await openTicket(w, a, { subject, category: "data" }), 201);
      w.clock.advance(1000);
    }
    await ok(await openTicket(w, b, { subject: "bob's" }), 201);
    const mine = await ok<PageOf<Ticket>>(await w.request("GET", "/api/v1/tickets", { token: a }));
    assert.deepEqual(mine.items.map((t) => t.subject), ["third", "second", "first"]);
    assert.deepEqual([mine.total, mine.limit, mine.offset], [3, 50, 0]);
    const paged = await ok<PageOf<Ticket>>(
      await w.request("GET", "/api/v1/tickets?limit=1&offset=1", { token: a }),
    );
    assert.deepEqual(paged.items.map((t) => t.subject), ["second"]);
    assert.deepEqual([paged.total, paged.limit, paged.offset], [3, 1, 1]);
    const closed = await ok<PageOf<Ticket>>(
      await w.request("GET", "/api/v1/tickets?status=closed", { token: a }),
    );
    assert.deepEqual([closed.items.length, closed.total], [0, 0]);
  });
});

Deno.test("GET /tickets/{id} answers 404 for another user's ticket without leaking it", async () => {
  await withUsers(async (w, a, b) => {
    const t = await ok<Ticket>(await openTicket(w, a), 201);
    const res = await w.request("GET", `/api/v1/tickets/${t.id}`, { token: b });
    const body = await assertDetail(res, 404, `Ticket "${t.id}" not found`);
    assert.equal(JSON.stringify(body).includes("Backtest"), false);
    await assertDetail(
      await w.request("GET", "/api/v1/tickets/tkt_nope", { token: a }),
      404,
      'Ticket "tkt_nope" not found',
    );
  });
});

Deno.test("POST /tickets/{id}/replies adds the owner's message and refuses other users with 404", async () => {
  await withUsers(async (w, a, b) => {
    const t = await ok<Ticket>(await openTicket(w, a), 201);
    await assertDetail(
      await w.request("POST", `/api/v1/tickets/${t.id}/replies`, { token: b, json: { message: "me too" } }),
      404,
    );
    const res = await w.request("POST", `/api/v1/tickets/${t.id}/replies`, {
      token: a,
      json: { message: "More info" },
    });
    const after = await ok<Ticket>(res, 201);
    assert.deepEqual(after.replies?.map((r) => [r.author, r.message]), [["user", "More info"]]);
    assert.equal(after.reply_count, 1);
  });
});

Deno.test("ticket and notification routes answer 401 without a token", async () => {
  const w = await openTestWorld();
  try {
    const calls: [string, string, unknown?][] = [
      ["POST", "/api/v1/tickets", { subject: "s", message: "m" }],
      ["GET", "/api/v1/tickets"],
      ["GET", "/api/v1/tickets/tkt_x"],
      ["POST", "/api/v1/tickets/tkt_x/replies", { message: "m" }],
      ["GET", "/api/v1/notifications"],
      ["GET", "/api/v1/notifications/unread-count"],
      ["PATCH", "/api/v1/notifications/ntf_x/read"],
      ["POST", "/api/v1/notifications/read-all"],
      ["GET", "/api/v1/admin/tickets"],
      ["GET", "/api/v1/admin/tickets/tkt_x"],
      ["POST", "/api/v1/admin/tickets/tkt_x/reply", { message: "m" }],
    ];
    for (const [method, path, json] of calls) {
      await assertDetail(await w.request(method, path, { json }), 401, "Not authenticated");
    }
  } finally {
    await w.close();
  }
});

Deno.test("admin ticket routes answer 403 to a non-admin", async () => {
  await withUsers(async (w, a) => {
    const t = await ok<Ticket>(await openTicket(w, a), 201);
    await assertDetail(await w.request("GET", "/api/v1/admin/tickets", { token: a }), 403, "Admin only");
    await assertDetail(
      await w.request("GET", `/api/v1/admin/tickets/${t.id}`, { token: a }),
      403,
      "Admin only",
    );
    const reply = await w.request("POST", `/api/v1/admin/tickets/${t.id}/reply`, {
      token: a,
      json: { message: "self-answered" },
    });
    await assertDetail(reply, 403, "Admin only");
    const after = await ok<Ticket>(await w.request("GET", `/api/v1/tickets/${t.id}`, { token: a }));
    assert.equal(after.status, "open");
  });
});

const unreadCount = async (w: TestWorld, token: string) =>
  (await ok<{ count: number }>(await w.request("GET", "/api/v1/notifications/unread-count", { token })))
    .count;

/** The admin's token, with Alice's "bug" ticket and Bob's ticket open. */
async function twoTickets(w: TestWorld, a: string, b: string) {
  const admin = (await signInAdmin(w)).access_token;
  const t = await ok<Ticket>(await openTicket(w, a, { category: "bug" }), 201);
  await ok(await openTicket(w, b), 201);
  return { admin, t };
}

const reply = (w: TestWorld, admin: string, id: string, json: Record<string, unknown>) =>
  w.request("POST", `/api/v1/admin/tickets/${id}/reply`, { token: admin, json });

/** As twoTickets, with the admin's reply to Alice's ticket and Alice's notification of it. */
async function repliedTicket(w: TestWorld, a: string, b: string) {
  const s = await twoTickets(w, a, b);
  await reply(w, s.admin, s.t.id, { message: "Fixed in the next release." });
  const list = await ok<PageOf<Notification>>(await w.request("GET", "/api/v1/notifications", { token: a }));
  return { ...s, n: list.items[0] };
}

Deno.test("GET /admin/tickets lists every user's tickets", async () => {
  await withUsers(async (w, a, b) => {
    const { admin } = await twoTickets(w, a, b);
    const all = await ok<PageOf<Ticket>>(await w.request("GET", "/api/v1/admin/tickets", { token: admin }));
    assert.equal(all.total, 2);
  });
});

Deno.test("admin reply answers the ticket with a support reply, as its owner sees", async () => {
  await withUsers(async (w, a, b) => {
    const { admin, t } = await twoTickets(w, a, b);
    const res = await reply(w, admin, t.id, { message: "Fixed in the next release." });
    const answered = await ok<Ticket>(res);
    assert.equal(answered.status, "answered");
    assert.deepEqual(answered.replies?.map((r) => r.author), ["support"]);
    const ownerView = await ok<Ticket>(await w.request("GET", `/api/v1/tickets/${t.id}`, { token: a }));
    assert.equal(ownerView.status, "answered");
  });
});

Deno.test("admin reply notifies the ticket's owner only, with a link to the ticket", async () => {
  await withUsers(async (w, a, b) => {
    const { admin, t } = await twoTickets(w, a, b);
    assert.equal(await unreadCount(w, a), 0);
    await reply(w, admin, t.id, { message: "Fixed in the next release." });
    assert.equal(await unreadCount(w, a), 1);
    assert.equal(await unreadCount(w, b), 0);
    const list = await ok<PageOf<Notification>>(
      await w.request("GET", "/api/v1/notifications", { token: a }),
    );
    const [n] = list.items;
    assert.equal(n.kind, "ticket_reply");
    assert.equal(n.link, `/api/v1/tickets/${t.id}`);
    assert.equal(n.read, false);
  });
});

Deno.test("PATCH /notifications/{id}/read: another user cannot mark my notification read", async () => {
  await withUsers(async (w, a, b) => {
    const { n } = await repliedTicket(w, a, b);
    await assertDetail(await w.request("PATCH", `/api/v1/notifications/${n.id}/read`, { token: b }), 404);
    assert.equal(await unreadCount(w, a), 1, "another user cannot mark it read");
  });
});

Deno.test("PATCH /notifications/{id}/read takes the unread count from 1 to 0", async () => {
  await withUsers(async (w, a, b) => {
    const { n } = await repliedTicket(w, a, b);
    const read = await ok<Notification>(
      await w.request("PATCH", `/api/v1/notifications/${n.id}/read`, { token: a }),
    );
    assert.equal(read.read, true);
    assert.equal(await unreadCount(w, a), 0);
  });
});

Deno.test("GET /admin/tickets?status=answered lists only the answered tickets", async () => {
  await withUsers(async (w, a, b) => {
    const { admin, t } = await repliedTicket(w, a, b);
    const answeredOnly = await ok<PageOf<Ticket>>(
      await w.request("GET", "/api/v1/admin/tickets?status=answered", { token: admin }),
    );
    assert.deepEqual(answeredOnly.items.map((x) => x.id), [t.id]);
  });
});

Deno.test("admin reply with a status closes the ticket", async () => {
  await withUsers(async (w, a) => {
    const admin = (await signInAdmin(w)).access_token;
    const t = await ok<Ticket>(await openTicket(w, a), 201);
    const res = await reply(w, admin, t.id, { message: "Closing", status: "closed" });
    assert.equal((await ok<Ticket>(res)).status, "closed");
  });
});

Deno.test("admin reply to an unknown ticket answers 404", async () => {
  await withUsers(async (w) => {
    const admin = (await signInAdmin(w)).access_token;
    const missing = await reply(w, admin, "tkt_nope", { message: "x" });
    await assertDetail(missing, 404, 'Ticket "tkt_nope" not found');
  });
});

Deno.test("POST /notifications/read-all marks all mine and GET ?unread_only=true filters", async () => {
  await withUsers(async (w, a) => {
    const admin = (await signInAdmin(w)).access_token;
    for (let i = 0; i < 3; i++) {
      const t = await ok<Ticket>(await openTicket(w, a, { subject: `t${i}` }), 201);
      await ok(
        await w.request("POST", `/api/v1/admin/tickets/${t.id}/reply`, {
          token: admin,
          json: { message: "ok" },
        }),
      );
      w.clock.advance(1000);
    }
    const all = await ok<PageOf<Notification>>(await w.request("GET", "/api/v1/notifications", { token: a }));
    assert.equal(all.total, 3);
    assert.match(all.items[0].title, /t2$/, "newest first");
    await ok(await w.request("PATCH", `/api/v1/notifications/${all.items[0].id}/read`, { token: a }));
    const unread = await ok<PageOf<Notification>>(
      await w.request("GET", "/api/v1/notifications?unread_only=true", { token: a }),
    );
    assert.equal(unread.total, 2);
    assert.ok(unread.items.every((n) => !n.read));
    const readAll = await ok<{ updated: number }>(
      await w.request("POST", "/api/v1/notifications/read-all", { token: a }),
    );
    assert.deepEqual(readAll, { updated: 2 });
    const after = await ok<PageOf<Notification>>(
      await w.request("GET", "/api/v1/notifications?unread_only=true", { token: a }),
    );
    assert.equal(after.total, 0);
    const explicitFalse = await ok<PageOf<Notification>>(
      await w.request("GET", "/api/v1/notifications?unread_only=false", { token: a }),
    );
    assert.equal(explicitFalse.total, 3);
  });
});

Deno.test("support routes answer 422 in the documented shape for bad input", async (t) => {
  await withUsers(async (w, a) => {
    const admin = (await signInAdmin(w)).access_token;
    const ticket = await ok<Ticket>(await openTicket(w, a), 201);
    await t.step("invalid category", async () => {
      const issues = await assert422(await openTicket(w, a, { category: "complaint" }), ["body", "category"]);
      assert.equal(issues[0].type, "invalid_value");
    });
    await t.step("unknown field", async () => {
      const issues = await assert422(await openTicket(w, a, { priority: "high" }), ["body", "priority"]);
      assert.equal(issues[0].type, "extra_forbidden");
    });
    await t.step("missing title (nor its earlier name subject)", async () => {
      const res = await w.request("POST", "/api/v1/tickets", { token: a, json: { message: "m" } });
      const issues = await assert422(res, ["body", "title"]);
      assert.equal(issues[0].type, "missing");
    });
    await t.step("both names of one field, saying different things", async () => {
      const res = await w.request("POST", "/api/v1/tickets", {
        token: a,
        json: { title: "one", subject: "two", description: "d" },
      });
      const issues = await assert422(res, ["body", "subject"]);
      assert.equal(issues[0].type, "value_error");
    });
    await t.step("blank subject and over-long message", async () => {
      await assert422(await openTicket(w, a, { subject: "   " }), ["body", "subject"]);
      await assert422(await openTicket(w, a, { message: "m".repeat(5001) }), ["body", "message"]);
      await assert422(await openTicket(w, a, { subject: "s".repeat(201) }), ["body", "subject"]);
    });
    await t.step("limit 201 and negative offset", async () => {
      await assert422(await w.request("GET", "/api/v1/tickets?limit=201", { token: a }), ["query", "limit"]);
      await assert422(await w.request("GET", "/api/v1/notifications?limit=201", { token: a }), [
        "query",
        "limit",
      ]);
      await assert422(await w.request("GET", "/api/v1/admin/tickets?limit=201", { token: admin }), [
        "query",
        "limit",
      ]);
      await assert422(await w.request("GET", "/api/v1/tickets?offset=-1", { token: a }), ["query", "offset"]);
    });
    await t.step("limit 200 is accepted", async () => {
      const page = await ok<PageOf<Ticket>>(
        await w.request("GET", "/api/v1/tickets?limit=200", { token: a }),
      );
      assert.equal(page.limit, 200);
    });
    await t.step("bad status and unread_only values", async () => {
      await assert422(await w.request("GET", "/api/v1/tickets?status=pending", { token: a }), [
        "query",
        "status",
      ]);
      await assert422(
        await w.request("GET", "/api/v1/notifications?unread_only=yes", { token: a }),
        ["query", "unread_only"],
      );
    });
    await t.step("admin reply with a bad status or an extra field", async () => {
      const path = `/api/v1/admin/tickets/${ticket.id}/reply`;
      await assert422(
        await w.request("POST", path, { token: admin, json: { message: "m", status: "done" } }),
        ["body", "status"],
      );
      const extra = await assert422(
        await w.request("POST", path, { token: admin, json: { message: "m", notify: false } }),
        ["body", "notify"],
      );
      assert.equal(extra[0].type, "extra_forbidden");
    });
    await t.step("owner reply with an empty message", async () => {
      const res = await w.request("POST", `/api/v1/tickets/${ticket.id}/replies`, {
        token: a,
        json: { message: "" },
      });
      await assert422(res, ["body", "message"]);
    });
    const unchanged = await ok<Ticket>(await w.request("GET", `/api/v1/tickets/${ticket.id}`, { token: a }));
    assert.equal(unchanged.reply_count, 0);
  });
});

Deno.test("support routes appear in /openapi.json with their schemas", async () => {
  const w = await openTestWorld();
  try {
    const doc = await ok<{ paths: Record<string, Record<string, unknown>> }>(
      await w.request("GET", "/openapi.json"),
    );
    const expected: [string, string][] = [
      ["/api/v1/tickets", "post"],
      ["/api/v1/tickets", "get"],
      ["/api/v1/tickets/{ticket_id}", "get"],
      ["/api/v1/tickets/{ticket_id}/replies", "post"],
      ["/api/v1/notifications", "get"],
      ["/api/v1/notifications/unread-count", "get"],
      ["/api/v1/notifications/{notification_id}/read", "patch"],
      ["/api/v1/notifications/read-all", "post"],
      ["/api/v1/admin/tickets", "get"],
      ["/api/v1/admin/tickets/{ticket_id}", "get"],
      ["/api/v1/admin/tickets/{ticket_id}/reply", "post"],
    ];
    for (const [path, method] of expected) assert.ok(doc.paths[path]?.[method], `${method} ${path}`);
  } finally {
    await w.close();
  }
});

Deno.test("tickets: title/description are the documented names, subject/message their aliases; admin_reply and resolved_at follow support", async () => {
  await withUsers(async (w, a) => {
    const both = await ok<Ticket & Record<string, unknown>>(
      await w.request("POST", "/api/v1/tickets", {
        token: a,
        json: { title: "Same", subject: "Same", description: "d", category: "feature" },
      }),
      201,
    );
    assert.deepEqual([both.title, both.subject, both.description, both.message], ["Same", "Same", "d", "d"]);
    const old = await ok<Ticket & Record<string, unknown>>(await openTicket(w, a), 201);
    assert.deepEqual([old.title, old.description], ["Backtest stuck", "It stays at 40%."]);
    assert.deepEqual([old.admin_reply, old.resolved_at], [null, null]);

    const admin = (await signInAdmin(w)).access_token;
    const answer = (message: string, status?: string) =>
      w.request("POST", `/api/v1/admin/tickets/${old.id}/reply`, {
        token: admin,
        json: status ? { message, status } : { message },
      });
    w.clock.advance(60_000);
    const answered = await ok<Record<string, unknown>>(await answer("Requeued it."));
    assert.deepEqual([answered.status, answered.admin_reply, answered.resolved_at], [
      "answered",
      "Requeued it.",
      null,
    ]);
    // The owner's follow-up reopens it; admin_reply stays the latest support text.
    w.clock.advance(60_000);
    await ok(
      await w.request("POST", `/api/v1/tickets/${old.id}/replies`, {
        token: a,
        json: { message: "Still stuck" },
      }),
      201,
    );
    const mine = await ok<Record<string, unknown>>(
      await w.request("GET", `/api/v1/tickets/${old.id}`, { token: a }),
    );
    assert.deepEqual([mine.status, mine.admin_reply, mine.resolved_at], ["open", "Requeued it.", null]);
    w.clock.advance(60_000);
    const closedAt = new Date(w.clock.now()).toISOString();
    await ok(await answer("Fixed for good.", "closed"));
    const list = await ok<PageOf<Record<string, unknown>>>(
      await w.request("GET", "/api/v1/tickets?status=closed", { token: a }),
    );
    assert.equal(list.items.length, 1);
    assert.deepEqual([list.items[0].admin_reply, list.items[0].resolved_at], ["Fixed for good.", closedAt]);
    const adminList = await ok<PageOf<Record<string, unknown>>>(
      await w.request("GET", "/api/v1/admin/tickets?status=closed", { token: admin }),
    );
    assert.deepEqual(adminList.items.map((t) => t.title), ["Backtest stuck"]);
    const adminOne = await ok<Record<string, unknown>>(
      await w.request("GET", `/api/v1/admin/tickets/${old.id}`, { token: admin }),
    );
    assert.equal(adminOne.admin_reply, "Fixed for good.");
  });
});

Deno.test("tickets stored before admin_reply was kept take it from their replies", async () => {
  await withUsers(async (w, a) => {
    const t = await ok<Ticket>(await openTicket(w, a), 201);
    const admin = (await signInAdmin(w)).access_token;
    await ok(
      await w.request("POST", `/api/v1/admin/tickets/${t.id}/reply`, {
        token: admin,
        json: { message: "Old answer" },
      }),
    );
    // Rewrite the stored record as an earlier version stored it: without admin_reply.
    const entry = await w.deps.support.tickets.get(t.id);
    const { admin_reply: _dropped, ...legacy } = entry!.record;
    await w.kv.set(["tickets", t.id], legacy);
    const list = await ok<PageOf<Record<string, unknown>>>(
      await w.request("GET", "/api/v1/tickets", { token: a }),
    );
    assert.equal(list.items[0].admin_reply, "Old answer");
    const one = await ok<Record<string, unknown>>(
      await w.request("GET", `/api/v1/tickets/${t.id}`, { token: a }),
    );
    assert.equal(one.admin_reply, "Old answer");
  });
});
