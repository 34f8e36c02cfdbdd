/**
 * `POST /factors/{id}/submit` ("Submit for Validation"), synchronous, and its poll.
 *
 * 1. The caller's compute rate is charged (before any other check).
 * 2. The factor must be the caller's (404) and `ready` — or `validating` for more than 10 minutes, a run that
 *    died — else 400. It becomes `validating` (a second submit meanwhile answers 400).
 * 3. A formula factor's values are first recomputed through the last completed trading day.
 * 4. The panel: every SSE trading day from the first to the last value date plus the 2 trading days after it
 *    that delay-1 forward returns need (never past the last completed day the market has), the universe's
 *    stocks as the platform's market lists them today (uploaded symbols that left it are ignored), the
 *    platform's adjusted closes, the factor's values on the dates it has them and NaN rows on the others (the
 *    statistics need consecutive trading days; `data_days` counts dates with values). A panel over
 *    `MAX_VALIDATION_CELLS` (3,000 days × 1,000 symbols) is refused (400) before anything is read.
 * 5. `validateFactorStats` on it; the correlations with each of the owner's other `active` factors of the same
 *    universe, read on the same grid one at a time (`factor_correlation.ts`).
 * 6. Stored: `is`, `checks`, `yearly_stats`, `status` (`active` when all five checks pass, else `rejected` with
 *    `reject_reason` naming each failed check, its value and threshold), `validated_at`, `activated_at`, and the
 *    series. A failure in between puts the factor back to `ready`.
 */
import { chargeRate } from "../auth/rate_limiter.ts";
import { getCalendar } from "../calendar/calendar.ts";
import { BadRequestError, ConflictError, NotFoundError } from "../errors.ts";
import type { FactorIsMetrics, FactorRecord } from "../store/factor_repo.ts";
import { notifyUser } from "../support/notifications.ts";
import { sortRows } from "./cross_section_ranks.ts";
import { meanDailySpearman, withCorrelations } from "./factor_correlation.ts";
import { FACTOR_COMPUTE_BUCKET, ownFactor } from "./factor_crud.ts";
import { type FactorCheck, type FactorStats, validateFactorStats } from "./factor_stats.ts";
import { factorDetailView, submitPollView } from "./factor_view_builders.ts";
import type { FactorDetailView, FactorSubmitPollView } from "./factor_views.ts";
import { refreshFormulaValues } from "./formula_factor.ts";
import { loadMarketPanel, type MarketPanel } from "./market_panel.ts";
import type { FactorServices } from "./services.ts";

/** Largest validation panel (trading days × universe symbols). */
export const MAX_VALIDATION_CELLS = 3000 * 1000;
/** A factor `validating` for longer than this may be submitted again (the run died). */
const STUCK_VALIDATION_MS = 10 * 60 * 1000;
/** Trading days after the last value date the forward returns need (delay 1: t+1 → t+2). */
const FORWARD_DAYS = 2;

/** The panel a factor is validated on (module comment, step 4) and its values on it. */
export interface ValidationGrid {
  market: MarketPanel;
  values: Float64Array;
}

/** Assembles the validation panel of `record` (refusing one over the work budget). */
export async function validationGrid(deps: FactorServices, record: FactorRecord): Promise<ValidationGrid> {
  const dates = await deps.factors.valueDates(record.id);
  if (dates.length === 0) throw new BadRequestError("The factor has no values to validate");
  const first = dates[0], last = dates[dates.length - 1];
  const sse = getCalendar("SSE");
  const days = sse.countTradingDays(first, last) + FORWARD_DAYS;
  const symbols = (await deps.market.getUniverse(record.universe)).length;
  if (days * symbols > MAX_VALIDATION_CELLS) {
    throw new BadRequestError(
      `Validation panel too large: ${days} trading days × ${symbols} symbols exceeds ${MAX_VALIDATION_CELLS} cells ` +
        `(values from ${first} to ${last}); validate a shorter span in a new factor`,
    );
  }
  const market = await loadMarketPanel(deps.market, record.universe, {
    start: first,
    end: last,
    after: FORWARD_DAYS,
  });
  if (market.symbols.length === 0 || market.dates.length === 0) {
    throw new BadRequestError(`The market has no ${record.universe} prices from ${first} to ${last}`);
  }
  const values = await deps.factors.readValues(record.id, market.dates, market.symbols);
  return { market, values };
}

/** Validation statistics of `record` on `grid`, with the correlations to the owner's other active factors. */
export async function validationStats(
  deps: FactorServices,
  record: FactorRecord,
  grid: ValidationGrid,
): Promise<FactorStats> {
  const { market, values } = grid;
  const stats = validateFactorStats({
    dates: market.dates,
    symbols: market.symbols,
    values,
    close: market.close,
  });
  const others = (await deps.factors.listByOwner(record.owner_id)).filter((o) =>
    o.id !== record.id && o.status === "active" && o.universe === record.universe
  );
  if (others.length === 0) return stats;
  const D = market.dates.length;
  const mine = sortRows(values, D, market.symbols.length);
  const correlations: number[] = [];
  for (const o of others) {
    const theirs = await deps.factors.readValues(o.id, market.dates, market.symbols);
    correlations.push(meanDailySpearman(mine, theirs, D));
  }
  return withCorrelations(stats, correlations);
}

