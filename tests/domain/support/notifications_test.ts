import assert from "node:assert/strict";
import { NotFoundError, ValidationError } from "../../../domain/errors.ts";
import {
  countUnreadNotifications,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  MAX_NOTIFICATION_BODY_CHARS,
  MAX_NOTIFICATION_TITLE_CHARS,
  MAX_NOTIFICATIONS_PER_USER,
  notifyUser,
} from "../../../domain/support/notifications.ts";
import { openSupportWorld, START } from "./support_world.ts";

const page = { limit: 50, offset: 0 };

Deno.test("notifyUser() stores an unread notification that listNotifications() returns newest first", async () => {
  const { kv, clock, deps } = await openSupportWorld();
  try {
    const first = await notifyUser(deps, "usr_a", { kind: "ticket_reply", title: "First", body: "one" });
    clock.advance(1000);
    await notifyUser(deps, "usr_a", { kind: "signal.missed", title: "Second", body: "two", link: "/x" });
    assert.deepEqual(first, {
      id: first.id,
      kind: "ticket_reply",
      title: "First",
      body: "one",
      link: null,
      read: false,
      read_at: null,
      created_at: new Date(START).toISOString(),
    });
    const listed = await listNotifications(deps, "usr_a", page);
    assert.equal(listed.total, 2);
    assert.deepEqual(listed.items.map((n) => n.title), ["Second", "First"]);
    assert.equal(listed.items[0].link, "/x");
    assert.deepEqual(await countUnreadNotifications(deps, "usr_a"), { unread_count: 2, count: 2 });
    assert.equal((await listNotifications(deps, "usr_b", page)).total, 0);
  } finally {
    kv.close();
  }
});

Deno.test("notifyUser() truncates an over-long title and body with an ellipsis", async () => {
  const { kv, deps } = await openSupportWorld();
  try {
    const n = await notifyUser(deps, "usr_a", { kind: "x", title: "t".repeat(500), body: "b".repeat(5000) });
    assert.equal(Array.from(n.title).length, MAX_NOTIFICATION_TITLE_CHARS);
    assert.ok(n.title.endsWith("…"));
    assert.equal(Array.from(n.body).length, MAX_NOTIFICATION_BODY_CHARS);
    assert.ok(n.body.endsWith("…"));
  } finally {
    kv.close();
  }
});

Deno.test("notifyUser() rejects an invalid kind, an empty title and an over-long link", async () => {
  const { kv, deps } = await openSupportWorld();
  try {
    await assert.rejects(notifyUser(deps, "u", { kind: "Bad Kind", title: "t", body: "" }), ValidationError);
    await assert.rejects(notifyUser(deps, "u", { kind: "ok", title: "   ", body: "" }), ValidationError);
    await assert.rejects(
      notifyUser(deps, "u", { kind: "ok", title: "t", body: "", link: "/" + "l".repeat(600) }),
      ValidationError,
    );
    assert.deepEqual(await countUnreadNotifications(deps, "u"), { unread_count: 0, count: 0 });
  } finally {
    kv.close();
  }
});

Deno.test("notifyUser() keeps only the newest MAX_NOTIFICATIONS_PER_USER per user", async () => {
  const { kv, clock, deps } = await openSupportWorld();
  try {
    const extra = 7;
    for (let i = 0; i < MAX_NOTIFICATIONS_PER_USER + extra; i++) {
      await notifyUser(deps, "usr_a", { kind: "bulk", title: `n${i}`, body: "" });
      clock.advance(1);
    }
    await notifyUser(deps, "usr_b", { kind: "bulk", title: "other", body: "" });
    const all = await listNotifications(deps, "usr_a", {
      limit: 200,
      offset: MAX_NOTIFICATIONS_PER_USER - 1,
    });
    assert.equal(all.total, MAX_NOTIFICATIONS_PER_USER);
    assert.equal(all.items.length, 1);
    assert.equal(all.items[0].title, `n${extra}`, "the oldest kept is the one after the trimmed ones");
    assert.deepEqual(await countUnreadNotifications(deps, "usr_a"), {
      unread_count: MAX_NOTIFICATIONS_PER_USER,
      count: MAX_NOTIFICATIONS_PER_USER,
    });
    assert.equal((await listNotifications(deps, "usr_b", page)).total, 1);
  } finally {
    kv.close();
  }
});

Deno.test("markNotificationRead() marks once, keeps the first read time, and hides other users' notifications", async () => {
  const { kv, clock, deps } = await openSupportWorld();
  try {
    const n = await notifyUser(deps, "usr_a", { kind: "k", title: "t", body: "b" });
    clock.advance(5000);
    const read = await markNotificationRead(deps, "usr_a", n.id);
    assert.equal(read.read, true);
    assert.equal(read.read_at, new Date(START + 5000).toISOString());
    clock.advance(5000);
    assert.equal(
      (await markNotificationRead(deps, "usr_a", n.id)).read_at,
      new Date(START + 5000).toISOString(),
    );
    assert.deepEqual(await countUnreadNotifications(deps, "usr_a"), { unread_count: 0, count: 0 });
    await assert.rejects(markNotificationRead(deps, "usr_b", n.id), NotFoundError);
    await assert.rejects(markNotificationRead(deps, "usr_a", "ntf_missing"), NotFoundError);
  } finally {
    kv.close();
  }
});

Deno.test("listNotifications() with unreadOnly returns only unread ones, newest first, and pages", async () => {
  const { kv, clock, deps } = await openSupportWorld();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await notifyUser(deps, "usr_a", { kind: "k", title: `n${i}`, body: "" })).id);
      clock.advance(10);
    }
    await markNotificationRead(deps, "usr_a", ids[3]);
    const unread = await listNotifications(deps, "usr_a", page, { unreadOnly: true });
    assert.equal(unread.total, 4);
    assert.deepEqual(unread.items.map((n) => n.title), ["n4", "n2", "n1", "n0"]);
    const second = await listNotifications(deps, "usr_a", { limit: 2, offset: 2 }, { unreadOnly: true });
    assert.deepEqual(second.items.map((n) => n.title), ["n1", "n0"]);
    assert.equal(second.total, 4);
    assert.equal((await listNotifications(deps, "usr_a", page)).total, 5);
  } finally {
    kv.close();
  }
});

Deno.test("markAllNotificationsRead() marks every unread notification of the caller only", async () => {
  const { kv, clock, deps } = await openSupportWorld();
  try {
    for (let i = 0; i < 120; i++) await notifyUser(deps, "usr_a", { kind: "k", title: `n${i}`, body: "" });
    const first = (await listNotifications(deps, "usr_a", { limit: 1, offset: 0 })).items[0];
    await markNotificationRead(deps, "usr_a", first.id);
    await notifyUser(deps, "usr_b", { kind: "k", title: "b", body: "" });
    clock.advance(60_000);
    assert.deepEqual(await markAllNotificationsRead(deps, "usr_a"), { updated: 119 });
    assert.deepEqual(await countUnreadNotifications(deps, "usr_a"), { unread_count: 0, count: 0 });
    assert.deepEqual(await countUnreadNotifications(deps, "usr_b"), { unread_count: 1, count: 1 });
    const all = await listNotifications(deps, "usr_a", { limit: 200, offset: 0 });
    assert.ok(all.items.every((n) => n.read));
    assert.equal(all.items.filter((n) => n.read_at === new Date(START + 60_000).toISOString()).length, 119);
    assert.deepEqual(await markAllNotificationsRead(deps, "usr_a"), { updated: 0 });
  } finally {
    kv.close();
  }
});
