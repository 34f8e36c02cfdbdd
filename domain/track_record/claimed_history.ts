/**
 * The researcher's claimed NAV history: what they say the strategy did before the platform tracked it. It is
 * shown beside the verified record, never mixed into it, and compared with it where the two overlap.
 */
import { iso } from "../iso_time.ts";
import { dateInZone } from "../calendar/dates.ts";
import { BadRequestError, NotFoundError, ValidationError } from "../errors.ts";
import type { ClaimedHistoryRecord } from "../store/claimed_repo.ts";
import { type ClaimedSummary, summarizeClaimed } from "./claimed_summary.ts";
import type { TrackRecordServices } from "./services.ts";
import { audit, CST_ZONE, getOwnTracked } from "./signals/tracked_strategies.ts";

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
export function toClaimedView(r: ClaimedHistoryRecord): ClaimedView {
  return {
    strategy_slug: r.strategy_slug,
    ...summarizeClaimed(r.records),
    uploaded_at: iso(r.uploaded_at),
  };
}

/**
 * Stores (or replaces) the claimed history of my active or paused strategy: points strictly ascending by date,
 * every date before the day the strategy was activated (CST) and none in the future. Returns the view and
 * whether it was new.
 */
export async function putClaimedHistory(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
  records: { date: string; nav: number }[],
): Promise<{ view: ClaimedView; created: boolean }> {
  const s = await getOwnTracked(deps, ownerId, slug);
  if (s.status !== "active" && s.status !== "paused") {
    throw new BadRequestError(
      `Strategy "${slug}" is ${s.status}: a claimed history needs an active or paused strategy`,
    );
  }
  const now = deps.clock.now();
  const today = dateInZone(now, CST_ZONE);
  const activatedDate = dateInZone(s.activated_at ?? now, CST_ZONE);
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
    if (r.date > today) issues.push({ type: "value_error", loc, msg: `${r.date} is in the future` });
    else if (r.date >= activatedDate) {
      issues.push({
        type: "value_error",
        loc,
        msg:
          `${r.date} is not before the strategy's activation (${activatedDate}); the platform's own record covers it`,
      });
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
  return { view: toClaimedView(record), created: !existed };
}

/** My strategy's claimed history (404 when none). */
export async function getClaimedHistory(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
): Promise<ClaimedHistoryRecord> {
  await getOwnTracked(deps, ownerId, slug);
  const r = await deps.claimed.get(slug);
  if (!r) throw new NotFoundError(`Strategy "${slug}" has no claimed history`);
  return r;
}

/** Deletes my strategy's claimed history; 404 when there is none. */
export async function deleteClaimedHistory(
  deps: TrackRecordServices,
  ownerId: string,
  slug: string,
): Promise<{ deleted: true; data_points_removed: number }> {
  await getOwnTracked(deps, ownerId, slug);
  const removed = await deps.claimed.remove(slug);
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
