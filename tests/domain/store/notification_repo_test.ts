import assert from "node:assert/strict";
import { keys } from "../../../domain/store/keys.ts";
import { createNotificationRepo, type NotificationRecord } from "../../../domain/store/notification_repo.ts";

const record = (userId: string, n: number): NotificationRecord => ({
  id: `ntf_${String(n).padStart(4, "0")}`,
  user_id: userId,
  kind: "k",
  title: `n${n}`,
  body: "",
  link: null,
  created_at: n,
  read_at: null,
});

Deno.test("NotificationRepo.create() trims to the bound exactly when creates race", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createNotificationRepo(kv);
    await Promise.all(Array.from({ length: 40 }, (_, i) => repo.create(record("usr_a", i), 5)));
    const page = await repo.list("usr_a", { limit: 50, offset: 0 });
    assert.equal(page.total, 5);
    assert.equal(await repo.countUnread("usr_a"), 5);
    assert.equal((await kv.get<Deno.KvU64>(keys.notificationCount("usr_a"))).value?.value, 5n);
    const unreadIds = (await repo.list("usr_a", { limit: 50, offset: 0 }, { unreadOnly: true })).items.map((
      r,
    ) => r.id);
    assert.deepEqual(unreadIds, page.items.map((r) => r.id), "the unread index follows the trimmed records");
  } finally {
    kv.close();
  }
});

Deno.test("NotificationRepo.create() trims the oldest, including read ones, and keeps the counter exact", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createNotificationRepo(kv);
    for (let i = 0; i < 3; i++) await repo.create(record("usr_a", i), 3);
    await repo.markRead("usr_a", "ntf_0000", 99);
    await repo.create(record("usr_a", 3), 3);
    const page = await repo.list("usr_a", { limit: 50, offset: 0 });
    assert.deepEqual(page.items.map((r) => r.id), ["ntf_0003", "ntf_0002", "ntf_0001"]);
    assert.equal(await repo.countUnread("usr_a"), 3);
    assert.equal((await kv.get<Deno.KvU64>(keys.notificationCount("usr_a"))).value?.value, 3n);
  } finally {
    kv.close();
  }
});

Deno.test("NotificationRepo.markAllRead() counts each notification once when two calls race", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createNotificationRepo(kv);
    for (let i = 0; i < 60; i++) await repo.create(record("usr_a", i), 500);
    const [a, b] = await Promise.all([repo.markAllRead("usr_a", 1), repo.markAllRead("usr_a", 2)]);
    assert.equal(a + b, 60);
    assert.equal(await repo.countUnread("usr_a"), 0);
  } finally {
    kv.close();
  }
});
