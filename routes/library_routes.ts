/** `/api/v1/library/*` (my saved strategies, versions, stages, export) and `/api/v1/catalog/strategies`. */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import type { BacktestJobDeps } from "../domain/backtest/queued_runs.ts";
import { libraryRunCsv } from "../domain/backtest/job_reports.ts";
import {
  type CatalogCompareDeps,
  compareCatalogStrategies,
  type CompareDeps,
  compareVersions,
} from "../domain/backtest/strategy_compare.ts";
import { catalogByName, type CatalogDeps, catalogPage } from "../domain/strategy/catalog.ts";
import type { LibraryDeps } from "../domain/strategy/library.ts";
import {
  listStrategies,
  listVersions,
  promote,
  publishStrategy,
  removeStrategy,
  rollback,
  saveFromSource,
  stage,
  strategyDetail,
  strategyTextFile,
} from "../domain/strategy/library_views.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAuth } from "./middleware/auth.ts";
import { BacktestSummarySchema, SpecValueSchema, StrategySpecResponse } from "./schemas/backtest.ts";
import {
  bearerSecurity,
  errorResponses,
  jsonBody,
  jsonResponse,
  MessageSchema,
  pageOf,
  PageQuery,
  redirectLastSegment,
} from "./schemas/common.ts";
import { LibraryStrategySchema } from "./schemas/library.ts";
import { SaveStrategyBody } from "./schemas/strategy_requests.ts";

const tags = ["library"];

const IdParam = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" }, example: "strat_01jd0m6q" }),
});

const StrategySchema = LibraryStrategySchema;

const VisibilityBody = z.strictObject({
  is_public: z.boolean().openapi({
    description: "true publishes the strategy in the public catalog (while promoted); false withdraws it",
  }),
}).openapi("LibraryVisibility");

const VersionSchema = z.object({
  version: z.number().int(),
  spec: StrategySpecResponse,
  generated_code: z.string(),
  created_at: z.string(),
}).openapi("LibraryVersion");

