/**
 * Deno KV storage of the evidence gathered about a transparency log's checkpoints, by the log's origin: witness
 * cosignatures per (tree size, witness key id) — the first one kept, since the earliest cosigning time is the
 * strongest evidence —, each configured witness's state (by its base URL: last cosigned size, last error), and
 * the GitHub commit of a checkpoint (by tree size).
 *
 * Public log answers show all three (checkpoints with their cosignatures and commit, the witness list): each
 * write bumps the public scope of the log whose origin it concerns (both logs' when the origin is not one of the
 * two configured, or they share it).
 */
import type { Cosignature } from "../attestation/cosignature.ts";
import { type Clock, systemClock } from "../clock.ts";
import { keys } from "./keys.ts";
import { logScope } from "./public_scopes.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";

/** What the server knows of one witness of one log. */
export interface WitnessState {
  /** The witness's base URL as configured. */
  url: string;
  /** The name the witness signs with (from its last cosignature); `null` before the first. */
  name: string | null;
  /** The witness's key (from its last valid cosignature); `null` before the first. */
  key_id: string | null;
  public_key: string | null;
  /** The largest tree size it has cosigned for this log (0 before the first). */
  tree_size: number;
  /** Why the last push failed (a short reason, never a response body); `null` after a success. */
  last_error: string | null;
  /** When the state last changed, epoch ms. */
  updated_at: number;
}

/** The GitHub commit that holds a checkpoint's file. */
export interface CheckpointCommit {
  sha: string;
  url: string;
}

/** Most cosignatures read for one tree size (witnesses are ≤ 8; keys that rotated add a few). */
const MAX_COSIGNATURES_PER_SIZE = 64;

/** Persistence of witness cosignatures, witness states and checkpoint commits. */
export interface CosignatureRepo {
  /** Stores `cosig` for (`origin`, `treeSize`, its key id) unless one is stored; `true` when this one was. */
  addCosignature(origin: string, treeSize: number, cosig: Cosignature): Promise<boolean>;
  /** The cosignatures stored for one tree size, by key id. */
  cosignatures(origin: string, treeSize: number): Promise<Cosignature[]>;
  /**
   * Cosignatures of tree sizes ≥ `fromSize`, grouped by size ascending, reading at most `maxEntries` entries
   * (the last group may then be incomplete and is dropped unless it is the only one).
   */
  cosignaturesFrom(
    origin: string,
    fromSize: number,
    maxEntries: number,
  ): Promise<{ tree_size: number; cosignatures: Cosignature[] }[]>;
  /** The state of the witness at `url`, or `null` when it was never contacted. */
  witness(origin: string, url: string): Promise<WitnessState | null>;
  /** Every witness state of a log, by URL. */
  witnesses(origin: string): Promise<WitnessState[]>;
  /** Stores a witness state (last writer wins; a state only records what happened). */
  putWitness(origin: string, state: WitnessState): Promise<void>;
  /** Records the GitHub commit of the checkpoint of `treeSize`. */
  putCommit(origin: string, treeSize: number, commit: CheckpointCommit): Promise<void>;
  /** The GitHub commit of the checkpoint of `treeSize`, or `null`. */
  commit(origin: string, treeSize: number): Promise<CheckpointCommit | null>;
  /**
   * Cosignatures and GitHub commits of the tree sizes `fromSize..toSize` (inclusive) in two range reads of at
   * most `maxEntries` entries each, by tree size.
   */
  evidenceBetween(
    origin: string,
    fromSize: number,
    toSize: number,
    maxEntries: number,
  ): Promise<Map<number, { cosignatures: Cosignature[]; github: CheckpointCommit | null }>>;
  /** The largest tree size with a recorded GitHub commit, or `null`. */
  latestCommittedSize(origin: string): Promise<number | null>;
}

/** Where the repository's writes are published. */
export interface CosignatureRepoOptions {
  /** The origins of the two logs, which name the public scope a write bumps. */
  origins?: { production: string; demo: string };
  /** Dates the bumps (default: the system clock). */
  clock?: Clock;
}

const LOG_NAMES = ["production", "demo"] as const;

