/**
 * The factor API's answers (issue 15), field for field the QuantGPT Cloud guide's "Alpha Factor Library"
 * section plus what Quantedge adds (marked "beyond").
 */
import type { FactorCheck, FactorYearStats } from "./factor_stats.ts";
import type {
  FactorIsMetrics,
  FactorOsMetrics,
  FactorStatus,
  FactorUniverse,
  FactorValuesSource,
  FactorValuesSummary,
} from "../store/factor_repo.ts";

/** A factor in lists and as created. */
export interface FactorView {
  id: string;
  name: string;
  universe: FactorUniverse;
  /** Beyond: the free-text description. */
  description: string | null;
  status: FactorStatus;
  expression: string | null;
  /** Beyond: `upload` (values from the owner) or `formula` (computed by the platform from `expression`). */
  values_source: FactorValuesSource;
  is: Omit<FactorIsMetrics, "ic_std" | "annualised_return" | "ic_days"> & {
    ic_std: number | null;
    annualised_return: number | null;
    ic_days: number | null;
  };
  os: Omit<FactorOsMetrics, "updated_at">;
  claimed: { ic_mean: number | null; ic_ir: number | null };
  checks: FactorCheck[] | null;
  reject_reason: string | null;
  yearly_stats: FactorYearStats[] | null;
  /** Beyond: what the uploaded (or computed) values cover. */
  values: FactorValuesSummary;
  submitted_at: string | null;
  validated_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The factor detail and the submit answer: the view plus the series and the conventions of the numbers. */
export interface FactorDetailView extends FactorView {
  ic_series: { date: string; ic: number }[];
  ls_cumulative_returns: { date: string; ls_return: number; cumulative: number }[];
  /** Beyond: every convention behind the numbers, in words (`FACTOR_STATS_CONVENTIONS`). */
  conventions: Record<string, string>;
}

/** `POST /factors/{id}/values`. */
export interface FactorUploadView {
  uploaded: number;
  total_days: number;
  status: FactorStatus;
  /** Beyond: dates sent that are not SSE trading days (not stored). */
  skipped_dates: string[];
  /** Beyond: symbols sent that are not members of the factor's universe (not stored). */
  ignored_symbols: { count: number; examples: string[] };
}

/** `GET /factors/{id}/values/status`. */
export interface FactorValuesStatusView {
  total_days: number;
  min_required: number;
  ready: boolean;
  start_date: string | null;
  end_date: string | null;
}

/** `GET /factors/{id}/submit`. */
export interface FactorSubmitPollView {
  status: FactorStatus;
  checks: FactorCheck[] | null;
  validated_at: string | null;
  /** Beyond. */
  submitted_at: string | null;
  reject_reason: string | null;
}

/** `GET /factors/{id}/correlations`. */
export interface FactorCorrelationsView {
  correlations: { factor_id: string; name: string; correlation: number | null }[];
}

/** `GET /factors/{id}/ic-series`. */
export interface FactorIcSeriesView {
  records: { date: string; ic: number }[];
}

/** `GET /factors/{id}/chart-data`. */
export interface FactorChartDataView {
  ic_series: { date: string; ic: number }[];
  ls_cumulative_returns: { date: string; ls_return: number; cumulative: number }[];
  yearly_stats: FactorYearStats[];
}
