/**
 * Builds a running witness from its store: the key (configured or kept in the store), the logs (the configured
 * ones, then those pinned on first use for origins not configured), the core and its HTTP app. Shared by
 * `scripts/witness.ts` and the tests' `startWitness`.
 */
import type { Clock } from "../domain/clock.ts";
import { createWitness, type Witness } from "./witness.ts";
import { createWitnessApp } from "./witness_http.ts";
import { loadWitnessSigner } from "./witness_key.ts";
import type { WitnessedLog } from "./witness_logs.ts";
import type { WitnessStore } from "./witness_store.ts";

/** A witness ready to serve. */
export interface AssembledWitness {
  witness: Witness;
  /** The HTTP front end (`witness_http.ts`), as a handler for `Deno.serve`. */
  app: { fetch(request: Request): Response | Promise<Response> };
  publicKey: { algorithm: "Ed25519"; public_key: string; key_id: string };
  /** The logs it witnesses, configured ones first. */
  logs: WitnessedLog[];
}

/** Assembles the witness (see the module comment); throws `TypeError` for a malformed `signingKey`. */
export async function assembleWitness(store: WitnessStore, options: {
  clock: Clock;
  name: string;
  logs: readonly WitnessedLog[];
  /** PKCS#8 base64; without it the key kept in the store (generated on first start). */
  signingKey?: string;
  onUnexpected?: (err: unknown) => void;
  /** Bound of a checkpoint's time ahead of `clock`, ms (default `DEFAULT_MAX_FUTURE_SKEW_MS`). */
  maxFutureSkewMs?: number;
}): Promise<AssembledWitness> {
  const signer = await loadWitnessSigner(store, options.signingKey);
  const logs = [...options.logs];
  for (const pin of await store.pins()) {
    if (!logs.some((l) => l.origin === pin.origin)) {
      logs.push({ origin: pin.origin, public_key: pin.public_key });
    }
  }
  const witness = createWitness({
    store,
    clock: options.clock,
    name: options.name,
    logs,
    signer,
    maxFutureSkewMs: options.maxFutureSkewMs,
  });
  return { witness, app: createWitnessApp(witness, options.onUnexpected), publicKey: signer.publicKey, logs };
}