/** Creates the KV-backed repository. */
export function createCosignatureRepo(kv: Deno.Kv, opts: CosignatureRepoOptions = {}): CosignatureRepo {
  const clock = opts.clock ?? systemClock;
  const scopesOf = (origin: string): string[] => {
    const named = LOG_NAMES.filter((n) => opts.origins?.[n] === origin);
    return (named.length === 1 ? named : LOG_NAMES).map(logScope);
  };
  const commitPublished = (origin: string, op: Deno.AtomicOperation) =>
    bumpPublicScopes(op, scopesOf(origin), clock.now()).commit();
  return {
    async addCosignature(origin, treeSize, cosig) {
      const key = keys.tlogCosignature(origin, treeSize, cosig.key_id);
      const res = await commitPublished(
        origin,
        kv.atomic().check({ key, versionstamp: null }).set(key, cosig),
      );
      return res.ok;
    },
    async cosignatures(origin, treeSize) {
      const out: Cosignature[] = [];
      const prefix = [...keys.tlogCosignatures(origin), treeSize];
      for await (const e of kv.list<Cosignature>({ prefix }, { limit: MAX_COSIGNATURES_PER_SIZE })) {
        out.push(e.value);
      }
      return out;
    },
    async cosignaturesFrom(origin, fromSize, maxEntries) {
      const prefix = keys.tlogCosignatures(origin);
      const groups: { tree_size: number; cosignatures: Cosignature[] }[] = [];
      let read = 0;
      const iter = kv.list<Cosignature>(
        { prefix, start: [...prefix, Math.max(0, fromSize)] },
        { limit: maxEntries },
      );
      for await (const e of iter) {
        read++;
        const size = e.key[2] as number;
        const last = groups[groups.length - 1];
        if (last && last.tree_size === size) last.cosignatures.push(e.value);
        else groups.push({ tree_size: size, cosignatures: [e.value] });
      }
      if (read === maxEntries && groups.length > 1) groups.pop();
      return groups;
    },
    async witness(origin, url) {
      return (await kv.get<WitnessState>(keys.tlogWitness(origin, url))).value;
    },
    async witnesses(origin) {
      const out: WitnessState[] = [];
      for await (const e of kv.list<WitnessState>({ prefix: keys.tlogWitnesses(origin) }, { limit: 100 })) {
        out.push(e.value);
      }
      return out;
    },
    async putWitness(origin, state) {
      await commitPublished(origin, kv.atomic().set(keys.tlogWitness(origin, state.url), state));
    },
    async putCommit(origin, treeSize, commit) {
      const value: CheckpointCommit = { sha: commit.sha, url: commit.url };
      await commitPublished(origin, kv.atomic().set(keys.tlogGithub(origin, treeSize), value));
    },
    async commit(origin, treeSize) {
      return (await kv.get<CheckpointCommit>(keys.tlogGithub(origin, treeSize))).value;
    },
    async evidenceBetween(origin, fromSize, toSize, maxEntries) {
      const out = new Map<number, { cosignatures: Cosignature[]; github: CheckpointCommit | null }>();
      const at = (size: number) => {
        let e = out.get(size);
        if (!e) out.set(size, e = { cosignatures: [], github: null });
        return e;
      };
      const cosPrefix = keys.tlogCosignatures(origin);
      const cosIter = kv.list<Cosignature>(
        { start: [...cosPrefix, fromSize], end: [...cosPrefix, toSize + 1] },
        { limit: maxEntries },
      );
      for await (const e of cosIter) at(e.key[2] as number).cosignatures.push(e.value);
      const ghIter = kv.list<CheckpointCommit>(
        { start: keys.tlogGithub(origin, fromSize), end: keys.tlogGithub(origin, toSize + 1) },
        { limit: maxEntries },
      );
      for await (const e of ghIter) at(e.key[2] as number).github = { sha: e.value.sha, url: e.value.url };
      return out;
    },
    async latestCommittedSize(origin) {
      const iter = kv.list<CheckpointCommit>({ prefix: keys.tlogGithubAll(origin) }, {
        reverse: true,
        limit: 1,
      });
      for await (const e of iter) return e.key[2] as number;
      return null;
    },
  };
}
