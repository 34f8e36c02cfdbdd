/** `/api/v1/admin/*`: invite codes and user tier/disable. Admins are the emails in `ADMIN_EMAILS`. */
import { createRoute } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import {
  createInviteCode,
  disableInvite,
  findUsers,
  getUser,
  listInvites,
  updateUser,
} from "../domain/auth/identity.ts";
import { newRouter } from "./app_env.ts";
import { requireAdmin, requireAuth } from "./middleware/auth.ts";
import {
  AdminUserUpdateBody,
  CreateInviteBody,
  InviteCodeParam,
  InviteCodeSchema,
  UserIdParam,
  UserListQuery,
} from "./schemas/admin.ts";
import { UserSchema } from "./schemas/auth.ts";
import {
  bearerSecurity,
  errorResponses,
  jsonBody,
  jsonResponse,
  pageOf,
  PageQuery,
} from "./schemas/common.ts";

const tags = ["admin"];

/** Builds the admin router (invite codes, users). */
export function adminRoutes(deps: AuthDeps) {
  const app = newRouter();
  const guard = [requireAuth(deps), requireAdmin(deps)];

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/invite-codes",
      tags,
      summary: "Create an invite code",
      security: bearerSecurity,
      middleware: guard,
      request: { body: jsonBody(CreateInviteBody) },
      responses: { 201: jsonResponse(InviteCodeSchema, "Created"), ...errorResponses(401, 403, 409, 422) },
    }),
    async (c) => c.json(await createInviteCode(deps, c.get("principal").user.id, c.req.valid("json")), 201),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/invite-codes",
      tags,
      summary: "List invite codes",
      security: bearerSecurity,
      middleware: guard,
      request: { query: PageQuery },
      responses: {
        200: jsonResponse(pageOf(InviteCodeSchema, "InviteCodePage"), "Codes"),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => c.json(await listInvites(deps, c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/admin/invite-codes/{code}/disable",
      tags,
      summary: "Disable an invite code",
      security: bearerSecurity,
      middleware: guard,
      request: { params: InviteCodeParam },
      responses: { 200: jsonResponse(InviteCodeSchema, "Disabled"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => c.json(await disableInvite(deps, c.req.valid("param").code), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/users",
      tags,
      summary: "List users (or look one up by ?email=)",
      security: bearerSecurity,
      middleware: guard,
      request: { query: UserListQuery },
      responses: {
        200: jsonResponse(pageOf(UserSchema, "UserPage"), "Users"),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => c.json(await findUsers(deps, c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/admin/users/{user_id}",
      tags,
      summary: "One user",
      security: bearerSecurity,
      middleware: guard,
      request: { params: UserIdParam },
      responses: { 200: jsonResponse(UserSchema, "User"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => c.json(await getUser(deps, c.req.valid("param").user_id), 200),
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/admin/users/{user_id}",
      tags,
      summary: "Set a user's tier and/or disable the account",
      security: bearerSecurity,
      middleware: guard,
      request: { params: UserIdParam, body: jsonBody(AdminUserUpdateBody) },
      responses: { 200: jsonResponse(UserSchema, "Updated"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => c.json(await updateUser(deps, c.req.valid("param").user_id, c.req.valid("json")), 200),
  );

  return app;
}
