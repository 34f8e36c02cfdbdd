/**
 * The witness itself (no HTTP here): it cosigns a log's checkpoint only when the checkpoint is signed by the key
 * configured for its origin and provably extends the latest checkpoint it cosigned for that origin, in the style
 * of C2SP `tlog-witness` with Quantedge's JSON encoding and `quantedge-cosignature/v1` cosignatures.
 *
 * For one origin, in this order (after the body's shape, a malformed body being 400):
 * 1. unknown origin, or a checkpoint not signed by that origin's key → 403 (nothing stored);
 * 2. against the latest cosigned checkpoint `seen`: the same size with another root, or a smaller size signed
 *    later than `seen` → 422 `split view: …`, and the two signed checkpoints are kept as evidence (`alerts`); a
 *    smaller size signed no later than `seen` is an older checkpoint pushed late → 409 with `seen`'s size; a
 *    checkpoint of the same or a larger size timed before `seen` → 422 (time going backwards, not evidence);
 * 3. `old_size` other than the latest cosigned size (0 before any) → 409 with that size (retry from it); a
 *    non-empty proof where none is needed (from size 0, or to the same size) → 400;
 * 4. a consistency proof from `seen` that does not verify → 422 `split view: …` with evidence;
 * 5. a checkpoint timed more than `maxFutureSkewMs` (default `DEFAULT_MAX_FUTURE_SKEW_MS`, 5 minutes) ahead of
 *    the witness's own clock → 422 (nothing stored): cosigning it would make the witness refuse every honest
 *    later checkpoint as "time going backwards" (a split view is still detected and kept first, whatever its time);
 * 6. otherwise the cosignature, timed by the witness's own clock, and the state moves to this checkpoint in one
 *    commit checked against the state read in step 2 (a concurrent request that moved it first → 409).
 * A refused checkpoint never moves the state, so after a split view the witness keeps cosigning the history it
 * first saw and keeps refusing the other.
 */
import type { Clock } from "../domain/clock.ts";
import { type Checkpoint, verifyCheckpoint } from "../domain/attestation/checkpoint.ts";
import type { Cosignature, CosignatureSigner } from "../domain/attestation/cosignature.ts";
import { hexToBytes, verifyConsistency } from "../domain/attestation/merkle.ts";
import { sha256Hex } from "../domain/tokens_and_hashes.ts";
import { parseAddCheckpoint } from "./add_checkpoint_request.ts";
import type { WitnessedLog } from "./witness_logs.ts";
import type { SplitViewAlert, WitnessStore } from "./witness_store.ts";

/** What `GET /` shows: the witness's identity and, per log, the latest checkpoint it cosigned. */
export interface WitnessInfo {
  name: string;
  algorithm: "Ed25519";
  public_key: string;
  key_id: string;
  logs: {
    origin: string;
    public_key: string;
    /** 0 before the first cosigned checkpoint. */
    tree_size: number;
    root_hash: string | null;
    /** The log's timestamp of that checkpoint (epoch ms), null before the first. */
    timestamp: number | null;
  }[];
}

/** The answer to an add-checkpoint request: an HTTP status and its JSON body. */
export type AddCheckpointOutcome =
  | { status: 200; body: { cosignature: Cosignature } }
  | { status: 409; body: { detail: string; tree_size: number } }
  | { status: 400 | 403 | 422; body: { detail: string } };

/** The witness's operations. */
export interface Witness {
  info(): Promise<WitnessInfo>;
  /** Checks and cosigns a checkpoint (see the module comment); never throws for bad input. */
  addCheckpoint(body: unknown): Promise<AddCheckpointOutcome>;
  /** The split-view evidence kept, oldest first. */
  alerts(): Promise<{ alerts: SplitViewAlert[] }>;
}

/** What a witness is built from. */
export interface WitnessDeps {
  store: WitnessStore;
  /** The witness's own clock: it times every cosignature. */
  clock: Clock;
  /** Informational name put in every cosignature. */
  name: string;
  /** The logs it witnesses (origin → the key their checkpoints must be signed with). */
  logs: readonly WitnessedLog[];
  signer: CosignatureSigner;
  /**
   * How far ahead of `clock` a checkpoint's time may be, ms (`WITNESS_MAX_FUTURE_SKEW_MS`); default
   * `DEFAULT_MAX_FUTURE_SKEW_MS`.
   */
  maxFutureSkewMs?: number;
}

/** Default bound of a checkpoint's time ahead of the witness's clock: 5 minutes. */
const DEFAULT_MAX_FUTURE_SKEW_MS = 300_000;

const short = (hash: string) => `${hash.slice(0, 16)}…`;

