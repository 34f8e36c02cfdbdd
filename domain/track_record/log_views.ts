/**
 * The transparency logs as the public API shows them: which log a reader asks for (`production`, the default,
 * or `demo`), and checkpoints and inclusion proofs served with their witness cosignatures and GitHub commit.
 */
import {
  bestWitnessedSize,
  type ServedCheckpoint,
  withEvidence,
} from "../attestation/checkpoint_evidence.ts";
import type { InclusionProof } from "../attestation/transparency_log.ts";
import type { SignalLogPort, TrackRecordServices } from "./services.ts";

/** The public names of the two logs. */
export type LogName = "production" | "demo";

/** An inclusion proof whose checkpoint carries its evidence. */
export type ServedInclusionProof = Omit<InclusionProof, "checkpoint"> & { checkpoint: ServedCheckpoint };

/** The log called `name` (default `production`). */
export function logNamed(deps: Pick<TrackRecordServices, "tlog" | "demoTlog">, name: LogName = "production") {
  return name === "demo" ? deps.demoTlog : deps.tlog;
}

/** The head checkpoint of `log` with its cosignatures and GitHub commit. */
export async function servedHead(
  deps: Pick<TrackRecordServices, "witnessing">,
  log: SignalLogPort,
): Promise<ServedCheckpoint> {
  return withEvidence(deps.witnessing.store, await log.checkpoint());
}

/** `log.inclusionProof(hash, treeSize)` with its checkpoint's evidence; `null` when the hash is not covered. */
export async function servedInclusionProof(
  deps: Pick<TrackRecordServices, "witnessing">,
  log: SignalLogPort,
  hash: string,
  treeSize?: number,
): Promise<ServedInclusionProof | null> {
  const proof = await log.inclusionProof(hash, treeSize);
  if (!proof) return null;
  return { ...proof, checkpoint: await withEvidence(deps.witnessing.store, proof.checkpoint) };
}

/**
 * The inclusion proof of `hash` at the tree size ≥ `fromSize` whose checkpoint has the most cosignatures dated
 * before `before` (a signal's deadline, ms; the smallest such size on a tie), or, when none has any such
 * cosignature (or no `before`), the most cosignatures at all; `null` when no checkpoint covering it has any.
 */
export async function witnessedInclusionProof(
  deps: Pick<TrackRecordServices, "witnessing">,
  log: SignalLogPort,
  hash: string,
  fromSize: number,
  before?: number,
): Promise<ServedInclusionProof | null> {
  const size = await bestWitnessedSize(deps.witnessing.store, log.origin, fromSize, before);
  return size === null ? null : await servedInclusionProof(deps, log, hash, size);
}
