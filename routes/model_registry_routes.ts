/**
 * The TradAI backend document's strategy promotion routes, on my library strategy of that name:
 * `POST /strategies/{name}/stage` (`?version=`, default the latest), `POST /strategies/{name}/promote`,
 * `GET /models/{model_name}/versions`, `POST /models/{model_name}/rollback`. They call the same library
 * operations as `/library/{id}/stage|promote|versions|rollback`. A name matches case-insensitively; none of my
 * strategies with it is a 404, several a 409 listing their ids. `/strategies/{slug}` itself (and its other
 * sub-paths) are the QuantGPT document's tracked strategies, a different router: only these two sub-paths are here.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import type { LibraryDeps } from "../domain/strategy/library.ts";
import {
  modelVersions,
  promoteByName,
  rollbackByName,
  stageByName,
} from "../domain/strategy/strategy_by_name.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAuth } from "./middleware/auth.ts";
import { StrategySpecResponse } from "./schemas/backtest.ts";
import { LibraryStrategySchema } from "./schemas/library.ts";
import { bearerSecurity, errorResponses, jsonResponse, PageQuery } from "./schemas/common.ts";

const tags = ["model registry"];

/** My library strategy after a stage change (the library's strategy view). */
const RegistryStrategy = LibraryStrategySchema;

const ModelVersion = z.object({
  version: z.number().int(),
  spec: StrategySpecResponse,
  generated_code: z.string(),
  created_at: z.string(),
  current_stage: z.enum(["Production", "Staging", "Archived", "None"]).openapi({
    description: "Archived: an earlier production version (a rollback target)",
  }),
}).openapi("ModelVersion");

const nameParam = (key: "name" | "model_name") =>
  z.object({
    [key]: z.string().min(1).max(200).openapi({
      param: { name: key, in: "path" },
      description: "The name of one of my saved strategies (case-insensitive)",
      example: "TrendFollowing",
    }),
  });

/** Builds the model-registry router (mounted under `/api/v1`). */
export function modelRegistryRoutes(auth: AuthDeps, library: LibraryDeps) {
  const app = newRouter();
  const user = requireAuth(auth);
  const me = (c: { get(k: "principal"): { user: { id: string } } }) => c.get("principal").user.id;
  const stageResponses = {
    200: jsonResponse(RegistryStrategy, "The strategy's stages after the change"),
    ...errorResponses(400, 401, 403, 404, 409, 422),
  };

  app.openapi(
    createRoute({
      method: "post",
      path: "/strategies/{name}/stage",
      tags,
      summary: "Stage a version of my strategy of this name for testing (default: its latest version)",
      security: bearerSecurity,
      middleware: [user],
      request: {
        params: nameParam("name"),
        query: z.object({ version: z.coerce.number().int().min(1).optional() }),
      },
      responses: stageResponses,
    }),
    async (c) => {
      const { name } = c.req.valid("param");
      const { version } = c.req.valid("query");
      return c.json(await fromInput("query", () => stageByName(library, me(c), name, version)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/strategies/{name}/promote",
      tags,
      summary: "Promote the staging version of my strategy of this name to production",
      security: bearerSecurity,
      middleware: [user],
      request: { params: nameParam("name") },
      responses: stageResponses,
    }),
    async (c) => c.json(await promoteByName(library, me(c), c.req.valid("param").name), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/models/{model_name}/versions",
      tags,
      summary: "Versions of my strategy of this name, newest first, each with its stage",
      security: bearerSecurity,
      middleware: [user],
      request: { params: nameParam("model_name"), query: PageQuery },
      responses: {
        200: jsonResponse(
          z.object({
            model_name: z.string(),
            strategy_id: z.string(),
            items: z.array(ModelVersion),
            total: z.number().int(),
            limit: z.number().int(),
            offset: z.number().int(),
          }).openapi("ModelVersionPage"),
          "Versions",
        ),
        ...errorResponses(401, 403, 404, 409, 422),
      },
    }),
    async (c) =>
      c.json(
        await modelVersions(library, me(c), c.req.valid("param").model_name, c.req.valid("query")),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/models/{model_name}/rollback",
      tags,
      summary: "Roll production of my strategy of this name back to the previous production version",
      security: bearerSecurity,
      middleware: [user],
      request: { params: nameParam("model_name") },
      responses: stageResponses,
    }),
    async (c) => c.json(await rollbackByName(library, me(c), c.req.valid("param").model_name), 200),
  );

  return app;
}
