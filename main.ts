/**
 * Entry point of the whole service in one process: the house (config → KV → services), the worker (queue
 * listener, crons) and the HTTP server. The only modules that read `Deno.env` are this one and `worker.ts`.
 */
import { configFromEnv, openHouse, serveHttp, startWorker } from "./app/house.ts";
import { systemClock } from "./domain/clock.ts";
import { createJsonLogger } from "./domain/log.ts";

const log = createJsonLogger(() => new Date(systemClock.now()).toISOString());
const config = configFromEnv(Deno.env.toObject(), Deno.env.get("DENO_DEPLOYMENT_ID") !== undefined);
const house = await openHouse(config, systemClock, log);
if (config.runWorker) startWorker(house, systemClock, log);
serveHttp(house, systemClock, log);
