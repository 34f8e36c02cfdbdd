/**
 * The licence signing key: `LICENSE_SIGNING_KEY` (base64 PKCS#8 Ed25519) when configured, else a key generated
 * once and kept in KV settings (`license_signing_key`), so a fresh server can issue licences. Concurrent first
 * uses (several processes) all end with the one key that was stored first. The key itself is never logged.
 */
import type { LogFn } from "../log.ts";
import type { SettingsRepo } from "../store/settings_repo.ts";
import { createLicenseSigner, generateSigningKey, type LicenseSigner } from "./license_file.ts";

/** The settings name of the generated key. */
const SETTING = "license_signing_key";

function toBase64(bytes: Uint8Array): string {
  let text = "";
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}

function fromBase64(text: string): Uint8Array {
  return Uint8Array.from(atob(text), (ch) => ch.charCodeAt(0));
}

/** Resolves the signer now: the configured key, else the stored one, else a new key stored atomically. */
async function resolveLicenseSigner(
  configured: string | undefined,
  settings: SettingsRepo,
  log: LogFn,
): Promise<LicenseSigner> {
  if (configured) return await createLicenseSigner(fromBase64(configured));
  const candidate = toBase64(await generateSigningKey());
  const stored = await settings.getOrCreate(SETTING, () => candidate);
  const signer = await createLicenseSigner(fromBase64(stored));
  if (stored === candidate) {
    log("info", "license signing key generated and stored in KV settings", { key_id: signer.keyId });
  }
  return signer;
}

/**
 * A lazy, memoised `resolveLicenseSigner`: the key is resolved on the first call; a failed resolution is not
 * kept, so the next call tries again.
 */
export function licenseSignerSource(
  configured: string | undefined,
  settings: SettingsRepo,
  log: LogFn,
): () => Promise<LicenseSigner> {
  let pending: Promise<LicenseSigner> | null = null;
  return () => {
    if (!pending) {
      pending = resolveLicenseSigner(configured, settings, log);
      pending.catch(() => (pending = null));
    }
    return pending;
  };
}
