/**
 * Paper trading (document 003 "Strategy Operations"), auth required, everything the owner's only (another
 * user's strategy or instance → 404). Each route is served twice: under `/strategies/{strategy_id}/…` (the
 * document's paths) and `/library/{id}/…`. `{strategy_id}` is my library strategy's id or the name of exactly
 * one of my library strategies (several → 409 listing their ids).
 *
 * Coexistence: `/strategies/{slug}` itself and its `signals`/`claimed` sub-paths are the QuantGPT document's
 * tracked strategies (`tracked_strategy_routes.ts`), `stage`/`promote` the model registry
 * (`model_registry_routes.ts`); only `run` and `instances…` are here, so the paths never overlap. A slug that
 * is not one of my library strategies answers 404 here, saying so.
 *
 * - `POST …/run` {version?, start_date?, is_public?} → 201 instance
 * - `GET …/instances?status=&limit=&offset=` → {instances, total}
 * - `GET …/instances/{id}` → instance
 * - `POST …/instances/{id}/stop` {liquidate?} → instance (stopped; final)
 * - `GET …/instances/{id}/logs?since=&limit=` → {instance_id, events, next_since, has_more}
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import {
  getInstance,
  instanceLogs,
  listInstances,
  startInstance,
  stopInstance,
} from "../domain/paper/paper_instances.ts";
import { advanceInstances } from "../domain/paper/paper_advance.ts";
import type { PaperServices } from "../domain/paper/paper_services.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, jsonResponse, optionalJsonBody } from "./schemas/common.ts";
import {
  InstanceListQuery,
  InstanceLogsQuery,
  PaperAdvanceSummarySchema,
  PaperInstanceListSchema,
  PaperInstanceSchema,
  PaperLogPageSchema,
  StartInstanceBody,
  StopInstanceBody,
} from "./schemas/paper.ts";

const tags = ["paper trading"];

const refParam = (key: "strategy_id" | "id") =>
  z.string().min(1).max(200).openapi({
    param: { name: key, in: "path" },
    description: "My library strategy's id (strat_…) or the name of exactly one of my library strategies",
    example: "TrendFollowing",
  });
const instanceParam = (key: "id" | "instance_id") =>
  z.string().min(1).max(100).openapi({
    param: { name: key, in: "path" },
    description: "The instance id (pi_…)",
    example: "pi_01JABCDEF0123456789ABCDEFG",
  });

/**
 * The two roots every paper route is served under, and the names of their strategy and instance parameters
 * (the document's `/strategies/{strategy_id}/instances/{id}`; under `/library/{id}` the instance is `{instance_id}`).
 */
const ROOTS = [
  { prefix: "/strategies/{strategy_id}", key: "strategy_id" as const, inst: "id" as const },
  { prefix: "/library/{id}", key: "id" as const, inst: "instance_id" as const },
];

