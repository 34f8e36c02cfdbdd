/** Request and response schemas of `/api/v1/factors` (the QuantGPT guide's "Alpha Factor Library"). */
import { z } from "@hono/zod-openapi";
import { isIsoDate } from "../../domain/calendar/dates.ts";
import { FACTOR_UNIVERSE_NAMES } from "../../domain/factors/factor_crud.ts";
import { MAX_FORMULA_LENGTH } from "../../domain/factors/formula/formula.ts";
import { FORMULA_HISTORY_DAYS } from "../../domain/factors/formula_factor.ts";
import { MAX_UPLOAD_DATES } from "../../domain/factors/factor_upload_body.ts";
import { MAX_VALUES_DATES_PER_READ } from "../../domain/factors/factor_reads.ts";
import { PageQuery, safeText } from "./common.ts";

const IsoDateString = z.string().refine(isIsoDate, "Expected a real date YYYY-MM-DD");
const Universe = z.enum(FACTOR_UNIVERSE_NAMES).openapi({ example: "hs300" });
const Status = z.enum(["draft", "ready", "validating", "active", "rejected"]);
const N = z.number().nullable();

/** `POST /factors`. */
export const CreateFactorBody = z.strictObject({
  name: safeText({ min: 1, max: 100 }).openapi({ example: "momentum_20d" }),
  universe: Universe,
  description: safeText({ max: 2000, multiline: true, trim: false }).nullable().optional(),
  expression: safeText({ max: MAX_FORMULA_LENGTH, multiline: true }).nullable().optional().openapi({
    description:
      "Uploaded factors: the owner's note (self-reported, not verified). Formula factors: the formula " +
      "the platform computes the values from (required)",
    example: "rank(ts_mean(close, 20))",
  }),
  claimed_ic_mean: z.number().min(-1).max(1).nullable().optional().openapi({ example: 0.035 }),
  claimed_ic_ir: z.number().min(-1000).max(1000).nullable().optional().openapi({ example: 0.68 }),
  values_source: z.enum(["upload", "formula"]).default("upload").openapi({
    description: "Beyond the document: `formula` makes the platform compute the values from `expression`",
  }),
  history_days: z.number().int().min(FORMULA_HISTORY_DAYS.min).max(FORMULA_HISTORY_DAYS.max).optional()
    .openapi({
      description:
        `Formula factors only: SSE trading days of values computed, ending at the last completed ` +
        `trading day (default ${FORMULA_HISTORY_DAYS.default})`,
    }),
}).openapi("CreateFactor");

/** `PATCH /factors/{id}`: only these three fields. */
export const PatchFactorBody = z.strictObject({
  name: safeText({ min: 1, max: 100 }).optional(),
  description: safeText({ max: 2000, multiline: true, trim: false }).nullable().optional(),
  expression: safeText({ max: MAX_FORMULA_LENGTH, multiline: true }).nullable().optional(),
}).openapi("PatchFactor");

/** `POST /factors/{id}/values` (documented here; read by `readFactorUpload`, which applies the same rules). */
export const UploadFactorValuesBody = z.strictObject({
  data: z.array(
    z.strictObject({
      date: IsoDateString.openapi({ example: "2025-01-02" }),
      values: z.record(z.string().regex(/^\d{6}\.(SH|SZ)$/), z.number()).openapi({
        description:
          "Non-empty {symbol: finite number}; symbols outside the factor's universe are not stored",
        example: { "600519.SH": 1.23, "600036.SH": -0.45 },
      }),
    }),
  ).min(1).max(MAX_UPLOAD_DATES),
}).openapi("UploadFactorValues");

/** `{factor_id}` in the path. */
export const FactorIdParam = z.object({
  factor_id: z.string().min(1).max(64).openapi({ param: { name: "factor_id", in: "path" } }),
});

/** `GET /factors`. */
export const FactorListQuery = PageQuery.extend({
  status: Status.optional(),
  universe: Universe.optional(),
  order: z.enum(["-created_at", "created_at", "ic_mean", "ic_ir"]).default("-created_at").openapi({
    description:
      "-created_at newest first (default); created_at oldest first; ic_mean / ic_ir by the signed " +
      "in-sample value, highest first, never-validated factors last",
  }),
});

/** `GET /factors/{id}/values`. */
export const FactorValuesQuery = z.object({
  start: IsoDateString.optional(),
  end: IsoDateString.optional(),
});

const CheckSchema = z.object({
  name: z.enum(["IC_MEAN", "IC_IR", "HIGH_TURNOVER", "SELF_CORRELATION", "DATA_COVERAGE"]),
  metric: z.enum(["abs(ic_mean)", "abs(ic_ir)", "turnover", "max_correlation", "data_days"]),
  value: N,
  threshold: z.number(),
  passed: z.boolean(),
}).openapi("FactorCheck");

