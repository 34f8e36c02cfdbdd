/**
 * Alpha factor library tools (the QuantGPT document's "Alpha Factor Library"): the same operations as
 * `/api/v1/factors/*`, with the same schemas. Annotations follow the document's idempotency table: creating a
 * factor and submitting it are not idempotent (confirm with list_factors / get_factor_submission before a retry),
 * the values upload is (an upsert: the same date overwrites). Another user's factor answers 404.
 */
import { z } from "zod";
import {
  createFactor,
  deleteFactor,
  getFactorDetail,
  listFactors,
  patchFactor,
} from "../../domain/factors/factor_crud.ts";
import {
  factorChartData,
  factorCorrelations,
  factorIcSeries,
  factorValuesStatus,
  MAX_VALUES_DATES_PER_READ,
  readFactorValues,
} from "../../domain/factors/factor_reads.ts";
import { FACTOR_CHECK_THRESHOLDS } from "../../domain/factors/factor_stats.ts";
import { uploadFactorValues } from "../../domain/factors/factor_upload.ts";
import { MAX_UPLOAD_DATES } from "../../domain/factors/factor_upload_body.ts";
import {
  MAX_VALIDATION_CELLS,
  pollFactorSubmit,
  submitFactor,
} from "../../domain/factors/factor_validation.ts";
import { MAX_FACTOR_SYMBOLS } from "../../domain/store/factor_repo.ts";
import {
  CreateFactorBody,
  FactorIdParam,
  FactorListQuery,
  FactorValuesQuery,
  PatchFactorBody,
  UploadFactorValuesBody,
} from "../../routes/schemas/factors.ts";
import { defineTool, READ_ONLY, type ToolDef } from "../tool_kit.ts";
import { pageArgs } from "../tool_schemas.ts";

const TH = FACTOR_CHECK_THRESHOLDS;
const MIN_DAYS = TH.data_days;

/** The validation conventions, stated once for the descriptions of the tools that answer validation results. */
const CONVENTIONS =
  `Conventions: delay 1 — the factor at date T predicts the close-to-close return from T+1 ` +
  `to T+2 on the platform's own adjusted closes; daily IC = Spearman rank correlation (Pearson on average ` +
  `ranks, missing values removed pairwise); IC IR = IC mean / sample std of the daily ICs (ddof 1, not ` +
  `annualised); long-short = daily rebalanced, equal-weighted top quintile minus bottom quintile on the 1-day ` +
  `forward return, annualised return = mean × 252, Sharpe = mean / sample std × √252; fitness = Sharpe × ` +
  `√(|annualised return| / max(turnover, ${TH.turnover_floor})).`;

/** The five checks, all of which must pass for `active`. */
const CHECKS =
  `The 5 checks (all must pass for active): IC_MEAN |ic_mean| > ${TH.ic_mean}; IC_IR |ic_ir| > ` +
  `${TH.ic_ir}; HIGH_TURNOVER turnover < ${TH.turnover}; SELF_CORRELATION max |correlation| with your other ` +
  `active factors of the universe < ${TH.self_correlation}; DATA_COVERAGE data_days ≥ ${TH.data_days}. ` +
  `Negative-IC factors pass the IC checks (absolute values).`;

const FactorId = FactorIdParam.shape.factor_id.describe(
  "The factor's id (a UUID from create_factor or list_factors)",
);

const C = CreateFactorBody.shape;
const P = PatchFactorBody.shape;
const Q = FactorListQuery.shape;
const UploadEntry = UploadFactorValuesBody.shape.data.element;

/** The upload's `data` (the documented body): 1–500 entries of {date, values: {symbol: finite number}}. */
const UploadData = z.array(
  z.strictObject({
    date: UploadEntry.shape.date.describe(
      "The factor date, YYYY-MM-DD: an SSE trading day (others are skipped), not after today (Asia/Shanghai), " +
        "once per call",
    ),
    values: UploadEntry.shape.values
      .refine((v) => Object.keys(v).length > 0, "values must hold at least one symbol")
      .refine(
        (v) => Object.keys(v).length <= MAX_FACTOR_SYMBOLS,
        `values may hold at most ${MAX_FACTOR_SYMBOLS} symbols`,
      )
      .describe(
        '{symbol: finite number}, e.g. {"600519.SH": 1.23, "000001.SZ": -0.45}: symbols with the exchange ' +
          "suffix (^\\d{6}\\.(SH|SZ)$); raw scores, z-scores or ranks (the platform ranks them); symbols " +
          "outside the factor's universe are not stored",
      ),
  }),
).min(1).max(MAX_UPLOAD_DATES).describe(
  `1–${MAX_UPLOAD_DATES} dates of cross-sectional values, each {date, values}`,
);

