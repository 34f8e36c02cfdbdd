/**
 * The researcher's claimed NAV history: what they say the strategy did (ideally out-of-sample paper trading).
 * Its dates may lie before the platform tracked the strategy or overlap the platform's own record (never in the
 * future); it is stored and shown beside the verified record, never mixed into it, and compared with it on the
 * dates both cover (`compareTracking`, at least 5 common dates).
 */
import { iso } from "../iso_time.ts";
import { addDays, dateInZone, toDayNumber } from "../calendar/dates.ts";
import { BadRequestError, NotFoundError, ValidationError } from "../errors.ts";
import type { ClaimedHistoryRecord } from "../store/claimed_repo.ts";
import type { NavPointRecord } from "../store/settlement_repo.ts";
import type { TrackedStrategyRecord } from "../store/tracked_strategy_repo.ts";
import {
  type ClaimedPoint,
  type ClaimedSummary,
  normaliseClaimed,
  summarizeClaimed,
} from "./claimed_summary.ts";
import type { TrackRecordServices } from "./services.ts";
import { audit, CST_ZONE, getOwnTracked, TRACKED_BENCHMARKS } from "./signals/tracked_strategies.ts";
import { compareTracking, type Tracking } from "./tracking.ts";

/** Fewest and most points of a claimed history. */
export const CLAIMED_MIN_POINTS = 2;
/** Most points of a claimed history. */
export const CLAIMED_MAX_POINTS = 5000;
/** Largest NAV value accepted. */
export const CLAIMED_MAX_NAV = 1e10;

/** A claimed history as the API shows it (summary). */
export interface ClaimedView extends ClaimedSummary {
  strategy_slug: string;
  uploaded_at: string;
}

/** The API view of a stored history. */
function toClaimedView(r: ClaimedHistoryRecord): ClaimedView {
  return {
    strategy_slug: r.strategy_slug,
    ...summarizeClaimed(r.records),
    uploaded_at: iso(r.uploaded_at),
  };
}

/** The summary block of the QuantGPT document's claimed answers. */
export type ClaimedMeta = ClaimedSummary & { uploaded_at: string };

/**
 * A claimed history as `GET /strategies/{slug}/claimed` answers it: the document's `meta` and normalised
 * `records` (see `ClaimedPoint`), beside the flat summary fields this API answered before.
 */
export interface ClaimedHistoryView extends ClaimedView {
  meta: ClaimedMeta;
  records: ClaimedPoint[];
}

/** Calendar days a benchmark close may be older than the date it stands for (holidays, suspensions). */
const MAX_BENCHMARK_STALENESS_DAYS = 14;

/**
 * A look-up of the strategy's benchmark close as of a date in `[start, end]` (the last close on or before it,
 * at most `MAX_BENCHMARK_STALENESS_DAYS` old); every date reads `null` when the market has no such series.
 */
async function benchmarkCloseLookup(
  deps: TrackRecordServices,
  s: Pick<TrackedStrategyRecord, "slug" | "universe">,
  start: string,
  end: string,
): Promise<(date: string) => number | null> {
  const symbol = TRACKED_BENCHMARKS[s.universe];
  let bars = null;
  try {
    bars = await deps.market.getBars(symbol, addDays(start, -MAX_BENCHMARK_STALENESS_DAYS), end);
  } catch (e) {
    deps.log("warn", "benchmark bars for a claimed history unavailable", { slug: s.slug, error: String(e) });
  }
  if (!bars || bars.days.length === 0) return () => null;
  const days = bars.days, close = bars.close;
  return (date) => {
    const target = toDayNumber(date);
    let lo = 0, hi = days.length - 1, found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (days[mid] <= target) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (found < 0 || target - days[found] > MAX_BENCHMARK_STALENESS_DAYS) return null;
    return Number.isFinite(close[found]) && close[found] > 0 ? close[found] : null;
  };
}

/** A stored history as the API shows it: summary, `meta` and normalised records with benchmark returns. */
export async function toClaimedHistoryView(
  deps: TrackRecordServices,
  s: Pick<TrackedStrategyRecord, "slug" | "universe">,
  r: ClaimedHistoryRecord,
): Promise<ClaimedHistoryView> {
  const view = toClaimedView(r);
  const first = r.records[0]?.date, last = r.records.at(-1)?.date;
  const closeAsOf = first && last ? await benchmarkCloseLookup(deps, s, first, last) : () => null;
  const { strategy_slug: _slug, ...meta } = view;
  return { ...view, meta, records: normaliseClaimed(r.records, closeAsOf) };
}

