import assert from "node:assert/strict";
import { BadRequestError, ForbiddenError, NotFoundError } from "../../../domain/errors.ts";
import { countUnreadNotifications, listNotifications } from "../../../domain/support/notifications.ts";
import {
  answerTicket,
  createTicket,
  getMyTicket,
  getTicket,
  listAllTickets,
  listMyTickets,
  MAX_OPEN_TICKETS_WHEN_DISABLED,
  MAX_TICKET_REPLIES,
  replyToMyTicket,
} from "../../../domain/support/tickets.ts";
import { openSupportWorld, START } from "./support_world.ts";

const page = { limit: 50, offset: 0 };
const input = { title: "  Backtest stuck ", description: " It stays at 40%. ", category: "bug" as const };

Deno.test("createTicket() opens a ticket that getMyTicket() returns with no replies", async () => {
  const { kv, deps } = await openSupportWorld();
  try {
    const created = await createTicket(deps, "usr_a", input);
    assert.match(created.id, /^tkt_/);
    assert.deepEqual(created, {
      id: created.id,
      user_id: "usr_a",
      title: "Backtest stuck",
      description: "It stays at 40%.",
      subject: "Backtest stuck",
      message: "It stays at 40%.",
      category: "bug",
      status: "open",
      admin_reply: null,
      resolved_at: null,
      reply_count: 0,
      created_at: new Date(START).toISOString(),
      updated_at: new Date(START).toISOString(),
      replies: [],
    });
    assert.deepEqual(await getMyTicket(deps, "usr_a", created.id), created);
  } finally {
    kv.close();
  }
});

Deno.test("getMyTicket() reports another user's ticket as not found", async () => {
  const { kv, deps } = await openSupportWorld();
  try {
    const t = await createTicket(deps, "usr_a", input);
    await assert.rejects(getMyTicket(deps, "usr_b", t.id), (e: Error) => {
      assert.ok(e instanceof NotFoundError);
      assert.equal(e.message, `Ticket "${t.id}" not found`);
      return true;
    });
    await assert.rejects(getMyTicket(deps, "usr_a", "tkt_missing"), NotFoundError);
  } finally {
    kv.close();
  }
});

Deno.test("listMyTickets() lists only the caller's tickets, newest first, by status and page", async () => {
  const { kv, clock, deps } = await openSupportWorld();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      ids.push((await createTicket(deps, "usr_a", { ...input, title: `t${i}` })).id);
      clock.advance(1000);
    }
    await createTicket(deps, "usr_b", input);
    await answerTicket(deps, "usr_admin", ids[1], { message: "done" });
    const mine = await listMyTickets(deps, "usr_a", page);
    assert.equal(mine.total, 4);
    assert.deepEqual(mine.items.map((t) => t.subject), ["t3", "t2", "t1", "t0"]);
    const answered = await listMyTickets(deps, "usr_a", page, "answered");
    assert.deepEqual(answered.items.map((t) => t.id), [ids[1]]);
    assert.equal(answered.total, 1);
    const second = await listMyTickets(deps, "usr_a", { limit: 2, offset: 2 }, "open");
    assert.deepEqual(second.items.map((t) => t.subject), ["t0"]);
    assert.equal(second.total, 3);
  } finally {
    kv.close();
  }
});

Deno.test("answerTicket() marks the ticket answered and notifies its owner", async () => {
  const { kv, clock, deps } = await openSupportWorld();
  try {
    const t = await createTicket(deps, "usr_a", input);
    clock.advance(60_000);
    const answered = await answerTicket(deps, "usr_admin", t.id, {
      message: "  Requeued it. ",
      link: `/api/v1/tickets/${t.id}`,
    });
    assert.equal(answered.status, "answered");
    assert.equal(answered.reply_count, 1);
    assert.equal(answered.updated_at, new Date(START + 60_000).toISOString());
    assert.deepEqual(answered.replies.map((r) => [r.author, r.message]), [["support", "Requeued it."]]);
    assert.deepEqual(await countUnreadNotifications(deps, "usr_a"), { unread_count: 1, count: 1 });
    const [n] = (await listNotifications(deps, "usr_a", page)).items;
    assert.equal(n.kind, "ticket_reply");
    assert.equal(n.title, "Support replied to your ticket: Backtest stuck");
    assert.equal(n.body, "Requeued it.");
    assert.equal(n.link, `/api/v1/tickets/${t.id}`);
    assert.deepEqual(await countUnreadNotifications(deps, "usr_admin"), { unread_count: 0, count: 0 });
  } finally {
    kv.close();
  }
});

Deno.test("answerTicket() links the notification only where the answering adapter says", async () => {
  const { kv, clock, deps } = await openSupportWorld();
  try {
    const t = await createTicket(deps, "usr_a", input);
    await answerTicket(deps, "usr_admin", t.id, { message: "first" });
    clock.advance(1000);
    await answerTicket(deps, "usr_admin", t.id, { message: "second", link: "mcp://tickets/" + t.id });
    const links = (await listNotifications(deps, "usr_a", page)).items.map((n) => [n.body, n.link]);
    assert.deepEqual(links, [["second", "mcp://tickets/" + t.id], ["first", null]]);
  } finally {
    kv.close();
  }
});

