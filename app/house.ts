/**
 * Opens the house for a process: parses the configuration, opens KV, picks the mailer and builds the services
 * (`services.ts`); then starts what a process runs: the worker (queue listener, crons, job poller) and/or the
 * HTTP server with its stream bridge. `main.ts` starts both; `worker.ts` starts the worker alone. The caller
 * passes the environment in, so only the entry points read `Deno.env`.
 */
import { loadOfficialLists } from "../domain/calendar/official_lists.ts";
import type { Clock } from "../domain/clock.ts";
import { type Config, ConfigError, parseConfig } from "../domain/config.ts";
import type { LogFn } from "../domain/log.ts";
import { createLogMailer } from "../domain/mail/mailer.ts";
import { createSmtpMailer } from "../domain/mail/smtp_mailer.ts";
import { createHealthRepo } from "../domain/store/health_repo.ts";
import { openKv } from "../domain/store/kv.ts";
import { createQueueRepo } from "../domain/store/queue_repo.ts";
import { registerCronJobs } from "../jobs/cron.ts";
import { startJobPoller } from "../jobs/poller.ts";
import { type QueueWorker, sendHeartbeat, startQueueWorker } from "../jobs/queue.ts";
import { startStreamBridge } from "../jobs/stream_bridge.ts";
import { createApp } from "../routes/app.ts";
import { resumePendingAttestations } from "../domain/track_record/operations.ts";
import { buildServices, type Services } from "./services.ts";
import { sourceFingerprint } from "./source_fingerprint.ts";

/** An opened house: the services plus the slot the queue worker fills once it starts. */
export interface House {
  services: Services;
  /** The running queue worker, once `startWorker` has run in this process. */
  queue(): QueueWorker | null;
  /** Records the queue worker this process started (done by `startWorker`). */
  setWorker(queue: QueueWorker): void;
  /** Stops watches started by this house (the calendar-list watch). */
  close(): void;
}

/** Opens KV (creating its folder) and builds the services of `config`. */
export async function openHouse(config: Config, clock: Clock, log: LogFn): Promise<House> {
  if (config.buildId === config.version) {
    // Off Deno Deploy (no deployment id), the code itself tells builds apart: an upgrade changes public ETags.
    const fingerprint = await sourceFingerprint(new URL("../", import.meta.url));
    if (fingerprint) config = { ...config, buildId: `${config.version}+src.${fingerprint}` };
  }
  if (config.kvPath && config.kvPath !== ":memory:") {
    const dir = config.kvPath.includes("/") ? config.kvPath.slice(0, config.kvPath.lastIndexOf("/")) : "";
    if (dir) await Deno.mkdir(dir, { recursive: true });
  }
  const kv = await openKv(config.kvPath);
  const mailer = config.smtp
    ? createSmtpMailer({ ...config.smtp, from: config.mailFrom })
    : createLogMailer();
  // Health reports on the queue worker, which needs the services: the services get a view of the worker that
  // is filled in once it starts. An HTTP-only process (`RUN_WORKER=false`) sends heartbeats itself and the
  // worker process answers them, so its health sees a stopped worker as a stalled heartbeat.
  let worker: QueueWorker | null = null;
  const heartbeatDeps = { messages: createQueueRepo(kv), health: createHealthRepo(kv), clock };
  const services = await buildServices({
    config,
    kv,
    clock,
    mailer,
    log,
    queue: config.runWorker
      ? {
        listening: () => worker?.listening() ?? false,
        enqueueHeartbeat: () => worker ? worker.enqueueHeartbeat() : Promise.resolve(),
      }
      : {
        listening: () => false,
        elsewhere: true,
        enqueueHeartbeat: () => sendHeartbeat(heartbeatDeps),
      },
  });
  // An official calendar list installed through another isolate is applied here too (reloaded from KV).
  const stop = new AbortController();
  services.calendars.lists.watch(async () => {
    await loadOfficialLists(services.calendars.lists);
  }, stop.signal).catch((e) => log("error", "calendar list watch stopped", { error: String(e) }));
  return {
    services,
    queue: () => worker,
    setWorker: (q) => void (worker = q),
    close: () => stop.abort(),
  };
}

/**
 * Starts the background side of a process: the one queue listener (backtest jobs, market refreshes,
 * heartbeats), every cron of `jobs/cron.ts`, in poll mode the job-table poller, and the resumption of signals
 * left unlogged or unattested by a stopped process. Returns the queue worker and the names of the crons registered.
 */
export function startWorker(house: House, clock: Clock, log: LogFn): { queue: QueueWorker; crons: string[] } {
  const { services } = house;
  const queue = startQueueWorker({
    messages: createQueueRepo(services.kv),
    clock,
    health: createHealthRepo(services.kv),
    log,
    market: services.market,
    backtests: services.backtests,
  });
  house.setWorker(queue);
  const crons = registerCronJobs({
    queue,
    clock,
    log,
    backtests: services.backtests,
    track: { deps: services.track, store: services.dailyJobs },
    factors: services.factors,
    portfolios: services.portfolios,
    licenses: services.licenses,
    paper: services.paper,
  });
  if (services.config.jobQueue === "poll") startJobPoller(services.backtests, log);
  // Signals committed but not yet logged or attested when a process stopped are finished now.
  resumePendingAttestations(services.track);
  return { queue, crons };
}

/** Serves the HTTP app of `house` and bridges KV stream events to this process's WebSockets. */
export function serveHttp(house: House, clock: Clock, log: LogFn): Deno.HttpServer {
  const { services } = house;
  const { config } = services;
  startStreamBridge(
    { streams: services.streams, jobs: services.backtests.jobs, publicCache: services.publicReads.cache },
    services.hub,
    () => clock.now(),
  );
  const app = createApp(services);
  return Deno.serve({
    port: config.port,
    hostname: config.host,
    onListen: ({ hostname, port }) =>
      log("info", "listening", {
        url: `http://${hostname === "0.0.0.0" ? "localhost" : hostname}:${port}`,
        env: config.env,
        kv: config.kvPath ?? "platform default",
        mail: services.mailer.kind,
        market: config.yahoo.enabled ? "synthetic + yahoo" : "synthetic",
        jobs: config.jobQueue,
        assistant: config.assistant.gemini ? `gemini (${config.assistant.gemini.model})` : "offline",
        worker: house.queue() ? "in this process" : "separate process",
        docs: `${config.publicBaseUrl}/docs`,
        mcp: `${config.publicBaseUrl}/mcp`,
      }),
  }, app.fetch);
}

/** Parses the environment, or prints why it cannot start and exits. */
export function configFromEnv(env: Record<string, string>, onDeploy: boolean): Config {
  try {
    return parseConfig(env, { onDeploy });
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`Quantedge cannot start.\n${e.message}`);
      Deno.exit(1);
    }
    throw e;
  }
}
