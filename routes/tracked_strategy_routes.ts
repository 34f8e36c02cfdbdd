/**
 * `/api/v1/strategies/*` (auth): tracked strategies, their daily signals and claimed histories. Another user's
 * strategy is "not found".
 */
import { fromInput } from "./errors.ts";
import { createRoute } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { deleteClaimedHistory, putClaimedHistory } from "../domain/track_record/claimed_history.ts";
import {
  createTrackedStrategyView,
  getClaimedHistoryView,
  getOwnTrackedView,
  listOwnTrackedView,
  listSignalsView,
  patchTrackedView,
  submitSignalView,
  withdrawSignalView,
} from "../domain/track_record/operations.ts";
import type { TrackRecordServices } from "../domain/track_record/services.ts";
import { newRouter } from "./app_env.ts";
import { requireAuth } from "./middleware/auth.ts";
import {
  bearerSecurity,
  errorResponses,
  jsonBody,
  jsonResponse,
  PageQuery,
  redirectLastSegment,
} from "./schemas/common.ts";
import {
  ClaimedBody,
  ClaimedDeletedSchema,
  ClaimedFullSchema,
  ClaimedSummarySchema,
  CreateTrackedBody,
  PatchTrackedBody,
  SignalConflictSchema,
  SignalDayRefusedSchema,
  SignalPageSchema,
  SlugDateParam,
  SlugParam,
  SubmitSignalBody,
  SubmittedSignalSchema,
  TrackedListQuery,
  TrackedStrategyListSchema,
  TrackedStrategySchema,
  WithdrawnSignalSchema,
} from "./schemas/track_record.ts";

const tags = ["tracked strategies"];

