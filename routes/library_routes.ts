/** `/api/v1/library/*` (my saved strategies, versions, stages, export) and `/api/v1/catalog/strategies`. */
import type { RunGate } from "../domain/backtest/run_gate.ts";
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import {
  catalogStrategies,
  deleteStrategy,
  getOwnStrategy,
  getOwnVersion,
  type LibraryDeps,
  listOwnStrategies,
  promoteStaging,
  rollbackProduction,
  saveStrategy,
  setStrategyVisibility,
  stageVersion,
} from "../domain/strategy/library.ts";
import { NotFoundError } from "../domain/errors.ts";
import { type BacktestJobDeps, latestLibraryRun } from "../domain/backtest/jobs.ts";
import {
  assertWithinExpressionBudget,
  estimateBacktestCost,
  runBacktest,
} from "../domain/backtest/run_backtest.ts";
import { cachedRunSummary } from "../domain/backtest/run_cache.ts";
import type { RateRule } from "../domain/config.ts";
import type { RunCacheRepo } from "../domain/store/run_cache_repo.ts";
import { tradesToCsv } from "../domain/backtest/trades_csv.ts";
import { specDifferences } from "../domain/strategy/spec_diff.ts";
import type { LibraryStrategyRecord } from "../domain/store/library_repo.ts";
import { newRouter } from "./app_env.ts";
import { oneStrategySource, resolveSpec, StrategySources } from "./backtest_routes.ts";
import { requireAuth } from "./middleware/auth.ts";
import { BacktestSummarySchema, SpecValueSchema, StrategySpecResponse } from "./schemas/backtest.ts";
import {
  bearerSecurity,
  documentedAs,
  errorResponses,
  jsonBody,
  jsonResponse,
  MessageSchema,
  pageOf,
  PageQuery,
  safeText,
} from "./schemas/common.ts";

const tags = ["library"];

const SaveBody = z.strictObject({
  name: safeText({ min: 1, max: 200 }).openapi({ example: "SMA cross" }),
  prompt: safeText({ max: 10_000, multiline: true, trim: false }).nullable().optional(),
  strategy_id: safeText({ min: 1, max: 64, trim: false }).optional().openapi({
    description: "Save as a new version of this strategy",
  }),
  ...StrategySources,
  code: safeText({ min: 1, max: 20_000, multiline: true, trim: false }).optional().openapi({
    description: "Strategy text (same as strategy_code)",
  }),
}).refine((b) => oneStrategySource({ ...b, strategy_code: b.strategy_code ?? b.code }), {
  message: "Give exactly one of spec, blueprint, config or code",
}).openapi("SaveStrategy");

const IdParam = z.object({
  id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" }, example: "strat_01jd0m6q" }),
});

