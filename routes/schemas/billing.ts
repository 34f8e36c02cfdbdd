/** Schemas of API keys and tiers. */
import { z } from "@hono/zod-openapi";
import { safeText } from "./common.ts";

export const CreateApiKeyBody = z.strictObject({
  name: safeText({ min: 1, max: 100 }).openapi({ example: "research-agent" }),
}).openapi("CreateApiKey");

export const CreatedApiKeySchema = z.object({
  id: z.string().openapi({ example: "key_01jd0m6qvh3x8k2c9n4p5r7t" }),
  name: z.string(),
  api_key: z.string().openapi({ example: "qe_Zx81…", description: "Shown once; store it now" }),
  prefix: z.string().openapi({ example: "qe_Zx81" }),
  last4: z.string().openapi({ example: "9fQa" }),
  created_at: z.string(),
}).openapi("CreatedApiKey");

export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().openapi({ example: "qe_Zx81" }),
  last4: z.string().openapi({ example: "9fQa" }),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
}).openapi("ApiKey");

export const KeyIdParam = z.object({
  key_id: z.string().min(1).max(64).openapi({
    param: { name: "key_id", in: "path" },
    example: "key_01jd0m6q",
  }),
});

export const TierSchema = z.object({
  tier: z.enum(["free", "licensed"]),
  name: z.string(),
  description: z.string(),
  max_strategies: z.number().int().openapi({ description: "Tracked strategies that are not retired" }),
  strategy_universes: z.array(z.enum(["hs300", "csi500", "csi1000", "csi2000", "etf_all"])).openapi({
    description: "Universes a tracked strategy may name",
  }),
  limits: z.object({
    max_tracked_strategies: z.number().int(),
    max_api_keys: z.number().int(),
    max_active_backtests: z.number().int(),
    max_running_instances: z.number().int().openapi({
      description: "Paper-trading instances running at once",
    }),
  }),
}).openapi("Tier");

export const MyTierSchema = TierSchema.extend({
  usage: z.object({ api_keys: z.number().int() }),
}).openapi("MyTier");
