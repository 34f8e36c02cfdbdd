/**
 * Persistence of alpha factors (issue 15): one record per factor, an owner index, the factor's values stored
 * per date in chunks (each KV value < 64 KiB, each commit < 1,000 mutations and < 800 KiB), a per-factor date
 * index kept in the same commit as the record's `values` summary, and the validation series (daily IC and the
 * long-short curve) as a blob.
 *
 * CONTRACT FILE (issue 15 scaffolding): the interface below is what the factor operations, the portfolio job and
 * the out-of-sample tracker read and write. `createFactorRepo` is built by the factor-store work.
 */
import type { FactorCheck, FactorYearStats } from "../factors/factor_stats.ts";

/** Lifecycle of a factor: draft → ready (≥ 120 trading days) → validating → active | rejected. */
export type FactorStatus = "draft" | "ready" | "validating" | "active" | "rejected";

/** The universes a factor (and a multi-factor portfolio) can name. */
export const FACTOR_UNIVERSES = ["hs300", "csi500", "csi1000"] as const;
/** A factor universe. */
export type FactorUniverse = typeof FACTOR_UNIVERSES[number];

/** Where a factor's values come from: uploaded by its owner, or computed by the platform from `expression`. */
export type FactorValuesSource = "upload" | "formula";

/** The in-sample metrics of the last validation (`is` in the API). */
export interface FactorIsMetrics {
  ic_mean: number | null;
  ic_ir: number | null;
  turnover: number | null;
  sharpe: number | null;
  fitness: number | null;
  /** IC mean at lags 1..5. */
  ic_decay: (number | null)[] | null;
  coverage: number | null;
  data_days: number | null;
  max_correlation: number | null;
  /** Beyond the document: the sample std of the daily ICs, the LS annualised return, the number of defined ICs. */
  ic_std: number | null;
  annualised_return: number | null;
  ic_days: number | null;
}

/** Out-of-sample tracking (`os` in the API). */
export interface FactorOsMetrics {
  ic_mean_30d: number | null;
  ic_mean_60d: number | null;
  ic_mean_120d: number | null;
  /** First factor date after activation with a defined IC. */
  start_date: string | null;
  /** Beyond the document: out-of-sample days with a defined IC, the last such factor date, when last tracked. */
  days: number;
  last_date: string | null;
  updated_at: number | null;
}

/** What the values hold, kept in the same commit as the date index. */
export interface FactorValuesSummary {
  total_days: number;
  start_date: string | null;
  end_date: string | null;
}

/** A factor as stored. */
export interface FactorRecord {
  id: string;
  owner_id: string;
  name: string;
  universe: FactorUniverse;
  description: string | null;
  expression: string | null;
  values_source: FactorValuesSource;
  /** Formula factors: trading days of history computed (and validated); `null` for uploads. */
  history_days: number | null;
  claimed: { ic_mean: number | null; ic_ir: number | null };
  status: FactorStatus;
  is: FactorIsMetrics | null;
  os: FactorOsMetrics | null;
  checks: FactorCheck[] | null;
  reject_reason: string | null;
  yearly_stats: FactorYearStats[] | null;
  values: FactorValuesSummary;
  submitted_at: number | null;
  validated_at: number | null;
  /** When the factor last became active (out-of-sample days are factor dates after this instant's CST date). */
  activated_at: number | null;
  created_at: number;
  updated_at: number;
}

/** The validation series of a factor (stored apart from the record: they grow with the data). */
export interface FactorSeries {
  ic_series: { date: string; ic: number }[];
  ls_cumulative_returns: { date: string; ls_return: number; cumulative: number }[];
}

/** One date's values to store: parallel arrays, symbols unique. */
export interface FactorValuesRow {
  date: string;
  symbols: readonly string[];
  values: Float64Array;
}

/** Most factors one user can hold (any status). */
export const MAX_FACTORS_PER_USER = 100;
/** Most dates one factor can hold. */
export const MAX_FACTOR_DATES = 4000;
/** Most distinct symbols one factor can hold values for (over all its dates). */
export const MAX_FACTOR_SYMBOLS = 4000;

/** Access to factors and their values. */
export interface FactorRepo {
  /** Stores a new factor; `ForbiddenError` when the owner already holds `MAX_FACTORS_PER_USER`. */
  create(record: FactorRecord): Promise<void>;
  get(id: string): Promise<FactorRecord | null>;
  /**
   * Applies `change` to the current record and stores it if nothing changed in between (retried on races);
   * `change` may throw to refuse. Answers the stored record, `null` when the factor does not exist.
   */
  update(id: string, change: (current: FactorRecord) => FactorRecord): Promise<FactorRecord | null>;
  /** The owner's factors, newest first. */
  listByOwner(ownerId: string): Promise<FactorRecord[]>;
  /** Every active factor (for out-of-sample tracking), in id order. */
  listActive(): Promise<FactorRecord[]>;
  /** Deletes the factor, its values, its date index and its series. */
  delete(id: string): Promise<void>;
  /**
   * Upserts `rows` (same date overwrites that date's values) in commits that stay under KV's limits, then in
   * one last commit (checked against concurrent writers, retried) stores the new date index and
   * `change(record, summary)` — the record with its `values` summary and whatever status the caller derives.
   * `ConflictError` when the factor's dates would exceed `MAX_FACTOR_DATES` or symbols `MAX_FACTOR_SYMBOLS`;
   * `change` may throw to refuse (nothing is then stored). Answers the stored record.
   */
  putValues(
    id: string,
    rows: readonly FactorValuesRow[],
    change: (current: FactorRecord, summary: FactorValuesSummary) => FactorRecord,
  ): Promise<FactorRecord>;
  /** The factor's value dates, ascending. */
  valueDates(id: string): Promise<string[]>;
  /**
   * The values on `dates` for `symbols` as `Float64Array(dates × symbols)` row-major, NaN where absent; read in
   * one pass over the factor's chunks.
   */
  readValues(id: string, dates: readonly string[], symbols: readonly string[]): Promise<Float64Array>;
  /** One date's values as stored (symbols in storage order), `null` when the date has none. */
  readDate(id: string, date: string): Promise<{ symbols: string[]; values: Float64Array } | null>;
  putSeries(id: string, series: FactorSeries): Promise<void>;
  getSeries(id: string): Promise<FactorSeries | null>;
}

/** Builds the KV implementation. */
export function createFactorRepo(_kv: Deno.Kv): FactorRepo {
  throw new Error("createFactorRepo: not built yet (issue 15 factor store)");
}
