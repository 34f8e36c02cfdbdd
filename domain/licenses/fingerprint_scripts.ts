/** The machine-fingerprint scripts served at /deploy-kit/fingerprint.sh and .bat, and the same computation. */

/** POSIX sh script printing the 64-hex fingerprint (Linux, macOS). */
export const FINGERPRINT_SH = "";

/** Windows cmd script printing the 64-hex fingerprint (CRLF line endings). */
export const FINGERPRINT_BAT = "";

/** SHA-256 hex of `"quantos-fingerprint-v1:" + id.trim().toLowerCase()`. */
export function fingerprintOfMachineId(_id: string): Promise<string> {
  throw new Error("not implemented");
}
