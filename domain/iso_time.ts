/** The one way the platform writes an instant as text: ISO 8601 in UTC with milliseconds (`2026-05-14T01:00:00.000Z`). */

/** `ms` (epoch milliseconds) as ISO 8601 UTC text. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `iso(ms)`, or `null` when there is no instant. */
export function isoOrNull(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : iso(ms);
}