/** Builds the paper-trading router (mounted under `/api/v1`). */
export function paperRoutes(auth: AuthDeps, deps: PaperServices) {
  const app = newRouter();
  const user = requireAuth(auth);
  const me = (c: { get(k: "principal"): { user: { id: string } } }) => c.get("principal").user.id;

  for (const { prefix, key, inst: instKey } of ROOTS) {
    const ref = z.object({ [key]: refParam(key) });
    const inst = z.object({ [key]: refParam(key), [instKey]: instanceParam(instKey) });
    const strategyOf = (p: Record<string, string>) => p[key];
    const instanceOf = (p: Record<string, string>) => p[instKey];
    const instPath = `${prefix}/instances/{${instKey}}`;
    const doc = prefix.startsWith("/strategies") ? " (document 003)" : "";

    app.openapi(
      createRoute({
        method: "post",
        path: `${prefix}/run`,
        tags,
        summary: `Start a paper-trading instance of my library strategy${doc}`,
        description:
          "Runs the production version (or `version`) forward from `start_date` on new bars with " +
          "the backtest engine and execution model; a past start_date is processed through the latest closed " +
          "session before the answer. Capital, costs and universe come from the spec. Running instances per " +
          "tier: free 2, licensed 20 (403 past it). Rate-limited like synchronous backtests.",
        security: bearerSecurity,
        middleware: [user],
        request: { params: ref, body: optionalJsonBody(StartInstanceBody) },
        responses: {
          201: jsonResponse(PaperInstanceSchema, "Started"),
          ...errorResponses(400, 401, 403, 404, 409, 422, 429),
        },
      }),
      async (c) => {
        const view = await fromInput(
          "body",
          () => startInstance(deps, me(c), strategyOf(c.req.valid("param")), c.req.valid("json")),
        );
        return c.json(view, 201);
      },
    );

    app.openapi(
      createRoute({
        method: "get",
        path: `${prefix}/instances`,
        tags,
        summary: `My paper instances of this strategy, newest first${doc}`,
        security: bearerSecurity,
        middleware: [user],
        request: { params: ref, query: InstanceListQuery },
        responses: {
          200: jsonResponse(PaperInstanceListSchema, "Instances"),
          ...errorResponses(401, 403, 404, 409, 422),
        },
      }),
      async (c) =>
        c.json(await listInstances(deps, me(c), strategyOf(c.req.valid("param")), c.req.valid("query")), 200),
    );

    app.openapi(
      createRoute({
        method: "get",
        path: instPath,
        tags,
        summary: `One of my paper instances${doc}`,
        security: bearerSecurity,
        middleware: [user],
        request: { params: inst },
        responses: {
          200: jsonResponse(PaperInstanceSchema, "The instance"),
          ...errorResponses(401, 403, 404, 409, 422),
        },
      }),
      async (c) => {
        const p = c.req.valid("param");
        return c.json(await getInstance(deps, me(c), strategyOf(p), instanceOf(p)), 200);
      },
    );

    app.openapi(
      createRoute({
        method: "post",
        path: `${instPath}/stop`,
        tags,
        summary: `Stop one of my paper instances (final)${doc}`,
        description:
          "Pending orders are cancelled; positions are kept, or sold at the last processed close " +
          "with `liquidate: true` (default: the spec's close_at_end). Stopping twice is a 409.",
        security: bearerSecurity,
        middleware: [user],
        request: { params: inst, body: optionalJsonBody(StopInstanceBody) },
        responses: {
          200: jsonResponse(PaperInstanceSchema, "Stopped"),
          ...errorResponses(401, 403, 404, 409, 422),
        },
      }),
      async (c) => {
        const p = c.req.valid("param");
        return c.json(
          await fromInput(
            "body",
            () => stopInstance(deps, me(c), strategyOf(p), instanceOf(p), c.req.valid("json")),
          ),
          200,
        );
      },
    );

    app.openapi(
      createRoute({
        method: "get",
        path: `${instPath}/logs`,
        tags,
        summary: `The event log of one of my paper instances${doc}`,
        description:
          "Orders, fills with their reasons, lapsed and cancelled orders, daily summaries, errors; " +
          "in seq order (1-based, gapless). `since`: the seq of the last event seen, or a date/instant.",
        security: bearerSecurity,
        middleware: [user],
        request: { params: inst, query: InstanceLogsQuery },
        responses: {
          200: jsonResponse(PaperLogPageSchema, "Events"),
          ...errorResponses(401, 403, 404, 409, 422),
        },
      }),
      async (c) => {
        const p = c.req.valid("param");
        return c.json(
          await fromInput(
            "query",
            () => instanceLogs(deps, me(c), strategyOf(p), instanceOf(p), c.req.valid("query")),
          ),
          200,
        );
      },
    );
  }
  return app;
}

/**
 * The `paper-advance` daily job for `POST /admin/jobs/paper-advance/run?date=` (an `AdminJob`): advances every
 * running instance through `min(date, the latest session its exchanges have closed)`; default date today (UTC).
 */
export function paperAdvanceJob(deps: PaperServices) {
  return {
    name: "paper-advance",
    description: "after each market's close: advances every running paper instance by the newly closed bars",
    summary: PaperAdvanceSummarySchema,
    run: async (date: string | undefined) => {
      const summary = await advanceInstances(deps, { date });
      return { date: summary.date, summary };
    },
  };
}
