/**
 * Checkpoints as the API serves them: each with the witness cosignatures that verify for its note and the GitHub
 * commit that holds it (`null` when none), read from the cosignature repository by the log's origin.
 */
import type { CheckpointCommit, CosignatureRepo } from "../store/cosignature_repo.ts";
import type { Checkpoint } from "./checkpoint.ts";
import { type Cosignature, verifyCosignature } from "./cosignature.ts";

/** A checkpoint with its independent evidence. */
export interface ServedCheckpoint extends Checkpoint {
  /** Witness cosignatures of this checkpoint (each verifies for `note`); empty when none. */
  cosignatures: Cosignature[];
  /** The GitHub commit of this checkpoint's file, or `null`. */
  github: CheckpointCommit | null;
}

/** Most cosignatures kept per checkpoint when serving a list (witnesses are at most 8). */
const COSIGNATURES_PER_CHECKPOINT = 16;

async function verified(list: readonly Cosignature[], note: string): Promise<Cosignature[]> {
  const ok = await Promise.all(list.map((c) => verifyCosignature(c, note)));
  return list.filter((_, i) => ok[i]);
}

/** `checkpoint` with its cosignatures and GitHub commit. */
export async function withEvidence(
  store: CosignatureRepo,
  checkpoint: Checkpoint,
): Promise<ServedCheckpoint> {
  const [cosigs, github] = await Promise.all([
    store.cosignatures(checkpoint.origin, checkpoint.tree_size),
    store.commit(checkpoint.origin, checkpoint.tree_size),
  ]);
  return { ...checkpoint, cosignatures: await verified(cosigs, checkpoint.note), github };
}

/** Each checkpoint of one log (ascending by size) with its evidence, from two range reads. */
export async function withEvidenceAll(
  store: CosignatureRepo,
  checkpoints: readonly Checkpoint[],
): Promise<ServedCheckpoint[]> {
  if (checkpoints.length === 0) return [];
  const first = checkpoints[0];
  const last = checkpoints[checkpoints.length - 1];
  const evidence = await store.evidenceBetween(
    first.origin,
    first.tree_size,
    last.tree_size,
    checkpoints.length * COSIGNATURES_PER_CHECKPOINT,
  );
  return await Promise.all(checkpoints.map(async (c) => {
    const e = evidence.get(c.tree_size);
    return {
      ...c,
      cosignatures: await verified(e?.cosignatures.slice(0, COSIGNATURES_PER_CHECKPOINT) ?? [], c.note),
      github: e?.github ?? null,
    };
  }));
}

/** Most cosignature entries read when looking for the best-witnessed checkpoint covering a leaf. */
const WITNESSED_SCAN_ENTRIES = 4096;

/**
 * The tree size ≥ `fromSize` whose checkpoint has the most cosignatures (distinct witness keys; the smallest
 * such size on a tie), within the first `WITNESSED_SCAN_ENTRIES` stored cosignatures from `fromSize`; `null` when
 * none has any. With `before` (a signal's deadline, ms) only cosignatures timestamped before it count, since only
 * those show the signal was fixed in time; when no checkpoint has any such cosignature the rule without `before`
 * applies.
 */
export async function bestWitnessedSize(
  store: CosignatureRepo,
  origin: string,
  fromSize: number,
  before?: number,
): Promise<number | null> {
  const groups = await store.cosignaturesFrom(origin, fromSize, WITNESSED_SCAN_ENTRIES);
  const pick = (counted: (c: Cosignature) => boolean): number | null => {
    let best: { size: number; count: number } | null = null;
    for (const g of groups) {
      const count = new Set(g.cosignatures.filter(counted).map((c) => c.key_id)).size;
      if (count > 0 && (!best || count > best.count)) best = { size: g.tree_size, count };
    }
    return best?.size ?? null;
  };
  if (before !== undefined) {
    const timely = pick((c) => c.timestamp < before);
    if (timely !== null) return timely;
  }
  return pick(() => true);
}
