/** Service health: one real check per dependency, and an overall `ok` or `degraded`. */
import { isoOrNull } from "./iso_time.ts";
import { type Clock, withDeadline } from "./clock.ts";
import type { Mailer } from "./mail/mailer.ts";
import type { HealthRepo } from "./store/health_repo.ts";

/** The result of one dependency check. */
export interface CheckResult {
  ok: boolean;
  detail: string;
  [extra: string]: unknown;
}

/** `/health` body. */
export interface HealthReport {
  status: "ok" | "degraded";
  version: string;
  checks: Record<string, CheckResult>;
}

/** What the health checks look at. */
export interface HealthDeps {
  repo: HealthRepo;
  clock: Clock;
  mailer: Mailer;
  version: string;
  /** Whether the queue listener is running in this process. */
  queueListening: () => boolean;
  /**
   * The queue listener runs in another process (`RUN_WORKER=false` beside a `worker.ts`): this process cannot
   * see it, so the check relies on the heartbeat round trip alone (enqueued here, processed there).
   */
  workerElsewhere?: boolean;
  /** Puts a heartbeat message on the queue. */
  enqueueHeartbeat: () => Promise<void>;
  /** Extra named checks other areas register (market data, attestation, …). */
  extraChecks?: Record<string, () => Promise<CheckResult>>;
  /** How long one check may take before it counts as failed (default `CHECK_TIMEOUT_MS`). */
  checkTimeoutMs?: number;
  /**
   * Whether the report carries each check's detail and extra fields (host names, ports, paths, error text).
   * `false` (production) reduces every check to `{ok, detail: "ok" | "failing"}`. Default `true`.
   */
  exposeDetail?: boolean;
}

/** A check as production shows it: whether it passed, and nothing about where or why. */
function redactCheck(check: CheckResult): CheckResult {
  return { ok: check.ok, detail: check.ok ? "ok" : "failing" };
}

/** A heartbeat unprocessed for longer than this means the queue is stuck. */
export const QUEUE_STALL_MS = 60_000;

/** A check that has not answered after this long fails, so `/health` answers even when SMTP hangs. */
const CHECK_TIMEOUT_MS = 5_000;

/** Runs one check: a throw or a timeout becomes a failed result, never a rejected `/health`. */
function guarded(run: () => Promise<CheckResult>, timeoutMs: number): Promise<CheckResult> {
  const work = Promise.resolve().then(run).catch((e) => ({
    ok: false,
    detail: `check failed: ${e instanceof Error ? e.message : String(e)}`,
  }));
  return withDeadline(work, timeoutMs, () => ({ ok: false, detail: `no answer within ${timeoutMs} ms` }));
}

async function kvCheck(deps: HealthDeps): Promise<CheckResult> {
  try {
    const ms = await deps.repo.probeKv(deps.clock.now());
    return { ok: true, detail: "read/write ok", latency_ms: ms };
  } catch (e) {
    return { ok: false, detail: `KV read/write failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

async function mailCheck(deps: HealthDeps): Promise<CheckResult> {
  return { ...(await deps.mailer.check()), transport: deps.mailer.kind };
}

async function queueCheck(deps: HealthDeps): Promise<CheckResult> {
  if (!deps.workerElsewhere && !deps.queueListening()) {
    return { ok: false, detail: "queue listener not running" };
  }
  const now = deps.clock.now();
  const beat = await deps.repo.getHeartbeat();
  const pending = beat.enqueued_at !== null &&
    (beat.processed_at === null || beat.processed_at < beat.enqueued_at);
  if (pending && now - beat.enqueued_at! > QUEUE_STALL_MS) {
    return {
      ok: false,
      detail: `heartbeat enqueued ${Math.round((now - beat.enqueued_at!) / 1000)} s ago, not processed`,
    };
  }
  if (!pending) await deps.enqueueHeartbeat();
  return {
    ok: true,
    detail: !deps.workerElsewhere
      ? "listening"
      : beat.processed_at === null
      ? "worker in another process; no heartbeat answered yet"
      : "worker in another process; heartbeats answered",
    last_heartbeat_at: isoOrNull(beat.processed_at),
  };
}

/**
 * Runs every check concurrently; status is `ok` only when all pass. Never rejects: a check that throws or takes
 * longer than `checkTimeoutMs` is reported as failed.
 */
export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const timeoutMs = deps.checkTimeoutMs ?? CHECK_TIMEOUT_MS;
  const runs: [string, () => Promise<CheckResult>][] = [
    ["kv", () => kvCheck(deps)],
    ["queue", () => queueCheck(deps)],
    ["mail", () => mailCheck(deps)],
    ...Object.entries(deps.extraChecks ?? {}),
  ];
  const results = await Promise.all(runs.map(([, run]) => guarded(run, timeoutMs)));
  const checks: Record<string, CheckResult> = {};
  const expose = deps.exposeDetail ?? true;
  runs.forEach(([name], i) => (checks[name] = expose ? results[i] : redactCheck(results[i])));
  return {
    status: Object.values(checks).every((c) => c.ok) ? "ok" : "degraded",
    version: deps.version,
    checks,
  };
}