/** The factor tools. */
export const factorTools: ToolDef[] = [
  defineTool({
    name: "create_factor",
    title: "Create an alpha factor",
    description: "Creates a factor in `draft` (lifecycle: draft → ready at " + MIN_DAYS +
      " trading days of values → " +
      "validating → active | rejected). With values_source upload (default) upload its values with " +
      "upload_factor_values; `expression` is then your own note, not verified. With values_source formula the " +
      "platform computes the values from `expression` on the universe's own bars at once (ready) and uploads " +
      "to it answer 409. Answers the factor (id, status, empty `is`/`os` metrics, your claims). Not " +
      "idempotent: each call makes a NEW factor — after a timeout, check list_factors before retrying.",
    input: z.strictObject({
      name: C.name.describe("Display name, 1–100 characters"),
      universe: C.universe.describe("The stock universe the factor ranks: hs300, csi500 or csi1000"),
      description: C.description.describe("Optional free text (≤ 2000 characters)"),
      expression: C.expression.describe(
        "Upload factors: your formula as a note (self-reported, not verified). Formula factors: the formula " +
          'the platform computes, required, e.g. "rank(ts_mean(close, 20))"',
      ),
      claimed_ic_mean: C.claimed_ic_mean.describe("Optional self-reported IC mean from your research, −1…1"),
      claimed_ic_ir: C.claimed_ic_ir.describe("Optional self-reported IC IR, −1000…1000"),
      values_source: C.values_source.describe(
        '"upload" (default: you upload values) or "formula" (the platform computes them from expression)',
      ),
      history_days: C.history_days.describe(
        "Formula factors only: SSE trading days of values computed, ending at the last completed trading day",
      ),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, args) => createFactor(ctx.deps.factors, ctx.user().id, args),
  }),
  defineTool({
    name: "list_factors",
    title: "List my factors",
    description:
      "My factors as `factors` with `total` (before paging), each with status, in-sample metrics " +
      "(`is`), out-of-sample IC (`os`), checks and the values summary; no series (get_factor has them).",
    input: z.strictObject({
      status: Q.status.describe("Only this status: draft, ready, validating, active or rejected"),
      universe: Q.universe.describe("Only this universe: hs300, csi500 or csi1000"),
      order: Q.order.describe(
        "-created_at newest first (default); created_at oldest first; ic_mean / ic_ir by the signed " +
          "in-sample value, highest first, never-validated factors last",
      ),
      ...pageArgs(50),
    }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, args) => listFactors(ctx.deps.factors, ctx.user().id, args),
  }),
  defineTool({
    name: "get_factor",
    title: "One factor in full",
    description: "One of my factors with its daily IC series, long-short cumulative returns, yearly stats, " +
      "the five checks and `conventions` (every definition behind the numbers). " + CONVENTIONS,
    input: z.strictObject({ factor_id: FactorId }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { factor_id }) => getFactorDetail(ctx.deps.factors, ctx.user().id, factor_id),
  }),
  defineTool({
    name: "update_factor",
    title: "Update a factor",
    description: "Changes name, description or expression (nothing else) of a draft or rejected factor " +
      "(other statuses answer 400). Answers the factor. Idempotent.",
    input: z.strictObject({
      factor_id: FactorId,
      name: P.name.describe("New display name, 1–100 characters"),
      description: P.description.describe("New description (≤ 2000 characters), null to clear"),
      expression: P.expression.describe("New expression note, null to clear"),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: true },
    run: (ctx, { factor_id, ...patch }) => patchFactor(ctx.deps.factors, ctx.user().id, factor_id, patch),
  }),
  defineTool({
    name: "delete_factor",
    title: "Delete a factor",
    description: "Deletes a draft or rejected factor with all its values (other statuses answer 400). " +
      "Destructive and final; a second call answers 404 (safe to retry).",
    input: z.strictObject({ factor_id: FactorId }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: (ctx, { factor_id }) => deleteFactor(ctx.deps.factors, ctx.user().id, factor_id),
  }),
  defineTool({
    name: "upload_factor_values",
    title: "Upload factor values",
    description:
      `Upserts cross-sectional factor values: 1–${MAX_UPLOAD_DATES} dates per call; the same date ` +
      "overwrites that date's values (so the call is idempotent and safe to retry). Dates that are not SSE " +
      "trading days are skipped (`skipped_dates`); a date after today (Asia/Shanghai) or twice in one call, a " +
      "bad symbol or a non-finite value is a 422 naming it (loc data.i.values.symbol). Symbols outside the " +
      "factor's universe are not stored (`ignored_symbols`). At " + MIN_DAYS + " stored trading days a " +
      "draft becomes ready (then submit_factor); an upload to a rejected factor clears its validation. The " +
      "factor must be draft, ready or rejected — or active, for out-of-sample dates after its activation " +
      "only, each until 15:00 Asia/Shanghai of the next trading day; a formula factor answers 409. One MCP " +
      "request body is limited to MAX_BODY_BYTES (1 MiB by default): send large histories in several calls " +
      "(e.g. 50–100 dates of a 300-name universe each) or through the HTTP route POST " +
      "/api/v1/factors/{factor_id}/values. Answers uploaded (dates stored), total_days, status, " +
      "skipped_dates, ignored_symbols.",
    input: z.strictObject({ factor_id: FactorId, data: UploadData }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: (ctx, { factor_id, data }) =>
      uploadFactorValues(ctx.deps.factors, ctx.user().id, factor_id, { data }),
  }),
  defineTool({
    name: "get_factor_values_status",
    title: "Factor upload progress",
    description: `Stored trading days (total_days), min_required (${MIN_DAYS}), ready (total_days ≥ ` +
      `${MIN_DAYS}: the factor can be submitted) and the first and last value dates.`,
    input: z.strictObject({ factor_id: FactorId }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { factor_id }) => factorValuesStatus(ctx.deps.factors, ctx.user().id, factor_id),
  }),
  defineTool({
    name: "get_factor_values",
    title: "Read back factor values",
    description: `My stored values, oldest first, at most ${MAX_VALUES_DATES_PER_READ} dates per call, ` +
      "from start to end (inclusive, each optional); `next_start` is the first date of the next page within " +
      "the range (call again with start = next_start), null at the end.",
    input: z.strictObject({
      factor_id: FactorId,
      start: FactorValuesQuery.shape.start.describe("First date, YYYY-MM-DD (default: the first stored)"),
      end: FactorValuesQuery.shape.end.describe("Last date, YYYY-MM-DD (default: the last stored)"),
    }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { factor_id, ...range }) =>
      readFactorValues(ctx.deps.factors, ctx.user().id, factor_id, range),
  }),
  defineTool({
    name: "submit_factor",
    title: "Validate a factor",
    description: `Validates a ready factor (≥ ${MIN_DAYS} trading days of values) synchronously on the ` +
      "platform's own prices and answers the full factor: `is` metrics (ic_mean, ic_ir, turnover, sharpe, " +
      "fitness, ic_decay at lags 1–5, coverage, data_days, max_correlation), `checks`, status active or " +
      "rejected (reject_reason names each failed check), ic_series, ls_cumulative_returns, yearly_stats and " +
      "conventions. " + CHECKS + " " + CONVENTIONS + " Another status answers 400; panels over " +
      `${MAX_VALIDATION_CELLS} trading-day × symbol cells are refused (400). Not idempotent (it re-validates): ` +
      "after a timeout read get_factor_submission before retrying. Charged to the factor compute rate (429 " +
      "with retry_after_seconds). A rejected factor takes new uploads " +
      "(which reset it to draft/ready) and can be submitted again.",
    input: z.strictObject({ factor_id: FactorId }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, { factor_id }) => submitFactor(ctx.deps.factors, ctx.user().id, factor_id),
  }),
  defineTool({
    name: "get_factor_submission",
    title: "Factor validation status",
    description: "Where a factor's validation stands: status, checks, validated_at, submitted_at, " +
      "reject_reason. The way to confirm a submit_factor call after a timeout. " + CHECKS,
    input: z.strictObject({ factor_id: FactorId }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { factor_id }) => pollFactorSubmit(ctx.deps.factors, ctx.user().id, factor_id),
  }),
  defineTool({
    name: "get_factor_correlations",
    title: "Factor correlations",
    description: "The correlation of this factor with each of my other active factors (any universe; read " +
      "on this factor's universe), sorted by |correlation| descending, undefined (null) last: the daily " +
      "Spearman rank correlation of the two factors' values, averaged over their common dates. The " +
      "SELF_CORRELATION check (max |correlation| < " + `${TH.self_correlation}) uses the active factors of ` +
      "the same universe. Reads whole panels, so it is charged to the factor compute rate like submit_factor " +
      "(429 with retry_after_seconds).",
    input: z.strictObject({ factor_id: FactorId }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { factor_id }) => factorCorrelations(ctx.deps.factors, ctx.user().id, factor_id),
  }),
  defineTool({
    name: "get_factor_ic_series",
    title: "Factor daily IC series",
    description: "The daily rank IC of the last validation as `records` [{date, ic}] (dates with a defined " +
      "IC; empty before validation). " + CONVENTIONS,
    input: z.strictObject({ factor_id: FactorId }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { factor_id }) => factorIcSeries(ctx.deps.factors, ctx.user().id, factor_id),
  }),
  defineTool({
    name: "get_factor_chart_data",
    title: "Factor chart data",
    description: "All series of the last validation in one call: ic_series, ls_cumulative_returns " +
      "(quintile long-short, cumulative = ∏(1 + ls_return) from 1) and yearly_stats (per calendar year: " +
      "ic_mean, ic_ir, returns, drawdown, turnover, days). " + CONVENTIONS,
    input: z.strictObject({ factor_id: FactorId }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { factor_id }) => factorChartData(ctx.deps.factors, ctx.user().id, factor_id),
  }),
];
