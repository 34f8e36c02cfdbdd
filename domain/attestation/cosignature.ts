/**
 * Witness cosignatures of log checkpoints, in the style of C2SP `tlog-cosignature`: a witness that has checked a
 * checkpoint is consistent with every earlier one it saw signs, with its own Ed25519 key, the text
 *
 *     quantedge-cosignature/v1\ntime <timestamp>\n<checkpoint note>
 *
 * where `<timestamp>` is the witness's clock when it cosigned (epoch milliseconds UTC, decimal) and `<checkpoint
 * note>` is the checkpoint's exact signed note (`checkpoint.ts`, ending in `\n`). The cosignature therefore says
 * "this witness saw this log at this size and root no later than `timestamp`", on a clock the log does not own.
 */
import { base64ToBytes, keyIdOf } from "./checkpoint.ts";

/** The first line of every cosigned text. */
export const COSIGNATURE_HEADER = "quantedge-cosignature/v1";

/** One witness's cosignature of one checkpoint. */
export interface Cosignature {
  /** The witness's name (informational: trust rests on `public_key`). */
  witness: string;
  algorithm: "Ed25519";
  /** The witness's raw 32-byte Ed25519 public key, base64. */
  public_key: string;
  /** First 16 hex digits of SHA-256 of the raw public key. */
  key_id: string;
  /** When the witness cosigned, epoch ms UTC (its own clock). */
  timestamp: number;
  /** Ed25519 signature of `cosignedText(note, timestamp)`, base64. */
  signature: string;
}

const ED25519 = { name: "Ed25519" } as const;
const encoder = new TextEncoder();

/** The exact text a witness signs for checkpoint note `note` at `timestamp` (epoch ms). */
export function cosignedText(note: string, timestamp: number): string {
  return `${COSIGNATURE_HEADER}\ntime ${timestamp}\n${note}`;
}

/**
 * Whether `cosig` is a well-formed, valid cosignature of the checkpoint whose note is `note`: the key id matches
 * the key and the signature verifies. With `trustedPublicKey` (base64 raw), the key must also be that one.
 * Returns `false`, never throws, for malformed input.
 */
export async function verifyCosignature(
  cosig: Cosignature,
  note: string,
  trustedPublicKey?: string,
): Promise<boolean> {
  try {
    if (cosig.algorithm !== "Ed25519" || typeof note !== "string") return false;
    if (!Number.isSafeInteger(cosig.timestamp) || cosig.timestamp < 0) return false;
    if (trustedPublicKey !== undefined && cosig.public_key !== trustedPublicKey) return false;
    const raw = base64ToBytes(cosig.public_key);
    const signature = base64ToBytes(cosig.signature);
    if (!raw || raw.length !== 32 || !signature || signature.length !== 64) return false;
    if (cosig.key_id !== await keyIdOf(raw)) return false;
    const key = await crypto.subtle.importKey("raw", new Uint8Array(raw), ED25519, false, ["verify"]);
    return await crypto.subtle.verify(
      ED25519,
      key,
      new Uint8Array(signature),
      encoder.encode(cosignedText(note, cosig.timestamp)),
    );
  } catch {
    return false;
  }
}

/** Signs cosignatures with one Ed25519 private key (the witness's). */
export interface CosignatureSigner {
  readonly publicKey: { algorithm: "Ed25519"; public_key: string; key_id: string };
  /** Cosigns the checkpoint note `note` at `timestamp` (epoch ms) as witness `name`. */
  cosign(name: string, note: string, timestamp: number): Promise<Cosignature>;
}

/** A cosigner for an Ed25519 private `CryptoKey` and its raw public key bytes. */
export async function createCosignatureSigner(
  privateKey: CryptoKey,
  rawPublicKey: Uint8Array,
): Promise<CosignatureSigner> {
  let binary = "";
  for (const b of rawPublicKey) binary += String.fromCharCode(b);
  const publicKey = {
    algorithm: "Ed25519" as const,
    public_key: btoa(binary),
    key_id: await keyIdOf(rawPublicKey),
  };
  return {
    publicKey,
    async cosign(name, note, timestamp) {
      const sig = new Uint8Array(
        await crypto.subtle.sign(ED25519, privateKey, encoder.encode(cosignedText(note, timestamp))),
      );
      let text = "";
      for (const b of sig) text += String.fromCharCode(b);
      return { witness: name, ...publicKey, timestamp, signature: btoa(text) };
    },
  };
}
