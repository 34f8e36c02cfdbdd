/**
 * Hashing and signatures through WebCrypto only: SHA-256 (hex), Ed25519 verification of raw 32-byte public
 * keys, hex and standard base64. Every verifier never throws on malformed input: it answers `false` / `null`.
 */

const encoder = new TextEncoder();

/** Lowercase hex of bytes. */
export function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

/** The bytes of lowercase or uppercase hex; `null` unless it is an even number of hex digits. */
export function fromHex(hex: string): Uint8Array | null {
  if (typeof hex !== "string" || hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** The bytes of standard (padded) base64; `null` when it is not base64. */
export function fromBase64(text: string): Uint8Array | null {
  if (typeof text !== "string") return null;
  try {
    const bin = atob(text);
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/** SHA-256 of bytes, or of a string's UTF-8 bytes. */
export async function sha256(data: Uint8Array | string): Promise<Uint8Array> {
  const bytes = typeof data === "string" ? encoder.encode(data) : data;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
}

/** Lowercase hex SHA-256 of bytes, or of a string's UTF-8 bytes. */
export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  return toHex(await sha256(data));
}

/** The key id the platform and its witnesses publish: the first 16 hex digits of SHA-256 of the raw key. */
export async function keyIdOf(rawKey: Uint8Array): Promise<string> {
  return (await sha256Hex(rawKey)).slice(0, 16);
}

/**
 * Whether `signatureB64` is a valid Ed25519 (RFC 8032) signature of `text`'s UTF-8 bytes under the raw 32-byte
 * public key `publicKeyB64`; `false` for anything malformed.
 */
export async function ed25519Verifies(
  publicKeyB64: string,
  signatureB64: string,
  text: string,
): Promise<boolean> {
  const raw = fromBase64(publicKeyB64);
  const sig = fromBase64(signatureB64);
  if (!raw || raw.length !== 32 || !sig || sig.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey("raw", new Uint8Array(raw), { name: "Ed25519" }, false, [
      "verify",
    ]);
    return await crypto.subtle.verify({ name: "Ed25519" }, key, new Uint8Array(sig), encoder.encode(text));
  } catch {
    return false;
  }
}