/**
 * How the claimed history tracks the platform's settled NAVs (`navs` when the caller has read them already);
 * `null` under 5 common dates.
 */
export async function claimedTracking(
  deps: TrackRecordServices,
  slug: string,
  records: ClaimedHistoryRecord["records"],
  navs?: readonly NavPointRecord[],
): Promise<Tracking | null> {
  const platform = navs ?? await deps.settlements.navSeries(slug);
  return compareTracking(records, platform.map((n) => ({ date: n.date, nav: n.nav })));
}

/** The answer to an upload: the summary and, when the claim overlaps the platform's record, the tracking. */
export type ClaimedUploadView = ClaimedView & { tracking?: Tracking };

/**
 * Stores (or replaces) the claimed history of my active or paused strategy: points strictly ascending by date,
 * none after today (CST). Dates may overlap the platform's own record: the two are stored apart and compared
 * on their common dates (the answer carries `tracking` once at least 5 dates are common). Returns the view and
 * whether it was new.
 */
export async function putClaimedHistory(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
  records: { date: string; nav: number }[],
): Promise<{ view: ClaimedUploadView; created: boolean }> {
  const s = await getOwnTracked(deps, ownerId, slug);
  if (s.status !== "active" && s.status !== "paused") {
    throw new BadRequestError(
      `Strategy "${slug}" is ${s.status}: a claimed history needs an active or paused strategy`,
    );
  }
  const now = deps.clock.now();
  const today = dateInZone(now, CST_ZONE);
  const issues: { type: string; loc: (string | number)[]; msg: string }[] = [];
  for (let i = 0; i < records.length; i++) {
    const r = records[i];
    const loc = ["records", i, "date"];
    if (i > 0 && r.date <= records[i - 1].date) {
      issues.push({
        type: "value_error",
        loc,
        msg: r.date === records[i - 1].date
          ? `Duplicate date ${r.date}`
          : `Dates must ascend: ${r.date} follows ${records[i - 1].date}`,
      });
    }
    if (r.date > today) {
      issues.push({ type: "value_error", loc, msg: `${r.date} is in the future (today is ${today})` });
    }
    if (issues.length >= 20) break;
  }
  if (issues.length > 0) throw new ValidationError(issues[0].msg, issues[0].loc, "value_error", issues);
  const record: ClaimedHistoryRecord = { strategy_slug: slug, records, uploaded_at: now };
  const existed = await deps.claimed.put(record);
  await audit(
    deps,
    slug,
    "CLAIMED_UPLOADED",
    `Claimed history uploaded: ${records.length} points ` +
      `${records[0].date} → ${records[records.length - 1].date}`,
    { data_points: records.length },
  );
  const tracking = await claimedTracking(deps, slug, records);
  const view: ClaimedUploadView = toClaimedView(record);
  if (tracking) view.tracking = tracking;
  return { view, created: !existed };
}

/** My strategy's claimed history (404 when none), normalised (see `toClaimedHistoryView`). */
export async function getClaimedHistory(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
): Promise<ClaimedHistoryView> {
  const s = await getOwnTracked(deps, ownerId, slug);
  const r = await deps.claimed.get(slug);
  if (!r) throw new NotFoundError(`Strategy "${slug}" has no claimed history`);
  return await toClaimedHistoryView(deps, s, r);
}

/** Deletes my strategy's claimed history; 404 when there is none. */
export async function deleteClaimedHistory(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
): Promise<{ deleted: true; data_points_removed: number }> {
  await getOwnTracked(deps, ownerId, slug);
  const removed = await deps.claimed.remove(slug, deps.clock.now());
  if (!removed) throw new NotFoundError(`Strategy "${slug}" has no claimed history`);
  await audit(
    deps,
    slug,
    "CLAIMED_DELETED",
    `Claimed history deleted (${removed.records.length} points)`,
    null,
  );
  return { deleted: true, data_points_removed: removed.records.length };
}
