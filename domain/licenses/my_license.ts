/**
 * A licence holder's views: the licence, its signed file, the self-hosted image download, and the public key
 * that verifies licence files offline.
 */
import { ForbiddenError, NotFoundError } from "../errors.ts";
import { isExpired, type LicenseView, toLicenseView, utcToday } from "./license_views.ts";
import type { LicenseServices, QuantosArch } from "./services.ts";

/** The user's licence on today's UTC date, or `{has_license: false}`. */
export async function myLicense(
  deps: LicenseServices,
  userId: string,
): Promise<LicenseView | { has_license: false }> {
  const license = await deps.licenses.getLicense(userId);
  return license ? toLicenseView(license, utcToday(deps.clock.now())) : { has_license: false };
}

/** A licence file ready to send: its text, media type and file name. */
export interface LicenseDownload {
  text: string;
  contentType: string;
  filename: string;
}

/**
 * The user's signed licence file: `json` (the document's `license.json`) or `armored` (`quantos.lic`, the text
 * block). An expired licence is still served (its file says when it expired). `NotFoundError` without one.
 */
export async function downloadLicense(
  deps: LicenseServices,
  userId: string,
  format: "json" | "armored",
): Promise<LicenseDownload> {
  const license = await deps.licenses.getLicense(userId);
  if (!license) throw new NotFoundError("You have no QuantOS license; request one and wait for its approval");
  return format === "json"
    ? { text: license.file_json, contentType: "application/json", filename: "license.json" }
    : { text: license.file_armored, contentType: "text/plain; charset=utf-8", filename: "quantos.lic" };
}

/**
 * Where the QuantOS image for `arch` is downloaded. `ForbiddenError` unless the user holds a licence that is
 * valid today (UTC); `NotFoundError` naming the setting when that architecture's URL is not configured.
 */
export async function quantosImageUrl(
  deps: LicenseServices,
  userId: string,
  arch: QuantosArch,
): Promise<string> {
  const license = await deps.licenses.getLicense(userId);
  if (!license) {
    throw new ForbiddenError("Downloading the QuantOS image needs a valid QuantOS license; you have none");
  }
  if (isExpired(license.expires, utcToday(deps.clock.now()))) {
    throw new ForbiddenError(
      `Downloading the QuantOS image needs a valid QuantOS license; yours expired on ${license.expires}`,
    );
  }
  const image = deps.images[arch];
  if (!image.url) throw new NotFoundError(`QuantOS image for ${arch} is not configured (${image.setting})`);
  return image.url;
}

/** The public key that verifies licence files (Ed25519): its id, SPKI PEM, and the raw 32 bytes in base64. */
export async function licensePublicKey(deps: LicenseServices): Promise<{
  algorithm: "Ed25519";
  key_id: string;
  public_key_pem: string;
  public_key_base64: string;
}> {
  const signer = await deps.signer();
  let raw = "";
  for (const b of signer.publicKeyRaw) raw += String.fromCharCode(b);
  return {
    algorithm: "Ed25519",
    key_id: signer.keyId,
    public_key_pem: signer.publicKeyPem,
    public_key_base64: btoa(raw),
  };
}