Deno.test("answerTicket() sets the given status and fails for an unknown ticket", async () => {
  const { kv, deps } = await openSupportWorld();
  try {
    const t = await createTicket(deps, "usr_a", input);
    assert.equal(
      (await answerTicket(deps, "usr_admin", t.id, { message: "bye", status: "closed" })).status,
      "closed",
    );
    await assert.rejects(answerTicket(deps, "usr_admin", "tkt_missing", { message: "x" }), NotFoundError);
    assert.deepEqual(await countUnreadNotifications(deps, "usr_a"), { unread_count: 1, count: 1 });
  } finally {
    kv.close();
  }
});

Deno.test("replyToMyTicket() appends the owner's message in order and reopens the ticket", async () => {
  const { kv, clock, deps } = await openSupportWorld();
  try {
    const t = await createTicket(deps, "usr_a", input);
    clock.advance(1000);
    await answerTicket(deps, "usr_admin", t.id, { message: "Closing", status: "closed" });
    clock.advance(1000);
    const reopened = await replyToMyTicket(deps, "usr_a", t.id, "Still broken");
    assert.equal(reopened.status, "open");
    assert.deepEqual(reopened.replies.map((r) => [r.author, r.message]), [
      ["support", "Closing"],
      ["user", "Still broken"],
    ]);
    assert.deepEqual(await getMyTicket(deps, "usr_a", t.id), reopened);
  } finally {
    kv.close();
  }
});

Deno.test("replyToMyTicket() refuses another user's ticket as not found and leaves it unchanged", async () => {
  const { kv, deps } = await openSupportWorld();
  try {
    const t = await createTicket(deps, "usr_a", input);
    await assert.rejects(replyToMyTicket(deps, "usr_b", t.id, "hi"), NotFoundError);
    assert.equal((await getTicket(deps, t.id)).reply_count, 0);
  } finally {
    kv.close();
  }
});

Deno.test("replyToMyTicket() keeps every reply when replies race", async () => {
  const { kv, deps } = await openSupportWorld();
  try {
    const t = await createTicket(deps, "usr_a", input);
    await Promise.all(Array.from({ length: 12 }, (_, i) => replyToMyTicket(deps, "usr_a", t.id, `m${i}`)));
    const after = await getTicket(deps, t.id);
    assert.equal(after.reply_count, 12);
    assert.equal(after.replies.length, 12);
    assert.deepEqual(
      after.replies.map((r) => r.message).sort(),
      Array.from({ length: 12 }, (_, i) => `m${i}`).sort(),
    );
  } finally {
    kv.close();
  }
});

Deno.test("replyToMyTicket() refuses a reply beyond MAX_TICKET_REPLIES", async () => {
  const { kv, deps } = await openSupportWorld();
  try {
    const t = await createTicket(deps, "usr_a", input);
    for (let i = 0; i < MAX_TICKET_REPLIES; i++) await replyToMyTicket(deps, "usr_a", t.id, `m${i}`);
    await assert.rejects(replyToMyTicket(deps, "usr_a", t.id, "one more"), BadRequestError);
    assert.equal((await getTicket(deps, t.id)).replies.length, MAX_TICKET_REPLIES);
  } finally {
    kv.close();
  }
});

Deno.test("listAllTickets() lists every user's tickets newest first, filtered by status", async () => {
  const { kv, clock, deps } = await openSupportWorld();
  try {
    const a = await createTicket(deps, "usr_a", { ...input, title: "a" });
    clock.advance(1000);
    await createTicket(deps, "usr_b", { ...input, title: "b" });
    await answerTicket(deps, "usr_admin", a.id, { message: "ok" });
    const all = await listAllTickets(deps, page);
    assert.deepEqual(all.items.map((t) => [t.subject, t.user_id]), [["b", "usr_b"], ["a", "usr_a"]]);
    assert.deepEqual((await listAllTickets(deps, page, "open")).items.map((t) => t.subject), ["b"]);
  } finally {
    kv.close();
  }
});

Deno.test("createTicket() lets a disabled account hold at most 3 tickets that are not closed", async () => {
  const { kv, deps } = await openSupportWorld();
  try {
    const disabled = { accountDisabled: true };
    const ids: string[] = [];
    for (let i = 0; i < MAX_OPEN_TICKETS_WHEN_DISABLED; i++) {
      ids.push((await createTicket(deps, "usr_off", { ...input, title: `t${i}` }, disabled)).id);
    }
    await assert.rejects(createTicket(deps, "usr_off", input, disabled), ForbiddenError);
    // An answered ticket still counts; a closed one does not.
    await answerTicket(deps, "usr_admin", ids[0], { message: "looking" });
    await assert.rejects(createTicket(deps, "usr_off", input, disabled), ForbiddenError);
    await answerTicket(deps, "usr_admin", ids[1], { message: "re-enabled", status: "closed" });
    assert.equal((await createTicket(deps, "usr_off", input, disabled)).status, "open");
    // An enabled account has no such cap.
    for (let i = 0; i < 5; i++) await createTicket(deps, "usr_on", input);
  } finally {
    kv.close();
  }
});
