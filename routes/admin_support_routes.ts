/** `/api/v1/admin/tickets*`: admins list every ticket, read one and answer it (which notifies the owner). */
import { createRoute } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { answerTicket, getTicket, listAllTickets, type SupportDeps } from "../domain/support/tickets.ts";
import { newRouter } from "./app_env.ts";
import { requireAdmin, requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse, pageOf } from "./schemas/common.ts";
import {
  AdminTicketReplyBody,
  TicketDetailSchema,
  TicketIdParam,
  TicketListQuery,
  TicketSchema,
} from "./schemas/support.ts";

const tags = ["admin"];

/** Builds the admin router of support tickets. */
export function adminSupportRoutes(auth: AuthDeps, deps: SupportDeps) {
  const app = newRouter();
  const common = { security: bearerSecurity, middleware: [requireAuth(auth), requireAdmin(auth)] };

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/tickets",
      tags,
      summary: "Every ticket, newest first",
      ...common,
      request: { query: TicketListQuery },
      responses: {
        200: jsonResponse(pageOf(TicketSchema, "AdminTicketPage"), "Tickets"),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => {
      const { status, ...page } = c.req.valid("query");
      return c.json(await listAllTickets(deps, page, status), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/tickets/{ticket_id}",
      tags,
      summary: "Any ticket with its replies",
      ...common,
      request: { params: TicketIdParam },
      responses: { 200: jsonResponse(TicketDetailSchema, "Ticket"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => c.json(await getTicket(deps, c.req.valid("param").ticket_id), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/tickets/{ticket_id}/reply",
      tags,
      summary: "Answer a ticket: sets it answered (or the given status) and notifies the owner",
      ...common,
      request: { params: TicketIdParam, body: jsonBody(AdminTicketReplyBody) },
      responses: {
        200: jsonResponse(TicketDetailSchema, "Ticket after the reply"),
        ...errorResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const id = c.req.valid("param").ticket_id;
      const reply = { ...c.req.valid("json"), link: `/api/v1/tickets/${id}` };
      return c.json(await answerTicket(deps, c.get("principal").user.id, id, reply), 200);
    },
  );

  return app;
}
