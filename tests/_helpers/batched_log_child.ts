/**
 * A child process for the batched log sink: logs `info` lines "one" and "two" through the sink `main.ts` uses
 * (flushed on `unload`), then ends the way its first argument says: `exit` (`Deno.exit(0)` in the same turn),
 * `throw` (an uncaught error in the same turn) or `end` (the program just ends).
 */
import { createBatchedSink, writeStdout } from "../../app/batched_log_sink.ts";
import { createJsonLogger } from "../../domain/log.ts";

const out = createBatchedSink(writeStdout);
globalThis.addEventListener("unload", out.flush);
const log = createJsonLogger(() => "2026-01-01T00:00:00.000Z", out.sink);
log("info", "one", { n: 1 });
log("info", "two", { n: 2 });
if (Deno.args[0] === "exit") Deno.exit(0);
if (Deno.args[0] === "throw") throw new Error("boom");
