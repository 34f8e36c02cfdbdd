/**
 * Per-user notifications with an unread index and an exact per-user counter, so the oldest can be trimmed once a
 * user holds more than a bound.
 */
import { ConflictError } from "../errors.ts";
import { keys } from "./keys.ts";
import { countKeys, type Page, pageIndex, pageRecords, type PageRequest, withRetry } from "./kv.ts";

/** A stored notification. */
export interface NotificationRecord {
  id: string;
  user_id: string;
  /** What it is about, e.g. `ticket_reply` (lower-case letters, digits, `_`, `.`, `-`). */
  kind: string;
  title: string;
  body: string;
  link: string | null;
  created_at: number;
  read_at: number | null;
}

/** Persistence of notifications. */
export interface NotificationRepo {
  /**
   * Inserts a notification (unread unless `read_at` is set), then deletes the user's oldest ones beyond
   * `maxPerUser`; `ConflictError` when the id exists.
   */
  create(record: NotificationRecord, maxPerUser: number): Promise<void>;
  /** One of the user's notifications; `null` when absent (including when it belongs to someone else). */
  get(userId: string, id: string): Promise<NotificationRecord | null>;
  /** The user's notifications, newest first; only unread ones when `unreadOnly`. */
  list(userId: string, page: PageRequest, opts?: { unreadOnly?: boolean }): Promise<Page<NotificationRecord>>;
  /** How many of the user's notifications are unread. */
  countUnread(userId: string): Promise<number>;
  /** Marks one notification read at `nowMs` (already-read ones keep their time); `null` when absent. */
  markRead(userId: string, id: string, nowMs: number): Promise<NotificationRecord | null>;
  /** Marks every unread notification of the user read at `nowMs`; returns how many changed. */
  markAllRead(userId: string, nowMs: number): Promise<number>;
}

/** Notifications deleted or marked per atomic commit (each needs one check). */
const BATCH = 50;
/** Adding this to a `Deno.KvU64` subtracts `n`: `sum` wraps modulo 2^64. */
const minus = (n: number) => (1n << 64n) - BigInt(n);

/** Creates the KV-backed notification repository. */
export function createNotificationRepo(kv: Deno.Kv): NotificationRepo {
  /** Deletes the oldest notifications beyond `max`, each checked so concurrent trims never double-count. */
  async function trim(userId: string, max: number): Promise<void> {
    for (let round = 0; round < 50; round++) {
      // The counter's versionstamp is checked in the commit: a trim that read a count another trim has since
      // changed must not delete the survivors that other trim left.
      const counter = await kv.get<Deno.KvU64>(keys.notificationCount(userId));
      const excess = (counter.value ? Number(counter.value.value) : 0) - max;
      if (excess <= 0) return;
      const oldest: Deno.KvEntry<NotificationRecord>[] = [];
      const iter = kv.list<NotificationRecord>({ prefix: keys.notificationsByUser(userId) }, {
        limit: Math.min(excess, BATCH),
      });
      for await (const entry of iter) oldest.push(entry);
      if (oldest.length === 0) return;
      let op = kv.atomic().check(counter);
      for (const entry of oldest) {
        op = op.check(entry).delete(entry.key).delete(keys.unreadNotification(userId, entry.value.id));
      }
      // A failed commit means another writer changed one of them: read the count again and retry.
      await op.sum(keys.notificationCount(userId), minus(oldest.length)).commit();
    }
  }

  return {
    async create(record, maxPerUser) {
      let op = kv.atomic()
        .check({ key: keys.notification(record.user_id, record.id), versionstamp: null })
        .set(keys.notification(record.user_id, record.id), record)
        .sum(keys.notificationCount(record.user_id), 1n);
      if (record.read_at === null) op = op.set(keys.unreadNotification(record.user_id, record.id), record.id);
      const res = await op.commit();
      if (!res.ok) throw new ConflictError(`Cannot create notification "${record.id}": it already exists`);
      await trim(record.user_id, maxPerUser);
    },
    async get(userId, id) {
      return (await kv.get<NotificationRecord>(keys.notification(userId, id))).value;
    },
    list(userId, page, opts = {}) {
      if (opts.unreadOnly) {
        return pageIndex<NotificationRecord>(
          kv,
          keys.unreadNotificationsByUser(userId),
          (id) => keys.notification(userId, id),
          page,
        );
      }
      return pageRecords<NotificationRecord>(kv, keys.notificationsByUser(userId), page);
    },
    countUnread: (userId) => countKeys(kv, keys.unreadNotificationsByUser(userId)),
    markRead(userId, id, nowMs) {
      return withRetry<NotificationRecord | null>(`mark notification "${id}" read`, async () => {
        const entry = await kv.get<NotificationRecord>(keys.notification(userId, id));
        if (!entry.value) return { committed: true, value: null };
        if (entry.value.read_at !== null) return { committed: true, value: entry.value };
        const next = { ...entry.value, read_at: nowMs };
        const res = await kv.atomic().check(entry)
          .set(entry.key, next)
          .delete(keys.unreadNotification(userId, id))
          .commit();
        return res.ok ? { committed: true, value: next } : { committed: false };
      });
    },
    async markAllRead(userId, nowMs) {
      let updated = 0;
      for (let round = 0; round < 1000; round++) {
        const ids: string[] = [];
        const iter = kv.list<string>({ prefix: keys.unreadNotificationsByUser(userId) }, { limit: BATCH });
        for await (const entry of iter) ids.push(entry.value);
        if (ids.length === 0) return updated;
        const entries: Deno.KvEntryMaybe<NotificationRecord>[] = [];
        for (let i = 0; i < ids.length; i += 10) {
          entries.push(
            ...await kv.getMany<NotificationRecord[]>(
              ids.slice(i, i + 10).map((id) => keys.notification(userId, id)),
            ),
          );
        }
        let op = kv.atomic();
        let changed = 0;
        entries.forEach((entry, i) => {
          op = op.check(entry).delete(keys.unreadNotification(userId, ids[i]));
          if (entry.value && entry.value.read_at === null) {
            op = op.set(entry.key, { ...entry.value, read_at: nowMs });
            changed++;
          }
        });
        // On a lost race nothing was written; the next round lists what is still unread.
        if ((await op.commit()).ok) updated += changed;
      }
      throw new ConflictError("Cannot mark notifications read: too many concurrent changes, try again");
    },
  };
}
