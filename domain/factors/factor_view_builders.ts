/**
 * The factor API's answers built from stored records (the shapes are `factor_views.ts`). Instants are ISO 8601
 * UTC text; a factor never validated shows the document's `is` block with every member `null`, and a factor
 * never tracked out of sample its `os` block with `null` members and `days: 0`.
 */
import { isoOrNull } from "../iso_time.ts";
import type { FactorRecord, FactorSeries } from "../store/factor_repo.ts";
import { FACTOR_CHECK_THRESHOLDS, FACTOR_STATS_CONVENTIONS } from "./factor_stats.ts";
import type {
  FactorChartDataView,
  FactorDetailView,
  FactorSubmitPollView,
  FactorValuesStatusView,
  FactorView,
} from "./factor_views.ts";

/** Trading days of values a factor needs before it can be submitted (the DATA_COVERAGE threshold). */
export const FACTOR_MIN_DAYS = FACTOR_CHECK_THRESHOLDS.data_days;

const EMPTY_IS: FactorView["is"] = {
  ic_mean: null,
  ic_ir: null,
  turnover: null,
  sharpe: null,
  fitness: null,
  ic_decay: null,
  coverage: null,
  data_days: null,
  max_correlation: null,
  ic_std: null,
  annualised_return: null,
  ic_days: null,
};

/** A factor as lists and the create answer show it. */
export function factorView(r: FactorRecord): FactorView {
  const os = r.os;
  return {
    id: r.id,
    name: r.name,
    universe: r.universe,
    description: r.description,
    status: r.status,
    expression: r.expression,
    values_source: r.values_source,
    is: r.is ? { ...r.is, ic_decay: r.is.ic_decay ? [...r.is.ic_decay] : null } : { ...EMPTY_IS },
    os: {
      ic_mean_30d: os?.ic_mean_30d ?? null,
      ic_mean_60d: os?.ic_mean_60d ?? null,
      ic_mean_120d: os?.ic_mean_120d ?? null,
      start_date: os?.start_date ?? null,
      days: os?.days ?? 0,
      last_date: os?.last_date ?? null,
    },
    claimed: { ic_mean: r.claimed.ic_mean, ic_ir: r.claimed.ic_ir },
    checks: r.checks ? r.checks.map((c) => ({ ...c })) : null,
    reject_reason: r.reject_reason,
    yearly_stats: r.yearly_stats ? r.yearly_stats.map((y) => ({ ...y })) : null,
    values: { ...r.values },
    submitted_at: isoOrNull(r.submitted_at),
    validated_at: isoOrNull(r.validated_at),
    created_at: isoOrNull(r.created_at)!,
    updated_at: isoOrNull(r.updated_at)!,
  };
}

/** The detail (and submit) answer: the view, the validation series (empty before validation), the conventions. */
export function factorDetailView(r: FactorRecord, series: FactorSeries | null): FactorDetailView {
  return {
    ...factorView(r),
    ic_series: series?.ic_series ?? [],
    ls_cumulative_returns: series?.ls_cumulative_returns ?? [],
    conventions: { ...FACTOR_STATS_CONVENTIONS },
  };
}

/** `GET /factors/{id}/values/status`. */
export function valuesStatusView(r: FactorRecord): FactorValuesStatusView {
  return {
    total_days: r.values.total_days,
    min_required: FACTOR_MIN_DAYS,
    ready: r.values.total_days >= FACTOR_MIN_DAYS,
    start_date: r.values.start_date,
    end_date: r.values.end_date,
  };
}

/** `GET /factors/{id}/submit`. */
export function submitPollView(r: FactorRecord): FactorSubmitPollView {
  return {
    status: r.status,
    checks: r.checks ? r.checks.map((c) => ({ ...c })) : null,
    validated_at: isoOrNull(r.validated_at),
    submitted_at: isoOrNull(r.submitted_at),
    reject_reason: r.reject_reason,
  };
}

/** `GET /factors/{id}/chart-data` (empty arrays before validation). */
export function chartDataView(r: FactorRecord, series: FactorSeries | null): FactorChartDataView {
  return {
    ic_series: series?.ic_series ?? [],
    ls_cumulative_returns: series?.ls_cumulative_returns ?? [],
    yearly_stats: r.yearly_stats ?? [],
  };
}
