/** `/api/v1/tickets*` and `/api/v1/notifications*`: a user's support tickets and notifications. */
import { createRoute } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import {
  countUnreadNotifications,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
} from "../domain/support/notifications.ts";
import {
  createTicket,
  getMyTicket,
  listMyTickets,
  replyToMyTicket,
  type SupportDeps,
} from "../domain/support/tickets.ts";
import { newRouter } from "./app_env.ts";
import { requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, pageOf } from "./schemas/common.ts";
import {
  CreateTicketBody,
  NotificationIdParam,
  NotificationListQuery,
  NotificationSchema,
  ReadAllSchema,
  TicketDetailSchema,
  TicketIdParam,
  TicketListQuery,
  TicketReplyBody,
  TicketSchema,
  UnreadCountSchema,
} from "./schemas/support.ts";

/** Builds the router of the caller's tickets and notifications. */
export function supportRoutes(auth: AuthDeps, deps: SupportDeps) {
  const app = newRouter();
  const common = { security: bearerSecurity, middleware: [requireAuth(auth)] };
  /** Routes a disabled account keeps: opening and reading its own tickets (how it reaches support). */
  const contact = { security: bearerSecurity, middleware: [requireAuth(auth, { allowDisabled: true })] };

  app.openapi(
    createRoute({
      method: "post",
      path: "/tickets",
      tags: ["support"],
      summary: "Open a support ticket: {title, description, category}",
      description: "A disabled account may still open tickets (at most 3 not closed) and read its own.",
      ...contact,
      request: { body: jsonBody(CreateTicketBody) },
      responses: { 201: jsonResponse(TicketDetailSchema, "Ticket opened"), ...errorResponses(401, 403, 422) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      // The schema guarantees a title under one of its names (and that both names, when sent, agree).
      const input = {
        title: (body.title ?? body.subject)!,
        description: body.description ?? body.message ?? "",
        category: body.category,
      };
      const user = c.get("principal").user;
      return c.json(await createTicket(deps, user.id, input, { accountDisabled: user.disabled }), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/tickets",
      tags: ["support"],
      summary: "My tickets, newest first",
      ...contact,
      request: { query: TicketListQuery },
      responses: {
        200: jsonResponse(pageOf(TicketSchema, "TicketPage"), "Tickets"),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => {
      const { status, ...page } = c.req.valid("query");
      return c.json(await listMyTickets(deps, c.get("principal").user.id, page, status), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/tickets/{ticket_id}",
      tags: ["support"],
      summary: "One of my tickets with its replies",
      ...contact,
      request: { params: TicketIdParam },
      responses: { 200: jsonResponse(TicketDetailSchema, "Ticket"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) =>
      c.json(await getMyTicket(deps, c.get("principal").user.id, c.req.valid("param").ticket_id), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/tickets/{ticket_id}/replies",
      tags: ["support"],
      summary: "Add a follow-up message to my ticket (reopens it)",
      ...common,
      request: { params: TicketIdParam, body: jsonBody(TicketReplyBody) },
      responses: {
        201: jsonResponse(TicketDetailSchema, "Reply added"),
        ...errorResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const ticket = await replyToMyTicket(
        deps,
        c.get("principal").user.id,
        c.req.valid("param").ticket_id,
        c.req.valid("json").message,
      );
      return c.json(ticket, 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/notifications",
      tags: ["notifications"],
      summary: "My notifications, newest first (only unread ones with ?unread_only=true)",
      ...common,
      request: { query: NotificationListQuery },
      responses: {
        200: jsonResponse(pageOf(NotificationSchema, "NotificationPage"), "Notifications"),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => {
      const { unread_only, ...page } = c.req.valid("query");
      const result = await listNotifications(deps, c.get("principal").user.id, page, {
        unreadOnly: unread_only === "true",
      });
      return c.json(result, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/notifications/unread-count",
      tags: ["notifications"],
      summary: "How many of my notifications are unread",
      ...common,
      responses: { 200: jsonResponse(UnreadCountSchema, "Unread count"), ...errorResponses(401, 403) },
    }),
    async (c) => c.json(await countUnreadNotifications(deps, c.get("principal").user.id), 200),
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/notifications/{notification_id}/read",
      tags: ["notifications"],
      summary: "Mark one of my notifications read",
      ...common,
      request: { params: NotificationIdParam },
      responses: {
        200: jsonResponse(NotificationSchema, "Notification"),
        ...errorResponses(401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const id = c.req.valid("param").notification_id;
      return c.json(await markNotificationRead(deps, c.get("principal").user.id, id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/notifications/read-all",
      tags: ["notifications"],
      summary: "Mark all my notifications read",
      ...common,
      responses: {
        200: jsonResponse(ReadAllSchema, "How many were marked"),
        ...errorResponses(401, 403, 409),
      },
    }),
    async (c) => c.json(await markAllNotificationsRead(deps, c.get("principal").user.id), 200),
  );

  return app;
}
