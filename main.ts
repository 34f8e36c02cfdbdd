/**
 * Composition root: parse the environment, open KV, wire services, start the queue listener and crons, serve.
 * The only module that reads `Deno.env`.
 */
import { ConfigError, parseConfig } from "./domain/config.ts";
import { systemClock } from "./domain/clock.ts";
import { createJsonLogger } from "./domain/log.ts";
import { createLogMailer } from "./domain/mail/mailer.ts";
import { createSmtpMailer } from "./domain/mail/smtp_mailer.ts";
import { registerCronJobs } from "./jobs/cron.ts";
import { type QueueWorker, startQueueWorker } from "./jobs/queue.ts";
import { startJobPoller } from "./jobs/poller.ts";
import { startStreamBridge } from "./jobs/stream_bridge.ts";
import { createHealthRepo } from "./domain/store/health_repo.ts";
import { openKv } from "./domain/store/kv.ts";
import { createApp } from "./routes/app.ts";
import { buildAppDeps } from "./routes/wiring.ts";
import { loadOfficialLists } from "./domain/calendar/official_lists.ts";
import { resumePendingAttestations } from "./domain/track_record/operations.ts";

const log = createJsonLogger(() => new Date(systemClock.now()).toISOString());

let config;
try {
  config = parseConfig(Deno.env.toObject(), { onDeploy: Deno.env.get("DENO_DEPLOYMENT_ID") !== undefined });
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(`Quantedge cannot start.\n${e.message}`);
    Deno.exit(1);
  }
  throw e;
}

if (config.kvPath && config.kvPath !== ":memory:") {
  const dir = config.kvPath.includes("/") ? config.kvPath.slice(0, config.kvPath.lastIndexOf("/")) : "";
  if (dir) await Deno.mkdir(dir, { recursive: true });
}
const kv = await openKv(config.kvPath);
const mailer = config.smtp ? createSmtpMailer({ ...config.smtp, from: config.mailFrom }) : createLogMailer();
// The queue worker needs the market services the app wiring builds, and health reports on the worker:
// the app gets a view of the worker that is filled in once it starts.
let queue: QueueWorker | null = null;
const queueView = {
  listening: () => queue?.listening() ?? false,
  enqueueHeartbeat: () => queue ? queue.enqueueHeartbeat() : Promise.resolve(),
};
const deps = await buildAppDeps({ config, kv, clock: systemClock, mailer, log, queue: queueView });
// An official calendar list installed through another isolate is applied here too (reloaded from KV).
deps.calendars.lists.watch(async () => {
  await loadOfficialLists(deps.calendars.lists);
}, new AbortController().signal).catch((e) =>
  log("error", "calendar list watch stopped", { error: String(e) })
);
queue = startQueueWorker({
  kv,
  clock: systemClock,
  health: createHealthRepo(kv),
  log,
  market: deps.market,
  backtests: deps.backtests,
});
registerCronJobs({
  queue,
  clock: systemClock,
  log,
  backtests: deps.backtests,
  track: { deps: deps.track, store: deps.dailyJobs },
});
// Signals a previous process committed but never logged or attested are picked up now.
resumePendingAttestations(deps.track);
startStreamBridge(kv, deps.hub, () => systemClock.now());
if (config.jobQueue === "poll") startJobPoller(deps.backtests, log);

const app = createApp(deps);
Deno.serve({
  port: config.port,
  hostname: config.host,
  onListen: ({ hostname, port }) =>
    log("info", "listening", {
      url: `http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`,
      env: config.env,
      kv: config.kvPath ?? "platform default",
      mail: mailer.kind,
      market: config.yahoo.enabled ? "synthetic + yahoo" : "synthetic",
      jobs: config.jobQueue,
      docs: `${config.publicBaseUrl}/docs`,
    }),
}, app.fetch);
