/**
 * Public, unauthenticated verification: `/api/v1/public/strategies/*` (list, track record, performance, verify,
 * audit, claimed) and `/api/v1/public/log/*` (transparency-log checkpoint, inclusion and consistency proofs).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { TrackRecordServices } from "../domain/track_record/services.ts";
import {
  publicAudit,
  publicClaimed,
  publicPerformance,
  publicTrackRecord,
  publicVerifyDay,
} from "../domain/track_record/public_record.ts";
import { isIsoDate } from "../domain/calendar/dates.ts";
import {
  logCheckpoint,
  logConsistencyProof,
  logInclusionProof,
  publicStrategiesPage,
} from "../domain/track_record/operations.ts";
import { newRouter } from "./app_env.ts";
import { errorResponses, jsonResponse, PageQuery, redirectLastSegment } from "./schemas/common.ts";
import {
  AuditLogSchema,
  CheckpointSchema,
  ConsistencyProofSchema,
  InclusionProofSchema,
  PerformanceSchema,
  PublicClaimedSchema,
  PublicStrategyPageSchema,
  SlugParam,
  TrackedUniverseSchema,
  TrackRecordSchema,
  VerifyDaySchema,
} from "./schemas/track_record.ts";

const tags = ["public records"];

const HashParam = z.object({
  signal_hash: z.string().regex(/^[0-9a-f]{64}$/, "64 lower-case hex characters").openapi({
    param: { name: "signal_hash", in: "path" },
  }),
});

/** Builds the public router. */
export function publicRecordRoutes(deps: TrackRecordServices) {
  const app = newRouter();

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/strategies",
      tags,
      summary: "Public tracked strategies with latest NAV and returns (no auth)",
      request: { query: PageQuery.extend({ universe: TrackedUniverseSchema.optional() }) },
      responses: {
        200: jsonResponse(PublicStrategyPageSchema, "Strategies"),
        ...errorResponses(422),
      },
    }),
    async (c) => {
      return c.json(await publicStrategiesPage(deps, c.req.valid("query")), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/strategies/{slug}/track-record",
      tags,
      summary: "Daily NAV record (verified) and the claimed history beside it",
      request: { params: SlugParam },
      responses: {
        200: jsonResponse(TrackRecordSchema, "Track record"),
        ...errorResponses(404, 422),
      },
    }),
    async (c) => c.json(await publicTrackRecord(deps, c.req.valid("param").slug), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/strategies/{slug}/performance",
      tags,
      summary: "Performance of the verified record vs its benchmark, with a rolling 60-day excess Sharpe",
      description:
        "Simple daily returns; 252 trading days a year; sample std (ddof 1); risk-free 0; annual " +
        "return null under 60 trading days.",
      request: { params: SlugParam },
      responses: { 200: jsonResponse(PerformanceSchema, "Performance"), ...errorResponses(404, 422) },
    }),
    async (c) => c.json(await publicPerformance(deps, c.req.valid("param").slug), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/strategies/{slug}/verify",
      tags,
      summary: "Everything needed to check one settled day (latest when date is omitted)",
      request: {
        params: SlugParam,
        query: z.object({ date: z.string().refine(isIsoDate, "Expected YYYY-MM-DD").optional() }),
      },
      responses: { 200: jsonResponse(VerifyDaySchema, "Verification bundle"), ...errorResponses(404, 422) },
    }),
    async (c) =>
      c.json(await publicVerifyDay(deps, c.req.valid("param").slug, c.req.valid("query").date), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/strategies/{slug}/audit",
      tags,
      summary: "The strategy's audit trail, newest first",
      request: { params: SlugParam, query: PageQuery },
      responses: {
        200: jsonResponse(AuditLogSchema, "Audit log"),
        ...errorResponses(404, 422),
      },
    }),
    async (c) => {
      const { limit, offset } = c.req.valid("query");
      return c.json(await publicAudit(deps, c.req.valid("param").slug, limit, offset), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/strategies/{slug}/claimed",
      tags,
      summary: "The researcher's claimed history and how it tracks the verified record",
      request: { params: SlugParam },
      responses: { 200: jsonResponse(PublicClaimedSchema, "Claimed history"), ...errorResponses(404, 422) },
    }),
    async (c) => c.json(await publicClaimed(deps, c.req.valid("param").slug), 200),
  );

  app.get("/public/strategies/:slug/backtest", (c) => {
    return c.redirect(redirectLastSegment(c.req.url, "backtest", "claimed"), 308);
  });

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/log/checkpoint",
      tags,
      summary: "The transparency log's signed head (Ed25519) and public key",
      responses: { 200: jsonResponse(CheckpointSchema, "Checkpoint") },
    }),
    async (c) => c.json(await logCheckpoint(deps), 200),
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/log/proof/{signal_hash}",
      tags,
      summary: "Inclusion proof of a signal hash in the transparency log (RFC 6962 audit path)",
      request: {
        params: HashParam,
        query: z.object({ tree_size: z.coerce.number().int().min(1).optional() }),
      },
      responses: { 200: jsonResponse(InclusionProofSchema, "Proof"), ...errorResponses(400, 404, 422) },
    }),
    async (c) => {
      const { signal_hash } = c.req.valid("param");
      return c.json(await logInclusionProof(deps, signal_hash, c.req.valid("query").tree_size), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/log/consistency",
      tags,
      summary: "Consistency proof between two tree sizes (the log was only appended to)",
      request: {
        query: z.object({
          first: z.coerce.number().int().min(1),
          second: z.coerce.number().int().min(1),
        }),
      },
      responses: { 200: jsonResponse(ConsistencyProofSchema, "Proof"), ...errorResponses(400, 422) },
    }),
    async (c) => {
      const { first, second } = c.req.valid("query");
      return c.json(await logConsistencyProof(deps, first, second), 200);
    },
  );
  return app;
}
