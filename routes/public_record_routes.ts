/**
 * Public, unauthenticated verification: `/api/v1/public/strategies/*` (list, track record, performance, verify,
 * audit, claimed) and `/api/v1/public/log/*` (transparency-log checkpoint, inclusion and consistency proofs).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { TrackRecordServices } from "../domain/track_record/services.ts";
import {
  listPublicStrategies,
  publicAudit,
  publicClaimed,
  publicPerformance,
  publicTrackRecord,
  publicVerifyDay,
} from "../domain/track_record/public_record.ts";
import { isIsoDate } from "../domain/calendar/dates.ts";
import { logCheckpoint, logConsistencyProof, logInclusionProof } from "../domain/track_record/operations.ts";
import { newRouter } from "./app_env.ts";
import { errorResponses, jsonResponse, PageQuery, redirectLastSegment } from "./schemas/common.ts";
import { SlugParam, TrackedUniverseSchema } from "./schemas/track_record.ts";

const tags = ["public records"];
const Obj = (name: string) => z.object({}).catchall(z.unknown()).openapi(name);

const PublicRow = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  creator: z.string().nullable(),
  universe: TrackedUniverseSchema,
  benchmark: z.string(),
  status: z.string(),
  is_demo: z.boolean(),
  start_date: z.string().nullable(),
  trading_days: z.number().int(),
  latest_date: z.string().nullable(),
  latest_nav: z.number().nullable(),
  total_return: z.number().nullable(),
  daily_return: z.number().nullable(),
  has_claimed: z.boolean(),
}).openapi("PublicStrategy");

const RecordPoint = z.object({
  date: z.string(),
  nav: z.number(),
  daily_return: z.number(),
  cumulative_return: z.number(),
  benchmark_return: z.number().nullable(),
  provisional: z.boolean().openapi({
    description: "true when the day lies past the official SSE holiday list (judged on the estimate)",
  }),
});

const NullableNumber = z.number().nullable();
const PerformanceSchema = z.object({
  strategy: z.string(),
  total_return: NullableNumber,
  annual_return: NullableNumber,
  volatility: NullableNumber,
  sharpe: NullableNumber,
  max_drawdown: NullableNumber,
  calmar: NullableNumber,
  excess_return: NullableNumber,
  excess_sharpe: NullableNumber,
  benchmark_return: NullableNumber,
  benchmark_missing_days: z.number().int(),
  trading_days: z.number().int(),
  rolling_excess_sharpe: z.array(z.object({ date: z.string(), value: NullableNumber })),
  conventions: z.record(z.string(), z.unknown()),
}).openapi("PublicPerformance");

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
        200: jsonResponse(
          z.object({
            items: z.array(PublicRow),
            total: z.number().int(),
            limit: z.number().int(),
            offset: z.number().int(),
          }),
          "Strategies",
        ),
        ...errorResponses(422),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await listPublicStrategies(deps, q);
      return c.json({ ...page, limit: q.limit, offset: q.offset }, 200);
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
        200: jsonResponse(
          z.object({
            strategy: z.string(),
            name: z.string(),
            is_demo: z.boolean(),
            initial_capital: z.number(),
            benchmark: z.string(),
            records: z.array(RecordPoint),
            claimed: Obj("ClaimedBlock").nullable(),
          }).openapi("TrackRecord"),
          "Track record",
        ),
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
      responses: { 200: jsonResponse(Obj("VerifyDay"), "Verification bundle"), ...errorResponses(404, 422) },
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
        200: jsonResponse(
          z.object({
            audit_log: z.array(z.object({
              id: z.string(),
              at: z.string(),
              date: z.string(),
              event: z.string(),
              detail: z.string(),
              data: z.record(z.string(), z.unknown()).nullable(),
            })),
            total: z.number().int(),
            limit: z.number().int(),
            offset: z.number().int(),
          }).openapi("AuditLog"),
          "Audit log",
        ),
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
      responses: { 200: jsonResponse(Obj("PublicClaimed"), "Claimed history"), ...errorResponses(404, 422) },
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
      responses: { 200: jsonResponse(Obj("LogCheckpoint"), "Checkpoint") },
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
      responses: { 200: jsonResponse(Obj("InclusionProof"), "Proof"), ...errorResponses(400, 404, 422) },
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
      responses: { 200: jsonResponse(Obj("ConsistencyProof"), "Proof"), ...errorResponses(400, 422) },
    }),
    async (c) => {
      const { first, second } = c.req.valid("query");
      return c.json(await logConsistencyProof(deps, first, second), 200);
    },
  );
  return app;
}
