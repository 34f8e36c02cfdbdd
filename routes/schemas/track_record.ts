/** Request and response schemas of tracked strategies, signals, claimed histories and public records. */
import { z } from "@hono/zod-openapi";
import { PageQuery, safeText } from "./common.ts";
import {
  CLAIMED_MAX_NAV,
  CLAIMED_MAX_POINTS,
  CLAIMED_MIN_POINTS,
} from "../../domain/track_record/claimed_history.ts";
import { MAX_SIGNAL_SYMBOLS } from "../../domain/track_record/signals/signals.ts";
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
  managed_by: z.string().nullable().openapi({
    description:
      "The multi-factor portfolio whose platform-managed strategy this is (its signals and status " +
      "are the platform's: the owner cannot submit, withdraw or change status); null for a user's strategy",
  }),
}).openapi("TrackedStrategy");

/** `?status=`. */
export const TrackedListQuery = PageQuery.extend({
  status: TrackedStatusSchema.optional(),
  limit: PageQuery.shape.limit.default(200),
});

/** `{slug}` in the path. */
export const SlugParam = z.object({
  slug: z.string().min(1).max(64).openapi({ param: { name: "slug", in: "path" }, example: "momentum-10" }),
});

/** `{signal_hash}` in the path: a SHA-256 as 64 lower-case hex characters. */
export const SignalHashParam = z.object({
  signal_hash: z.string().regex(/^[0-9a-f]{64}$/, "64 lower-case hex characters").openapi({
    param: { name: "signal_hash", in: "path" },
  }),
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
      "Target weights in (0, 1], summing to at most 1 (the rest is cash); an empty list means all cash; " +
      `at most ${MAX_SIGNAL_SYMBOLS} symbols (a multi-factor portfolio's top_n reaches 500)`,
  }),
}).openapi("SubmitSignal");

