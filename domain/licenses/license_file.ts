/**
 * QuantOS licence files (document 002 "QuantOS License"): an Ed25519-signed (WebCrypto) canonical payload,
 * rendered as an armored text block and as `license.json`, verifiable offline with the public key.
 */

/** The payload format tag. */
export const LICENSE_FORMAT = "quantos-license-v1";

/** The signed licence fields (canonical JSON in exactly this key order). */
export interface LicensePayload {
  format: "quantos-license-v1";
  license_id: string;
  customer: string;
  /** 64 lower-case hex. */
  fingerprint: string;
  /** YYYY-MM-DD, valid through the end of that UTC day. */
  expires: string;
  max_cores: number;
  max_memory_gb: number;
  /** ISO-8601 UTC instant. */
  issued_at: string;
  issuer: string;
  key_id: string;
}

/** An Ed25519 private key ready to sign licence payloads. */
export interface LicenseSigner {
  keyId: string;
  publicKeyPem: string;
  publicKeyRaw: Uint8Array;
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** One named verification step and its outcome. */
export interface LicenseCheck {
  name: "format" | "signature" | "expiry" | "fingerprint";
  ok: boolean;
  detail: string;
}

/** PKCS#8 bytes of a new Ed25519 key. */
export function generateSigningKey(): Promise<Uint8Array> {
  throw new Error("not implemented");
}

/** A signer for a PKCS#8 Ed25519 private key; key_id = first 16 hex chars of SHA-256(raw public key). */
export function createLicenseSigner(_pkcs8: Uint8Array): Promise<LicenseSigner> {
  throw new Error("not implemented");
}

/** Signs `fields` and renders both forms of the licence file. */
export function issueLicenseFile(
  _fields: Omit<LicensePayload, "format" | "key_id">,
  _signer: LicenseSigner,
): Promise<{ payload: LicensePayload; armored: string; json: string }> {
  throw new Error("not implemented");
}

/** Verifies either form of a licence file against a public key (SPKI PEM). */
export function verifyLicenseFile(
  _text: string,
  _publicKeyPem: string,
  _opts: { today: string; fingerprint?: string },
): Promise<{ ok: boolean; payload: LicensePayload | null; checks: LicenseCheck[] }> {
  throw new Error("not implemented");
}
