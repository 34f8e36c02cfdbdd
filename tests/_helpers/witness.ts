/**
 * A real witness (`witness/`) served on 127.0.0.1 at a free port with its own KV (`:memory:` unless `kvPath`
 * names a file, for restart tests), for tests that need one: `startWitness({logs})` → its URL and public key.
 */
import { type Clock, systemClock } from "../../domain/clock.ts";
import { assembleWitness } from "../../witness/assemble_witness.ts";
import type { WitnessedLog } from "../../witness/witness_logs.ts";
import { createWitnessStore } from "../../witness/witness_store.ts";

/** A running witness. */
export interface StartedWitness {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** Its raw Ed25519 public key, base64. */
  publicKey: string;
  keyId: string;
  /** Stops the server and closes its KV. */
  close(): Promise<void>;
}

/**
 * Starts a witness of `logs` (origin + base64 raw public key each) timed by `clock` (default the system clock),
 * named `name` (default "test-witness"), storing in `kvPath` (default `:memory:`).
 */
export async function startWitness(options: {
  clock?: Clock;
  logs: readonly WitnessedLog[];
  name?: string;
  kvPath?: string;
  signingKey?: string;
  maxFutureSkewMs?: number;
}): Promise<StartedWitness> {
  const kv = await Deno.openKv(options.kvPath ?? ":memory:");
  try {
    const { app, publicKey } = await assembleWitness(createWitnessStore(kv), {
      clock: options.clock ?? systemClock,
      name: options.name ?? "test-witness",
      logs: options.logs,
      signingKey: options.signingKey,
      maxFutureSkewMs: options.maxFutureSkewMs,
      onUnexpected: (err) => console.error("witness: unexpected error", err),
    });
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
    return {
      url: `http://127.0.0.1:${server.addr.port}`,
      publicKey: publicKey.public_key,
      keyId: publicKey.key_id,
      async close() {
        await server.shutdown();
        kv.close();
      },
    };
  } catch (err) {
    kv.close();
    throw err;
  }
}
