/** Content hashes and `If-None-Match` checks of the dashboard's served files (`/app/assets/…`, the verifier). */

/** The first 8 bytes of the SHA-256 of `bytes`, as 16 hex digits (the ETag and the `?v=` of a file). */
export async function hashOf(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return Array.from(digest.slice(0, 8), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Whether an `If-None-Match` header names `etag`: `*`, or a comma-separated list of (possibly weak) tags. */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((t) => {
    const tag = t.trim();
    return tag === "*" || tag === etag || tag === `W/${etag}`;
  });
}
