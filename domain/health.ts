/**
 * Service health: one real check per dependency, and an overall `ok` or `degraded` (`/api/v1/health`); and the
 * Backtester v2 document's `/health` — the same checks with `healthy` | `degraded` | `unhealthy` and the stored
 * market data (`database`) and bar cache (`cache`) figures.
 */
import { isoOrNull } from "./iso_time.ts";
import { type Clock, withDeadline } from "./clock.ts";
import type { Mailer } from "./mail/mailer.ts";
import type { HealthRepo } from "./store/health_repo.ts";

/**
 * The result of one dependency check. A failed or redacted (production) check carries `ok` and `detail` only, so
 * every extra field of the checks below is optional.
 */
export interface CheckResult {
  ok: boolean;
  detail: string;
}

/** The KV check: a write and read round trip. */
export interface KvCheck extends CheckResult {
  latency_ms?: number;
}

/** The queue check: the listener and its heartbeat. */
export interface QueueCheck extends CheckResult {
  last_heartbeat_at?: string | null;
}

/** The mail check: the transport's own probe. */
export interface MailCheck extends CheckResult {
  transport?: string;
}

/** The freshness of one market data source and scope. */
export interface MarketFreshnessCheck {
  source: string;
  scope: string;
  last_bar_date: string | null;
  expected_date: string | null;
  stale: boolean;
  error: string | null;
}

/** The market data check: the synthetic source and the freshness of every source. */
export interface MarketDataCheck extends CheckResult {
  source?: string;
  seed?: number;
  symbols?: number;
  generated_series?: number;
  rows?: number;
  date_range?: { start: string; end: string } | null;
  freshness?: MarketFreshnessCheck[];
}

/** The track-record check: the latest watchdog alert still open. */
export interface TrackRecordCheck extends CheckResult {
  alert_date?: string;
  missing?: string[];
}

/** The attestation check: the transparency log and its GitHub commitments. */
export interface AttestationCheck extends CheckResult {
  log_size?: number;
  github?: string | null;
  unattested?: number;
}

/** The strategy assistant's model: which provider answers first (never the key). */
export interface LlmCheck extends CheckResult {
  provider?: string;
  model?: string | null;
  /** Whether a model (Gemini) is configured; false: the offline parser answers every turn. */
  configured?: boolean;
}

/** One entry per dependency; the last four only where the process registers them. */
export interface HealthChecks {
  kv: KvCheck;
  queue: QueueCheck;
  mail: MailCheck;
  market_data?: MarketDataCheck;
  track_records?: TrackRecordCheck;
  attestation?: AttestationCheck;
  llm?: LlmCheck;
}

/** The checks other areas register, by name. */
export type ExtraChecks = {
  [K in "market_data" | "track_records" | "attestation" | "llm"]?: () => Promise<
    NonNullable<HealthChecks[K]>
  >;
};