/** A signal. */
const SignalSchema = z.object({
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

/** `GET /strategies`. */
export const TrackedStrategyListSchema = z.object({
  strategies: z.array(TrackedStrategySchema).openapi({
    description: "The page (the QuantGPT document's name)",
  }),
  items: z.array(TrackedStrategySchema).openapi({ description: "The same page (this API's earlier name)" }),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

/** `GET /strategies/{slug}/signals`. */
export const SignalPageSchema = z.object({
  signals: z.array(SignalSchema).openapi({ description: "The page (the QuantGPT document's name)" }),
  items: z.array(SignalSchema).openapi({ description: "The same page (this API's earlier name)" }),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});

/** `DELETE /strategies/{slug}/signals/{trade_date}`. */
export const WithdrawnSignalSchema = z.object({
  deleted: z.boolean(),
  trade_date: z.string(),
  signal_hash: z.string(),
});

/** `DELETE /strategies/{slug}/claimed`. */
export const ClaimedDeletedSchema = z.object({ deleted: z.boolean(), data_points_removed: z.number().int() });

/** `PUT /strategies/{slug}/claimed`. */
export const ClaimedBody = z.strictObject({
  records: z.array(
    z.object({
      date: IsoDateString,
      nav: z.number().gt(0).max(CLAIMED_MAX_NAV),
    }).strict(),
  ).min(CLAIMED_MIN_POINTS).max(CLAIMED_MAX_POINTS),
}).openapi("ClaimedHistoryUpload");

const NullableNumber = z.number().nullable();
/**
 * A named schema or `null`, written as `anyOf [$ref, null]`: `.nullable()` on a named schema would make the
 * named component itself nullable in /openapi.json, wherever else it is used.
 */
const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);
const ExecutionPrice = z.enum(["open", "close"]);

/** How a claimed history tracks the verified record over their common dates. */
const TrackingSchema = z.object({
  tracking_diff_annualized: NullableNumber.openapi({
    description: "mean(claimed − platform return between common dates) × 252",
  }),
  tracking_error_annualized: NullableNumber.openapi({
    description: "sample sd (ddof 1) of the return differences × √252",
  }),
  correlation: NullableNumber.openapi({ description: "Pearson correlation of the two return series" }),
  overlap_days: z.number().int().openapi({ description: "Dates present in both records (at least 5)" }),
  verdict: z.enum(["consistent", "moderate_divergence", "significant_divergence"]).openapi({
    description: "consistent: TE < 0.02 and corr > 0.95; moderate_divergence: TE < 0.05 or corr > 0.85; " +
      "else significant_divergence",
  }),
  tracking_difference: NullableNumber.openapi({ description: "= tracking_diff_annualized (earlier name)" }),
  tracking_error: NullableNumber.openapi({ description: "= tracking_error_annualized (earlier name)" }),
}).openapi("Tracking");

const claimedSummaryFields = {
  data_points: z.number().int(),
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
  total_return: z.number().nullable(),
  sharpe: z.number().nullable(),
  max_drawdown: z.number().nullable(),
  uploaded_at: z.string(),
};

/** `PUT /strategies/{slug}/claimed`: the summary (and the tracking once the claim overlaps the record). */
export const ClaimedSummarySchema = z.object({
  strategy_slug: z.string(),
  ...claimedSummaryFields,
  tracking: TrackingSchema.optional(),
}).openapi("ClaimedSummary", {
  description: "`tracking` is present when at least 5 claimed dates are also settled platform days",
});

/** One claimed record, normalised to 1.0 at the first record. */
const ClaimedPointSchema = z.object({
  date: z.string(),
  nav: z.number().openapi({ description: "nav_value / first nav_value (1.0 at the first record)" }),
  nav_value: z.number().openapi({ description: "The NAV as uploaded" }),
  daily_return: z.number().openapi({
    description: "Simple return since the previous record; 0 on the first",
  }),
  cumulative_return: z.number().openapi({ description: "nav − 1" }),
  drawdown: z.number().openapi({ description: "1 − nav / running peak of nav (0 at a peak)" }),
  benchmark_return: NullableNumber.openapi({
    description: "The benchmark's return over the same span (close as of this date / close as of the " +
      "previous record's date − 1); 0 on the first record; null when a close is unknown",
  }),
}).openapi("ClaimedPoint");

/** `GET /strategies/{slug}/claimed`: the document's `meta` and normalised `records`, plus the flat summary. */
export const ClaimedFullSchema = z.object({
  strategy_slug: z.string(),
  ...claimedSummaryFields,
  meta: z.object(claimedSummaryFields).openapi("ClaimedMeta"),
  records: z.array(ClaimedPointSchema),
}).openapi("ClaimedHistory");

/** A signal refused because its trade date is not a trading day (400): where to submit instead. */
export const SignalDayRefusedSchema = z.object({
  detail: z.string(),
  next_trading_day: z.string().optional().openapi({
    description: "The first SSE trading day on or after it",
  }),
  provisional: z.boolean().optional().openapi({
    description: "true when the closure comes from the holiday estimate (no official list for that year yet)",
  }),
  existing_signal_hash: z.string().optional().openapi({
    description: "When the deadline passed for a day that has a signal: the hash of the recorded one",
  }),
}).openapi("SignalDayRefused");

/**
 * A re-submission refused because the day already has a signal (409): identical to it, or different from a
 * settled or GitHub-attested one (a concurrent submission of the same day answers 409 with `detail` only).
 */
export const SignalConflictSchema = z.object({
  detail: z.string().openapi({
    example: "A signal for 2026-05-14 is already submitted and recorded with identical content " +
      "(signal_hash 3f9a…); nothing changed",
  }),
  trade_date: z.string().optional(),
  existing_signal_id: z.string().optional(),
  existing_signal_hash: z.string().optional().openapi({ description: "The recorded signal's hash" }),
  identical: z.boolean().optional().openapi({
    description: "true when the body matches the recorded signal",
  }),
  reason: z.enum(["identical", "settled", "attested"]).optional(),
  replaceable: z.boolean().optional().openapi({
    description:
      "Whether DELETE then POST would be accepted now (not settled, not attested, before the deadline)",
  }),
}).openapi("SignalConflict");

/** The claimed block beside a verified record. */
const ClaimedBlockSchema = ClaimedFullSchema.extend({
  tracking: TrackingSchema.optional(),
  tracking_note: z.string().nullable().openapi({
    description: "Why `tracking` is absent; null when present",
  }),
}).openapi("ClaimedBlock", {
  description:
    "`tracking` is present only once at least 5 dates are in both the claimed and the platform record",
});

/** `GET /public/strategies/{slug}/claimed`. */
export const PublicClaimedSchema = ClaimedBlockSchema.openapi("PublicClaimed");

/** One row of the public list. */
const PublicStrategySchema = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  creator: z.string().nullable(),
  universe: TrackedUniverseSchema,
  benchmark: z.string(),
  holding_period: z.number().int(),
  execution_price: ExecutionPrice,
  status: z.string(),
  is_demo: z.boolean(),
  created_at: z.string(),
  activated_at: z.string().nullable(),
  start_date: z.string().nullable(),
  trading_days: z.number().int(),
  latest_date: z.string().nullable(),
  nav: z.number().nullable().openapi({
    description: "Latest settled NAV in currency; null before the first",
  }),
  latest_nav: z.number().nullable().openapi({ description: "= nav (this API's earlier name)" }),
  total_return: z.number().nullable(),
  daily_return: z.number().nullable(),
  has_claimed: z.boolean(),
}).openapi("PublicStrategy");

/** `GET /public/strategies`. */
export const PublicStrategyPageSchema = z.object({
  strategies: z.array(PublicStrategySchema).openapi({
    description: "The page (the QuantGPT document's name)",
  }),
  items: z.array(PublicStrategySchema).openapi({ description: "The same page (this API's earlier name)" }),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
}).openapi("PublicStrategyPage");

/** One day of a verified record. */
const RecordPointSchema = z.object({
  date: z.string(),
  nav: z.number().openapi({ description: "NAV normalised to 1.0 at the start: nav_value / initial_capital" }),
  nav_value: z.number().openapi({ description: "NAV in currency (cash + Σ quantity × close)" }),
  daily_return: z.number(),
  cumulative_return: z.number(),
  benchmark_return: z.number().nullable(),
  provisional: z.boolean().openapi({
    description: "true when the day lies past the official SSE holiday list (judged on the estimate)",
  }),
  record_hash: z.string().nullable().openapi({
    description:
      "SHA-256 (hex) of the day's canonical record (see /verify record_chain); null on days settled " +
      "before the chain existed",
  }),
}).openapi("RecordPoint");

/** Everything a replay of a strategy's settlement needs, published with its record. */
const StrategyParametersSchema = z.object({
  universe: TrackedUniverseSchema,
  benchmark: z.string().openapi({ description: "The benchmark index symbol" }),
  execution_price: ExecutionPrice,
  holding_period: z.number().int().openapi({
    description: "Trading days a position is held without a fresh signal naming it",
  }),
  commission_rate: z.number().openapi({ description: "Fraction of fill notional, both sides, no minimum" }),
  slippage_rate: z.number().openapi({
    description: "Fraction: buys fill at p × (1 + s), sells at p × (1 − s)",
  }),
  lot_size: z.literal(100),
  initial_capital: z.number(),
  start_date: z.string().nullable().openapi({
    description: "The first settled day (null before any signal)",
  }),
  calendar: z.literal("SSE"),
  dividend_convention: z.enum(["none", "cash_on_ex_date_no_tax"]).openapi({
    description: "The convention of days settled now; each /verify day states its own",
  }),
  log_origin: z.string().openapi({
    description: "Origin of the transparency log this strategy's signals and day records go to",
  }),
}).openapi("StrategyParameters");

/** `GET /public/strategies/{slug}/track-record`. */
export const TrackRecordSchema = z.object({
  strategy: z.string(),
  name: z.string(),
  is_demo: z.boolean(),
  initial_capital: z.number(),
  benchmark: z.string(),
  parameters: StrategyParametersSchema,
  records: z.array(RecordPointSchema),
  claimed: ClaimedBlockSchema.optional(),
  conventions: z.object({
    nav: z.string(),
    nav_value: z.string(),
    daily_return: z.string(),
    benchmark_return: z.string(),
    claimed: z.string(),
  }),
}).openapi("TrackRecord", { description: "`claimed` is present only when a claimed history exists" });

/** The conventions every performance figure follows, stated with the figures. */
const TrackRecordConventionsSchema = z.object({
  returns: z.string(),
  periods_per_year: z.number().int(),
  std_ddof: z.number().int(),
  risk_free_rate: z.number(),
  sharpe: z.string(),
  annual_return: z.string(),
  max_drawdown: z.string(),
  benchmark: z.string(),
  excess_return: z.string(),
  excess_sharpe: z.string(),
  calmar: z.string(),
  rolling_window_days: z.number().int(),
  rolling_excess_sharpe: z.string(),
  units: z.string(),
}).openapi("TrackRecordConventions");

/** The QuantGPT document's `metrics` of `/performance`. */
const PerformanceMetricsSchema = z.object({
  total_return: NullableNumber,
  annual_return: NullableNumber,
  volatility: NullableNumber,
  sharpe: NullableNumber,
  max_drawdown: NullableNumber,
  calmar: NullableNumber,
  excess_return: NullableNumber,
  excess_sharpe: NullableNumber,
  benchmark_return: NullableNumber,
  trading_days: z.number().int(),
  benchmark_missing_days: z.number().int(),
}).openapi("PerformanceMetrics");

/** `GET /public/strategies/{slug}/performance`: the metrics, also flat at the top level (earlier shape). */
export const PerformanceSchema = PerformanceMetricsSchema.extend({
  strategy: z.string(),
  metrics: PerformanceMetricsSchema,
  rolling_excess_sharpe: z.array(z.object({ date: z.string(), value: NullableNumber })),
  conventions: TrackRecordConventionsSchema,
}).openapi("PublicPerformance");

/** What an audit entry records besides its text; which fields are present depends on the event. */
const AuditDataSchema = z.object({
  holding_period: z.number().int().optional().openapi({ description: "CREATED" }),
  initial_capital: z.number().optional().openapi({ description: "CREATED" }),
  commission_rate: z.number().optional().openapi({ description: "CREATED" }),
  slippage_rate: z.number().optional().openapi({ description: "CREATED" }),
  from: TrackedStatusSchema.optional().openapi({ description: "STATUS_CHANGED" }),
  to: TrackedStatusSchema.optional().openapi({ description: "STATUS_CHANGED" }),
  signal_hash: z.string().nullable().optional().openapi({
    description: "SIGNAL_SUBMITTED, SIGNAL_REPLACED, SIGNAL_WITHDRAWN, REBALANCE and HOLD (null: no signal)",
  }),
  symbols: z.number().int().optional().openapi({ description: "SIGNAL_SUBMITTED, SIGNAL_REPLACED" }),
  nav: z.number().optional().openapi({ description: "REBALANCE, HOLD" }),
  cash: z.number().optional().openapi({ description: "REBALANCE, HOLD" }),
  trades: z.number().int().optional().openapi({ description: "REBALANCE, HOLD" }),
  data_points: z.number().int().optional().openapi({ description: "CLAIMED_UPLOADED" }),
}).openapi("AuditData");

const AuditEventSchema = z.enum([
  "CREATED",
  "ACTIVATED",
  "STATUS_CHANGED",
  "SIGNAL_SUBMITTED",
  "SIGNAL_REPLACED",
  "SIGNAL_WITHDRAWN",
  "REBALANCE",
  "HOLD",
  "CLAIMED_UPLOADED",
  "CLAIMED_DELETED",
]);

/** `GET /public/strategies/{slug}/audit`. */
export const AuditLogSchema = z.object({
  audit_log: z.array(z.object({
    id: z.string(),
    at: z.string(),
    date: z.string(),
    type: AuditEventSchema.openapi({
      description: "REBALANCE or HOLD for a settled day; other events by their name (= event)",
    }),
    event: AuditEventSchema,
    detail: z.string(),
    data: orNull(AuditDataSchema),
  })),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
}).openapi("AuditLog");

/** A witness's cosignature of a checkpoint (text `quantedge-cosignature/v1\ntime <timestamp>\n<note>`). */
const CosignatureSchema = z.object({
  witness: z.string().openapi({ description: "The witness's name (trust rests on public_key)" }),
  algorithm: z.literal("Ed25519"),
  public_key: z.string().openapi({ description: "The witness's raw 32-byte Ed25519 public key, base64" }),
  key_id: z.string().openapi({ description: "First 16 hex digits of SHA-256 of the raw public key" }),
  timestamp: z.number().int().openapi({ description: "When the witness cosigned, epoch ms UTC (its clock)" }),
  signature: z.string().openapi({
    description: "Ed25519 over 'quantedge-cosignature/v1\\ntime <timestamp>\\n<note>', base64",
  }),
}).openapi("Cosignature");

/** A signed checkpoint of the transparency log. */
export const CheckpointSchema = z.object({
  origin: z.string(),
  tree_size: z.number().int(),
  root_hash: z.string().openapi({ description: "RFC 6962 root of the first tree_size leaves, hex" }),
  timestamp: z.number().int().openapi({ description: "When it was signed, epoch ms UTC" }),
  note: z.string().openapi({ description: "The exact signed text" }),
  signature: z.string().openapi({ description: "Ed25519 signature of the note's UTF-8 bytes, base64" }),
  algorithm: z.literal("Ed25519"),
  public_key: z.string().openapi({ description: "Raw 32-byte Ed25519 public key, base64" }),
  key_id: z.string(),
  cosignatures: z.array(CosignatureSchema).openapi({
    description: "Witness cosignatures of this checkpoint that verify for its note (maybe none)",
  }),
  github: z.object({ sha: z.string(), url: z.string() }).nullable().openapi({
    description: "The GitHub commit of checkpoints/<origin, / → _>/<tree_size>.json; null when not committed",
  }),
}).openapi("LogCheckpoint");

/** `?log=`: which transparency log (the demo's own, or the production log). */
export const LogQuery = z.object({
  log: z.enum(["production", "demo"]).default("production").openapi({
    description: "production (default) or demo (the demo's own log, own origin and key)",
  }),
});

/** `GET /public/log/checkpoints`: a page of a log's signed checkpoints. */
export const CheckpointPageSchema = z.object({
  origin: z.string(),
  public_key: z.string(),
  key_id: z.string(),
  checkpoints: z.array(CheckpointSchema).openapi({
    description: "Ascending by tree_size; only signed sizes",
  }),
  next_from_size: z.number().int().nullable().openapi({
    description: "from_size of the next page; null at the end",
  }),
}).openapi("LogCheckpointPage");

/** `GET /public/log/witnesses`: the configured witnesses and what each cosigned. */
export const WitnessListSchema = z.object({
  witnesses: z.array(z.object({
    name: z.string().nullable(),
    url: z.string(),
    key_id: z.string().nullable(),
    public_key: z.string().nullable(),
    tree_size: z.number().int().openapi({
      description: "Largest tree size of this log it cosigned (0: none)",
    }),
    last_error: z.string().nullable().openapi({
      description: "Why the last push failed; null after a success",
    }),
  })),
}).openapi("LogWitnesses");

/** Proof that a signal hash is a leaf of the tree of `tree_size` leaves signed by `checkpoint`. */
const LogInclusionProofSchema = z.object({
  signal_hash: z.string(),
  leaf_index: z.number().int(),
  tree_size: z.number().int(),
  leaf_hash: z.string(),
  audit_path: z.array(z.string()),
  root_hash: z.string(),
  checkpoint: CheckpointSchema,
}).openapi("LogInclusionProof");

/** `GET /public/log/proof/{signal_hash}`: the proof and the strategy-day the hash was submitted for. */
export const InclusionProofSchema = LogInclusionProofSchema.extend({
  signal: z.object({ strategy_slug: z.string(), trade_date: z.string() }).nullable(),
}).openapi("InclusionProof");

/** RFC 6962 proof that the tree of `first` leaves is a prefix of the tree of `second` leaves. */
export const ConsistencyProofSchema = z.object({
  first: z.number().int(),
  second: z.number().int(),
  first_root: z.string(),
  second_root: z.string(),
  proof: z.array(z.string()),
}).openapi("ConsistencyProof");

const SignalAttestationSchema = z.object({
  committed: z.boolean(),
  sha: z.string().optional(),
  url: z.string().optional(),
  reason: z.string().optional(),
});

/** The signal block of a verification bundle. */
const VerifySignalSchema = z.object({
  signal_hash: z.string(),
  canonical_json: z.string(),
  signals: z.array(z.object({ symbol: z.string(), weight: z.number() })),
  submitted_at: z.string(),
  deadline_at: z.string(),
  deadline_rule: z.string(),
  submitted_before_deadline: z.boolean(),
  replaced_versions: z.number().int(),
  log: z.object({
    origin: z.string().openapi({ description: "The log this strategy's signals go to" }),
    leaf_index: z.number().int(),
    tree_size: z.number().int(),
    checkpoint_timestamp: z.string(),
    logged_before_deadline: z.boolean(),
    inclusion_proof: orNull(LogInclusionProofSchema),
    witnessed_inclusion_proof: orNull(LogInclusionProofSchema).openapi({
      description:
        "Inclusion proof at the size ≥ tree_size whose checkpoint has the most cosignatures; null: none",
    }),
    consistency_proof: orNull(ConsistencyProofSchema),
  }).nullable(),
  attestation: SignalAttestationSchema,
  github_url: z.string().nullable(),
}).openapi("VerifySignal");

const VerifyPositionSchema = z.object({
  symbol: z.string(),
  quantity: z.number().int(),
  price: z.number(),
  market_value: z.number().openapi({ description: "quantity × price" }),
  weight: z.number(),
  entry_date: z.string(),
  last_signal_date: z.string(),
  suspended: z.boolean(),
}).openapi("VerifyPosition");

const NavCheckSchema = z.object({
  positions_value: z.number(),
  cash: z.number(),
  nav: z.number(),
  difference: z.number().openapi({ description: "nav − (positions_value + cash)" }),
}).openapi("NavCheck");

const VerifyTradeSchema = z.object({
  id: z.string(),
  symbol: z.string(),
  action: z.enum(["BUY", "SELL"]),
  quantity: z.number().int(),
  price: z.number(),
  fill_price: z.number(),
  notional: z.number(),
  commission: z.number(),
  reason: z.enum(["rebalance", "exit_not_in_signal", "holding_period_expired"]),
}).openapi("VerifyTrade");

/** The signal of a verified day and where it was attested (the QuantGPT document's `signal_attestation`). */
const SignalAttestationBlockSchema = z.object({
  signal_hash: z.string(),
  canonical_json: z.string(),
  symbols: z.array(z.string()).openapi({ description: "The signal's symbols, sorted" }),
  symbols_hash: z.string().openapi({ description: "SHA-256(comma-joined symbols) hex, first 16 characters" }),
  submitted_at: z.string(),
  deadline_at: z.string(),
  submitted_before_deadline: z.boolean(),
  github_committed: z.boolean(),
  commit_sha: z.string().nullable(),
  github_url: z.string().nullable(),
  github_raw_url: z.string().nullable().openapi({
    description:
      "Raw-content URL of the committed file (signals/{slug}/{date}.json, with signal_hash); null " +
      "when GitHub attestation is not configured",
  }),
  reason: z.string().nullable().openapi({ description: "Why it is not committed (null when it is)" }),
}).openapi("SignalAttestationBlock");

/** The QuantGPT document's `verification` block of `/verify`. */
const VerificationSchema = z.object({
  strategy: z.string(),
  date: z.string(),
  action: z.enum(["REBALANCE", "HOLD"]),
  nav: z.number().openapi({ description: "NAV in currency: Σ positions[].market_value + cash" }),
  cash: z.number(),
  prev_nav: z.number(),
  daily_return: z.number(),
  positions: z.array(VerifyPositionSchema),
  nav_check: NavCheckSchema,
  symbols: z.array(z.string()).openapi({ description: "The day's position symbols, sorted" }),
  symbols_hash: z.string().openapi({ description: "SHA-256(comma-joined symbols) hex, first 16 characters" }),
  signal_attestation: orNull(SignalAttestationBlockSchema),
  trades: z.array(VerifyTradeSchema),
}).openapi("Verification");

/** A settled day's link of the day-record hash chain. */
const RecordChainSchema = z.object({
  canonical_json: z.string().openapi({
    description:
      "The canonical day record (RFC 8785 JSON) rebuilt from this answer's fields, parameters and " +
      "prev_record_hash",
  }),
  record_hash: z.string().openapi({ description: "SHA-256 (hex) of canonical_json's UTF-8 bytes" }),
  prev_record_hash: z.string().openapi({
    description: "The previous settled day's record_hash; 64 zeros on the first day",
  }),
  log: z.object({
    origin: z.string(),
    leaf_index: z.number().int(),
    inclusion_proof: LogInclusionProofSchema,
  }).nullable().openapi({
    description: "Where record_hash is in the strategy's log: inclusion_proof against the log's head (its " +
      "signal_hash field holds the leaf's hash, here record_hash); null until it is appended",
  }),
}).openapi("RecordChain");

/** `GET /public/strategies/{slug}/verify`: everything needed to check one settled day. */
export const VerifyDaySchema = z.object({
  verification: VerificationSchema,
  github_raw_url: z.string().nullable().openapi({
    description: "= verification.signal_attestation.github_raw_url; null without a signal or without GitHub",
  }),
  strategy: z.string(),
  name: z.string(),
  is_demo: z.boolean(),
  date: z.string(),
  provisional: z.boolean(),
  action: z.enum(["REBALANCE", "HOLD"]),
  detail: z.string(),
  nav: z.number(),
  cash: z.number(),
  prev_nav: z.number(),
  daily_return: z.number(),
  positions: z.array(VerifyPositionSchema),
  nav_check: NavCheckSchema,
  trades: z.array(VerifyTradeSchema),
  dividend_convention: z.enum(["none", "cash_on_ex_date_no_tax"]),
  dividend_convention_rule: z.string(),
  dividends: z.array(z.object({
    symbol: z.string(),
    quantity: z.number().int(),
    per_share: z.number(),
    cash: z.number(),
  })),
  signal: orNull(VerifySignalSchema),
  log_checkpoint: CheckpointSchema,
  symbols_hash: z.string(),
  benchmark: z.object({ symbol: z.string(), close: NullableNumber, return: NullableNumber }),
  record_chain: orNull(RecordChainSchema).openapi({
    description: "null for a day settled before the chain existed (its hash follows the same rule, unstored)",
  }),
  parameters: StrategyParametersSchema,
  data_provenance: z.object({
    source: z.string(),
    execution_price: ExecutionPrice,
    valuation: z.string(),
    commission_rate: z.number(),
    slippage_rate: z.number(),
    lot_size: z.number().int(),
    holding_period: z.number().int(),
    settled_at: z.string(),
  }),
  how_to_verify: z.array(z.string()),
}).openapi("VerifyDay");

const SkippedSchema = z.object({ date: z.string(), skipped: z.string() });

/** What a daily job run reports; the shape depends on the job. */
export const DailyJobSummarySchema = z.union([
  z.object({
    date: z.string(),
    outcomes: z.array(z.object({
      slug: z.string(),
      status: z.enum(["settled", "already_settled", "not_started", "not_tracked", "failed"]),
      days: z.array(z.string()),
      error: z.string().optional(),
    })),
  }).openapi("SettleSummary", { description: "settle-signals" }),
  SkippedSchema.openapi("SkippedJobSummary", {
    description: "settle-signals and watchdog on a day the SSE did not trade",
  }),
  z.object({ date: z.string(), checked_missing: z.number().int(), missing: z.array(z.string()) })
    .openapi("WatchdogSummary", { description: "watchdog" }),
  z.object({ committed: z.number().int(), failed: z.number().int() })
    .openapi("AttestationSummary", { description: "retry-attestations" }),
  z.object({ evaluated: z.number().int() }).openapi("EvaluationSummary", {
    description: "recompute-evaluations",
  }),
]);

/** `POST /admin/jobs/{name}/run`. */
export const DailyJobRunSchema = z.object({
  job: z.string(),
  date: z.string(),
  summary: DailyJobSummarySchema,
}).openapi("DailyJobRun");
