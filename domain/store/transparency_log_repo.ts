/**
 * Deno KV storage of the transparency log, the only code that touches its keys. The head `{size}`; leaf `i` →
 * signal hash and signal hash → `i`; and the hash of every completed perfect subtree (level `L`, index `i` covers
 * leaves `[i·2^L, (i+1)·2^L)`; level 0 holds the leaf hashes), written in the same atomic commit as the leaf that
 * completes it. Perfect subtrees never change once complete, so any tree size's root and proofs are folds of at
 * most a few dozen stored nodes.
 *
 * Every commit that changes what the log answers (a leaf with its checkpoint, a head checkpoint signed late) bumps
 * the log's public scope (`log:production` for the production log, `log:<name>` for another).
 */
import type { Checkpoint } from "../attestation/checkpoint.ts";
import type { NodeRef } from "../attestation/merkle.ts";
import { getManyValues } from "./kv.ts";
import { keys } from "./keys.ts";
import { logScope } from "./public_scopes.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";

/** The most checkpoints one `listCheckpoints` call returns. */
export const MAX_CHECKPOINT_PAGE = 1000;

/** The log's head as read, with the versionstamp an append must check. */
export interface TlogHead {
  size: number;
  /** `null` while the log is empty and has never been written. */
  versionstamp: string | null;
}

/** One new leaf and the perfect-subtree hashes it completes (its own level-0 hash included). */
export interface TlogAppend {
  index: number;
  signalHash: string;
  nodes: { level: number; index: number; hash: Uint8Array }[];
  /** The signed checkpoint of the new size (`index + 1`), stored with the leaf. */
  checkpoint?: Checkpoint;
}

/** Persistence of the transparency log. */
export interface TransparencyLogRepo {
  /** The current head; size 0 for a log never written. */
  head(): Promise<TlogHead>;
  /** The leaf index of `signalHash`, or `null` when it is not logged. */
  indexOf(signalHash: string): Promise<number | null>;
  /** The signal hash at leaf `index`, or `null` past the end. */
  leafAt(index: number): Promise<string | null>;
  /** The stored hashes of perfect subtrees, in order; `null` for one not (yet) complete. */
  nodes(refs: readonly NodeRef[]): Promise<(Uint8Array | null)[]>;
  /**
   * Commits one leaf (and the new size's checkpoint) atomically if the head is still at `head.versionstamp` and
   * the signal hash is not logged; `false` when either check lost a race (the caller re-reads and tries again).
   */
  commitAppend(head: TlogHead, append: TlogAppend): Promise<boolean>;
  /** The checkpoint signed for `treeSize`, or `null` when none was. */
  checkpoint(treeSize: number): Promise<Checkpoint | null>;
  /**
   * Stores `checkpoint` as the head's checkpoint when the head is still `head` and its size has none yet, and
   * touches the head in the same commit (so an append that read the head before this fails its check and
   * re-reads the latest checkpoint time). Returns the size's stored checkpoint (this one or the first writer's),
   * or `null` when the head moved on before any checkpoint was stored for that size.
   */
  saveHeadCheckpoint(head: TlogHead, checkpoint: Checkpoint): Promise<Checkpoint | null>;
  /** The stored checkpoint of the largest tree size, or `null` when none is stored. */
  latestCheckpoint(): Promise<Checkpoint | null>;
  /**
   * Stored checkpoints with tree size ≥ `fromSize`, ascending, at most `limit` (1..1000), and the next stored
   * size after them (`null` when there is none).
   */
  listCheckpoints(
    fromSize: number,
    limit: number,
  ): Promise<{ checkpoints: Checkpoint[]; next: number | null }>;
}

/**
 * Creates the KV-backed transparency-log repository of log `log` (`""`, the default, is the production log;
 * another name, e.g. `"demo"`, keeps a separate log under its own keys).
 */
export function createTransparencyLogRepo(kv: Deno.Kv, log = ""): TransparencyLogRepo {
  const scopes = [logScope(log === "" ? "production" : log)];
  return {
    async head() {
      const entry = await kv.get<{ size: number }>(keys.tlogHead(log));
      return { size: entry.value?.size ?? 0, versionstamp: entry.versionstamp };
    },
    async indexOf(signalHash) {
      return (await kv.get<number>(keys.tlogLeafByHash(signalHash, log))).value;
    },
    async leafAt(index) {
      return (await kv.get<string>(keys.tlogLeaf(index, log))).value;
    },
    nodes(refs) {
      return getManyValues<Uint8Array>(kv, refs.map((r) => keys.tlogNode(r.level, r.index, log)));
    },
    async commitAppend(head, append) {
      let op = kv.atomic()
        .check({ key: keys.tlogHead(log), versionstamp: head.versionstamp })
        .check({ key: keys.tlogLeafByHash(append.signalHash, log), versionstamp: null })
        .set(keys.tlogHead(log), { size: append.index + 1 })
        .set(keys.tlogLeaf(append.index, log), append.signalHash)
        .set(keys.tlogLeafByHash(append.signalHash, log), append.index);
      for (const node of append.nodes) op = op.set(keys.tlogNode(node.level, node.index, log), node.hash);
      // No size past the head has a checkpoint (sizes are only signed once they exist), so this is the first.
      if (append.checkpoint) op = op.set(keys.tlogCheckpoint(append.index + 1, log), append.checkpoint);
      // Dated by the checkpoint signed with the leaf (0 for an append without one).
      bumpPublicScopes(op, scopes, append.checkpoint?.timestamp ?? 0);
      return (await op.commit()).ok;
    },
    async checkpoint(treeSize) {
      return (await kv.get<Checkpoint>(keys.tlogCheckpoint(treeSize, log))).value;
    },
    async saveHeadCheckpoint(head, checkpoint) {
      const key = keys.tlogCheckpoint(checkpoint.tree_size, log);
      const op = kv.atomic()
        .check({ key: keys.tlogHead(log), versionstamp: head.versionstamp })
        .check({ key, versionstamp: null })
        .set(key, checkpoint)
        .set(keys.tlogHead(log), { size: head.size });
      const res = await bumpPublicScopes(op, scopes, checkpoint.timestamp).commit();
      if (res.ok) return checkpoint;
      return (await kv.get<Checkpoint>(key)).value;
    },
    async latestCheckpoint() {
      for await (
        const e of kv.list<Checkpoint>({ prefix: keys.tlogCheckpoints(log) }, { reverse: true, limit: 1 })
      ) return e.value;
      return null;
    },
    async listCheckpoints(fromSize, limit) {
      const n = Math.max(1, Math.min(MAX_CHECKPOINT_PAGE, Math.floor(limit)));
      const prefix = keys.tlogCheckpoints(log);
      const checkpoints: Checkpoint[] = [];
      let next: number | null = null;
      const iter = kv.list<Checkpoint>(
        { prefix, start: keys.tlogCheckpoint(Math.max(0, fromSize), log) },
        { limit: n + 1, batchSize: Math.min(n + 1, 500) },
      );
      for await (const e of iter) {
        if (checkpoints.length === n) next = e.value.tree_size;
        else checkpoints.push(e.value);
      }
      return { checkpoints, next };
    },
  };
}
