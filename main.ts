/**
 * Entry point of the whole service in one process: the house (config → KV → services), the worker (queue
 * listener, crons) and the HTTP server. The only modules that read `Deno.env` are this one and `worker.ts`.
 */
import { configFromEnv, openHouse, serveHttp, startWorker } from "./app/house.ts";
import { systemClock } from "./domain/clock.ts";
import { createJsonLogger } from "./domain/log.ts";
import { createBatchedSink, flushOnExit, writeStdout } from "./app/batched_log_sink.ts";

const onDeploy = Deno.env.get("DENO_DEPLOYMENT_ID") !== undefined;
// Lines of one event-loop turn go out in one write (warn/error at once); Deploy's log viewer wants one per line.
const stdout = createBatchedSink(writeStdout);
flushOnExit(stdout, onDeploy);
const log = createJsonLogger(
  () => new Date(systemClock.now()).toISOString(),
  onDeploy ? undefined : stdout.sink,
);
const config = configFromEnv(Deno.env.toObject(), onDeploy);
const house = await openHouse(config, systemClock, log);
if (config.runWorker) startWorker(house, systemClock, log);
serveHttp(house, systemClock, log);
