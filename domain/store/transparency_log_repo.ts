/**
 * Deno KV storage of the transparency log, the only code that touches its keys. The head `{size}`; leaf `i` →
 * signal hash and signal hash → `i`; and the hash of every completed perfect subtree (level `L`, index `i` covers
 * leaves `[i·2^L, (i+1)·2^L)`; level 0 holds the leaf hashes), written in the same atomic commit as the leaf that
 * completes it. Perfect subtrees never change once complete, so any tree size's root and proofs are folds of at
 * most a few dozen stored nodes.
 */
import type { Checkpoint } from "../attestation/checkpoint.ts";
import type { NodeRef } from "../attestation/merkle.ts";
import { getManyValues } from "./kv.ts";
import { keys } from "./keys.ts";

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
  /** Stores the checkpoint for its size unless one exists; returns the stored one (the first writer's). */
  saveCheckpoint(checkpoint: Checkpoint): Promise<Checkpoint>;
}

/**
 * Creates the KV-backed transparency-log repository of log `log` (`""`, the default, is the production log;
 * another name, e.g. `"demo"`, keeps a separate log under its own keys).
 */
export function createTransparencyLogRepo(kv: Deno.Kv, log = ""): TransparencyLogRepo {
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
      return (await op.commit()).ok;
    },
    async checkpoint(treeSize) {
      return (await kv.get<Checkpoint>(keys.tlogCheckpoint(treeSize, log))).value;
    },
    async saveCheckpoint(checkpoint) {
      const key = keys.tlogCheckpoint(checkpoint.tree_size, log);
      for (let i = 0; i < 5; i++) {
        const res = await kv.atomic().check({ key, versionstamp: null }).set(key, checkpoint).commit();
        if (res.ok) return checkpoint;
        const existing = await kv.get<Checkpoint>(key);
        if (existing.value) return existing.value;
      }
      throw new Error(`Cannot store the checkpoint for tree size ${checkpoint.tree_size}`);
    },
  };
}