const StrategySchema = z.object({
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

const VisibilityBody = z.strictObject({
  is_public: z.boolean().openapi({
    description: "true publishes the strategy in the public catalog (while promoted); false withdraws it",
  }),
}).openapi("LibraryVisibility");

const VersionSchema = z.object({
  version: z.number().int(),
  spec: documentedAs(StrategySpecResponse),
  generated_code: z.string(),
  created_at: z.string(),
}).openapi("LibraryVersion");

const view = (s: LibraryStrategyRecord) => ({
  id: s.id,
  name: s.name,
  prompt: s.prompt,
  latest_version: s.latest_version,
  staging_version: s.staging_version,
  production_version: s.production_version,
  is_public: s.is_public === true,
  created_at: new Date(s.created_at).toISOString(),
  updated_at: new Date(s.updated_at).toISOString(),
});
const versionView = (v: { version: number; spec: unknown; generated_code: string; created_at: number }) => ({
  version: v.version,
  spec: v.spec as Record<string, unknown>,
  generated_code: v.generated_code,
  created_at: new Date(v.created_at).toISOString(),
});

/** Builds the library and catalog router. */
export function libraryRoutes(
  auth: AuthDeps,
  deps: LibraryDeps,
  runs: {
    jobs: BacktestJobDeps;
    maxSymbolBars: number;
    /** Expression budget of each run (MAX_EXPRESSION_COST). */
    maxExpressionCost: number;
    /** The process-wide cap on synchronous runs. */
    gate: RunGate;
    /** Catalog compares per client IP. */
    catalogCompareRate: RateRule;
    /** Synchronous runs per user (RATE_LIMIT_BACKTEST), shared with `/backtests/run`: a version compare is one. */
    backtestRate: RateRule;
    /** Summaries of catalog runs by (spec, data version). */
    cache: RunCacheRepo;
  },
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
      request: { body: jsonBody(SaveBody) },
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
      const spec = resolveSpec({ ...b, strategy_code: b.strategy_code ?? b.code });
      const saved = await saveStrategy(deps, me(c), {
        name: b.name,
        prompt: b.prompt,
        spec,
        strategyId: b.strategy_id,
      });
      return c.json({
        message: "Strategy saved successfully",
        strategy_id: saved.strategy.id,
        version: saved.version.version,
      }, 201);
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
      const page = await listOwnStrategies(deps, me(c), c.req.valid("query"));
      return c.json({ ...page, items: page.items.map(view) }, 200);
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
          StrategySchema.extend({ latest: VersionSchema }).openapi("LibraryStrategyDetail"),
          "Strategy",
        ),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      const s = await getOwnStrategy(deps, me(c), id);
      return c.json({ ...view(s), latest: versionView(await getOwnVersion(deps, me(c), id)) }, 200);
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
      await deleteStrategy(deps, me(c), c.req.valid("param").id);
      return c.json({ message: "Strategy deleted" }, 200);
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
      const s = await setStrategyVisibility(
        deps,
        me(c),
        c.req.valid("param").id,
        c.req.valid("json").is_public,
      );
      return c.json(view(s), 200);
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
      const id = c.req.valid("param").id;
      await getOwnStrategy(deps, me(c), id);
      const page = await deps.library.listVersions(id, c.req.valid("query"));
      return c.json({ ...page, items: page.items.map(versionView) }, 200);
    },
  );

  const stageRoute = (path: string, summary: string, withVersion: boolean) =>
    createRoute({
      method: "post",
      path,
      tags,
      summary,
      security: bearerSecurity,
      middleware: [user],
      request: withVersion
        ? { params: IdParam, body: jsonBody(z.strictObject({ version: z.number().int().min(1) })) }
        : { params: IdParam },
      responses: { 200: jsonResponse(StrategySchema, "Stages"), ...errorResponses(400, 401, 403, 404, 422) },
    });

  app.openapi(stageRoute("/library/{id}/stage", "Mark a version as staging", true), async (c) => {
    const body = await c.req.json() as { version: number };
    return c.json(view(await stageVersion(deps, me(c), c.req.valid("param").id, body.version)), 200);
  });
  app.openapi(
    stageRoute("/library/{id}/promote", "Promote the staging version to production", false),
    async (c) => c.json(view(await promoteStaging(deps, me(c), c.req.valid("param").id)), 200),
  );
  app.openapi(
    stageRoute("/library/{id}/rollback", "Roll production back to the previous production version", false),
    async (c) => c.json(view(await rollbackProduction(deps, me(c), c.req.valid("param").id)), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/library/{id}/export.ts",
      tags,
      summary: "Download the strategy text of the latest version",
      security: bearerSecurity,
      middleware: [user],
      request: { params: IdParam },
      responses: {
        200: { description: "Strategy text", content: { "text/plain": { schema: z.string() } } },
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const id = c.req.valid("param").id;
      const v = await getOwnVersion(deps, me(c), id);
      const text: string = `# ${id} v${v.version}\n${v.generated_code}`;
      return c.text(text, 200, {
        "Content-Disposition": `attachment; filename="${id}-v${v.version}.ts"`,
      });
    },
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
      const id = c.req.valid("param").id;
      await getOwnStrategy(deps, me(c), id);
      const job = await latestLibraryRun(runs.jobs, me(c), id);
      const report = job
        ? await runs.jobs.jobs.getReport(job.id) as {
          trades: Record<string, unknown>[];
          dailyPortfolio: Record<string, unknown>[];
        } | null
        : null;
      if (!job || !report) {
        throw new NotFoundError(`Strategy "${id}" has no completed backtest yet: submit one with library_id`);
      }
      const equity = [
        "date,portfolioValue,cash,drawdown",
        ...report.dailyPortfolio.map((d) => [d.date, d.portfolioValue, d.cash, d.drawdown].join(",")),
      ].join("\r\n");
      const body: string =
        `# trades (backtest ${job.id}, version ${job.library_version})\r\n${tradesToCsv(report.trades)}` +
        `\r\n# daily equity\r\n${equity}\r\n`;
      return c.body(body, 200, {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${id}-backtest.csv"`,
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
            a: z.object({ version: z.number().int(), metrics: documentedAs(BacktestSummarySchema) }),
            b: z.object({ version: z.number().int(), metrics: documentedAs(BacktestSummarySchema) }),
            spec_differences: z.array(
              z.object({
                path: z.string(),
                a: documentedAs(SpecValueSchema),
                b: documentedAs(SpecValueSchema),
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
      await auth.limiter.consume("backtest_user", me(c), runs.backtestRate);
      const id = c.req.valid("param").id;
      const q = c.req.valid("query");
      const [va, vb] = [await getOwnVersion(deps, me(c), id, q.a), await getOwnVersion(deps, me(c), id, q.b)];
      // Both versions are checked against the expression budget before either runs.
      for (const [v, param] of [[va, "a"], [vb, "b"]] as const) {
        assertWithinExpressionBudget(
          await estimateBacktestCost(v.spec, runs.jobs.market, me(c)),
          runs.maxExpressionCost,
          ["query", param],
          `version ${v.version}`,
        );
      }
      const run = (spec: typeof va.spec) =>
        runBacktest(spec, runs.jobs.market, {
          ownerId: me(c),
          maxSymbolBars: runs.maxSymbolBars,
          maxExpressionCost: runs.maxExpressionCost,
          now: () => 0,
          gate: runs.gate,
        });
      const [ra, rb] = [await run(va.spec), await run(vb.spec)];
      return c.json({
        a: { version: va.version, metrics: ra.summary },
        b: { version: vb.version, metrics: rb.summary },
        spec_differences: specDifferences(va.spec, vb.spec),
      }, 200);
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
  const catalogItem = async (s: LibraryStrategyRecord) => {
    const owner = await auth.users.get(s.user_id);
    const v = await deps.library.getVersion(s.id, s.production_version!);
    return {
      id: s.id,
      name: s.name,
      author: owner?.nickname ?? null,
      production_version: s.production_version!,
      generated_code: v?.generated_code ?? "",
      updated_at: new Date(s.updated_at).toISOString(),
    };
  };

  app.openapi(
    createRoute({
      method: "get",
      path: "/catalog/strategies",
      tags: ["catalog"],
      summary: "Public catalog: every promoted (production) strategy",
      request: { query: PageQuery },
      responses: { 200: jsonResponse(pageOf(CatalogItem, "CatalogPage"), "Catalog"), ...errorResponses(422) },
    }),
    async (c) => {
      const page = await catalogStrategies(deps, c.req.valid("query"));
      return c.json({ ...page, items: await Promise.all(page.items.map(catalogItem)) }, 200);
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
      const name = c.req.valid("param").name;
      const page = await catalogStrategies(deps, { limit: 200, offset: 0 }, name);
      if (page.items.length === 0) throw new NotFoundError(`No promoted strategy named "${name}"`);
      return c.json({ items: await Promise.all(page.items.map(catalogItem)) }, 200);
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
              metrics: documentedAs(BacktestSummarySchema),
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
      await auth.limiter.consume("catalog_compare_ip", c.get("clientIp"), runs.catalogCompareRate);
      const name = c.req.valid("param").name;
      const page = await catalogStrategies(deps, { limit: 10, offset: 0 }, name);
      if (page.items.length === 0) throw new NotFoundError(`No promoted strategy named "${name}"`);
      const found = [];
      for (const s of page.items) {
        const v = await deps.library.getVersion(s.id, s.production_version!);
        if (v) found.push({ s, v });
      }
      // Every strategy is checked against the expression budget before any runs (public data only).
      for (const { s, v } of found) {
        assertWithinExpressionBudget(
          await estimateBacktestCost(v.spec, runs.jobs.market, null),
          runs.maxExpressionCost,
          ["path", "name"],
          `strategy "${s.id}" (version ${v.version})`,
        );
      }
      const cache = { cache: runs.cache, market: runs.jobs.market, clock: deps.clock };
      const strategies = [];
      for (const { s, v } of found) {
        const result = await cachedRunSummary(
          cache,
          v.spec,
          null,
          () =>
            runBacktest(v.spec, runs.jobs.market, {
              ownerId: null, // public data only: the catalog is public
              maxSymbolBars: runs.maxSymbolBars,
              maxExpressionCost: runs.maxExpressionCost,
              now: () => 0,
              gate: runs.gate,
            }),
        );
        const owner = await auth.users.get(s.user_id);
        strategies.push({
          id: s.id,
          author: owner?.nickname ?? null,
          production_version: v.version,
          metrics: result.summary,
          cached: result.cached,
        });
      }
      return c.json({ name, strategies }, 200);
    },
  );

  return app;
}
