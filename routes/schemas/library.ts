/** The library strategy's response shape, shared by the library routes and the model-registry routes. */
import { z } from "@hono/zod-openapi";

/** One of my saved strategies: its versions and which of them are staged and in production. */
export const LibraryStrategySchema = z.object({
  id: z.string(),
  name: z.string(),
  prompt: z.string().nullable(),
  latest_version: z.number().int(),
  staging_version: z.number().int().nullable(),
  production_version: z.number().int().nullable(),
  is_public: z.boolean().openapi({
    description: "Published by its owner: a promoted strategy is in the public catalog only when true",
  }),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("LibraryStrategy");
