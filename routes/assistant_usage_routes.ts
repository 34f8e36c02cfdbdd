/** `GET /api/v1/assistant/usage`: the caller's strategy-assistant usage per day and provider. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import type { AssistDeps } from "../domain/assistant/assist.ts";
import { MAX_USAGE_DAYS, readAssistantUsage } from "../domain/assistant/assistant_usage.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, jsonResponse } from "./schemas/common.ts";

const UsageQuery = z.strictObject({
  days: z.coerce.number().int().min(1).max(MAX_USAGE_DAYS).default(30).openapi({
    description: `UTC days covered, today included (1–${MAX_USAGE_DAYS})`,
    example: 30,
  }),
});

const counts = {
  calls: z.number().int().openapi({ description: "Provider calls (each repair request is a call)" }),
  fallbacks: z.number().int().openapi({
    description:
      "Turns this provider failed (timeout, HTTP error, unreachable, malformed) and offline answered",
  }),
  repairs: z.number().int().openapi({
    description: "Drafts sent back with their check errors, replies re-asked",
  }),
  prompt_tokens: z.number().int().openapi({ description: "Prompt tokens the model reported (0 offline)" }),
  response_tokens: z.number().int().openapi({
    description: "Response tokens the model reported (0 offline)",
  }),
};

const AssistantUsageSchema = z.object({
  user_id: z.string(),
  from: z.string().openapi({ description: "First UTC day covered (YYYY-MM-DD)" }),
  to: z.string().openapi({ description: "Last UTC day covered (today)" }),
  provider: z.string().openapi({ description: "The provider asked first: gemini or offline" }),
  model: z.string().nullable(),
  days: z.array(z.object({ date: z.string(), provider: z.string(), ...counts })).openapi({
    description: "Days with any use, oldest first, one entry per provider used that day",
  }),
  totals: z.object(counts),
  rate_limit: z.object({
    limit: z.number().int(),
    window_seconds: z.number(),
    description: z.string(),
  }).nullable().openapi({ description: "Assistant turns per user (generate, chat and explain share it)" }),
}).openapi("AssistantUsage", {
  example: {
    user_id: "u_1",
    from: "2026-04-15",
    to: "2026-05-14",
    provider: "gemini",
    model: "gemini-2.5-flash",
    days: [{
      date: "2026-05-14",
      provider: "gemini",
      calls: 3,
      fallbacks: 0,
      repairs: 1,
      prompt_tokens: 4210,
      response_tokens: 612,
    }],
    totals: { calls: 3, fallbacks: 0, repairs: 1, prompt_tokens: 4210, response_tokens: 612 },
    rate_limit: { limit: 120, window_seconds: 3600, description: "120 per 1 hour" },
  },
});

/** Builds the assistant usage router. */
export function assistantUsageRoutes(auth: AuthDeps, deps: AssistDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: "get",
      path: "/assistant/usage",
      tags: ["assistant"],
      summary: "My strategy-assistant usage: calls, fallbacks, repairs and tokens per UTC day and provider",
      security: bearerSecurity,
      middleware: [requireAuth(auth)],
      request: { query: UsageQuery },
      responses: {
        200: jsonResponse(AssistantUsageSchema, "Usage"),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) =>
      c.json(
        await fromInput(
          "query",
          () => readAssistantUsage(deps, c.get("principal").user.id, c.req.valid("query").days),
        ),
        200,
      ),
  );
  return app;
}
