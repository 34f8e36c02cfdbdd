/**
 * `deno task witness [--trust-log-from <quantedge base url>]`: runs a witness for Quantedge's transparency
 * logs (see `witness/witness.ts`). It cosigns a log's checkpoints only when they are signed by that log's key and
 * consistent with every checkpoint it cosigned before, and keeps evidence of any split view it is shown.
 *
 * Environment: `WITNESS_PORT` (8790; 0 picks a free port), `WITNESS_HOST` (127.0.0.1), `WITNESS_KV_PATH`
 * (data/witness.sqlite, its own database), `WITNESS_NAME` (the name put in its cosignatures), `WITNESS_LOGS`
 * (`<origin> <base64 public key>` entries separated by `;`), `WITNESS_SIGNING_KEY` (PKCS#8 base64; without it a
 * key is generated on first start and kept in its database), `WITNESS_MAX_FUTURE_SKEW_MS` (300000: checkpoints
 * timed further ahead of this machine's clock are refused with 422). Prints its public key and key id, never the
 * private key.
 *
 * `--trust-log-from <url>` reads that server's production and demo checkpoints and pins each origin with the key
 * that signed it, on first use only (kept in the witness's database; a later different key is refused, loudly).
 */
import { systemClock } from "../domain/clock.ts";
import { assembleWitness } from "../witness/assemble_witness.ts";
import { parseWitnessedLogs } from "../witness/witness_logs.ts";
import { pinLogsFrom } from "../witness/trust_on_first_use.ts";
import { createWitnessStore } from "../witness/witness_store.ts";

const USAGE = "usage: deno task witness [--trust-log-from <quantedge base url>]...";

/** The base URLs given with `--trust-log-from`; `null` (after printing why) for anything else. */
function parseArgs(args: string[]): string[] | null {
  const urls: string[] = [];
  // `deno task witness -- --trust-log-from …` hands the task a literal "--" first: it only separates.
  if (args[0] === "--") args = args.slice(1);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const value = arg === "--trust-log-from"
      ? args[++i]
      : arg.startsWith("--trust-log-from=")
      ? arg.slice(17)
      : null;
    if (value === null || value === undefined || !/^https?:\/\/[^\s]+$/.test(value)) {
      console.error(
        arg === "--help" || arg === "-h" ? USAGE : `witness: unexpected argument "${arg}"\n${USAGE}`,
      );
      return null;
    }
    urls.push(value);
  }
  return urls;
}

async function main(): Promise<number> {
  const trustFrom = parseArgs(Deno.args);
  if (trustFrom === null) return 2;
  const env = (name: string) => Deno.env.get(name)?.trim() || undefined;
  const port = Number(env("WITNESS_PORT") ?? "8790");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`witness: WITNESS_PORT "${env("WITNESS_PORT")}" is not a port number`);
    return 2;
  }
  const skewText = env("WITNESS_MAX_FUTURE_SKEW_MS") ?? "300000";
  const maxFutureSkewMs = /^\d+$/.test(skewText) ? Number(skewText) : NaN;
  if (!Number.isSafeInteger(maxFutureSkewMs)) {
    console.error(
      `witness: WITNESS_MAX_FUTURE_SKEW_MS "${skewText}" is not a whole number of milliseconds (≥ 0)`,
    );
    return 2;
  }
  const hostname = env("WITNESS_HOST") ?? "127.0.0.1";
  const kvPath = env("WITNESS_KV_PATH") ?? "data/witness.sqlite";
  const name = env("WITNESS_NAME") ?? `witness@${hostname}:${port}`;
  let logs;
  try {
    logs = parseWitnessedLogs(env("WITNESS_LOGS") ?? "");
  } catch (err) {
    console.error(`witness: ${(err as Error).message}`);
    return 2;
  }

  if (kvPath !== ":memory:" && kvPath.includes("/")) {
    await Deno.mkdir(kvPath.slice(0, kvPath.lastIndexOf("/")), { recursive: true });
  }
  const kv = await Deno.openKv(kvPath);
  const store = createWitnessStore(kv);

  for (const url of trustFrom) {
    for (const outcome of await pinLogsFrom(store, url, { now: systemClock.now() })) {
      if (outcome.kind === "pinned") {
        console.warn(
          `witness: TRUST ON FIRST USE: pinned log "${outcome.pin.origin}" with key ${outcome.pin.public_key}, ` +
            `read from ${outcome.pin.source}. Compare this key with one the log's operator publishes elsewhere.`,
        );
      } else if (outcome.kind === "already_pinned") {
        console.log(`witness: log "${outcome.pin.origin}" already pinned (key ${outcome.pin.public_key})`);
      } else if (outcome.kind === "key_mismatch") {
        console.error(
          `witness: WARNING: ${url} now signs "${outcome.pin.origin}" with key ${outcome.offered_key}, not the ` +
            `pinned ${outcome.pin.public_key}; keeping the pinned key (its checkpoints will be refused)`,
        );
      } else {
        console.warn(`witness: could not read ${outcome.url}: ${outcome.reason}`);
      }
    }
  }

  let assembled;
  try {
    assembled = await assembleWitness(store, {
      clock: systemClock,
      name,
      logs,
      signingKey: env("WITNESS_SIGNING_KEY"),
      maxFutureSkewMs,
      onUnexpected: (err) =>
        console.error(`witness: unexpected error: ${err instanceof Error ? err.name : "error"}`),
    });
  } catch (err) {
    console.error(`witness: ${(err as Error).message}`);
    kv.close();
    return 2;
  }
  const { app, publicKey } = assembled;
  console.log(`witness: name ${name}`);
  console.log(`witness: public key ${publicKey.public_key} (Ed25519, key id ${publicKey.key_id})`);
  if (assembled.logs.length === 0) {
    console.warn("witness: no logs to witness: set WITNESS_LOGS or pass --trust-log-from <url>");
  }
  for (const log of assembled.logs) {
    console.log(`witness: witnessing "${log.origin}" (key ${log.public_key})`);
  }
  const server = Deno.serve({
    hostname,
    port,
    onListen: ({ hostname: h, port: p }) => console.log(`witness: listening on http://${h}:${p}`),
  }, app.fetch);
  await server.finished;
  kv.close();
  return 0;
}

Deno.exit(await main());
