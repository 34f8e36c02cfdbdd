/**
 * The health reports as a liveness probe reads them: the dependency checks (a KV write/read probe, the queue
 * heartbeat, mail, market data, …) run at most once per `DEEP_CHECK_TTL_MS`, never once per request. A request
 * gets the last run's report at once (serialised once per run) and, when that run is older than the TTL, starts
 * the next one in the background (one at a time); only the very first request waits for a run. Admins may ask for
 * a run now (`refresh`), whose report, with every detail, also becomes the one served.
 */
import { iso } from "./iso_time.ts";
import {
  apiReportOf,
  checkServiceHealth,
  type HealthDeps,
  redactServiceReport,
  type ServiceHealthReport,
} from "./health.ts";

/** How long one run of the checks is served before a request starts the next. */
export const DEEP_CHECK_TTL_MS = 5_000;

/** One run of the checks, ready to serve. */
export interface HealthSnapshot {
  /** When the run started (epoch ms). */
  at: number;
  /** The run's report with every detail (the admin view). */
  full: ServiceHealthReport;
  /** `/health` (the Backtester v2 shape) as JSON bytes, redacted where `exposeDetail` is false. */
  serviceJson: Uint8Array;
  /** `/api/v1/health` (the QuantGPT/TradAI shape) as JSON bytes, redacted likewise. */
  apiJson: Uint8Array;
}

/** The served health reports of one service. */
export interface HealthMonitor {
  /** The last run (the first call waits for one); starts the next in the background when it is stale. */
  current(): Promise<HealthSnapshot>;
  /** Runs the checks now (or joins the run under way) and serves its report from then on. */
  refresh(): Promise<HealthSnapshot>;
}

const encoder = new TextEncoder();

const monitors = new WeakMap<HealthDeps, HealthMonitor>();

/** The monitor of `deps` (one per `deps`, shared by every route that reports health). */
export function healthMonitor(deps: HealthDeps): HealthMonitor {
  let monitor = monitors.get(deps);
  if (!monitor) monitors.set(deps, monitor = createHealthMonitor(deps));
  return monitor;
}

function createHealthMonitor(deps: HealthDeps): HealthMonitor {
  let last: HealthSnapshot | null = null;
  let running: Promise<HealthSnapshot> | null = null;

  async function run(): Promise<HealthSnapshot> {
    const at = deps.clock.now();
    const full = await checkServiceHealth(deps, true);
    const shown = (deps.exposeDetail ?? true) ? full : redactServiceReport(full);
    const snapshot: HealthSnapshot = {
      at,
      full,
      serviceJson: encoder.encode(JSON.stringify(shown)),
      apiJson: encoder.encode(JSON.stringify(apiReportOf(shown))),
    };
    // A run that started earlier than the one served (an admin's refresh overtook it) does not replace it.
    if (!last || last.at <= at) last = snapshot;
    return snapshot;
  }

  function refresh(): Promise<HealthSnapshot> {
    running ??= run().finally(() => (running = null));
    return running;
  }

  return {
    current() {
      if (!last) return refresh();
      // Never rejects (every check is guarded); the catch only keeps a surprise from going unhandled.
      if (deps.clock.now() - last.at >= DEEP_CHECK_TTL_MS) refresh().catch(() => {});
      return Promise.resolve(last);
    },
    refresh,
  };
}

/** When `snapshot`'s run started, as ISO text (the `X-Health-Checked-At` header). */
export const checkedAtOf = (snapshot: HealthSnapshot) => iso(snapshot.at);
