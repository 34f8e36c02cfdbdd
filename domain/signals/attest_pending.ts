/**
 * The step after a signal's commit: every signal version still waiting for the transparency log is appended to
 * it, then every signal still waiting for GitHub is committed there. Run right after a submission, by the 09:10
 * job and before settlement; safe to run twice or concurrently (the log appends a hash once, GitHub gets the same
 * file again as a no-op), and it picks up whatever a crashed process left between its commit and this step.
 */
import { needsAttestation } from "../store/signal_repo.ts";
import type { TrackRecordServices } from "../track_record/services.ts";
import { commitSignalToGithub, logSignalVersion } from "./signals.ts";

/** What one `attestPending` run did. */
export interface AttestPendingSummary {
  /** Signal versions appended to (or found already in) the transparency log. */
  logged: number;
  /** Versions whose log append failed (they stay pending for the next run). */
  log_failed: number;
  /** Signals committed to GitHub. */
  committed: number;
  /** Signals whose GitHub commit failed (recorded on the signal; retried by the next run). */
  failed: number;
}

/** The background task name under which submissions schedule `attestPending`. */
export const ATTEST_PENDING_TASK = "attest-pending";

/**
 * Logs every signal version waiting for the transparency log (oldest submission first) and, unless
 * `github: false`, commits every signal waiting for GitHub. Failures are counted and logged, never thrown.
 */
export async function attestPending(
  deps: TrackRecordServices,
  opts: { github?: boolean } = {},
): Promise<AttestPendingSummary> {
  const summary: AttestPendingSummary = { logged: 0, log_failed: 0, committed: 0, failed: 0 };
  for (const item of await deps.signals.listToLog()) {
    try {
      await logSignalVersion(deps, item);
      summary.logged++;
    } catch (e) {
      summary.log_failed++;
      deps.log("error", "transparency log append failed", { slug: item.strategy_slug, error: String(e) });
    }
  }
  if (opts.github === false || !deps.attester.configured) return summary;
  for (const ref of await deps.signals.listUnattested()) {
    const signal = await deps.signals.get(ref.strategy_slug, ref.trade_date);
    if (!signal || !needsAttestation(signal)) continue;
    const after = await commitSignalToGithub(deps, signal);
    if (after.attestation.committed) summary.committed++;
    else summary.failed++;
  }
  return summary;
}
