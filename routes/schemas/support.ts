/** Schemas of support tickets and notifications. */
import { z } from "@hono/zod-openapi";
import { TICKET_CATEGORIES, TICKET_STATUSES } from "../../domain/support/tickets.ts";
import { PageQuery, safeText } from "./common.ts";

const ticketStatus = z.enum(TICKET_STATUSES).openapi({ example: "open" });
const subject = safeText({ min: 1, max: 200 }).openapi({ example: "Backtest stuck at 40%" });
const message = safeText({ min: 1, max: 5000, multiline: true }).openapi({
  example: "My backtest bt_01jd… has shown 40% progress for an hour.",
});

/** The documented name and the earlier name of the same ticket field, checked together. */
const TICKET_FIELD_ALIASES = [["title", "subject"], ["description", "message"]] as const;
/** Fields one of whose names must be sent (the guide's recovery examples open tickets with a title only). */
const TICKET_REQUIRED = new Set(["title"]);

/**
 * `POST /tickets` body: `{title, description, category}` as the QuantGPT guide writes it. The earlier names
 * `subject` (for `title`) and `message` (for `description`) are still accepted for existing clients; a body that
 * sends both names of one field with different texts is refused (422 on the old name). A title is required; the
 * description may be left out (the guide's Error Recovery opens tickets with `{category, title}` only) and is then
 * empty.
 */
export const CreateTicketBody = z.strictObject({
  title: subject.optional(),
  description: message.optional(),
  subject: subject.optional().openapi({ description: "Earlier name of `title`", deprecated: true }),
  message: message.optional().openapi({ description: "Earlier name of `description`", deprecated: true }),
  category: z.enum(TICKET_CATEGORIES).default("other").openapi({
    example: "bug",
    description: "bug | feature | feedback | data | other (default other)",
  }),
}).superRefine((b, ctx) => {
  for (const [name, old] of TICKET_FIELD_ALIASES) {
    if (b[name] === undefined && b[old] === undefined && TICKET_REQUIRED.has(name)) {
      ctx.addIssue({ code: "custom", path: [name], message: "Field required", params: { type: "missing" } });
    } else if (b[name] !== undefined && b[old] !== undefined && b[name] !== b[old]) {
      ctx.addIssue({
        code: "custom",
        path: [old],
        message: `"${old}" is the earlier name of "${name}" and says something else; send only "${name}"`,
        params: { type: "value_error" },
      });
    }
  }
}).openapi("CreateTicket", {
  example: { title: "Backtest stuck at 40%", description: "It has not moved for an hour.", category: "bug" },
});

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
  title: z.string().openapi({ example: "Backtest stuck at 40%" }),
  description: z.string().openapi({ example: "It has not moved for an hour." }),
  subject: z.string().openapi({ description: "The same text as `title` (this API's earlier name)" }),
  category: z.enum(TICKET_CATEGORIES),
  status: ticketStatus,
  admin_reply: z.string().nullable().openapi({
    example: null,
    description: "The text of the latest support reply; null until support answers",
  }),
  resolved_at: z.string().nullable().openapi({
    example: null,
    description: "When the ticket was closed; null unless status is closed",
  }),
  message: z.string().openapi({ description: "The same text as `description` (this API's earlier name)" }),
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
