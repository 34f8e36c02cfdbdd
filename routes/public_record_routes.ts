/**
 * Public, unauthenticated verification: `/api/v1/public/strategies/*` (list, track record, performance, verify,
 * audit, claimed) and `/api/v1/public/log/*` (either transparency log's checkpoint, checkpoint list, witnesses,
 * inclusion and consistency proofs; `?log=production|demo`).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { TrackRecordServices } from "../domain/track_record/services.ts";
import { isIsoDate } from "../domain/calendar/dates.ts";
import {
  auditAnswer,
  checkpointAnswer,
  checkpointsAnswer,
  claimedAnswer,
  consistencyAnswer,
  listAnswer,
  performanceAnswer,
  proofAnswer,
  type PublicAnswer,
  trackRecordAnswer,
  verifyAnswer,
  witnessesAnswer,
} from "../domain/public_reads/public_answers.ts";
import { newRouter } from "./app_env.ts";
import type { Context } from "hono";
import { createPublicListings } from "../domain/public_reads/public_listings.ts";
import { PUBLIC_IMMUTABLE, PUBLIC_REVALIDATE, publicJson, type PublicReadDeps } from "./public_cache.ts";
import { errorResponses, jsonResponse, PageQuery, redirectLastSegment } from "./schemas/common.ts";
import {
  AuditLogSchema,
  CheckpointPageSchema,
  CheckpointSchema,
  ConsistencyProofSchema,
  InclusionProofSchema,
  LogQuery,
  PerformanceSchema,
  PublicClaimedSchema,
  PublicStrategyPageSchema,
  SignalHashParam,
  SlugParam,
  TrackedUniverseSchema,
  TrackRecordSchema,
  VerifyDaySchema,
  WitnessListSchema,
} from "./schemas/track_record.ts";

const tags = ["public records"];

/** Builds the public router. */
export function publicRecordRoutes(deps: TrackRecordServices, reads: PublicReadDeps) {
  const app = newRouter();
  const listings = createPublicListings(deps, reads.versions);
  const cached = (c: Context, answer: PublicAnswer, cacheControl?: string) =>
    publicJson(c, reads, { ...answer, cacheControl }) as never;

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/strategies",
      tags,
      summary: "Public tracked strategies with latest NAV and returns (no auth)",
      description:
        "Answered as `strategies` (the QuantGPT document's name) and `items` (the same page), with " +
        "`total`, `limit` (default 50, max 200) and `offset`; most trading days first, then by slug.",
      request: { query: PageQuery.extend({ universe: TrackedUniverseSchema.optional() }) },
      responses: {
        200: jsonResponse(PublicStrategyPageSchema, "Strategies"),
        ...errorResponses(422),
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      // Every page is a slice of the sorted list held at the list's version: no offset rebuilds the list.
      const answer = listAnswer(deps, query, listings);
      if (query.offset === 0) return cached(c, answer);
      // Past the end every offset is the same empty page: answered, never kept (no entry per offset).
      const { rows } = await listings.current(query.universe);
      return publicJson(c, reads, { ...answer, keep: query.offset < rows.length }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/strategies/{slug}/track-record",
      tags,
      summary: "Daily NAV record (verified) and the claimed history beside it",
      description:
        "records[].nav is normalised to 1.0 at the start (nav_value / initial_capital); nav_value is " +
        "the NAV in currency; benchmark_return is the index's return that day. `claimed` (present only when a " +
        "claimed history exists) holds `meta`, records normalised to 1.0 at their first date and, once at " +
        "least 5 dates are common to both records, `tracking`.",
      request: { params: SlugParam },
      responses: {
        200: jsonResponse(TrackRecordSchema, "Track record"),
        ...errorResponses(404, 422),
      },
    }),
    (c) => {
      return cached(c, trackRecordAnswer(deps, c.req.valid("param").slug));
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/strategies/{slug}/performance",
      tags,
      summary: "Performance of the verified record vs its benchmark, with a rolling 60-day excess Sharpe",
      description:
        "`metrics` and `rolling_excess_sharpe` (the same figures are also answered flat). Simple " +
        "daily returns; 252 trading days a year; sample std (ddof 1); risk-free 0; annual return null under 60 " +
        "trading days; rolling excess Sharpe over windows of 60 daily excess returns, dated by the window's " +
        "last day. `conventions` states them with the figures.",
      request: { params: SlugParam },
      responses: { 200: jsonResponse(PerformanceSchema, "Performance"), ...errorResponses(404, 422) },
    }),
    (c) => {
      return cached(c, performanceAnswer(deps, c.req.valid("param").slug));
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/strategies/{slug}/verify",
      tags,
      summary: "Everything needed to check one settled day (latest when date is omitted)",
      description:
        "`verification` holds nav, cash, positions (market_value = quantity × price; Σ market_value " +
        "+ cash = nav), the sorted position `symbols` and `symbols_hash` (first 16 hex of SHA-256 of them " +
        "comma-joined), `signal_attestation` (signal hash, its symbols and symbols_hash, deadline, GitHub " +
        "commit and `github_raw_url`) and trades. `github_raw_url` is a raw-content URL of the committed " +
        "signal file, null when GitHub attestation is not configured or the day had no signal.",
      request: {
        params: SlugParam,
        query: z.object({ date: z.string().refine(isIsoDate, "Expected YYYY-MM-DD").optional() }),
      },
      responses: { 200: jsonResponse(VerifyDaySchema, "Verification bundle"), ...errorResponses(404, 422) },
    }),
    (c) => {
      return cached(c, verifyAnswer(deps, c.req.valid("param").slug, c.req.valid("query").date));
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/strategies/{slug}/audit",
      tags,
      summary: "The strategy's audit trail, newest first",
      description: "Each entry's `type` is REBALANCE or HOLD for a settled day, and the event's name for " +
        "others (CREATED, ACTIVATED, SIGNAL_SUBMITTED, CLAIMED_UPLOADED, …); default limit 50.",
      request: { params: SlugParam, query: PageQuery },
      responses: {
        200: jsonResponse(AuditLogSchema, "Audit log"),
        ...errorResponses(404, 422),
      },
    }),
    (c) => {
      const { limit, offset } = c.req.valid("query");
      return cached(c, auditAnswer(deps, c.req.valid("param").slug, limit, offset));
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
    (c) => {
      return cached(c, claimedAnswer(deps, c.req.valid("param").slug));
    },
  );

  app.get("/public/strategies/:slug/backtest", (c) => {
    return c.redirect(redirectLastSegment(c.req.url, "backtest", "claimed"), 308);
  });

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/log/checkpoint",
      tags,
      summary: "A transparency log's signed head (Ed25519) and public key, with witness cosignatures",
      description: "`?log=production` (default) or `demo` (the demo's own log). `cosignatures` are the " +
        "witnesses' cosignatures of this checkpoint that verify; `github` the commit of its file, or null.",
      request: { query: LogQuery },
      responses: { 200: jsonResponse(CheckpointSchema, "Checkpoint"), ...errorResponses(422) },
    }),
    (c) => {
      return cached(c, checkpointAnswer(deps, c.req.valid("query").log));
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/log/checkpoints",
      tags,
      summary: "A log's signed checkpoints, ascending by tree size, with cosignatures",
      description:
        "Only sizes that were signed, from `from_size` (default 1), at most `limit` (default 100, " +
        "max 1000); `next_from_size` pages on (null at the end). Checkpoint times never decrease.",
      request: {
        query: LogQuery.extend({
          from_size: z.coerce.number().int().min(0).default(1),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
      },
      responses: { 200: jsonResponse(CheckpointPageSchema, "Checkpoints"), ...errorResponses(400, 422) },
    }),
    (c) => {
      return cached(c, checkpointsAnswer(deps, c.req.valid("query")));
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/log/witnesses",
      tags,
      summary: "The configured witnesses of a log and the largest tree size each has cosigned",
      request: { query: LogQuery },
      responses: { 200: jsonResponse(WitnessListSchema, "Witnesses"), ...errorResponses(422) },
    }),
    (c) => {
      return cached(c, witnessesAnswer(deps, c.req.valid("query").log));
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/log/proof/{signal_hash}",
      tags,
      summary: "Inclusion proof of a signal hash in the transparency log (RFC 6962 audit path)",
      request: {
        params: SignalHashParam,
        query: LogQuery.extend({ tree_size: z.coerce.number().int().min(1).optional() }),
      },
      responses: { 200: jsonResponse(InclusionProofSchema, "Proof"), ...errorResponses(400, 404, 422) },
    }),
    (c) => {
      const { signal_hash } = c.req.valid("param");
      const { tree_size, log } = c.req.valid("query");
      return cached(c, proofAnswer(deps, signal_hash, tree_size, log));
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/public/log/consistency",
      tags,
      summary: "Consistency proof between two tree sizes (the log was only appended to)",
      request: {
        query: LogQuery.extend({
          first: z.coerce.number().int().min(1),
          second: z.coerce.number().int().min(1),
        }),
      },
      responses: { 200: jsonResponse(ConsistencyProofSchema, "Proof"), ...errorResponses(400, 422) },
    }),
    (c) => {
      const { first, second, log } = c.req.valid("query");
      // A proof between two sizes the production log has reached is fixed by its leaves, which never change; the
      // demo log is deleted and rebuilt by the demo reset, so its proofs are revalidated.
      return cached(
        c,
        consistencyAnswer(deps, first, second, log),
        log === "demo" ? PUBLIC_REVALIDATE : PUBLIC_IMMUTABLE,
      );
    },
  );
  return app;
}
