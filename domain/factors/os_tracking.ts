/**
 * Out-of-sample tracking of active factors (issue 15; the guide's 18:40 CST `factor_os_tracking()`).
 *
 * ## What a run does (`trackFactorsOutOfSample(deps, date)`)
 * On an SSE trading day `date` (any other day: nothing), for every active factor, one after the other (a
 * factor that fails is logged and the others go on):
 * 1. **Formula factors** (`values_source: "formula"`) first get their values for the SSE trading days after their
 *    last value date up to `date`, computed from `expression` on the universe's own bars with the formula's full
 *    lookback by the same computation that made them at creation (`computeFormulaRows` of `formula_factor.ts`),
 *    only for days the market has bars for (a day keeps the symbols with a finite value); at most
 *    {@link MAX_FORMULA_DAYS_PER_RUN} days per run, oldest first (a longer gap is caught up on the next runs).
 * 2. **Out-of-sample ICs.** The OS dates are the factor's value dates strictly after the Asia/Shanghai date of
 *    `activated_at` and not after `date` (values uploaded, or computed, for earlier dates never count). The IC
 *    of an OS date T is computed exactly as validation does (`dailyRankIc` of `factor_stats.ts`, delay 1): the
 *    Spearman rank correlation of the factor's values at T with the close-to-close return from T+1 to T+2 on the
 *    platform's adjusted closes, missing values removed pairwise, average ranks for ties; undefined with fewer
 *    than 3 pairs or a constant side.
 * 3. **Windows.** `ic_mean_30d` / `_60d` / `_120d` = the mean of the defined OS ICs among the last 30 / 60 / 120
 *    SSE trading days ending at the last OS date that has a forward return (some name with closes at T+1 and
 *    T+2); `null` when that window holds no defined IC (or no OS date has a forward return yet). A trading day
 *    without a value or without a defined IC counts in the window's length but not in the mean.
 *    `start_date` = the first OS date with a defined IC; `days` = how many OS dates have a defined IC;
 *    `last_date` = the last of them; `updated_at` = when this run stored the block.
 *
 * ## Bounded and idempotent
 * Each run recomputes the ICs of the OS dates from 122 SSE trading days before the factor's last OS date (the
 * 120-day window plus the two days a forward return needs), extended back to the previous run's `last_date`
 * when that is earlier (a missed run is caught up) and to the first OS date when no IC was ever defined. ICs
 * before that span are final (their prices and values no longer change), so `days` = the previous count − what
 * the previous run counted inside the span + what this run counts there: running twice on the same data stores
 * the same block. The closes are read once per universe and run (the last 130 SSE trading days up to `date`),
 * shared by every factor whose span lies inside them (a catch-up span reads its own, shared by factors with
 * the same span start). The block is written through `repo.update` (checked against concurrent writers) and
 * only if the factor is still active with the same `activated_at`; an `os` block stored before the factor's
 * latest activation is ignored. The record's own `updated_at` is left alone (tracking is not an edit).
 */
import { getCalendar, type TradingCalendar } from "../calendar/calendar.ts";
import { ConflictError } from "../errors.ts";
import type { FactorOsMetrics, FactorRecord, FactorUniverse } from "../store/factor_repo.ts";
import { dailyRankIc, forwardReturns } from "./factor_stats.ts";
import { loadMarketPanel, type MarketPanel } from "./market_panel.ts";
import { computeFormulaRows, parseFactorFormula } from "./formula_factor.ts";
import type { FactorServices } from "./services.ts";

/** The rolling windows (SSE trading days). */
const OS_WINDOWS = [30, 60, 120] as const;
/** The longest window. */
const LONGEST_WINDOW = 120;
/** Trading days after a factor date that its forward return reads (T+1 and T+2). */
const FORWARD_DAYS = 2;
/** Most days of a formula factor's values computed in one run. */
const MAX_FORMULA_DAYS_PER_RUN = 250;

/**
 * One run's shared reads: per universe, the closes of the last {@link SHARED_SPAN} SSE trading days up to the
 * run's date (plus the forward days), which every factor whose span starts inside it reads instead of loading
 * its own panel.
 */
interface RunContext {
  cal: TradingCalendar;
  date: string;
  /** By `universe` (the shared span) or `universe|start` (a catch-up span), at most {@link MAX_CACHED_PANELS}. */
  panels: Map<string, Promise<MarketPanel>>;
}

/** Most panels one run keeps (the shared ones and the latest catch-up spans, which factors activated together share). */
const MAX_CACHED_PANELS = 6;

/** Trading days of the shared panel: the longest window, its forward days and a few days of slack. */
const SHARED_SPAN = LONGEST_WINDOW + FORWARD_DAYS + 8;

