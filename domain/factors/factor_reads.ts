/**
 * Reads of one of the caller's factors: upload progress, the stored values (so the owner can read back and
 * recompute), the correlations with the owner's active factors, the IC series and the chart data. Another
 * user's factor is "not found".
 */
import { chargeRate } from "../auth/rate_limiter.ts";
import { ValidationError } from "../errors.ts";
import { sortRows } from "./cross_section_ranks.ts";
import { meanDailySpearman } from "./factor_correlation.ts";
import { FACTOR_COMPUTE_BUCKET, ownFactor } from "./factor_crud.ts";
import { chartDataView, valuesStatusView } from "./factor_view_builders.ts";
import type {
  FactorChartDataView,
  FactorCorrelationsView,
  FactorIcSeriesView,
  FactorValuesStatusView,
} from "./factor_views.ts";
import type { FactorServices } from "./services.ts";

/** Most dates `GET /factors/{id}/values` answers at once. */
export const MAX_VALUES_DATES_PER_READ = 60;
/** Most common dates a correlation is computed over (the latest ones). */
const MAX_CORRELATION_DATES = 4000;

/** `GET /factors/{id}/values/status`. */
export async function factorValuesStatus(
  deps: FactorServices,
  userId: string,
  id: string,
): Promise<FactorValuesStatusView> {
  return valuesStatusView(await ownFactor(deps, userId, id));
}

/** The stored values of one page of dates. */
export interface FactorValuesPage {
  dates: { date: string; values: Record<string, number> }[];
  /** The first value date after this page within the range, `null` when the page reaches its end. */
  next_start: string | null;
}

/**
 * The values stored on the factor's dates from `start` to `end` (both inclusive, each optional), at most
 * `MAX_VALUES_DATES_PER_READ` dates per call, oldest first; `next_start` continues.
 */
export async function readFactorValues(
  deps: FactorServices,
  userId: string,
  id: string,
  range: { start?: string; end?: string },
): Promise<FactorValuesPage> {
  if (range.start !== undefined && range.end !== undefined && range.end < range.start) {
    throw new ValidationError("end is before start", ["end"]);
  }
  await ownFactor(deps, userId, id);
  const all = (await deps.factors.valueDates(id)).filter((d) =>
    (range.start === undefined || d >= range.start) && (range.end === undefined || d <= range.end)
  );
  const page = all.slice(0, MAX_VALUES_DATES_PER_READ);
  const dates: FactorValuesPage["dates"] = [];
  for (const date of page) {
    const row = await deps.factors.readDate(id, date);
    if (!row) continue;
    const values: Record<string, number> = {};
    for (let k = 0; k < row.symbols.length; k++) values[row.symbols[k]] = row.values[k];
    dates.push({ date, values });
  }
  return { dates, next_start: all.length > page.length ? all[page.length] : null };
}

/**
 * `GET /factors/{id}/correlations`: with each of the owner's `active` factors other than this one, the mean
 * daily Spearman correlation (as validation computes it) over the dates both have values (the latest 4,000 at
 * most), on this factor's universe; `null` when never defined (e.g. another universe: no common symbols).
 * Sorted by |correlation| descending, undefined ones last. It reads and ranks whole panels, so it is charged to
 * the caller's factor compute rate (`RATE_LIMIT_FACTOR_COMPUTE`) like a validation.
 */
export async function factorCorrelations(
  deps: FactorServices,
  userId: string,
  id: string,
): Promise<FactorCorrelationsView> {
  await chargeRate(deps.computeRate, FACTOR_COMPUTE_BUCKET, userId);
  const record = await ownFactor(deps, userId, id);
  const others = (await deps.factors.listByOwner(userId)).filter((o) => o.id !== id && o.status === "active");
  if (others.length === 0) return { correlations: [] };
  const symbols = [...await deps.market.getUniverse(record.universe)].sort();
  const mine = new Set(await deps.factors.valueDates(id));
  const out: FactorCorrelationsView["correlations"] = [];
  for (const o of others) {
    const common = (await deps.factors.valueDates(o.id)).filter((d) => mine.has(d)).slice(
      -MAX_CORRELATION_DATES,
    );
    let corr: number | null = null;
    if (common.length > 0 && symbols.length > 0) {
      const a = await deps.factors.readValues(id, common, symbols);
      const b = await deps.factors.readValues(o.id, common, symbols);
      const c = meanDailySpearman(sortRows(a, common.length, symbols.length), b, common.length);
      corr = Number.isFinite(c) ? c : null;
    }
    out.push({ factor_id: o.id, name: o.name, correlation: corr });
  }
  out.sort((x, y) =>
    x.correlation === null || y.correlation === null
      ? (x.correlation === null ? 1 : 0) - (y.correlation === null ? 1 : 0)
      : Math.abs(y.correlation) - Math.abs(x.correlation)
  );
  return { correlations: out };
}

/** `GET /factors/{id}/ic-series` (empty before validation). */
export async function factorIcSeries(
  deps: FactorServices,
  userId: string,
  id: string,
): Promise<FactorIcSeriesView> {
  await ownFactor(deps, userId, id);
  return { records: (await deps.factors.getSeries(id))?.ic_series ?? [] };
}

/** `GET /factors/{id}/chart-data` (empty arrays before validation). */
export async function factorChartData(
  deps: FactorServices,
  userId: string,
  id: string,
): Promise<FactorChartDataView> {
  const r = await ownFactor(deps, userId, id);
  return chartDataView(r, await deps.factors.getSeries(id));
}
