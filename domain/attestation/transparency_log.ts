/**
 * The built-in transparency log: an append-only RFC 6962 Merkle tree over signal hashes, with Ed25519-signed
 * checkpoints, inclusion proofs and consistency proofs. It needs no configuration.
 *
 * Leaf `i`'s data is the 32 raw bytes of the i-th logged `signal_hash` (the 64-hex SHA-256 of a signal's canonical
 * JSON), so its leaf hash is `SHA-256(0x00 || bytes)`; roots and proofs are RFC 6962's, checkpoints are signed as
 * `checkpoint.ts` documents. Appends are serialised through the head's versionstamp and idempotent per hash.
 */
import { toHex } from "../tokens_and_hashes.ts";
import type { Clock } from "../clock.ts";
import { BadRequestError, ConflictError, NotFoundError } from "../errors.ts";
import { withRetry } from "../store/kv.ts";
import type { SettingsRepo } from "../store/settings_repo.ts";
import type { TlogAppend, TransparencyLogRepo } from "../store/transparency_log_repo.ts";
import {
  type Checkpoint,
  type CheckpointSigner,
  createCheckpointSigner,
  generateSigningKey,
  SIGNING_KEY_SETTING,
  verifyCheckpoint,
} from "./checkpoint.ts";
import {
  consistencyRanges,
  emptyRoot,
  foldPerfectSubtrees,
  hexToBytes,
  inclusionRanges,
  leafHash,
  type LeafRange,
  nodeHash,
  type NodeRef,
  perfectSubtrees,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.ts";

export type { Checkpoint, LogPublicKey } from "./checkpoint.ts";

/** Proof that a signal hash is leaf `leaf_index` of the tree of `tree_size` leaves signed by `checkpoint`. */
export interface InclusionProof {
  signal_hash: string;
  leaf_index: number;
  tree_size: number;
  /** `SHA-256(0x00 || signal_hash bytes)`, hex. */
  leaf_hash: string;
  /** RFC 6962 audit path, nearest sibling first, hex. */
  audit_path: string[];
  root_hash: string;
  checkpoint: Checkpoint;
}

/** RFC 6962 proof that the tree of `first` leaves is a prefix of the tree of `second` leaves. */
export interface ConsistencyProof {
  first: number;
  second: number;
  first_root: string;
  second_root: string;
  /** RFC 6962 PROOF(first, D[second]), hex; empty when `first = second`. */
  proof: string[];
}

/** What `append` reports: the hash's leaf index, the size after the call, and whether this call added it. */
export interface AppendResult {
  leaf_index: number;
  tree_size: number;
  appended: boolean;
}

/** The transparency log service. */
export interface TransparencyLog {
  /** The log's name, the first line of every checkpoint it signs. */
  readonly origin: string;
  /**
   * Logs a signal hash (64 lowercase hex) as the next leaf, with the checkpoint of the new size signed now in
   * the same commit (so no later reader can be first to sign that size, with a later time); logging an
   * already-logged hash returns its existing index with `appended: false`. Throws `BadRequestError` for a
   * malformed hash.
   */
  append(signalHash: string): Promise<{ leaf_index: number; tree_size: number; appended: boolean }>;
  /** The number of leaves. */
  size(): Promise<number>;
  /**
   * The signed checkpoint of the current size; each size ≥ 1 is signed once and the same checkpoint returned
   * after (the empty tree's is signed on each call). Times never go back: a new checkpoint is dated
   * max(clock, the latest stored checkpoint's time).
   */
  checkpoint(): Promise<Checkpoint>;
  /**
   * The inclusion proof of `signalHash` in the tree of `treeSize` leaves (default: the current size), against that
   * size's checkpoint. `null` when the hash is not logged, or not within the first `treeSize` leaves; throws
   * `BadRequestError` for a malformed hash or a `treeSize` outside `1..size`, `NotFoundError` for a size below
   * the head that was never signed (it is not signed after the fact).
   */
  inclusionProof(signalHash: string, treeSize?: number): Promise<InclusionProof | null>;
  /** The consistency proof between two tree sizes; throws `BadRequestError` unless `1 ≤ first ≤ second ≤ size`. */
  consistencyProof(first: number, second: number): Promise<ConsistencyProof>;
  /** The public key that verifies checkpoints. */
  publicKey(): Promise<{ algorithm: "Ed25519"; public_key: string; key_id: string }>;
  /**
   * Stored checkpoints with tree size ≥ `fromSize`, ascending by size (only sizes that were signed), at most
   * `limit` (1..1000), and the next signed size after them (`null` at the end).
   */
  checkpoints(fromSize: number, limit: number): Promise<{ checkpoints: Checkpoint[]; next: number | null }>;
}

/** The log's name, the first line of every signed note, unless configured otherwise. */
const DEFAULT_LOG_ORIGIN = "quantedge/signals";

/** How many lost races an append survives before giving up with `ConflictError`. */
const APPEND_TRIES = 100;

const SIGNAL_HASH = /^[0-9a-f]{64}$/;

/** Whether `text` is a signal hash as the log accepts it: 64 lowercase hex digits. */
function isSignalHash(text: unknown): text is string {
  return typeof text === "string" && SIGNAL_HASH.test(text);
}

function requireSignalHash(signalHash: string, what: string): Uint8Array {
  if (!isSignalHash(signalHash)) {
    throw new BadRequestError(
      `Cannot ${what} "${String(signalHash).slice(0, 80)}": a signal hash is 64 lowercase hex digits`,
    );
  }
  return hexToBytes(signalHash)!;
}

/** The repositories the log keeps its tree and its signing key in. */
export interface TransparencyLogStores {
  /** Leaves, perfect-subtree hashes, head and checkpoints. */
  log: TransparencyLogRepo;
  /** Holds the checkpoint signing key (setting `SIGNING_KEY_SETTING`). */
  settings: SettingsRepo;
}

/**
 * Creates the transparency log over the repositories it is handed. The signing key is generated on first use and
 * kept in the settings repository, so every instance on the same store signs with the same key; `origin` must
 * not contain a newline.
 */
export function createTransparencyLog(
  stores: TransparencyLogStores,
  clock: Clock,
  options: {
    origin?: string;
    /** The settings name of this log's signing key (default `SIGNING_KEY_SETTING`; the demo log has its own). */
    signingKeySetting?: string;
  } = {},
): TransparencyLog {
  const origin = options.origin ?? DEFAULT_LOG_ORIGIN;
  const keySetting = options.signingKeySetting ?? SIGNING_KEY_SETTING;
  if (origin === "" || origin.includes("\n")) {
    throw new TypeError("The transparency log's origin must be one non-empty line");
  }
  const repo = stores.log;
  const settings = stores.settings;

  let signerPromise: Promise<CheckpointSigner> | null = null;
  const signer = (): Promise<CheckpointSigner> => {
    signerPromise ??= (async () => {
      // The settings repository stores synchronously made values, so a candidate key is made first; when another
      // instance already stored one, the candidate is dropped.
      const candidate = await generateSigningKey();
      return createCheckpointSigner(await settings.getOrCreate(keySetting, () => candidate));
    })().catch((err) => {
      signerPromise = null;
      throw err;
    });
    return signerPromise;
  };

  async function nodeHashes(refs: readonly NodeRef[]): Promise<Uint8Array[]> {
    const values = await repo.nodes(refs);
    return values.map((value, i) => {
      if (!value) throw new Error(`Transparency log node ${refs[i].level}/${refs[i].index} is missing`);
      return value;
    });
  }

  /** RFC 6962 hashes of aligned leaf ranges, from one batched read of their perfect subtrees. */
  async function rangeHashes(ranges: readonly LeafRange[]): Promise<Uint8Array[]> {
    const parts = ranges.map((r) => perfectSubtrees(r.start, r.end));
    const hashes = await nodeHashes(parts.flat());
    const out: Uint8Array[] = [];
    let at = 0;
    for (const p of parts) {
      out.push(await foldPerfectSubtrees(hashes.slice(at, at + p.length)));
      at += p.length;
    }
    return out;
  }

  async function rootAt(size: number): Promise<Uint8Array> {
    return size === 0 ? emptyRoot() : (await rangeHashes([{ start: 0, end: size }]))[0];
  }

  /**
   * The time a new checkpoint is signed with: the clock, but never earlier than the latest stored checkpoint's
   * time, so checkpoint times only move forward even when the clock steps back.
   */
  async function nextTimestamp(): Promise<number> {
    const latest = await repo.latestCheckpoint();
    return Math.max(clock.now(), latest?.timestamp ?? Number.MIN_SAFE_INTEGER);
  }

  /**
   * The stored checkpoint of `size`. Only the head may still be unsigned (a log written before checkpoints were
   * stored with their leaf): it is signed now and stored while it is still the head (an empty log's, never stored). A smaller
   * size without a stored checkpoint is never signed after the fact: `NotFoundError`.
   */
  async function checkpointAt(wanted: number | "head"): Promise<Checkpoint> {
    for (let attempt = 0; attempt < APPEND_TRIES; attempt++) {
      const read = wanted === "head" ? await repo.head() : null;
      const size = read ? read.size : wanted as number;
      const cached = await repo.checkpoint(size);
      if (cached) return cached;
      const head = read ?? await repo.head();
      if (size !== head.size) {
        throw new NotFoundError(
          `The log ${origin} has no signed checkpoint at tree size ${size} (sizes below the head are never ` +
            "signed after the fact; the log's checkpoint list names the signed sizes)",
        );
      }
      const timestamp = await nextTimestamp();
      // The empty tree claims nothing: it is signed on demand and never stored, so reading an empty log (the
      // demo's before its replay) sets no floor under the times of its first real checkpoints.
      if (size === 0) return (await signer()).sign(origin, 0, toHex(await rootAt(0)), timestamp);
      const root = toHex(await rootAt(size));
      const stored = await repo.saveHeadCheckpoint(
        head,
        await (await signer()).sign(origin, size, root, timestamp),
      );
      if (stored) return stored;
    }
    throw new ConflictError(`Cannot sign the checkpoint of tree size ${wanted}: the log kept changing`);
  }

  /** The perfect subtrees that leaf `index` completes, given the left siblings it is merged with. */
  async function completedNodes(index: number, leaf: Uint8Array): Promise<TlogAppend["nodes"]> {
    const lefts: NodeRef[] = [];
    for (let j = index, level = 0; j % 2 === 1; j = (j - 1) / 2, level++) lefts.push({ level, index: j - 1 });
    const siblings = await nodeHashes(lefts);
    const nodes: TlogAppend["nodes"] = [{ level: 0, index, hash: leaf }];
    let hash = leaf;
    for (let k = 0; k < lefts.length; k++) {
      hash = await nodeHash(siblings[k], hash);
      nodes.push({ level: k + 1, index: lefts[k].index / 2, hash });
    }
    return nodes;
  }

  const requireSize = (n: number, size: number, what: string) => {
    if (!Number.isSafeInteger(n) || n < 1 || n > size) {
      throw new BadRequestError(`Cannot ${what}: tree size ${n} is not between 1 and the log's size ${size}`);
    }
  };

  return {
    origin,

    async append(signalHash) {
      const leaf = await leafHash(requireSignalHash(signalHash, "log signal hash"));
      return await withRetry<AppendResult>("append to the transparency log", async () => {
        const existing = await repo.indexOf(signalHash);
        const head = await repo.head();
        if (existing !== null) {
          return {
            committed: true as const,
            value: { leaf_index: existing, tree_size: head.size, appended: false },
          };
        }
        const index = head.size;
        const nodes = await completedNodes(index, leaf);
        // The new size's root: the old tree's perfect subtrees left of the new leaf's, then the one it completed.
        const left = perfectSubtrees(0, index + 1).slice(0, -1);
        const root = await foldPerfectSubtrees([...await nodeHashes(left), nodes[nodes.length - 1].hash]);
        // Read after the head: a checkpoint stored since then moved the head too, so the commit's check fails.
        const timestamp = await nextTimestamp();
        const checkpoint = await (await signer()).sign(origin, index + 1, toHex(root), timestamp);
        if (!(await repo.commitAppend(head, { index, signalHash, nodes, checkpoint }))) {
          return { committed: false as const };
        }
        return {
          committed: true as const,
          value: { leaf_index: index, tree_size: index + 1, appended: true },
        };
      }, APPEND_TRIES);
    },

    async size() {
      return (await repo.head()).size;
    },

    checkpoint() {
      return checkpointAt("head");
    },

    async inclusionProof(signalHash, treeSize) {
      requireSignalHash(signalHash, "prove inclusion of signal hash");
      const index = await repo.indexOf(signalHash);
      const head = await repo.head();
      if (treeSize !== undefined) requireSize(treeSize, head.size, "prove inclusion");
      if (index === null) return null;
      const size = treeSize ?? head.size;
      if (index >= size) return null;
      const checkpoint = await checkpointAt(size);
      const [root, ...path] = await rangeHashes([{ start: 0, end: size }, ...inclusionRanges(index, size)]);
      if (toHex(root) !== checkpoint.root_hash) {
        throw new Error(`Transparency log root at size ${size} does not match its checkpoint`);
      }
      return {
        signal_hash: signalHash,
        leaf_index: index,
        tree_size: size,
        leaf_hash: toHex(await leafHash(hexToBytes(signalHash)!)),
        audit_path: path.map(toHex),
        root_hash: checkpoint.root_hash,
        checkpoint,
      };
    },

    async consistencyProof(first, second) {
      const size = (await repo.head()).size;
      requireSize(first, size, "prove consistency");
      requireSize(second, size, "prove consistency");
      if (first > second) {
        throw new BadRequestError(
          `Cannot prove consistency: first size ${first} exceeds second size ${second}`,
        );
      }
      const [firstRoot, secondRoot, ...proof] = await rangeHashes([
        { start: 0, end: first },
        { start: 0, end: second },
        ...consistencyRanges(first, second),
      ]);
      return {
        first,
        second,
        first_root: toHex(firstRoot),
        second_root: toHex(secondRoot),
        proof: proof.map(toHex),
      };
    },

    async publicKey() {
      return { ...(await signer()).publicKey };
    },

    checkpoints(fromSize, limit) {
      return repo.listCheckpoints(fromSize, limit);
    },
  };
}

function hexList(list: readonly string[]): Uint8Array[] | null {
  const out: Uint8Array[] = [];
  for (const h of list) {
    const b = typeof h === "string" && /^[0-9a-f]{64}$/.test(h) ? hexToBytes(h) : null;
    if (!b) return null;
    out.push(b);
  }
  return out;
}

/**
 * Checks an inclusion proof as a third party would: the leaf hash is recomputed from the signal hash, the audit
 * path must lead to `root_hash`, and the checkpoint must carry the same size and root and a valid signature (by
 * `trustedPublicKey`, base64 raw, when given). Returns `false`, never throws, for malformed input.
 */
export async function verifyInclusionProof(
  proof: InclusionProof,
  trustedPublicKey?: string,
): Promise<boolean> {
  try {
    if (!isSignalHash(proof.signal_hash)) return false;
    const leaf = await leafHash(hexToBytes(proof.signal_hash)!);
    if (toHex(leaf) !== proof.leaf_hash) return false;
    if (proof.checkpoint.tree_size !== proof.tree_size || proof.checkpoint.root_hash !== proof.root_hash) {
      return false;
    }
    const path = hexList(proof.audit_path);
    const root = hexList([proof.root_hash]);
    if (!path || !root) return false;
    if (!(await verifyInclusion(leaf, proof.leaf_index, proof.tree_size, path, root[0]))) return false;
    return await verifyCheckpoint(proof.checkpoint, trustedPublicKey);
  } catch {
    return false;
  }
}

/** Checks a consistency proof (RFC 9162 §2.1.4.2) from its hex fields; `false`, never throws, when malformed. */
export async function verifyConsistencyProof(proof: ConsistencyProof): Promise<boolean> {
  try {
    const path = hexList(proof.proof);
    const roots = hexList([proof.first_root, proof.second_root]);
    if (!path || !roots) return false;
    return await verifyConsistency(proof.first, proof.second, path, roots[0], roots[1]);
  } catch {
    return false;
  }
}
