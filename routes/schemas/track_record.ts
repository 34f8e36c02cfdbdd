/** Request and response schemas of tracked strategies, signals, claimed histories and public records. */
import { z } from "@hono/zod-openapi";
import { safeText } from "./common.ts";
import {
  CLAIMED_MAX_NAV,
  CLAIMED_MAX_POINTS,
  CLAIMED_MIN_POINTS,
} from "../../domain/track_record/claimed_history.ts";
import { MAX_SIGNAL_SYMBOLS } from "../../domain/signals/signals.ts";
import { isIsoDate } from "../../domain/calendar/dates.ts";

const IsoDateString = z.string().refine(isIsoDate, "Expected a real date YYYY-MM-DD");

/** Universes a tracked strategy benchmarks against. */
export const TrackedUniverseSchema = z.enum(["hs300", "csi500", "csi1000", "csi2000", "etf_all"]);
/** Strategy statuses. */
export const TrackedStatusSchema = z.enum(["pending", "active", "paused", "retired"]);

/** `POST /strategies`. */
export const CreateTrackedBody = z.strictObject({
  name: safeText({ min: 1, max: 200 }).openapi({ example: "Momentum 10" }),
  slug: z.string().regex(
    /^[a-z0-9][a-z0-9_-]{2,48}$/,
    "3–49 chars: a-z, 0-9, _ and -, starting with a-z or 0-9",
  )
    .openapi({ example: "momentum-10" }),
  description: safeText({ max: 2000, multiline: true, trim: false }).nullable().optional(),
  universe: TrackedUniverseSchema.default("hs300").openapi({
    description: "The benchmark, not a stock filter",
  }),
  execution_price: z.enum(["open", "close"]).default("open"),
  holding_period: z.number().int().min(1).max(60).default(10).openapi({ description: "Trading days" }),
  initial_capital: z.number().min(100_000).max(100_000_000).default(1_000_000),
  commission_rate: z.number().min(0).max(0.01).default(0.0003),
  slippage_rate: z.number().min(0).max(0.05).default(0.002),
}).openapi("CreateTrackedStrategy");

/** `PATCH /strategies/{slug}`: only these four fields. */
export const PatchTrackedBody = z.strictObject({
  name: safeText({ min: 1, max: 200 }).optional(),
  description: safeText({ max: 2000, multiline: true, trim: false }).nullable().optional(),
  status: TrackedStatusSchema.optional(),
  is_public: z.boolean().optional(),
}).openapi("PatchTrackedStrategy");

/** A tracked strategy. */
export const TrackedStrategySchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  universe: TrackedUniverseSchema,
  benchmark: z.string(),
  execution_price: z.enum(["open", "close"]),
  holding_period: z.number().int(),
  initial_capital: z.number(),
  commission_rate: z.number(),
  slippage_rate: z.number(),
  status: TrackedStatusSchema,
  is_public: z.boolean(),
  is_demo: z.boolean(),
  start_date: z.string().nullable(),
  activated_at: z.string().nullable(),
  retired_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
}).openapi("TrackedStrategy");

/** `?status=`. */
export const TrackedListQuery = z.object({ status: TrackedStatusSchema.optional() });

/** `{slug}` in the path. */
export const SlugParam = z.object({
  slug: z.string().min(1).max(64).openapi({ param: { name: "slug", in: "path" }, example: "momentum-10" }),
});

/** `{slug}` and `{trade_date}` in the path. */
export const SlugDateParam = SlugParam.extend({
  trade_date: IsoDateString.openapi({ param: { name: "trade_date", in: "path" }, example: "2026-11-23" }),
});

const Weight = z.object({
  symbol: safeText({ min: 1, max: 32, trim: false }).openapi({ example: "600519.SH" }),
  weight: z.number().gt(0).max(1).openapi({ example: 0.2 }),
}).strict();

/** `POST /strategies/{slug}/signals`. */
export const SubmitSignalBody = z.strictObject({
  trade_date: IsoDateString.openapi({ example: "2026-11-23" }),
  signals: z.array(Weight).max(MAX_SIGNAL_SYMBOLS).openapi({
    description:
      "Target weights in (0, 1], summing to at most 1 (the rest is cash); an empty list means all cash",
  }),
}).openapi("SubmitSignal");

/** A signal. */
export const SignalSchema = z.object({
  id: z.string(),
  strategy: z.string(),
  trade_date: z.string(),
  signals: z.array(z.object({ symbol: z.string(), weight: z.number() })),
  signal_hash: z.string(),
  canonical_json: z.string(),
  submitted_at: z.string(),
  deadline_at: z.string(),
  is_settled: z.boolean(),
  github_committed: z.boolean(),
  attestation: z.object({
    committed: z.boolean(),
    sha: z.string().optional(),
    url: z.string().optional(),
    reason: z.string().optional(),
  }),
  log: z.object({ leaf_index: z.number().int(), tree_size: z.number().int() }).nullable(),
  replaced_versions: z.number().int(),
  provisional: z.boolean().openapi({
    description: "true when the trade date lies past the official SSE holiday list (judged on the estimate)",
  }),
  void: z.string().nullable().openapi({
    description:
      '"exchange closed" when an official list installed later closes the trade date (never settled)',
  }),
}).openapi("Signal");

/** Submission answer. */
export const SubmittedSignalSchema = SignalSchema.extend({ replaced: z.boolean() }).openapi(
  "SubmittedSignal",
);

/** `PUT /strategies/{slug}/claimed`. */
export const ClaimedBody = z.strictObject({
  records: z.array(
    z.object({
      date: IsoDateString,
      nav: z.number().gt(0).max(CLAIMED_MAX_NAV),
    }).strict(),
  ).min(CLAIMED_MIN_POINTS).max(CLAIMED_MAX_POINTS),
}).openapi("ClaimedHistoryUpload");

/** A claimed history summary. */
export const ClaimedSummarySchema = z.object({
  strategy_slug: z.string(),
  data_points: z.number().int(),
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
  total_return: z.number().nullable(),
  sharpe: z.number().nullable(),
  max_drawdown: z.number().nullable(),
  uploaded_at: z.string(),
}).openapi("ClaimedSummary");

/** A claimed history with its points. */
export const ClaimedFullSchema = ClaimedSummarySchema.extend({
  records: z.array(z.object({ date: z.string(), nav: z.number() })),
}).openapi("ClaimedHistory");
