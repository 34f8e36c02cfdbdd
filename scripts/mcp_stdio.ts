/**
 * `deno task mcp`: the MCP server over stdio, for an agent on this machine (a desktop client launches it as a
 * subprocess). It opens the same house as the server (same KV_PATH and settings) without the worker, the crons
 * or HTTP, and serves the same tools, resources and prompts as `/mcp`. The caller is the account of
 * `QUANTEDGE_API_KEY` (checked at start, and again before every call, so a revoked key stops working at once
 * and a disabled account keeps only the support tools, as over HTTP); without it only the public tools run.
 * stdout carries the protocol alone: logs and anything else printed go to stderr. The process ends when the client closes its stdin.
 */
import process from "node:process";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { configFromEnv, openHouse } from "../app/house.ts";
import { authenticate, type Principal } from "../domain/auth/sessions.ts";
import { systemClock } from "../domain/clock.ts";
import { DomainError } from "../domain/errors.ts";
import { createJsonLogger } from "../domain/log.ts";
import { buildMcpServer } from "../mcp/server.ts";
import { credentialRecovery } from "../mcp/tool_errors.ts";

// The log mailer and any stray print would corrupt the protocol on stdout.
console.log = console.error;
console.info = console.error;
console.debug = console.error;

const log = createJsonLogger(() => new Date(systemClock.now()).toISOString(), (line) => console.error(line));
const env = Deno.env.toObject();
const config = configFromEnv({ ...env, RUN_WORKER: "false" }, false);
const house = await openHouse(config, systemClock, log);
const apiKey = env.QUANTEDGE_API_KEY?.trim() || null;

/** The principal of the configured key now (`null` without a key). */
const principalNow = (): Promise<Principal | null> =>
  apiKey ? authenticate(house.services.auth, apiKey, { allowDisabled: true }) : Promise.resolve(null);

let principal: Principal | null;
try {
  principal = await principalNow();
} catch (e) {
  console.error(
    `Quantedge MCP cannot start: QUANTEDGE_API_KEY was refused (${
      e instanceof DomainError ? e.message : e
    }). ${credentialRecovery(apiKey)} (Unset QUANTEDGE_API_KEY to connect without a credential.)`,
  );
  Deno.exit(1);
}
const server = buildMcpServer(house.services, {
  principal,
  refresh: principalNow,
  clientIp: "stdio",
  correlationId: crypto.randomUUID(),
});
const transport = new StdioServerTransport();
await server.connect(transport);

// Requests read but not yet answered: closing stdin right after the last request must not cut them off.
let inFlight = 0;
let drained: (() => void) | null = null;
const isRequest = (m: object) => "id" in m && "method" in m;
const isResponse = (m: object) => "id" in m && !("method" in m);
const receive = transport.onmessage!;
transport.onmessage = (message: object, extra?: unknown) => {
  if (isRequest(message)) inFlight++;
  receive(message as never, extra as never);
};
const send = transport.send.bind(transport);
transport.send = async (message: object, options?: unknown) => {
  await send(message as never, options as never);
  if (isResponse(message) && --inFlight === 0) drained?.();
};

// The client closing our stdin ends the session: answer what was asked, then exit rather than wait to be killed.
process.stdin.on("end", async () => {
  if (inFlight > 0) await new Promise<void>((resolve) => drained = resolve);
  house.close();
  await server.close().finally(() => Deno.exit(0));
});
log("info", "mcp stdio server ready", {
  user_id: principal?.user.id ?? null,
  kv: config.kvPath ?? "default",
});
