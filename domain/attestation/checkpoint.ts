/**
 * Signed checkpoints of the transparency log: a statement "the log named `origin` had `tree_size` leaves with
 * root `root_hash` at `timestamp`", signed with Ed25519.
 *
 * The signed note is exactly `${origin}\n${tree_size}\n${root_hash}\n${timestamp}\n` — the origin, the tree size
 * in decimal, the RFC 6962 root as 64 lowercase hex digits and the signing time in epoch milliseconds (UTC) in
 * decimal, each line ending in one `\n` — and the signature is Ed25519 (RFC 8032) over its UTF-8 bytes. A third
 * party verifies with the raw 32-byte public key (base64) published by the log; `key_id` is the first 16 hex
 * digits of SHA-256 of that raw key.
 */
import { toHex } from "../tokens_and_hashes.ts";

/** A signed statement of the log's size and root. */
export interface Checkpoint {
  /** The log's name, the note's first line. */
  origin: string;
  tree_size: number;
  /** RFC 6962 root of the first `tree_size` leaves, lowercase hex. */
  root_hash: string;
  /** When the checkpoint was signed, epoch ms UTC. */
  timestamp: number;
  /** The exact signed text (`noteText`). */
  note: string;
  /** Ed25519 signature of the note's UTF-8 bytes, base64. */
  signature: string;
  algorithm: "Ed25519";
  /** The raw 32-byte Ed25519 public key, base64. */
  public_key: string;
  /** First 16 hex digits of SHA-256 of the raw public key. */
  key_id: string;
}

/** The public half of the log's signing key, as published. */
export interface LogPublicKey {
  algorithm: "Ed25519";
  /** The raw 32-byte Ed25519 public key, base64. */
  public_key: string;
  /** First 16 hex digits of SHA-256 of the raw public key. */
  key_id: string;
}

/** Signs checkpoints with one Ed25519 key. */
export interface CheckpointSigner {
  readonly publicKey: LogPublicKey;
  /** Signs the note for `origin`, `treeSize`, `rootHash` (hex) and `timestamp` (epoch ms). */
  sign(origin: string, treeSize: number, rootHash: string, timestamp: number): Promise<Checkpoint>;
}

/** The settings-repository name under which the production log's private key (PKCS#8, base64) is kept. */
export const SIGNING_KEY_SETTING = "tlog_signing_key";

/** The settings-repository name of the demo log's own private key (`deno task demo` never signs with the other). */
export const DEMO_SIGNING_KEY_SETTING = "tlog_demo_signing_key";

const ED25519 = { name: "Ed25519" } as const;
const encoder = new TextEncoder();
const HASH_HEX = /^[0-9a-f]{64}$/;

/** Standard base64 (with padding) of bytes. */
function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** The bytes of standard base64 text; `null` when it is not valid base64. */
export function base64ToBytes(text: string): Uint8Array | null {
  try {
    const binary = atob(text);
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}

function base64UrlToBytes(text: string): Uint8Array | null {
  const std = text.replace(/-/g, "+").replace(/_/g, "/");
  return base64ToBytes(std + "=".repeat((4 - (std.length % 4)) % 4));
}

/** Only the signed fields of a checkpoint (no served extras such as cosignatures or its GitHub commit). */
export function signedCheckpoint(c: Checkpoint): Checkpoint {
  return {
    origin: c.origin,
    tree_size: c.tree_size,
    root_hash: c.root_hash,
    timestamp: c.timestamp,
    note: c.note,
    signature: c.signature,
    algorithm: c.algorithm,
    public_key: c.public_key,
    key_id: c.key_id,
  };
}

/** The exact text a checkpoint signs: `${origin}\n${treeSize}\n${rootHash}\n${timestamp}\n`. */
export function noteText(origin: string, treeSize: number, rootHash: string, timestamp: number): string {
  return `${origin}\n${treeSize}\n${rootHash}\n${timestamp}\n`;
}

/** The key id of a raw Ed25519 public key: the first 16 hex digits of its SHA-256. */
export async function keyIdOf(rawPublicKey: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(rawPublicKey)));
  return toHex(digest).slice(0, 16);
}

/** A new Ed25519 private key as base64 PKCS#8, the form kept in the settings repository. */
export async function generateSigningKey(): Promise<string> {
  const pair = await crypto.subtle.generateKey(ED25519, true, ["sign", "verify"]) as CryptoKeyPair;
  return bytesToBase64(new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey)));
}

/** A signer for the base64 PKCS#8 Ed25519 private key; throws `TypeError` when the text is not such a key. */
export async function createCheckpointSigner(pkcs8Base64: string): Promise<CheckpointSigner> {
  const pkcs8 = base64ToBytes(pkcs8Base64);
  if (!pkcs8) throw new TypeError("The transparency-log signing key is not base64");
  const privateKey = await crypto.subtle.importKey("pkcs8", new Uint8Array(pkcs8), ED25519, true, ["sign"]);
  // WebCrypto cannot derive a public key from a private one directly; the private JWK carries it as `x`.
  const jwk = await crypto.subtle.exportKey("jwk", privateKey);
  const raw = jwk.x ? base64UrlToBytes(jwk.x) : null;
  if (!raw || raw.length !== 32) {
    throw new TypeError("The transparency-log signing key has no Ed25519 public key");
  }
  const publicKey: LogPublicKey = {
    algorithm: "Ed25519",
    public_key: bytesToBase64(raw),
    key_id: await keyIdOf(raw),
  };
  return {
    publicKey,
    async sign(origin, treeSize, rootHash, timestamp) {
      const note = noteText(origin, treeSize, rootHash, timestamp);
      const signature = new Uint8Array(await crypto.subtle.sign(ED25519, privateKey, encoder.encode(note)));
      return {
        origin,
        tree_size: treeSize,
        root_hash: rootHash,
        timestamp,
        note,
        signature: bytesToBase64(signature),
        ...publicKey,
      };
    },
  };
}

/**
 * Whether `checkpoint` is well formed and its signature verifies: the note is recomputed from the fields (and
 * must equal `note`), the signature is checked with the embedded public key, and `key_id` must match that key.
 * When `trustedPublicKey` (base64 raw key) is given, the embedded key must also be that one — without it the
 * check shows only that the checkpoint is self-consistent. Returns `false`, never throws, for malformed input.
 */
export async function verifyCheckpoint(checkpoint: Checkpoint, trustedPublicKey?: string): Promise<boolean> {
  try {
    const { origin, tree_size, root_hash, timestamp } = checkpoint;
    if (typeof origin !== "string" || origin.includes("\n")) return false;
    if (!Number.isSafeInteger(tree_size) || tree_size < 0) return false;
    if (typeof root_hash !== "string" || !HASH_HEX.test(root_hash)) return false;
    if (!Number.isSafeInteger(timestamp)) return false;
    if (checkpoint.algorithm !== "Ed25519") return false;
    if (trustedPublicKey !== undefined && checkpoint.public_key !== trustedPublicKey) return false;
    const note = noteText(origin, tree_size, root_hash, timestamp);
    if (checkpoint.note !== note) return false;
    const raw = base64ToBytes(checkpoint.public_key);
    const signature = base64ToBytes(checkpoint.signature);
    if (!raw || raw.length !== 32 || !signature || signature.length !== 64) return false;
    if (checkpoint.key_id !== await keyIdOf(raw)) return false;
    const key = await crypto.subtle.importKey("raw", new Uint8Array(raw), ED25519, false, ["verify"]);
    return await crypto.subtle.verify(ED25519, key, new Uint8Array(signature), encoder.encode(note));
  } catch {
    return false;
  }
}
