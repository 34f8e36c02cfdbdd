/**
 * `/api/v1/factors/*` (auth): the alpha factor library — factors, their values, validation, correlations and
 * series. Another user's factor is "not found". The values upload declares its body in OpenAPI but is read by
 * `readFactorUpload` (same rules, several times faster on 500 × 1,000 entries) under its own body limit
 * (FACTOR_UPLOAD_MAX_BYTES, checked in `app.ts` before authentication like the global one).
 */
import { createRoute } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import {
  createFactor,
  deleteFactor,
  getFactorDetail,
  listFactors,
  patchFactor,
} from "../domain/factors/factor_crud.ts";
import {
  factorChartData,
  factorCorrelations,
  factorIcSeries,
  factorValuesStatus,
  MAX_VALUES_DATES_PER_READ,
  readFactorValues,
} from "../domain/factors/factor_reads.ts";
import { uploadFactorValues } from "../domain/factors/factor_upload.ts";
import { MAX_VALIDATION_CELLS, pollFactorSubmit, submitFactor } from "../domain/factors/factor_validation.ts";
import type { FactorServices } from "../domain/factors/services.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { requireAuth } from "./middleware/auth.ts";
import { bearerSecurity, errorResponses, ErrorSchema, jsonBody, jsonResponse } from "./schemas/common.ts";
import {
  CreateFactorBody,
  FactorChartDataSchema,
  FactorCorrelationsSchema,
  FactorDeletedSchema,
  FactorDetailSchema,
  FactorIcSeriesSchema,
  FactorIdParam,
  FactorListQuery,
  FactorListSchema,
  FactorSchema,
  FactorSubmitPollSchema,
  FactorUploadSchema,
  FactorValuesPageSchema,
  FactorValuesQuery,
  FactorValuesStatusSchema,
  PatchFactorBody,
  UploadFactorValuesBody,
} from "./schemas/factors.ts";

const tags = ["factors"];