/** What one run did (for the cron log and the admin job answer). */
export interface OsTrackingSummary {
  date: string;
  trading_day: boolean;
  /** Active factors seen. */
  factors: number;
  /** Factors whose `os` block was stored. */
  tracked: number;
  /** Days of formula values computed and stored, over all factors. */
  formula_days: number;
  failed: { factor_id: string; error: string }[];
}

/** Runs the out-of-sample tracking of every active factor for `date` (see the module comment). */
export async function trackFactorsOutOfSample(
  deps: FactorServices,
  date: string,
): Promise<OsTrackingSummary> {
  const cal = getCalendar("SSE");
  const summary: OsTrackingSummary = {
    date,
    trading_day: cal.isTradingDay(date),
    factors: 0,
    tracked: 0,
    formula_days: 0,
    failed: [],
  };
  if (!summary.trading_day) {
    deps.log("info", "factor OS tracking skipped: not an SSE trading day", { date });
    return summary;
  }
  const active = await deps.factors.listActive();
  const ctx: RunContext = { cal, date, panels: new Map() };
  summary.factors = active.length;
  for (const factor of active) {
    try {
      if (factor.values_source === "formula" && factor.expression !== null) {
        summary.formula_days += await computeFormulaDays(deps, cal, factor, date);
      }
      if (await trackOne(deps, ctx, factor)) summary.tracked++;
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      summary.failed.push({ factor_id: factor.id, error });
      deps.log("error", "factor OS tracking failed for one factor", { factor_id: factor.id, date, error });
    }
  }
  return summary;
}

/** Computes and stores a formula factor's values after its last value date, up to `date`; answers the days stored. */
async function computeFormulaDays(
  deps: FactorServices,
  cal: TradingCalendar,
  factor: FactorRecord,
  date: string,
): Promise<number> {
  const last = (await deps.factors.valueDates(factor.id)).at(-1);
  const from = last !== undefined
    ? cal.nextTradingDay(last)
    : cal.tradingDayOffset(date, -(LONGEST_WINDOW - 1));
  if (from > date) return 0;
  const days = cal.tradingDaysBetween(from, date).slice(0, MAX_FORMULA_DAYS_PER_RUN);
  // `computeFormulaRows` computes the days ending at the last trading day completed at its clock's instant:
  // the last day wanted, at 23:59 in Shanghai.
  const end = days[days.length - 1];
  const at = { now: () => cal.instantAt(end, "23:59") };
  const formula = parseFactorFormula(factor.expression ?? "");
  const rows = await computeFormulaRows(
    { market: deps.market, clock: at },
    factor.universe,
    formula,
    days.length,
  );
  if (rows.length === 0) return 0;
  await deps.factors.putValues(factor.id, rows, (current, values) => {
    if (current.status !== "active") throw new ConflictError("factor is no longer active");
    return { ...current, values };
  });
  return rows.length;
}

/** The `os` block before any out-of-sample IC. */
function emptyOs(now: number): FactorOsMetrics {
  return {
    ic_mean_30d: null,
    ic_mean_60d: null,
    ic_mean_120d: null,
    start_date: null,
    days: 0,
    last_date: null,
    updated_at: now,
  };
}

/** Computes and stores one factor's `os` block; `false` when the factor changed meanwhile (nothing stored). */
async function trackOne(deps: FactorServices, ctx: RunContext, factor: FactorRecord): Promise<boolean> {
  const { cal, date } = ctx;
  const activatedAt = factor.activated_at;
  if (activatedAt === null) throw new Error("active factor without activated_at");
  const activationDate = cal.today(activatedAt);
  const osDates = (await deps.factors.valueDates(factor.id)).filter((d) => d > activationDate && d <= date);
  // An `os` block of an earlier activation does not carry over.
  const prior = factor.os !== null && factor.os.updated_at !== null && factor.os.updated_at >= activatedAt &&
      (factor.os.start_date === null || factor.os.start_date > activationDate)
    ? factor.os
    : null;
  const os = osDates.length === 0
    ? emptyOs(deps.clock.now())
    : await computeOs(deps, ctx, factor, osDates, prior?.last_date ? prior : null);
  const stored = await deps.factors.update(
    factor.id,
    (current) =>
      current.status === "active" && current.activated_at === activatedAt ? { ...current, os } : current,
  );
  return stored !== null && stored.status === "active" && stored.activated_at === activatedAt;
}

/**
 * A panel of `universe` from `start` (or earlier) through the run's date + the forward days: the run's shared
 * panel when it covers `start`, else one from `start` kept for other factors with the same span start (rows
 * before `start` or after the last OS date + 2 carry no factor value, so they change no IC).
 */