const YearSchema = z.object({
  year: z.number().int(),
  ic_mean: N,
  ic_ir: N,
  returns: N,
  drawdown: N,
  turnover: N,
  days: z.number().int(),
}).openapi("FactorYearStats");

const IcPoint = z.object({ date: z.string(), ic: z.number() });
const LsPoint = z.object({ date: z.string(), ls_return: z.number(), cumulative: z.number() });

const factorFields = {
  id: z.string(),
  name: z.string(),
  universe: Universe,
  description: z.string().nullable(),
  status: Status,
  expression: z.string().nullable(),
  values_source: z.enum(["upload", "formula"]),
  is: z.object({
    ic_mean: N,
    ic_ir: N,
    turnover: N,
    sharpe: N,
    fitness: N,
    ic_decay: z.array(N).nullable().openapi({ description: "IC mean at lags 1..5" }),
    coverage: N,
    data_days: N,
    max_correlation: N,
    ic_std: N.openapi({ description: "Beyond: sample std of the daily ICs" }),
    annualised_return: N.openapi({ description: "Beyond: long-short mean daily return × 252" }),
    ic_days: N.openapi({ description: "Beyond: dates with a defined IC" }),
  }),
  os: z.object({
    ic_mean_30d: N,
    ic_mean_60d: N,
    ic_mean_120d: N,
    start_date: z.string().nullable(),
    days: z.number().int().openapi({ description: "Beyond: out-of-sample dates with a defined IC" }),
    last_date: z.string().nullable(),
  }),
  claimed: z.object({ ic_mean: N, ic_ir: N }),
  checks: z.array(CheckSchema).nullable(),
  reject_reason: z.string().nullable(),
  yearly_stats: z.array(YearSchema).nullable(),
  values: z.object({
    total_days: z.number().int(),
    start_date: z.string().nullable(),
    end_date: z.string().nullable(),
  }),
  submitted_at: z.string().nullable(),
  validated_at: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
};

/** A factor (lists, create, patch). */
export const FactorSchema = z.object(factorFields).openapi("Factor");

/** The factor detail and the submit answer. */
export const FactorDetailSchema = z.object({
  ...factorFields,
  ic_series: z.array(IcPoint),
  ls_cumulative_returns: z.array(LsPoint),
  conventions: z.record(z.string(), z.string()).openapi({
    description: "Every convention behind the numbers",
  }),
}).openapi("FactorDetail");

/** `GET /factors`. */
export const FactorListSchema = z.object({ factors: z.array(FactorSchema), total: z.number().int() });

/** `DELETE /factors/{id}`. */
export const FactorDeletedSchema = z.object({ deleted: z.boolean(), id: z.string() });

/** `POST /factors/{id}/values`. */
export const FactorUploadSchema = z.object({
  uploaded: z.number().int().openapi({ description: "Dates stored by this request" }),
  total_days: z.number().int(),
  status: Status,
  skipped_dates: z.array(z.string()).openapi({ description: "Dates sent that are not SSE trading days" }),
  ignored_symbols: z.object({ count: z.number().int(), examples: z.array(z.string()) }).openapi({
    description:
      "Distinct symbols sent that are not in the factor's universe (not stored); up to 10 examples",
  }),
}).openapi("FactorUpload");

/** `GET /factors/{id}/values/status`. */
export const FactorValuesStatusSchema = z.object({
  total_days: z.number().int(),
  min_required: z.number().int(),
  ready: z.boolean(),
  start_date: z.string().nullable(),
  end_date: z.string().nullable(),
});

/** `GET /factors/{id}/values`. */
export const FactorValuesPageSchema = z.object({
  dates: z.array(z.object({ date: z.string(), values: z.record(z.string(), z.number()) })).openapi({
    description: `At most ${MAX_VALUES_DATES_PER_READ} dates, oldest first`,
  }),
  next_start: z.string().nullable(),
});

/** `GET /factors/{id}/submit`. */
export const FactorSubmitPollSchema = z.object({
  status: Status,
  checks: z.array(CheckSchema).nullable(),
  validated_at: z.string().nullable(),
  submitted_at: z.string().nullable(),
  reject_reason: z.string().nullable(),
});

/** `GET /factors/{id}/correlations`. */
export const FactorCorrelationsSchema = z.object({
  correlations: z.array(z.object({ factor_id: z.string(), name: z.string(), correlation: N })),
});

/** `GET /factors/{id}/ic-series`. */
export const FactorIcSeriesSchema = z.object({ records: z.array(IcPoint) });

/** `GET /factors/{id}/chart-data`. */
export const FactorChartDataSchema = z.object({
  ic_series: z.array(IcPoint),
  ls_cumulative_returns: z.array(LsPoint),
  yearly_stats: z.array(YearSchema),
});
