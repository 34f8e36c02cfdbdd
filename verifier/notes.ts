/**
 * Signed notes: the log's checkpoints and the witnesses' cosignatures.
 * - A checkpoint signs exactly `<origin>\n<tree_size>\n<root_hash>\n<timestamp ms>\n` with the log's Ed25519 key;
 *   `key_id` is the first 16 hex digits of SHA-256 of the raw public key.
 * - A cosignature signs exactly `quantedge-cosignature/v1\ntime <timestamp ms>\n<checkpoint note>` with the
 *   witness's key.
 */
import { ed25519Verifies, fromBase64, keyIdOf } from "./crypto.ts";
import { normaliseKey } from "./options.ts";

/** A witness's cosignature as published beside a checkpoint. */
export interface PublishedCosignature {
  witness: string;
  algorithm: string;
  public_key: string;
  key_id: string;
  timestamp: number;
  signature: string;
}

/** A checkpoint as published. */
export interface PublishedCheckpoint {
  origin: string;
  tree_size: number;
  root_hash: string;
  timestamp: number;
  note: string;
  signature: string;
  algorithm: string;
  public_key: string;
  key_id: string;
  cosignatures?: PublishedCosignature[];
}

/** The text a checkpoint signs. */
export function checkpointNote(origin: string, size: number, root: string, timestamp: number): string {
  return `${origin}\n${size}\n${root}\n${timestamp}\n`;
}

/**
 * What is wrong with a checkpoint signed by `trustedKey` (base64 raw key), or `null` when nothing is: the note is
 * rebuilt from the fields and must be the published one, the key must be the trusted one, the key id must match
 * it and the Ed25519 signature must verify.
 */
export async function checkpointProblem(cp: PublishedCheckpoint, trustedKey: string): Promise<string | null> {
  if (!cp || typeof cp !== "object") return "no checkpoint";
  if (typeof cp.origin !== "string" || cp.origin.includes("\n")) return "malformed origin";
  if (!Number.isSafeInteger(cp.tree_size) || cp.tree_size < 0) return "malformed tree_size";
  if (typeof cp.root_hash !== "string" || !/^[0-9a-f]{64}$/.test(cp.root_hash)) return "malformed root_hash";
  if (!Number.isSafeInteger(cp.timestamp)) return "malformed timestamp";
  if (cp.algorithm !== "Ed25519") return `algorithm ${cp.algorithm}`;
  if (cp.note !== checkpointNote(cp.origin, cp.tree_size, cp.root_hash, cp.timestamp)) {
    return "the note is not the checkpoint's fields";
  }
  if (normaliseKey(cp.public_key) !== normaliseKey(trustedKey)) {
    return `signed by key ${cp.key_id}, not the log's key`;
  }
  const raw = fromBase64(cp.public_key);
  if (!raw || raw.length !== 32) return "malformed public key";
  if (cp.key_id !== await keyIdOf(raw)) return "key_id is not the key's id";
  if (!(await ed25519Verifies(cp.public_key, cp.signature, cp.note))) return "the signature does not verify";
  return null;
}

/** The text a witness signs for checkpoint note `note` at `timestamp`. */
export function cosignedText(note: string, timestamp: number): string {
  return `quantedge-cosignature/v1\ntime ${timestamp}\n${note}`;
}

/** Whether `c` is a valid cosignature of the checkpoint note `note` (key id and Ed25519 signature). */
export async function cosignatureVerifies(c: PublishedCosignature, note: string): Promise<boolean> {
  if (!c || c.algorithm !== "Ed25519" || !Number.isSafeInteger(c.timestamp) || c.timestamp < 0) return false;
  const raw = fromBase64(c.public_key);
  if (!raw || raw.length !== 32 || c.key_id !== await keyIdOf(raw)) return false;
  return await ed25519Verifies(c.public_key, c.signature, cosignedText(note, c.timestamp));
}

/**
 * The distinct keys among `witnessKeys` (base64 raw) with a valid cosignature of `cp` timestamped strictly
 * before `deadlineMs`.
 */
export async function witnessesBefore(
  cp: PublishedCheckpoint,
  witnessKeys: readonly string[],
  deadlineMs: number,
): Promise<Set<string>> {
  const wanted = new Set(witnessKeys.map(normaliseKey));
  const found = new Set<string>();
  for (const c of (Array.isArray(cp.cosignatures) ? cp.cosignatures : []).slice(0, 64)) {
    const key = normaliseKey(c?.public_key);
    if (key === null || !wanted.has(key) || found.has(key) || !(c.timestamp < deadlineMs)) continue;
    if (await cosignatureVerifies(c, cp.note)) found.add(key);
  }
  return found;
}
