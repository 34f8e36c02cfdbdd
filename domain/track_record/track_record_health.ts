/** The `/health` check of the track-record area: the latest watchdog alert, if any strategy still lacks its NAV. */
import type { TrackRecordCheck } from "../health.ts";
import type { TrackRecordServices } from "./services.ts";
import type { WatchdogAlert } from "./daily_tasks.ts";

/**
 * `ok` unless the latest watchdog run found strategies without that day's NAV that are still missing it now
 * (a later settlement that filled the gap clears the alert).
 */
export async function trackRecordHealth(
  deps: TrackRecordServices,
  store: { latestAlert(): Promise<WatchdogAlert | null> },
): Promise<TrackRecordCheck> {
  const alert = await store.latestAlert();
  if (!alert || alert.missing.length === 0) {
    return {
      ok: true,
      detail: alert ? `every strategy settled through ${alert.date}` : "no watchdog run yet",
    };
  }
  const still: string[] = [];
  for (const m of alert.missing) {
    const head = await deps.settlements.head(m.slug);
    if (!head || head.date < alert.date) still.push(m.slug);
  }
  return still.length === 0 ? { ok: true, detail: `gaps of ${alert.date} filled since the watchdog ran` } : {
    ok: false,
    detail: `ALERT: ${still.length} strategies have no NAV for ${alert.date}`,
    alert_date: alert.date,
    missing: still,
  };
}
