/**
 * Day record hashes into the transparency log. Settling a day writes a "record to log" marker in the day's own
 * commit; right after the commit the record hash is appended as a leaf of the strategy's log (`logOf`: the demo
 * log for demo strategies, else the production log) and the marker cleared, and `attestPending` drains whatever a
 * crashed or failed run left. Appends are idempotent per hash (a hash already in the log keeps its leaf), the
 * marker is cleared only after the append, so running this twice, concurrently or after a crash between the
 * commit and the append logs each record hash exactly once. Where a day's hash sits is not stored: `/verify`
 * asks the log for its inclusion proof.
 */
import type { DayRecordToLog } from "../../store/settlement_repo.ts";
import { logOf, type SignalLogPort, type TrackRecordServices } from "../services.ts";

/**
 * Appends one day record hash to its strategy's log and clears its marker. Witnesses are not asked here: the
 * caller cosigns once after all its appends (`settleStrategy`, `attestPending`), so a slow witness costs a
 * call one timeout, not one per day. Throws when the log fails (the marker stays for the next run).
 */
export async function logDayRecord(
  deps: TrackRecordServices,
  item: DayRecordToLog,
): Promise<{ appended: boolean }> {
  const log = logOf(deps, item);
  const { appended } = await log.append(item.record_hash);
  await deps.settlements.clearRecordToLog(item);
  return { appended };
}

/**
 * Logs every day record hash still waiting (by strategy, then date); failures are counted and logged, never
 * thrown. `logged` counts the hashes this run appended (not those another run appended first); the logs they went
 * to are added to `appendedTo`.
 */
export async function logPendingDayRecords(
  deps: TrackRecordServices,
  appendedTo?: Set<SignalLogPort>,
): Promise<{ logged: number; failed: number }> {
  let logged = 0;
  let failed = 0;
  for (const item of await deps.settlements.listRecordsToLog()) {
    try {
      if ((await logDayRecord(deps, item)).appended) {
        logged++;
        appendedTo?.add(logOf(deps, item));
      }
    } catch (e) {
      failed++;
      deps.log("error", "day record log append failed", {
        slug: item.strategy_slug,
        date: item.date,
        error: String(e),
      });
    }
  }
  return { logged, failed };
}
