/**
 * Support tools: my tickets and notifications, the same operations as `/api/v1/tickets*` and
 * `/api/v1/notifications*`. Opening and reading my tickets stays open to a disabled account (`allowDisabled`,
 * as the HTTP routes allow: it is how such an account reaches support); every other tool refuses it. Opening a
 * ticket or replying is not idempotent (the document's table: confirm with list_tickets / get_ticket); marking
 * read is.
 */
import { z } from "zod";
import {
  countUnreadNotifications,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
} from "../../domain/support/notifications.ts";
import { createTicket, getMyTicket, listMyTickets, replyToMyTicket } from "../../domain/support/tickets.ts";
import {
  CreateTicketBody,
  NotificationIdParam,
  TicketIdParam,
  TicketListQuery,
  TicketReplyBody,
} from "../../routes/schemas/support.ts";
import { defineTool, READ_ONLY, type ToolDef } from "../tool_kit.ts";
import { pageArgs } from "../tool_schemas.ts";

const T = CreateTicketBody.shape;
const TicketId = TicketIdParam.shape.ticket_id.describe(
  'The ticket\'s id, "tkt_…" (list yours with list_tickets)',
);
const NotificationId = NotificationIdParam.shape.notification_id.describe(
  'The notification\'s id, "ntf_…" (list yours with list_notifications)',
);

/** The support and notification tools. */
export const supportTools: ToolDef[] = [
  defineTool({
    name: "create_ticket",
    title: "Open a support ticket",
    description: "Opens a support ticket (status open). Use it for a bug, an unexpected 500 (quote its " +
      "correlation_id), settlement missing after 19:00 Asia/Shanghai (category data), or a disabled account " +
      '({category: "other", title: "account disabled"}): a disabled account may still call this, while it ' +
      "holds fewer than 3 tickets that are not closed. Support's answer arrives as a notification and in " +
      "get_ticket. Not idempotent: each call opens another ticket; after a timeout check list_tickets first.",
    input: z.strictObject({
      title: T.title.unwrap().describe("What it is about, 1–200 characters, one line"),
      description: T.description.describe(
        "The details, up to 5000 characters, lines allowed (default empty)",
      ),
      category: T.category.describe("bug, feature, feedback, data or other (default other)"),
    }),
    access: "user",
    allowDisabled: true,
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, { title, description, category }) => {
      const user = ctx.user();
      return createTicket(ctx.deps.support, user.id, { title, description: description ?? "", category }, {
        accountDisabled: user.disabled,
      });
    },
  }),
  defineTool({
    name: "list_tickets",
    title: "List my tickets",
    description: "My support tickets, newest first (`items`, `total`), each with status, the latest " +
      "support reply (`admin_reply`) and reply_count. A disabled account may call this.",
    input: z.strictObject({
      status: TicketListQuery.shape.status.describe("open, answered or closed (default: all)"),
      ...pageArgs(50),
    }),
    access: "user",
    allowDisabled: true,
    hints: READ_ONLY,
    run: (ctx, { status, ...page }) => listMyTickets(ctx.deps.support, ctx.user().id, page, status),
  }),
  defineTool({
    name: "get_ticket",
    title: "One of my tickets",
    description:
      "One of my tickets with every reply (mine and support's), oldest first. A disabled account " +
      "may call this.",
    input: z.strictObject({ ticket_id: TicketId }),
    access: "user",
    allowDisabled: true,
    hints: READ_ONLY,
    run: (ctx, { ticket_id }) => getMyTicket(ctx.deps.support, ctx.user().id, ticket_id),
  }),
  defineTool({
    name: "reply_ticket",
    title: "Reply to my ticket",
    description: "Adds a follow-up message to my ticket and reopens it (status open). Answers the ticket " +
      "with its replies. Not idempotent: each call adds another reply; after a timeout read get_ticket first.",
    input: z.strictObject({
      ticket_id: TicketId,
      message: TicketReplyBody.shape.message.describe("The message, 1–5000 characters, lines allowed"),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, { ticket_id, message }) =>
      replyToMyTicket(ctx.deps.support, ctx.user().id, ticket_id, message),
  }),
  defineTool({
    name: "list_notifications",
    title: "List my notifications",
    description:
      "My notifications, newest first (`items`, `total`): support replies, licence decisions and " +
      "other events, each with kind, title, body, link (an API path) and read state.",
    input: z.strictObject({
      unread_only: z.boolean().default(false).describe("true: only unread ones (default false)"),
      ...pageArgs(50),
    }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { unread_only, ...page }) =>
      listNotifications(ctx.deps.support, ctx.user().id, page, { unreadOnly: unread_only }),
  }),
  defineTool({
    name: "get_unread_count",
    title: "How many notifications are unread",
    description: "How many of my notifications are unread: `unread_count` (and the same number as `count`).",
    input: z.strictObject({}),
    access: "user",
    hints: READ_ONLY,
    run: (ctx) => countUnreadNotifications(ctx.deps.support, ctx.user().id),
  }),
  defineTool({
    name: "mark_notification_read",
    title: "Mark a notification read",
    description:
      "Marks one of my notifications read; answers it. Idempotent: marking it again changes nothing.",
    input: z.strictObject({ notification_id: NotificationId }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: true },
    run: (ctx, { notification_id }) => markNotificationRead(ctx.deps.support, ctx.user().id, notification_id),
  }),
  defineTool({
    name: "mark_all_notifications_read",
    title: "Mark all notifications read",
    description: "Marks every one of my notifications read; answers `updated` (how many were unread). " +
      "Idempotent: safe to call repeatedly.",
    input: z.strictObject({}),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: true },
    run: (ctx) => markAllNotificationsRead(ctx.deps.support, ctx.user().id),
  }),
];
