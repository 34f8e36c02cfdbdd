/**
 * The logs a witness witnesses: each an origin (the first line of its checkpoints' notes) and the raw 32-byte
 * Ed25519 public key (base64) its checkpoints must be signed with. Written in `WITNESS_LOGS` as
 * `<origin> <base64 public key>` entries separated by `;`, e.g.
 * `quantedge/signals MCowBQ…=; quantedge/demo 3q2+7w…=`.
 */
import { base64ToBytes } from "../domain/attestation/checkpoint.ts";

/** One witnessed log. */
export interface WitnessedLog {
  origin: string;
  /** The raw 32-byte Ed25519 public key, base64. */
  public_key: string;
}

/** Most logs one witness serves. */
const MAX_LOGS = 64;

/** Longest origin accepted (characters). */
export const MAX_ORIGIN_LENGTH = 256;

/** An origin: 1–256 characters, none of them a control character or a space. */
// deno-lint-ignore no-control-regex
const ORIGIN = /^[^\x00-\x20\x7f]{1,256}$/;

/** Whether `origin` is one the witness can serve (no spaces or control characters, at most 256 characters). */
export function isOrigin(origin: string): boolean {
  return ORIGIN.test(origin);
}

/** Whether `key` is standard base64 of exactly 32 bytes. */
export function isPublicKey(key: string): boolean {
  return /^[A-Za-z0-9+/]{43}=$/.test(key) && base64ToBytes(key)?.length === 32;
}

/**
 * Parses `WITNESS_LOGS`; throws `TypeError` naming the bad entry for a malformed one, an origin listed twice,
 * or more than `MAX_LOGS` entries. Empty text gives no logs.
 */
export function parseWitnessedLogs(text: string): WitnessedLog[] {
  const out: WitnessedLog[] = [];
  const entries = text.split(";").map((e) => e.trim()).filter((e) => e !== "");
  if (entries.length > MAX_LOGS) throw new TypeError(`WITNESS_LOGS lists more than ${MAX_LOGS} logs`);
  for (const entry of entries) {
    const parts = entry.split(/\s+/);
    const shown = entry.slice(0, 80);
    if (parts.length !== 2 || !isOrigin(parts[0]) || !isPublicKey(parts[1])) {
      throw new TypeError(
        `WITNESS_LOGS entry "${shown}" is not "<origin> <base64 32-byte Ed25519 public key>"`,
      );
    }
    if (out.some((l) => l.origin === parts[0])) throw new TypeError(`WITNESS_LOGS lists "${parts[0]}" twice`);
    out.push({ origin: parts[0], public_key: parts[1] });
  }
  return out;
}