/** A witness over its store, clock, configured logs and key. */
export function createWitness(deps: WitnessDeps): Witness {
  const { store, clock, name, signer } = deps;
  const logs = new Map(deps.logs.map((l) => [l.origin, l.public_key]));
  const maxFutureSkewMs = deps.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;

  async function splitView(
    seen: Checkpoint,
    offered: Checkpoint,
    why: string,
  ): Promise<AddCheckpointOutcome> {
    const digest = await sha256Hex(`${offered.note}\n${offered.signature}`);
    await store.addAlert({ origin: offered.origin, seen, offered, detected_at: clock.now() }, digest);
    return { status: 422, body: { detail: `split view: ${why}` } };
  }

  return {
    async info() {
      const out: WitnessInfo["logs"] = [];
      for (const [origin, public_key] of logs) {
        const { checkpoint } = await store.state(origin);
        out.push({
          origin,
          public_key,
          tree_size: checkpoint?.tree_size ?? 0,
          root_hash: checkpoint?.root_hash ?? null,
          timestamp: checkpoint?.timestamp ?? null,
        });
      }
      return { name, ...signer.publicKey, logs: out };
    },

    async alerts() {
      return { alerts: await store.listAlerts() };
    },

    async addCheckpoint(body) {
      const parsed = parseAddCheckpoint(body);
      if (!parsed.ok) return { status: 400, body: { detail: parsed.detail } };
      const { old_size: oldSize, consistency_proof: proofHex, checkpoint: offered } = parsed.request;
      const origin = offered.origin;
      const key = logs.get(origin);
      if (key === undefined) {
        return {
          status: 403,
          body: { detail: `Cannot witness "${origin}": this witness does not witness that log` },
        };
      }
      if (!await verifyCheckpoint(offered, key)) {
        return {
          status: 403,
          body: {
            detail: `Cannot witness "${origin}": the checkpoint is not signed by that log's configured key`,
          },
        };
      }
      const state = await store.state(origin);
      const seen = state.checkpoint;
      if (seen) {
        if (offered.tree_size === seen.tree_size && offered.root_hash !== seen.root_hash) {
          return splitView(
            seen,
            offered,
            `"${origin}" signed size ${offered.tree_size} with root ${short(offered.root_hash)}, but ` +
              `this witness cosigned root ${short(seen.root_hash)} for that size`,
          );
        }
        if (offered.tree_size < seen.tree_size) {
          if (offered.timestamp > seen.timestamp) {
            return splitView(
              seen,
              offered,
              `"${origin}" signed size ${offered.tree_size} at ${offered.timestamp}, after the size ` +
                `${seen.tree_size} this witness cosigned (signed at ${seen.timestamp}): a log never shrinks`,
            );
          }
          // Signed no later than the one cosigned: an older checkpoint pushed late, not evidence.
          return {
            status: 409,
            body: {
              detail: `This witness has cosigned size ${seen.tree_size} of "${origin}"; size ` +
                `${offered.tree_size} is stale`,
              tree_size: seen.tree_size,
            },
          };
        }
        if (offered.timestamp < seen.timestamp) {
          return {
            status: 422,
            body: {
              detail:
                `Cannot witness "${origin}": the checkpoint's time ${offered.timestamp} is earlier than ` +
                `${seen.timestamp}, the time of the last checkpoint this witness cosigned (size ${seen.tree_size})`,
            },
          };
        }
      }
      const latest = seen?.tree_size ?? 0;
      if (oldSize !== latest) {
        return {
          status: 409,
          body: {
            detail: `old_size ${oldSize} is not this witness's latest size ${latest} for "${origin}"`,
            tree_size: latest,
          },
        };
      }
      if ((oldSize === 0 || oldSize === offered.tree_size) && proofHex.length > 0) {
        return {
          status: 400,
          body: {
            detail: `consistency_proof must be empty from size ${oldSize} to size ${offered.tree_size}`,
          },
        };
      }
      // Every tree extends the empty one: a proof is needed only from a size above 0.
      if (seen && oldSize > 0 && oldSize < offered.tree_size) {
        const proof = proofHex.map((h) => hexToBytes(h)!);
        const ok = await verifyConsistency(
          oldSize,
          offered.tree_size,
          proof,
          hexToBytes(seen.root_hash)!,
          hexToBytes(offered.root_hash)!,
        );
        if (!ok) {
          return splitView(
            seen,
            offered,
            `the consistency proof does not show that "${origin}" at size ${oldSize} (root ` +
              `${short(seen.root_hash)}, cosigned) is a prefix of size ${offered.tree_size} (root ` +
              `${short(offered.root_hash)})`,
          );
        }
      }

      const clockNow = clock.now();
      if (offered.timestamp > clockNow + maxFutureSkewMs) {
        return {
          status: 422,
          body: {
            detail: `Cannot witness "${origin}": the checkpoint's time ${offered.timestamp} is more than ` +
              `${maxFutureSkewMs} ms ahead of this witness's clock (${clockNow})`,
          },
        };
      }
      const unchanged = seen !== null && seen.note === offered.note && seen.signature === offered.signature;
      if (!unchanged && !await store.advance(origin, state.versionstamp, offered)) {
        const now = (await store.state(origin)).checkpoint?.tree_size ?? 0;
        return {
          status: 409,
          body: {
            detail: `Another request moved "${origin}" to size ${now} first; retry from it`,
            tree_size: now,
          },
        };
      }
      return { status: 200, body: { cosignature: await signer.cosign(name, offered.note, clock.now()) } };
    },
  };
}
