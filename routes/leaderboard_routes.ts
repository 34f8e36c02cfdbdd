/** `/api/v1/leaderboard/*`: submit a library strategy (the server runs it) and read the rankings. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { DATASETS, type LeaderboardDeps, SCORE_FORMULA } from "../domain/leaderboard/leaderboard.ts";
import { catalogRanking, periodRanking, submitEntry } from "../domain/leaderboard/leaderboard_views.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, jsonBody, jsonResponse } from "./schemas/common.ts";
import { LeaderboardSubmitBody } from "./schemas/strategy_requests.ts";

const SCORE_DOC = SCORE_FORMULA;

const EntrySchema = z.object({
  id: z.string(),
  user_id: z.string(),
  username: z.string(),
  strategy_id: z.string(),
  strategy_name: z.string(),
  version: z.number().int(),
  dataset: z.string(),
  run_at: z.string(),
  return_pct: z.number().nullable(),
  sharpe: z.number().nullable(),
  max_drawdown: z.number().nullable(),
  score: z.number().openapi({ description: SCORE_DOC }),
}).openapi("LeaderboardEntry");

/** Builds the leaderboard router. */
export function leaderboardRoutes(auth: AuthDeps, deps: LeaderboardDeps) {
  const app = newRouter();
  app.openapi(
    createRoute({
      method: "post",
      path: "/leaderboard/submit",
      tags: ["leaderboard"],
      summary: "Rank a library strategy: the server runs it on the dataset's fixed symbols and dates",
      description: `Datasets: ${
        DATASETS.map((d) => `${d.name} (${d.description})`).join("; ")
      }. ${SCORE_DOC}.`,
      security: bearerSecurity,
      middleware: [requireAuth(auth)],
      request: {
        body: jsonBody(LeaderboardSubmitBody),
      },
      responses: {
        200: jsonResponse(
          z.object({
            entry_id: z.string(),
            metrics: z.object({
              "Sharpe Ratio": z.number().nullable(),
              "Max Drawdown": z.number().nullable(),
              "Total Return": z.number().nullable(),
            }),
            score: z.number(),
          }).openapi("LeaderboardSubmitted"),
          "Ranked",
        ),
        ...errorResponses(400, 401, 403, 404, 422, 429),
      },
    }),
    async (c) => {
      const me = c.get("principal").user.id;
      return c.json(await fromInput("body", () => submitEntry(deps, me, c.req.valid("json"))), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/leaderboard/top",
      tags: ["leaderboard"],
      summary: "Top entries of a period (by run time): daily (default), weekly or alltime",
      request: {
        query: z.object({
          period: z.enum(["daily", "weekly", "alltime"]).default("daily"),
          dataset: z.enum(DATASETS.map((d) => d.name) as [string, ...string[]]).optional(),
          limit: z.coerce.number().int().min(1).max(50).default(10),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({ period: z.string(), dataset: z.string().nullable(), top: z.array(EntrySchema) }).openapi(
            "Leaderboard",
          ),
          "Ranking",
        ),
        ...errorResponses(404, 422),
      },
    }),
    async (c) => c.json(await fromInput("query", () => periodRanking(deps, c.req.valid("query"))), 200),
  );
  app.openapi(
    createRoute({
      method: "get",
      path: "/catalog/leaderboard",
      tags: ["catalog"],
      summary: "Catalog strategies ranked by their production version's best leaderboard score",
      request: {
        query: z.object({
          dataset: z.enum(DATASETS.map((d) => d.name) as [string, ...string[]]).optional(),
          limit: z.coerce.number().int().min(1).max(50).default(20),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({
            dataset: z.string().nullable(),
            top: z.array(z.object({
              strategy_id: z.string(),
              name: z.string(),
              author: z.string(),
              production_version: z.number().int(),
              dataset: z.string(),
              score: z.number(),
              return_pct: z.number().nullable(),
              sharpe: z.number().nullable(),
              max_drawdown: z.number().nullable(),
            })),
          }).openapi("CatalogLeaderboard"),
          "Ranking",
        ),
        ...errorResponses(422),
      },
    }),
    async (c) => c.json(await fromInput("query", () => catalogRanking(deps, c.req.valid("query"))), 200),
  );

  return app;
}
