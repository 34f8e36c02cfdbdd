/** In-app notifications: `notifyUser` for every area, and the reader's list, unread count and read marks. */
import { iso, isoOrNull } from "../iso_time.ts";
import type { Clock } from "../clock.ts";
import { newId } from "../tokens_and_hashes.ts";
import { NotFoundError, ValidationError } from "../errors.ts";
import type { Page, PageRequest } from "../store/kv.ts";
import type { NotificationRecord, NotificationRepo } from "../store/notification_repo.ts";

/** Each user keeps at most this many notifications; older ones are deleted as new ones arrive. */
export const MAX_NOTIFICATIONS_PER_USER = 500;
/** Longest title kept (characters); longer titles are cut with an ellipsis. */
export const MAX_NOTIFICATION_TITLE_CHARS = 200;
/** Longest body kept (characters); longer bodies are cut with an ellipsis. */
export const MAX_NOTIFICATION_BODY_CHARS = 2000;
/** Longest link accepted (characters). */
const MAX_NOTIFICATION_LINK_CHARS = 500;

const KIND_PATTERN = /^[a-z][a-z0-9_.-]{0,49}$/;

/** What notification services need. */
export interface NotificationDeps {
  notifications: NotificationRepo;
  clock: Clock;
}

/** What another area says when it notifies a user. */
export interface NotifyInput {
  /** A stable machine-readable kind, e.g. `ticket_reply`, `signal_missed` (lower-case, digits, `_`, `.`, `-`). */
  kind: string;
  title: string;
  body: string;
  /** Where the user can see more (an adapter's address for it, e.g. the ticket's API path). */
  link?: string | null;
}

/** A notification as the API shows it. */
export interface NotificationView {
  id: string;
  kind: string;
  title: string;
  body: string;
  link: string | null;
  read: boolean;
  read_at: string | null;
  created_at: string;
}

/** Converts a stored notification to its API view. */
function toNotificationView(r: NotificationRecord): NotificationView {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    body: r.body,
    link: r.link,
    read: r.read_at !== null,
    read_at: isoOrNull(r.read_at),
    created_at: iso(r.created_at),
  };
}

/** Cuts `text` to at most `max` characters (code points), ending with `…` when cut. */
function truncateText(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : chars.slice(0, max - 1).join("") + "…";
}

/**
 * Stores an unread notification for `userId` and trims the user's oldest beyond `MAX_NOTIFICATIONS_PER_USER`.
 * Long titles and bodies are truncated; an invalid `kind`, an empty title or an over-long link is a
 * `ValidationError`.
 */
export async function notifyUser(
  deps: NotificationDeps,
  userId: string,
  input: NotifyInput,
): Promise<NotificationView> {
  if (!KIND_PATTERN.test(input.kind)) {
    throw new ValidationError(`Invalid notification kind "${input.kind}"`, ["kind"]);
  }
  const title = input.title.trim();
  if (title === "") throw new ValidationError("Notification title must not be empty", ["title"]);
  const link = input.link?.trim() || null;
  if (link !== null && link.length > MAX_NOTIFICATION_LINK_CHARS) {
    throw new ValidationError(`Notification link is longer than ${MAX_NOTIFICATION_LINK_CHARS} characters`, [
      "link",
    ]);
  }
  const now = deps.clock.now();
  const record: NotificationRecord = {
    id: newId("ntf", now),
    user_id: userId,
    kind: input.kind,
    title: truncateText(title, MAX_NOTIFICATION_TITLE_CHARS),
    body: truncateText(input.body.trim(), MAX_NOTIFICATION_BODY_CHARS),
    link,
    created_at: now,
    read_at: null,
  };
  await deps.notifications.create(record, MAX_NOTIFICATIONS_PER_USER);
  return toNotificationView(record);
}

/** The user's notifications, newest first; only unread ones when `unreadOnly`. */
export async function listNotifications(
  deps: NotificationDeps,
  userId: string,
  page: PageRequest,
  opts: { unreadOnly?: boolean } = {},
): Promise<Page<NotificationView>> {
  const result = await deps.notifications.list(userId, page, opts);
  return { ...result, items: result.items.map(toNotificationView) };
}

/**
 * How many of the user's notifications are unread, as `unread_count` (the QuantGPT document's name) and as
 * `count` (this API's earlier name).
 */
export async function countUnreadNotifications(
  deps: NotificationDeps,
  userId: string,
): Promise<{ unread_count: number; count: number }> {
  const n = await deps.notifications.countUnread(userId);
  return { unread_count: n, count: n };
}

/** Marks one of the user's notifications read; someone else's (or an unknown id) is `NotFoundError`. */
export async function markNotificationRead(
  deps: NotificationDeps,
  userId: string,
  id: string,
): Promise<NotificationView> {
  const record = await deps.notifications.markRead(userId, id, deps.clock.now());
  if (!record) throw new NotFoundError(`Notification "${id}" not found`);
  return toNotificationView(record);
}

/** Marks all of the user's notifications read; returns how many were unread. */
export async function markAllNotificationsRead(
  deps: NotificationDeps,
  userId: string,
): Promise<{ updated: number }> {
  return { updated: await deps.notifications.markAllRead(userId, deps.clock.now()) };
}