/** `/health` body. */
export interface HealthReport {
  status: "ok" | "degraded";
  version: string;
  checks: HealthChecks;
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
  extraChecks?: ExtraChecks;
  /** The stored market data's figures (read at most every `FIGURES_TTL_MS`); absent: none stored. */
  databaseFigures?: () => Promise<DatabaseFigures>;
  /** The in-process bar cache's figures; absent: no cache. */
  cacheFigures?: () => CacheFigures;
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

/** Sets `checks[name]` (every extra field of a check is optional, so a bare `{ok, detail}` fits any name). */
function putCheck<K extends keyof HealthChecks>(checks: HealthChecks, name: K, check: HealthChecks[K]): void {
  checks[name] = check;
}

/** A heartbeat unprocessed for longer than this means the queue is stuck. */
export const QUEUE_STALL_MS = 60_000;

/** A check that has not answered after this long fails, so `/health` answers even when SMTP hangs. */
const CHECK_TIMEOUT_MS = 5_000;

/** Runs one check: a throw or a timeout becomes a failed result, never a rejected `/health`. */
function guarded<C extends CheckResult>(run: () => Promise<C>, timeoutMs: number): Promise<C | CheckResult> {
  const work = Promise.resolve().then(run).catch((e) => ({
    ok: false,
    detail: `check failed: ${e instanceof Error ? e.message : String(e)}`,
  }));
  return withDeadline(work, timeoutMs, () => ({ ok: false, detail: `no answer within ${timeoutMs} ms` }));
}

async function kvCheck(deps: HealthDeps): Promise<KvCheck> {
  try {
    const ms = await deps.repo.probeKv(deps.clock.now());
    return { ok: true, detail: "read/write ok", latency_ms: ms };
  } catch (e) {
    return { ok: false, detail: `KV read/write failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}

async function mailCheck(deps: HealthDeps): Promise<MailCheck> {
  return { ...(await deps.mailer.check()), transport: deps.mailer.kind };
}

async function queueCheck(deps: HealthDeps): Promise<QueueCheck> {
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
 * longer than `checkTimeoutMs` is reported as failed. `expose` overrides `deps.exposeDetail`.
 */
export async function checkHealth(
  deps: HealthDeps,
  expose = deps.exposeDetail ?? true,
): Promise<HealthReport> {
  const timeoutMs = deps.checkTimeoutMs ?? CHECK_TIMEOUT_MS;
  const extras = Object.entries(deps.extraChecks ?? {}) as [keyof ExtraChecks, () => Promise<CheckResult>][];
  const [kv, queue, mail, ...extraResults] = await Promise.all([
    guarded(() => kvCheck(deps), timeoutMs),
    guarded(() => queueCheck(deps), timeoutMs),
    guarded(() => mailCheck(deps), timeoutMs),
    ...extras.map(([, run]) => guarded<CheckResult>(run, timeoutMs)),
  ]);
  const shown = <C extends CheckResult>(check: C): C | CheckResult => expose ? check : redactCheck(check);
  const checks: HealthChecks = { kv: shown(kv), queue: shown(queue), mail: shown(mail) };
  extras.forEach(([name], i) => putCheck(checks, name, shown(extraResults[i])));
  return {
    status: Object.values(checks).every((c: CheckResult) => c.ok) ? "ok" : "degraded",
    version: deps.version,
    checks,
  };
}

/** Stored market data: bars, first and last bar date, series (the Backtester v2 `database.info`). */
export interface DatabaseFigures {
  total_records: number;
  date_range: { min_date: string | null; max_date: string | null };
  unique_tickers: number;
}

/** The in-process bar cache (the Backtester v2 `cache`). */
export interface CacheFigures {
  loaded: boolean;
  rows: number;
  years: number;
  size_mb: number;
}

/** `/health` in the Backtester v2 document's shape, over this service's checks. */
export interface ServiceHealthReport {
  /** `unhealthy` when KV (the database) fails, `degraded` when another check fails, else `healthy`. */
  status: "healthy" | "degraded" | "unhealthy";
  version: string;
  /** KV answered the health probe; `info` is `null` when the figures could not be read. */
  database: { connected: boolean; info: DatabaseFigures | null };
  cache: CacheFigures;
  checks: HealthChecks;
}

/** How long the stored market figures are reused: counting them sweeps every series' metadata. */
export const FIGURES_TTL_MS = 60_000;

const figuresMemo = new WeakMap<HealthDeps, { at: number; value: Promise<DatabaseFigures> }>();

/** The stored market figures, read at most once per `FIGURES_TTL_MS` per `deps` (a failed read is not kept). */
function databaseFigures(deps: HealthDeps): Promise<DatabaseFigures> {
  const read = deps.databaseFigures;
  if (!read) {
    return Promise.resolve({
      total_records: 0,
      date_range: { min_date: null, max_date: null },
      unique_tickers: 0,
    });
  }
  const now = deps.clock.now();
  const memo = figuresMemo.get(deps);
  if (memo && now - memo.at < FIGURES_TTL_MS) return memo.value;
  const value = read();
  figuresMemo.set(deps, { at: now, value });
  value.catch(() => figuresMemo.delete(deps));
  return value;
}

const NO_CACHE: CacheFigures = { loaded: false, rows: 0, years: 0, size_mb: 0 };

/**
 * `/health` of the Backtester v2 document as a superset: its `status`, `database` and `cache`, with this
 * service's `version` and `checks` (redacted in production like `checkHealth`'s, unless `expose` says otherwise;
 * the figures name no host, port or path, so they are shown everywhere). Never rejects.
 */
export async function checkServiceHealth(
  deps: HealthDeps,
  expose = deps.exposeDetail ?? true,
): Promise<ServiceHealthReport> {
  const timeoutMs = deps.checkTimeoutMs ?? CHECK_TIMEOUT_MS;
  const [report, info] = await Promise.all([
    checkHealth(deps, expose),
    guarded(async () => ({ ok: true, detail: "ok", figures: await databaseFigures(deps) }), timeoutMs),
  ]);
  const figures = "figures" in info ? (info.figures as DatabaseFigures) : null;
  const kvOk = report.checks.kv.ok;
  return {
    status: !kvOk ? "unhealthy" : report.status === "ok" ? "healthy" : "degraded",
    version: report.version,
    database: { connected: kvOk, info: figures },
    cache: deps.cacheFigures?.() ?? NO_CACHE,
    checks: report.checks,
  };
}

/** `report` as production shows it: each check reduced to `{ok, detail: "ok" | "failing"}`. */
export function redactServiceReport(report: ServiceHealthReport): ServiceHealthReport {
  const checks = Object.fromEntries(
    Object.entries(report.checks).map(([name, check]) => [name, redactCheck(check as CheckResult)]),
  ) as unknown as HealthChecks;
  return { ...report, checks };
}

/** The `/api/v1/health` report within a service report: `ok` exactly when every check passed. */
export function apiReportOf(report: ServiceHealthReport): HealthReport {
  return {
    status: report.status === "healthy" ? "ok" : "degraded",
    version: report.version,
    checks: report.checks,
  };
}