/** Builds the library and catalog router. */
export function libraryRoutes(
  auth: AuthDeps,
  deps: LibraryDeps,
  catalog: CatalogDeps,
  runs: { jobs: BacktestJobDeps; compare: CompareDeps; catalogCompare: CatalogCompareDeps },
) {
  const app = newRouter();
  const user = requireAuth(auth);
  const me = (c: { get(k: "principal"): { user: { id: string } } }) => c.get("principal").user.id;

  app.openapi(
    createRoute({
      method: "post",
      path: "/library",
      tags,
      summary: "Save a strategy (or, with strategy_id, a new immutable version of it)",
      security: bearerSecurity,
      middleware: [user],
      request: { body: jsonBody(SaveStrategyBody) },
      responses: {
        201: jsonResponse(
          z.object({ message: z.string(), strategy_id: z.string(), version: z.number().int() }).openapi(
            "SavedStrategy",
          ),
          "Saved",
        ),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const b = c.req.valid("json");
      const input = { ...b, strategy_code: b.strategy_code ?? b.code };
      return c.json(await fromInput("body", () => saveFromSource(deps, me(c), input)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/library",
      tags,
      summary: "My saved strategies, newest first",
      security: bearerSecurity,
      middleware: [user],
      request: { query: PageQuery },
      responses: {
        200: jsonResponse(pageOf(StrategySchema, "LibraryPage"), "Strategies"),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => {
      return c.json(await listStrategies(deps, me(c), c.req.valid("query")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/library/{id}",
      tags,
      summary: "One of my strategies with its latest version",
      security: bearerSecurity,
      middleware: [user],
      request: { params: IdParam },
      responses: {
        200: jsonResponse(
          StrategySchema.extend({
            latest: VersionSchema.extend({
              backtrader_code: z.string().openapi({
                description:
                  "The version as backtrader 1.9 Python (what GET /export/code/{strategy_id} downloads)",
              }),
            }).openapi("LibraryLatestVersion"),
          }).openapi("LibraryStrategyDetail"),
          "Strategy",
        ),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      return c.json(await strategyDetail(deps, me(c), c.req.valid("param").id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/library/{id}",
      tags,
      summary: "Delete one of my strategies (soft: its versions are kept)",
      security: bearerSecurity,
      middleware: [user],
      request: { params: IdParam },
      responses: { 200: jsonResponse(MessageSchema, "Deleted"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => {
      return c.json(await removeStrategy(deps, me(c), c.req.valid("param").id), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/library/{id}",
      tags,
      summary: "Publish one of my strategies in the public catalog, or withdraw it",
      description:
        "A strategy is listed in the catalog (with its author's nickname) only while it is promoted " +
        "and is_public is true. New strategies, and those saved before publishing existed, are private.",
      security: bearerSecurity,
      middleware: [user],
      request: { params: IdParam, body: jsonBody(VisibilityBody) },
      responses: { 200: jsonResponse(StrategySchema, "Updated"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => {
      const s = await publishStrategy(deps, me(c), c.req.valid("param").id, c.req.valid("json").is_public);
      return c.json(s, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/library/{id}/versions",
      tags,
      summary: "Versions of one of my strategies",
      security: bearerSecurity,
      middleware: [user],
      request: { params: IdParam, query: PageQuery },
      responses: {
        200: jsonResponse(pageOf(VersionSchema, "LibraryVersionPage"), "Versions"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      return c.json(await listVersions(deps, me(c), c.req.valid("param").id, c.req.valid("query")), 200);
    },
  );

  const stageRoute = (path: string, summary: string) =>
    createRoute({
      method: "post",
      path,
      tags,
      summary,
      security: bearerSecurity,
      middleware: [user],
      request: { params: IdParam },
      responses: { 200: jsonResponse(StrategySchema, "Stages"), ...errorResponses(400, 401, 403, 404, 422) },
    });

  const staging = stageRoute("/library/{id}/stage", "Mark a version as staging");
  app.openapi(
    {
      ...staging,
      request: { ...staging.request, body: jsonBody(z.strictObject({ version: z.number().int().min(1) })) },
    },
    async (c) => c.json(await stage(deps, me(c), c.req.valid("param").id, c.req.valid("json").version), 200),
  );
  app.openapi(
    stageRoute("/library/{id}/promote", "Promote the staging version to production"),
    async (c) => c.json(await promote(deps, me(c), c.req.valid("param").id), 200),
  );
  app.openapi(
    stageRoute("/library/{id}/rollback", "Roll production back to the previous production version"),
    async (c) => c.json(await rollback(deps, me(c), c.req.valid("param").id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/library/{id}/strategy.txt",
      tags,
      summary: "Download the strategy text of the latest version (`<id>-v<version>.strategy.txt`)",
      security: bearerSecurity,
      middleware: [user],
      request: { params: IdParam },
      responses: {
        200: { description: "Strategy text", content: { "text/plain": { schema: z.string() } } },
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const file = await strategyTextFile(deps, me(c), c.req.valid("param").id);
      return c.text(file.text, 200, { "Content-Disposition": `attachment; filename="${file.filename}"` });
    },
  );
  // The strategy text used to be served as `export.ts`, though it is not TypeScript: a permanent redirect keeps
  // old clients working (the new path checks the credentials).
  app.get(
    "/library/:id/export.ts",
    (c) => c.redirect(redirectLastSegment(c.req.url, "export.ts", "strategy.txt"), 308),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/library/{id}/export.csv",
      tags,
      summary: "Download the trades and daily equity of this strategy's latest completed backtest job",
      security: bearerSecurity,
      middleware: [user],
      request: { params: IdParam },
      responses: {
        200: { description: "CSV", content: { "text/csv": { schema: z.string() } } },
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const file = await libraryRunCsv({ jobs: runs.jobs, library: deps }, me(c), c.req.valid("param").id);
      return c.body(file.text, 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${file.filename}"`,
      });
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/library/{id}/compare",
      tags,
      summary: "Run two versions on their own specs and show metrics and spec differences side by side",
      security: bearerSecurity,
      middleware: [user],
      request: {
        params: IdParam,
        query: z.object({ a: z.coerce.number().int().min(1), b: z.coerce.number().int().min(1) }),
      },
      responses: {
        200: jsonResponse(
          z.object({
            a: z.object({ version: z.number().int(), metrics: BacktestSummarySchema }),
            b: z.object({ version: z.number().int(), metrics: BacktestSummarySchema }),
            spec_differences: z.array(
              z.object({
                path: z.string(),
                // Still `unknown` for the handler: the domain diffs specs as untyped JSON, and a spec's
                // `universe.filters.fundamentals` (a list of objects) is deeper than SpecValue describes.
                a: SpecValueSchema,
                b: SpecValueSchema,
              }),
            ),
          }).openapi("LibraryCompare"),
          "Comparison",
        ),
        ...errorResponses(401, 403, 404, 422, 429),
        413: jsonResponse(z.object({ detail: z.string() }), "Too large for a synchronous run"),
      },
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      return c.json(
        await fromInput("query", () => compareVersions(runs.compare, me(c), id, c.req.valid("query"))),
        200,
      );
    },
  );

  const CatalogItem = z.object({
    id: z.string(),
    name: z.string(),
    author: z.string().nullable(),
    production_version: z.number().int(),
    generated_code: z.string(),
    updated_at: z.string(),
  }).openapi("CatalogStrategy");
  app.openapi(
    createRoute({
      method: "get",
      path: "/catalog/strategies",
      tags: ["catalog"],
      summary: "Public catalog: every promoted (production) strategy, and the built-in strategies",
      request: { query: PageQuery },
      responses: {
        200: jsonResponse(
          pageOf(CatalogItem, "CatalogPageItems").extend({
            builtins: z.array(z.object({
              name: z.string(),
              description: z.string(),
              entry: z.string(),
              exit: z.string(),
            })).openapi({
              description:
                "Built-in strategies every user can name in `POST /api/v1/backtests {config: {strategy}}` " +
                "(a saved strategy of the same name is preferred, then these, then the catalog)",
            }),
          }).openapi("CatalogPage"),
          "Catalog",
        ),
        ...errorResponses(422),
      },
    }),
    async (c) => {
      return c.json(await catalogPage(catalog, c.req.valid("query")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/catalog/strategies/{name}",
      tags: ["catalog"],
      summary: "Promoted strategies with this name (case-insensitive)",
      request: {
        params: z.object({
          name: z.string().min(1).max(200).openapi({ param: { name: "name", in: "path" } }),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ items: z.array(CatalogItem) }), "Matches"),
        ...errorResponses(404, 422),
      },
    }),
    async (c) => {
      return c.json(await catalogByName(catalog, c.req.valid("param").name), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/catalog/strategies/{name}/compare",
      tags: ["catalog"],
      summary:
        "Run every promoted strategy with this name on its production spec and show the metrics side by side",
      description:
        "Rate-limited per client IP (RATE_LIMIT_CATALOG_COMPARE). Results are cached by (canonical " +
        "spec, data version): a repeat on unchanged data runs nothing (`cached: true`).",
      request: {
        params: z.object({
          name: z.string().min(1).max(200).openapi({ param: { name: "name", in: "path" } }),
        }),
      },
      responses: {
        200: jsonResponse(
          z.object({
            name: z.string(),
            strategies: z.array(z.object({
              id: z.string(),
              author: z.string().nullable(),
              production_version: z.number().int(),
              metrics: BacktestSummarySchema,
              cached: z.boolean().openapi({ description: "Served from the result cache (no run)" }),
            })),
          }).openapi("CatalogCompare"),
          "Comparison",
        ),
        ...errorResponses(404, 422, 429),
        413: jsonResponse(z.object({ detail: z.string() }), "Too large for a synchronous run"),
      },
    }),
    async (c) => {
      const name = c.req.valid("param").name;
      const view = await fromInput(
        "path",
        () => compareCatalogStrategies(runs.catalogCompare, name, c.get("clientIp")),
      );
      return c.json(view, 200);
    },
  );

  return app;
}