async function panelFrom(
  deps: FactorServices,
  ctx: RunContext,
  universe: FactorUniverse,
  start: string,
  end: string,
) {
  const sharedStart = ctx.cal.tradingDayOffset(ctx.date, -(SHARED_SPAN - 1));
  const shared = start >= sharedStart && end <= ctx.date;
  const key = shared ? universe : `${universe}|${start}`;
  let panel = ctx.panels.get(key);
  if (!panel) {
    panel = loadMarketPanel(deps.market, universe, {
      start: shared ? sharedStart : start,
      end: ctx.date,
      after: FORWARD_DAYS,
    });
    if (ctx.panels.size >= MAX_CACHED_PANELS) ctx.panels.delete(ctx.panels.keys().next().value!);
    ctx.panels.set(key, panel);
  }
  return await panel;
}

/** The ICs of the OS dates in `[start, last OS date]` on the platform's closes. */
async function osIcs(
  deps: FactorServices,
  ctx: RunContext,
  factor: FactorRecord,
  osDates: readonly string[],
  start: string,
) {
  const end = osDates[osDates.length - 1];
  const panel = await panelFrom(deps, ctx, factor.universe, start, end);
  const D = panel.dates.length, N = panel.symbols.length;
  const isOs = new Set(osDates.filter((d) => d >= start));
  const rowOf = new Map<string, number>();
  const wanted: string[] = [];
  panel.dates.forEach((d, t) => {
    if (isOs.has(d)) {
      rowOf.set(d, t);
      wanted.push(d);
    }
  });
  const values = new Float64Array(D * N).fill(NaN);
  if (N > 0 && wanted.length > 0) {
    const read = await deps.factors.readValues(factor.id, wanted, panel.symbols);
    wanted.forEach((d, i) => values.set(read.subarray(i * N, (i + 1) * N), rowOf.get(d)! * N));
  }
  const ic = N > 0 && D > 0
    ? dailyRankIc({ dates: panel.dates, symbols: panel.symbols, values, close: panel.close }, 1)
    : new Float64Array(D).fill(NaN);
  const fwd = forwardReturns(panel.close, D, N, 1);
  /** The OS dates of the span with their IC (NaN = undefined) and whether a forward return exists. */
  const days = wanted.map((d) => {
    const t = rowOf.get(d)!;
    let hasReturn = false;
    for (let j = 0; j < N && !hasReturn; j++) hasReturn = Number.isFinite(fwd[t * N + j]);
    return { date: d, ic: ic[t], hasReturn };
  });
  return days;
}

const meanOrNull = (xs: number[]): number | null =>
  xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length;

/** The `os` block of a factor with at least one OS date (see the module comment for the span). */
async function computeOs(
  deps: FactorServices,
  ctx: RunContext,
  factor: FactorRecord,
  osDates: readonly string[],
  prior: FactorOsMetrics | null,
): Promise<FactorOsMetrics> {
  const cal = ctx.cal;
  const first = osDates[0], lastOs = osDates[osDates.length - 1];
  const maxDate = (a: string, b: string) => (a > b ? a : b);
  let start = first;
  if (prior !== null && prior.last_date !== null) {
    const recent = cal.tradingDayOffset(lastOs, -(LONGEST_WINDOW + FORWARD_DAYS));
    start = maxDate(first, recent < prior.last_date ? recent : prior.last_date);
  }
  let days = await osIcs(deps, ctx, factor, osDates, start);
  let anchor = days.findLast((d) => d.hasReturn)?.date ?? null;
  // A stale market can put the last forward return further back than the span foresaw: widen it once.
  if (anchor !== null) {
    const windowStart = maxDate(first, cal.tradingDayOffset(anchor, -(LONGEST_WINDOW - 1)));
    if (windowStart < start) {
      start = windowStart;
      days = await osIcs(deps, ctx, factor, osDates, start);
      anchor = days.findLast((d) => d.hasReturn)?.date ?? null;
    }
  }
  const defined = days.filter((d) => Number.isFinite(d.ic));
  const windowMean = (n: number): number | null => {
    if (anchor === null) return null;
    const from = cal.tradingDayOffset(anchor, -(n - 1));
    return meanOrNull(defined.filter((d) => d.date >= from && d.date <= anchor!).map((d) => d.ic));
  };
  const countedBefore = prior === null
    ? 0
    : Math.max(0, prior.days - defined.filter((d) => d.date <= prior.last_date!).length);
  const startDate = prior?.start_date != null && prior.start_date < start
    ? prior.start_date
    : defined[0]?.date ?? null;
  return {
    ic_mean_30d: windowMean(OS_WINDOWS[0]),
    ic_mean_60d: windowMean(OS_WINDOWS[1]),
    ic_mean_120d: windowMean(OS_WINDOWS[2]),
    start_date: startDate,
    days: countedBefore + defined.length,
    last_date: defined.at(-1)?.date ?? prior?.last_date ?? null,
    updated_at: deps.clock.now(),
  };
}
