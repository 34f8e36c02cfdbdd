/**
 * Worker-only entry point: the house, the queue listener (queued backtests, market refreshes, heartbeats) and
 * every cron, with no HTTP server. Run it beside HTTP processes started with `RUN_WORKER=false`.
 */
import { configFromEnv, openHouse, startWorker } from "./app/house.ts";
import { systemClock } from "./domain/clock.ts";
import { createJsonLogger } from "./domain/log.ts";

const log = createJsonLogger(() => new Date(systemClock.now()).toISOString());
const config = configFromEnv(Deno.env.toObject(), Deno.env.get("DENO_DEPLOYMENT_ID") !== undefined);
const house = await openHouse(config, systemClock, log);
const { crons } = startWorker(house, systemClock, log);
log("info", "worker started", {
  env: config.env,
  kv: config.kvPath ?? "platform default",
  jobs: config.jobQueue,
  http: false,
  crons,
});