/** Builds the tracked-strategy router. */
export function trackedStrategyRoutes(
  auth: AuthDeps,
  deps: TrackRecordServices,
) {
  const app = newRouter();
  const user = requireAuth(auth);

  app.openapi(
    createRoute({
      method: "post",
      path: "/strategies",
      tags,
      summary: "Create a tracked strategy (pending until its first signal)",
      security: bearerSecurity,
      middleware: [user],
      request: { body: jsonBody(CreateTrackedBody) },
      responses: {
        201: jsonResponse(TrackedStrategySchema, "Created"),
        ...errorResponses(400, 401, 403, 409, 422),
      },
    }),
    async (c) => {
      const input = c.req.valid("json");
      return c.json(
        await fromInput("body", () => createTrackedStrategyView(deps, c.get("principal").user, input)),
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/strategies",
      tags,
      summary: "My tracked strategies (all statuses unless ?status=), newest first",
      security: bearerSecurity,
      middleware: [user],
      request: { query: TrackedListQuery },
      responses: {
        200: jsonResponse(
          TrackedStrategyListSchema,
          "Strategies",
        ),
        ...errorResponses(401, 403, 422),
      },
    }),
    async (c) => {
      const { status, limit, offset } = c.req.valid("query");
      const view = await listOwnTrackedView(deps, c.get("principal").user.id, status, { limit, offset });
      return c.json(view, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/strategies/{slug}",
      tags,
      summary: "One of my tracked strategies",
      security: bearerSecurity,
      middleware: [user],
      request: { params: SlugParam },
      responses: {
        200: jsonResponse(TrackedStrategySchema, "Strategy"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      return c.json(
        await getOwnTrackedView(deps, c.get("principal").user.id, c.req.valid("param").slug),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/strategies/{slug}",
      tags,
      summary: "Update name, description, status or is_public (nothing else)",
      description:
        "Status machine: pending→retired; active→paused|retired; paused→active|retired; retired is " +
        "terminal; pending becomes active only through its first signal. An illegal transition answers 400.",
      security: bearerSecurity,
      middleware: [user],
      request: { params: SlugParam, body: jsonBody(PatchTrackedBody) },
      responses: {
        200: jsonResponse(TrackedStrategySchema, "Updated"),
        ...errorResponses(400, 401, 403, 404, 422),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid("param");
      return c.json(await patchTrackedView(deps, c.get("principal").user.id, slug, c.req.valid("json")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/strategies/{slug}",
      tags,
      summary: "Retire a strategy (soft: its record stays public)",
      security: bearerSecurity,
      middleware: [user],
      request: { params: SlugParam },
      responses: {
        200: jsonResponse(TrackedStrategySchema, "Retired"),
        ...errorResponses(400, 401, 403, 404, 422),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid("param");
      return c.json(
        await patchTrackedView(deps, c.get("principal").user.id, slug, { status: "retired" }),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/strategies/{slug}/signals",
      tags,
      summary: "Submit a trading day's target weights before the deadline",
      description:
        "Deadline: 09:15 Asia/Shanghai on trade_date for open execution, 15:00 for close, by the " +
        "server's receive time, no grace. A different second submission for the same date before the " +
        "deadline replaces the first (`replaced: true`) unless it is settled or committed to GitHub. A " +
        "re-submission of a recorded day answers 409 when it is identical (`reason: identical`, nothing " +
        "changes) or when the recorded signal is settled or attested (`reason: settled|attested`, final); a " +
        "late one is 400 with 'deadline passed' in `detail`. The first signal activates a pending strategy. " +
        "signal_hash = SHA-256 of canonical_json (README, 'Signal hash').",
      security: bearerSecurity,
      middleware: [user],
      request: { params: SlugParam, body: jsonBody(SubmitSignalBody) },
      responses: {
        201: jsonResponse(SubmittedSignalSchema, "Accepted"),
        ...errorResponses(401, 403, 404, 422, 429),
        409: jsonResponse(SignalConflictSchema, "The day already has a signal that this one cannot replace"),
        400: jsonResponse(SignalDayRefusedSchema, "Not a trading day (or another refusal: `detail` says)"),
      },
    }),
    async (c) => {
      const me = c.get("principal").user.id;
      const slug = c.req.valid("param").slug;
      return c.json(
        await fromInput("body", () => submitSignalView(deps, me, slug, c.req.valid("json"))),
        201,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/strategies/{slug}/signals",
      tags,
      summary: "My strategy's signals, newest trade date first",
      security: bearerSecurity,
      middleware: [user],
      request: { params: SlugParam, query: PageQuery.extend({ limit: PageQuery.shape.limit.default(30) }) },
      responses: {
        200: jsonResponse(
          SignalPageSchema,
          "Signals",
        ),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const { limit, offset } = c.req.valid("query");
      const { slug } = c.req.valid("param");
      return c.json(await listSignalsView(deps, c.get("principal").user.id, slug, limit, offset), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/strategies/{slug}/signals/{trade_date}",
      tags,
      summary: "Withdraw a signal before its deadline (not once settled or committed to GitHub)",
      security: bearerSecurity,
      middleware: [user],
      request: { params: SlugDateParam },
      responses: {
        200: jsonResponse(
          WithdrawnSignalSchema,
          "Withdrawn",
        ),
        ...errorResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const { slug, trade_date } = c.req.valid("param");
      return c.json(await withdrawSignalView(deps, c.get("principal").user.id, slug, trade_date), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "put",
      path: "/strategies/{slug}/claimed",
      tags,
      summary: "Upload (or replace) the claimed NAV history (e.g. out-of-sample paper trading)",
      description:
        "2–5000 points, strictly ascending dates, NAV in (0, 1e10], none after today (Asia/Shanghai); the " +
        "strategy must be active or paused. Dates may overlap the platform's own record: the two are kept " +
        "apart and compared on their common dates, and `tracking` is answered once at least 5 are common " +
        "(tracking_diff_annualized = mean(return difference) × 252, tracking_error_annualized = sample sd × " +
        "√252, Pearson correlation, verdict). 201 on the first upload, 200 on a replacement.",
      security: bearerSecurity,
      middleware: [user],
      request: { params: SlugParam, body: jsonBody(ClaimedBody) },
      responses: {
        201: jsonResponse(ClaimedSummarySchema, "Stored"),
        200: jsonResponse(ClaimedSummarySchema, "Replaced"),
        ...errorResponses(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const { view, created } = await fromInput(
        "body",
        () =>
          putClaimedHistory(
            deps,
            c.get("principal").user.id,
            c.req.valid("param").slug,
            c.req.valid("json").records,
          ),
      );
      return c.json(view, created ? 201 : 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/strategies/{slug}/claimed",
      tags,
      summary: "My strategy's claimed history: meta and records normalised to 1.0 at the first record",
      security: bearerSecurity,
      middleware: [user],
      request: { params: SlugParam },
      responses: {
        200: jsonResponse(ClaimedFullSchema, "Claimed history"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const { slug } = c.req.valid("param");
      return c.json(await getClaimedHistoryView(deps, c.get("principal").user.id, slug), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/strategies/{slug}/claimed",
      tags,
      summary: "Delete my strategy's claimed history",
      security: bearerSecurity,
      middleware: [user],
      request: { params: SlugParam },
      responses: {
        200: jsonResponse(
          ClaimedDeletedSchema,
          "Deleted",
        ),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => {
      const r = await deleteClaimedHistory(deps, c.get("principal").user.id, c.req.valid("param").slug);
      return c.json(r, 200);
    },
  );

  // The claimed history used to live under /backtest: permanent redirects keep old clients working.
  for (const method of ["GET", "PUT", "DELETE"] as const) {
    app.on(method, "/strategies/:slug/backtest", (c) => {
      return c.redirect(redirectLastSegment(c.req.url, "backtest", "claimed"), 308);
    });
  }
  return app;
}