/** Builds the factor router (the upload's body limit, FACTOR_UPLOAD_MAX_BYTES, is applied in `app.ts`). */
export function factorRoutes(auth: AuthDeps, deps: FactorServices) {
  const app = newRouter();
  const user = requireAuth(auth);
  const me = (c: { get(k: "principal"): { user: { id: string } } }) => c.get("principal").user.id;

  app.openapi(
    createRoute({
      method: "post",
      path: "/factors",
      tags,
      summary: "Create a factor (draft; a formula factor is computed at once and is ready)",
      description:
        "`values_source: upload` (default): upload values with POST /factors/{factor_id}/values; " +
        "`expression` is the owner's note, not verified. `values_source: formula` (beyond the document): the " +
        "platform computes the values from `expression` on the universe's own bars over `history_days` SSE " +
        "trading days ending at the last completed trading day; uploads to it answer 409.",
      security: bearerSecurity,
      middleware: [user],
      request: { body: jsonBody(CreateFactorBody) },
      responses: {
        201: jsonResponse(FactorSchema, "Created"),
        ...errorResponses(400, 401, 403, 422, 429),
      },
    }),
    async (c) => c.json(await fromInput("body", () => createFactor(deps, me(c), c.req.valid("json"))), 201),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/factors",
      tags,
      summary: "My factors (?status=, ?universe=, ?order=, ?limit=, ?offset=)",
      security: bearerSecurity,
      middleware: [user],
      request: { query: FactorListQuery },
      responses: { 200: jsonResponse(FactorListSchema, "Factors"), ...errorResponses(401, 403, 422) },
    }),
    async (c) => c.json(await listFactors(deps, me(c), c.req.valid("query")), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/factors/{factor_id}",
      tags,
      summary: "One of my factors with its IC series, long-short curve and conventions",
      security: bearerSecurity,
      middleware: [user],
      request: { params: FactorIdParam },
      responses: { 200: jsonResponse(FactorDetailSchema, "Factor"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => c.json(await getFactorDetail(deps, me(c), c.req.valid("param").factor_id), 200),
  );

  app.openapi(
    createRoute({
      method: "patch",
      path: "/factors/{factor_id}",
      tags,
      summary: "Change name, description or expression (draft or rejected factors only)",
      security: bearerSecurity,
      middleware: [user],
      request: { params: FactorIdParam, body: jsonBody(PatchFactorBody) },
      responses: { 200: jsonResponse(FactorSchema, "Updated"), ...errorResponses(400, 401, 403, 404, 422) },
    }),
    async (c) =>
      c.json(
        await fromInput("body", () =>
          patchFactor(deps, me(c), c.req.valid("param").factor_id, c.req.valid("json"))),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "delete",
      path: "/factors/{factor_id}",
      tags,
      summary: "Delete a factor with its values (draft or rejected factors only)",
      security: bearerSecurity,
      middleware: [user],
      request: { params: FactorIdParam },
      responses: {
        200: jsonResponse(FactorDeletedSchema, "Deleted"),
        ...errorResponses(400, 401, 403, 404, 422),
      },
    }),
    async (c) => c.json(await deleteFactor(deps, me(c), c.req.valid("param").factor_id), 200),
  );

  // The upload: documented with its schema, read by hand (see the module comment).
  const uploadRoute = createRoute({
    method: "post",
    path: "/factors/{factor_id}/values",
    tags,
    summary: "Upload (upsert) factor values: 1–500 dates per request",
    description:
      "Same date overwrites. Dates that are not SSE trading days are skipped (`skipped_dates`); a " +
      "date after today (Asia/Shanghai) or twice in one body, a symbol not like 600519.SH / 000001.SZ or a " +
      "value that is not a finite number is a 422 naming it (`loc: [body, data, i, values, symbol]`). Symbols " +
      "outside the factor's universe are not stored (`ignored_symbols`). At 120 trading days a draft becomes " +
      "ready; an upload to a rejected factor clears its validation and makes it draft or ready again. The " +
      `factor must be draft, ready or rejected (400); a formula factor answers 409. Body limit ` +
      `FACTOR_UPLOAD_MAX_BYTES (413 beyond).`,
    security: bearerSecurity,
    request: { params: FactorIdParam, body: jsonBody(UploadFactorValuesBody) },
    responses: {
      200: jsonResponse(FactorUploadSchema, "Stored"),
      ...errorResponses(400, 401, 403, 404, 409, 422),
      413: jsonResponse(ErrorSchema, "Body too large"),
    },
  });
  app.openAPIRegistry.registerPath(uploadRoute);
  app.post("/factors/:factor_id/values", user, async (c) => {
    const id = c.req.param("factor_id");
    if (id.length > 64) throw new HTTPException(404, { message: "Factor not found" });
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      throw new HTTPException(400, { message: "Malformed JSON in request body" });
    }
    const view = await fromInput("body", () => uploadFactorValues(deps, me(c), id, body));
    return c.json(view, 200);
  });

  app.openapi(
    createRoute({
      method: "get",
      path: "/factors/{factor_id}/values/status",
      tags,
      summary: "Upload progress: stored trading days and readiness (>= 120)",
      security: bearerSecurity,
      middleware: [user],
      request: { params: FactorIdParam },
      responses: {
        200: jsonResponse(FactorValuesStatusSchema, "Progress"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => c.json(await factorValuesStatus(deps, me(c), c.req.valid("param").factor_id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/factors/{factor_id}/values",
      tags,
      summary: `Read back stored values (beyond the document): ${MAX_VALUES_DATES_PER_READ} dates per call`,
      description:
        "Dates from `start` to `end` (inclusive, each optional), oldest first; `next_start` is the " +
        "first date of the next page within the range.",
      security: bearerSecurity,
      middleware: [user],
      request: { params: FactorIdParam, query: FactorValuesQuery },
      responses: {
        200: jsonResponse(FactorValuesPageSchema, "Values"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) =>
      c.json(
        await fromInput(
          "query",
          () => readFactorValues(deps, me(c), c.req.valid("param").factor_id, c.req.valid("query")),
        ),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/factors/{factor_id}/submit",
      tags,
      summary: "Validate a ready factor (synchronous): active or rejected",
      description:
        "Delay 1, Spearman rank IC, IC IR, turnover, IC decay, coverage, quintile long-short, Sharpe, " +
        "fitness, correlation with your other active factors of the universe, five checks. The answer's " +
        "`conventions` state every definition. A factor validating for more than 10 minutes may be submitted " +
        `again. Panels over ${MAX_VALIDATION_CELLS} trading-day × symbol cells are refused (400).`,
      security: bearerSecurity,
      middleware: [user],
      request: { params: FactorIdParam },
      responses: {
        200: jsonResponse(FactorDetailSchema, "Validated"),
        ...errorResponses(400, 401, 403, 404, 409, 422, 429),
      },
    }),
    async (c) => c.json(await submitFactor(deps, me(c), c.req.valid("param").factor_id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/factors/{factor_id}/submit",
      tags,
      summary: "Validation status: status, checks, validated_at",
      security: bearerSecurity,
      middleware: [user],
      request: { params: FactorIdParam },
      responses: {
        200: jsonResponse(FactorSubmitPollSchema, "Status"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => c.json(await pollFactorSubmit(deps, me(c), c.req.valid("param").factor_id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/factors/{factor_id}/correlations",
      tags,
      summary: "Spearman correlation with each of my active factors, by |correlation| descending",
      security: bearerSecurity,
      middleware: [user],
      request: { params: FactorIdParam },
      responses: {
        200: jsonResponse(FactorCorrelationsSchema, "Correlations"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => c.json(await factorCorrelations(deps, me(c), c.req.valid("param").factor_id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/factors/{factor_id}/ic-series",
      tags,
      summary: "Daily IC of the last validation",
      security: bearerSecurity,
      middleware: [user],
      request: { params: FactorIdParam },
      responses: {
        200: jsonResponse(FactorIcSeriesSchema, "IC series"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => c.json(await factorIcSeries(deps, me(c), c.req.valid("param").factor_id), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/factors/{factor_id}/chart-data",
      tags,
      summary: "IC series, long-short cumulative returns and yearly stats in one call",
      security: bearerSecurity,
      middleware: [user],
      request: { params: FactorIdParam },
      responses: {
        200: jsonResponse(FactorChartDataSchema, "Chart data"),
        ...errorResponses(401, 403, 404, 422),
      },
    }),
    async (c) => c.json(await factorChartData(deps, me(c), c.req.valid("param").factor_id), 200),
  );

  return app;
}
