/** Schemas of support tickets and notifications. */
import { z } from "@hono/zod-openapi";
import { TICKET_CATEGORIES, TICKET_STATUSES } from "../../domain/support/tickets.ts";
import { PageQuery, safeText } from "./common.ts";

const ticketStatus = z.enum(TICKET_STATUSES).openapi({ example: "open" });
const subject = safeText({ min: 1, max: 200 }).openapi({ example: "Backtest stuck at 40%" });
const message = safeText({ min: 1, max: 5000, multiline: true }).openapi({
  example: "My backtest bt_01jd… has shown 40% progress for an hour.",
});

/** `POST /tickets` body. */
export const CreateTicketBody = z.strictObject({
  subject,
  message,
  category: z.enum(TICKET_CATEGORIES).default("other").openapi({ example: "bug" }),
}).openapi("CreateTicket");

/** `POST /tickets/{ticket_id}/replies` body: the owner's follow-up message. */
export const TicketReplyBody = z.strictObject({ message }).openapi("TicketReply");

/** `POST /admin/tickets/{ticket_id}/reply` body: the answer and, optionally, the status to set. */
export const AdminTicketReplyBody = z.strictObject({
  message: message.openapi({ example: "Thanks — the job was requeued and has finished." }),
  status: ticketStatus.optional().openapi({ description: "Status after the reply (default answered)" }),
}).openapi("AdminTicketReply");

/** `?status=&limit=&offset=` for ticket lists. */
export const TicketListQuery = PageQuery.extend({ status: ticketStatus.optional() });

/** The `{ticket_id}` path parameter. */
export const TicketIdParam = z.object({
  ticket_id: z.string().min(1).max(64).openapi({
    param: { name: "ticket_id", in: "path" },
    example: "tkt_01jd0m6qvh3x8k2c9n4p",
  }),
});

/** A ticket as lists show it. */
export const TicketSchema = z.object({
  id: z.string().openapi({ example: "tkt_01jd0m6qvh3x8k2c9n4p" }),
  user_id: z.string().openapi({ example: "usr_01jd0m6qvh3x8k2c9n4p" }),
  subject: z.string().openapi({ example: "Backtest stuck at 40%" }),
  category: z.enum(TICKET_CATEGORIES),
  status: ticketStatus,
  message: z.string(),
  reply_count: z.number().int(),
  created_at: z.string().openapi({ example: "2026-05-14T01:00:00.000Z" }),
  updated_at: z.string().openapi({ example: "2026-05-14T03:20:00.000Z" }),
}).openapi("Ticket");

/** One reply on a ticket. */
const TicketReplySchema = z.object({
  id: z.string().openapi({ example: "rpl_01jd0p2x7c4k9m3n5q" }),
  author: z.enum(["user", "support"]),
  message: z.string(),
  created_at: z.string().openapi({ example: "2026-05-14T03:20:00.000Z" }),
}).openapi("TicketReplyView");

/** A ticket with its replies, oldest first. */
export const TicketDetailSchema = TicketSchema.extend({ replies: z.array(TicketReplySchema) }).openapi(
  "TicketDetail",
);

/** `?unread_only=true&limit=&offset=` for notification lists. */
export const NotificationListQuery = PageQuery.extend({
  unread_only: z.enum(["true", "false"]).default("false").openapi({ example: "true" }),
});

/** The `{notification_id}` path parameter. */
export const NotificationIdParam = z.object({
  notification_id: z.string().min(1).max(64).openapi({
    param: { name: "notification_id", in: "path" },
    example: "ntf_01jd0p2x7c4k9m3n5q",
  }),
});

/** A notification. */
export const NotificationSchema = z.object({
  id: z.string().openapi({ example: "ntf_01jd0p2x7c4k9m3n5q" }),
  kind: z.string().openapi({ example: "ticket_reply" }),
  title: z.string().openapi({ example: "Support replied to your ticket: Backtest stuck at 40%" }),
  body: z.string(),
  link: z.string().nullable().openapi({ example: "/api/v1/tickets/tkt_01jd0m6qvh3x8k2c9n4p" }),
  read: z.boolean(),
  read_at: z.string().nullable(),
  created_at: z.string().openapi({ example: "2026-05-14T03:20:00.000Z" }),
}).openapi("Notification");

/** The number of unread notifications, under both names clients read. */
export const UnreadCountSchema = z.object({
  unread_count: z.number().int().openapi({ example: 2, description: "The QuantGPT document's name" }),
  count: z.number().int().openapi({ example: 2, description: "The same number (this API's earlier name)" }),
}).openapi("UnreadCount");

/** `{updated}`: how many notifications were marked read. */
export const ReadAllSchema = z.object({ updated: z.number().int().openapi({ example: 2 }) }).openapi(
  "ReadAllResult",
);
