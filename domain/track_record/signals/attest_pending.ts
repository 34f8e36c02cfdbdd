/**
 * The step after a signal's commit: every signal version still waiting for the transparency log is appended to
 * it (and every settled day's record hash still waiting, `record_log.ts`), then every signal still waiting for
 * GitHub is committed there. Run right after a submission, by the 09:10
 * job and before settlement; safe to run twice or concurrently (the log appends a hash once, GitHub gets the same
 * file again as a no-op), and it picks up whatever a crashed process left between its commit and this step.
 */
import { needsAttestation } from "../../store/signal_repo.ts";
import type { SignalLogPort, TrackRecordServices } from "../services.ts";
import { commitSignalToGithub, logSignalVersion } from "./signals.ts";
import { logPendingDayRecords } from "../settlement/record_log.ts";
import { cosignHead } from "../../attestation/witness_collector.ts";
import { commitHeadCheckpoint } from "../../attestation/checkpoint_commits.ts";

/** What one `attestPending` run did. */
export interface AttestPendingSummary {
  /** Signal versions this run appended to the transparency log (not those another run appended first). */
  logged: number;
  /** Versions whose log append failed (they stay pending for the next run). */
  log_failed: number;
  /** Settled days' record hashes this run appended to their logs (left by a crash or a failed append). */
  records_logged: number;
  /** Record hashes whose append failed (they stay pending for the next run). */
  records_log_failed: number;
  /** Signals committed to GitHub. */
  committed: number;
  /** Signals whose GitHub commit failed (recorded on the signal; retried by the next run). */
  failed: number;
}

/** The background task name under which submissions schedule `attestPending`. */
export const ATTEST_PENDING_TASK = "attest-pending";

/**
 * GitHub halves of `attestPending` in this process, per signal repository: each starts after the previous one
 * ended, so two runs never race each other to GitHub with the same file (across processes GitHub gets the same
 * file again at worst). The log half needs no turn-taking: appends are idempotent per hash.
 */
const githubRuns = new WeakMap<object, Promise<unknown>>();

/**
 * Logs every signal version and day record hash waiting for the transparency log (oldest submission first), then
 * has the witnesses cosign: with `github: false` (a submission's request) once per log it appended to, skipping
 * witnesses in their backoff window (`WITNESS_BACKOFF_MS`); otherwise (the catch-up run) each log's head is
 * pushed to every witness that has not cosigned it (`cosignHead`). Unless `github: false` it then commits every
 * signal waiting for GitHub, then each log's newest checkpoint. Failures are counted and logged, never thrown. A run
 * sees everything committed before it was called; `github: false` never waits for a GitHub round trip.
 */
export async function attestPending(
  deps: TrackRecordServices,
  opts: { github?: boolean } = {},
): Promise<AttestPendingSummary> {
  const summary: AttestPendingSummary = {
    logged: 0,
    log_failed: 0,
    records_logged: 0,
    records_log_failed: 0,
    committed: 0,
    failed: 0,
  };
  const appendedTo = new Set<SignalLogPort>();
  for (const item of await deps.signals.listToLog()) {
    try {
      const logged = await logSignalVersion(deps, item);
      if (logged.appended) {
        summary.logged++;
        appendedTo.add(logged.tlog);
      }
    } catch (e) {
      summary.log_failed++;
      deps.log("error", "transparency log append failed", { slug: item.strategy_slug, error: String(e) });
    }
  }
  const records = await logPendingDayRecords(deps, appendedTo);
  summary.records_logged = records.logged;
  summary.records_log_failed = records.failed;
  if (opts.github === false) {
    // Inside a request: each log this run appended to is cosigned once, after all its appends, and witnesses
    // whose last push failed within the backoff window are left to the catch-up run.
    for (const log of appendedTo) await cosignHead(deps, log, { backoff: true });
  } else {
    // The catch-up run: every witness behind a log's head gets it again, whatever its last outcome.
    for (const log of [deps.tlog, deps.demoTlog]) await cosignHead(deps, log);
  }
  if (opts.github === false || !deps.attester.configured) return summary;
  const previous = githubRuns.get(deps.signals) ?? Promise.resolve();
  const run = previous.catch(() => {}).then(() => commitPending(deps));
  githubRuns.set(deps.signals, run);
  return { ...summary, ...await run };
}

/** Commits every signal waiting for GitHub; counts successes and failures. */
async function commitPending(deps: TrackRecordServices): Promise<{ committed: number; failed: number }> {
  let committed = 0;
  let failed = 0;
  for (const ref of await deps.signals.listUnattested()) {
    const signal = await deps.signals.get(ref.strategy_slug, ref.trade_date);
    if (!signal || !needsAttestation(signal)) continue;
    const after = await commitSignalToGithub(deps, signal);
    if (after.attestation.committed) committed++;
    else failed++;
  }
  // Then each log's newest checkpoint not yet on GitHub (not counted: the summary counts signals).
  const store = deps.witnessing.store;
  for (const log of [deps.tlog, deps.demoTlog]) await commitHeadCheckpoint({ ...deps, store }, log);
  return { committed, failed };
}
