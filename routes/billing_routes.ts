/** `/api/v1/billing/*`: API keys and tiers. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { allTiers, createApiKey, listApiKeys, myTier, revokeApiKey } from "../domain/auth/identity.ts";
import { newRouter } from "./app_env.ts";
import { requireAuth } from "./middleware/auth.ts";
import {
  ApiKeySchema,
  CreateApiKeyBody,
  CreatedApiKeySchema,
  KeyIdParam,
  MyTierSchema,
  TierSchema,
} from "./schemas/billing.ts";
import {
  bearerSecurity,
  errorResponses,
  jsonBody,
  jsonResponse,
  MessageSchema,
  pageOf,
  PageQuery,
} from "./schemas/common.ts";

const tags = ["billing"];

/** Builds the billing router. */
export function billingRoutes(deps: AuthDeps) {
  const app = newRouter();
  const auth = requireAuth(deps);

  app.openapi(
    createRoute({
      method: "post",
      path: "/billing/api-keys",
      tags,
      summary: "Create an API key (the key is shown once)",
      security: bearerSecurity,
      middleware: [auth],
      request: { body: jsonBody(CreateApiKeyBody) },
      responses: { 201: jsonResponse(CreatedApiKeySchema, "Key created"), ...errorResponses(401, 403, 422) },
    }),
    async (c) => c.json(await createApiKey(deps, c.get("principal").user, c.req.valid("json").name), 201),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/billing/api-keys",
      tags,
      summary: "My API keys (prefix and last four characters only)",
      security: bearerSecurity,
      middleware: [auth],
      request: { query: PageQuery },
      responses: {
        200: jsonResponse(pageOf(ApiKeySchema, "ApiKeyPage"), "Keys"),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => c.json(await listApiKeys(deps, c.get("principal").user.id, c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/billing/api-keys/{key_id}",
      tags,
      summary: "Revoke an API key; it stops working at once",
      security: bearerSecurity,
      middleware: [auth],
      request: { params: KeyIdParam },
      responses: { 200: jsonResponse(MessageSchema, "Revoked"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => {
      await revokeApiKey(deps, c.get("principal").user.id, c.req.valid("param").key_id);
      return c.json({ message: "API key revoked" }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/billing/tier",
      tags,
      summary: "My tier, its limits and my usage",
      security: bearerSecurity,
      middleware: [auth],
      responses: { 200: jsonResponse(MyTierSchema, "Tier"), ...errorResponses(401, 403) },
    }),
    async (c) => c.json(await myTier(deps, c.get("principal").user), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/billing/tiers",
      tags,
      summary: "All tiers and their limits",
      responses: { 200: jsonResponse(z.object({ tiers: z.array(TierSchema) }), "Tiers") },
    }),
    (c) => c.json(allTiers(), 200),
  );

  return app;
}
