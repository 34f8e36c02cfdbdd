/**
 * `verifyRecord(baseUrl, slug, fetch, expect)`: the demo's entry to the verifier, a thin wrapper of
 * `verifyPublicRecord` (`verifier/verify.ts`, the independent second implementation third parties run).
 */
import { type RecordExpectation, type RecordVerdict, verifyPublicRecord } from "../verifier/verify.ts";
import type { FetchLike } from "../verifier/public_api.ts";

export type { RecordExpectation, RecordVerdict };

/** Verifies every settled day of `slug` at `baseUrl` (e.g. `http://localhost:8000`); see `verifyPublicRecord`. */
export function verifyRecord(
  baseUrl: string,
  slug: string,
  fetchFn: FetchLike = fetch,
  expect?: RecordExpectation,
): Promise<RecordVerdict> {
  return verifyPublicRecord({ baseUrl, slug, fetch: fetchFn, expect });
}

/** The verifier's relative tolerance for published numbers (`|a − b| ≤ 1e-9 · max(1, |a|, |b|)`). */
export { TOLERANCE as NAV_TOLERANCE } from "../verifier/checks.ts";