/** The `is` block of a validation. */
function isMetrics(s: FactorStats): FactorIsMetrics {
  return {
    ic_mean: s.ic_mean,
    ic_ir: s.ic_ir,
    turnover: s.turnover,
    sharpe: s.sharpe,
    fitness: s.fitness,
    ic_decay: [...s.ic_decay],
    coverage: s.coverage,
    data_days: s.data_days,
    max_correlation: s.max_correlation,
    ic_std: s.ic_std,
    annualised_return: s.annualised_return,
    ic_days: s.ic_days,
  };
}

const num = (x: number | null) => (x === null ? "undefined" : String(Number(x.toPrecision(4))));

/** `IC_MEAN: abs(ic_mean) = 0.0031, needs > 0.015; …` for the failed checks. */
function rejectReason(checks: readonly FactorCheck[]): string | null {
  const op: Record<FactorCheck["name"], string> = {
    IC_MEAN: ">",
    IC_IR: ">",
    HIGH_TURNOVER: "<",
    SELF_CORRELATION: "<",
    DATA_COVERAGE: ">=",
  };
  const failed = checks.filter((c) => !c.passed);
  if (failed.length === 0) return null;
  return failed.map((c) => `${c.name}: ${c.metric} = ${num(c.value)}, needs ${op[c.name]} ${c.threshold}`)
    .join("; ");
}

/** Validates the caller's ready factor (module comment) and answers its detail. */
export async function submitFactor(
  deps: FactorServices,
  userId: string,
  id: string,
): Promise<FactorDetailView> {
  await chargeRate(deps.computeRate, FACTOR_COMPUTE_BUCKET, userId);
  await ownFactor(deps, userId, id);
  const startedAt = deps.clock.now();
  const marked = await deps.factors.update(id, (cur) => {
    const stuck = cur.status === "validating" && (cur.submitted_at === null ||
      startedAt - cur.submitted_at > STUCK_VALIDATION_MS);
    if (cur.status !== "ready" && !stuck) {
      throw new BadRequestError(
        cur.status === "validating"
          ? "Factor is already being validated"
          : `Factor status is ${cur.status}; only a ready factor (>= 120 trading days of values) can be submitted`,
      );
    }
    return { ...cur, status: "validating", submitted_at: startedAt, updated_at: startedAt };
  });
  if (!marked) throw new NotFoundError("Factor not found");

  let record = marked;
  let stats: FactorStats;
  try {
    if (record.values_source === "formula") record = await refreshFormulaValues(deps, record);
    stats = await validationStats(deps, record, await validationGrid(deps, record));
    await deps.factors.putSeries(id, {
      ic_series: stats.ic_series,
      ls_cumulative_returns: stats.ls_cumulative_returns,
    });
  } catch (e) {
    await deps.factors.update(
      id,
      (cur) =>
        cur.status === "validating" && cur.submitted_at === startedAt
          ? { ...cur, status: "ready", updated_at: deps.clock.now() }
          : cur,
    ).catch(() => null);
    throw e;
  }
  const now = deps.clock.now();
  const active = stats.passed;
  const stored = await deps.factors.update(id, (cur) => {
    if (cur.status !== "validating" || cur.submitted_at !== startedAt) {
      throw new ConflictError("The factor changed while it was being validated; submit it again");
    }
    return {
      ...cur,
      status: active ? "active" : "rejected",
      is: isMetrics(stats),
      checks: stats.checks,
      reject_reason: rejectReason(stats.checks),
      yearly_stats: stats.yearly_stats,
      validated_at: now,
      activated_at: active ? now : null,
      os: active ? null : cur.os,
      updated_at: now,
    };
  });
  if (!stored) throw new NotFoundError("Factor not found");
  try {
    await notifyUser(deps.notifications, userId, {
      kind: "factor_validated",
      title: `Factor ${stored.name} is ${stored.status}`,
      body: active
        ? `All five checks passed (IC mean ${num(stats.ic_mean)}, IC IR ${
          num(stats.ic_ir)
        }); out-of-sample tracking starts.`
        : `Failed: ${stored.reject_reason}`,
    });
  } catch (e) {
    deps.log("warn", "factor validation notification failed", { factor_id: id, error: String(e) });
  }
  return factorDetailView(stored, {
    ic_series: stats.ic_series,
    ls_cumulative_returns: stats.ls_cumulative_returns,
  });
}

/** `GET /factors/{id}/submit`. */
export async function pollFactorSubmit(
  deps: FactorServices,
  userId: string,
  id: string,
): Promise<FactorSubmitPollView> {
  return submitPollView(await ownFactor(deps, userId, id));
}
