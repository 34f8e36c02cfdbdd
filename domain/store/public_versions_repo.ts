/**
 * Versions of what public reads answer, one per scope: a public strategy (`strategy:<slug>`: its record, days,
 * signals, claimed history and audit trail), the public list (`list`), a transparency log (`log:<name>`), market
 * data (`market`) and the official calendars (`calendar`). Every write a public answer depends on sums 1 into its
 * scopes' version keys in the same atomic commit (`bumpPublicScopes`) and sets the `public_reads` stream marker
 * with the scopes it changed, which in-process caches follow (`kv.watch` + poll) to drop what went stale.
 *
 * A version token is built from the keys' versionstamps, which KV never reuses (not from the counters, which
 * restart when a key is deleted), so a token names one state of its scopes for the life of the store.
 */
import { keys } from "./keys.ts";
import { PUBLIC_READS_STREAM, type PublicReadsMarker } from "./public_scopes.ts";

/** Most scopes one read may name (one `getMany`). */
export const MAX_SCOPES_PER_READ = 10;

/**
 * Adds to `op` the bump of every scope of `scopes` and the marker naming them; returns `op`. Sums never conflict,
 * so a bump adds no contention to the commit it rides on.
 */
export function bumpPublicScopes(
  op: Deno.AtomicOperation,
  scopes: readonly string[],
  atMs: number,
): Deno.AtomicOperation {
  const unique = [...new Set(scopes)];
  for (const scope of unique) op.sum(keys.publicVersion(scope), 1n);
  const marker: PublicReadsMarker = { at: atMs, scopes: unique };
  return op.set(keys.streamChanged(PUBLIC_READS_STREAM), marker);
}

/** Reading and bumping versions. */
export interface PublicVersionsRepo {
  /**
   * One token for the current state of `scopes` (at most `MAX_SCOPES_PER_READ`), read in one strongly consistent
   * `getMany`; a scope never bumped reads as `0`.
   */
  token(scopes: readonly string[]): Promise<string>;
  /** Bumps `scopes` in a commit of their own (for a write that has no atomic of its own to ride on). */
  bump(scopes: readonly string[], atMs: number): Promise<void>;
}

/** Creates the repository on `kv`. */
export function createPublicVersionsRepo(kv: Deno.Kv): PublicVersionsRepo {
  return {
    async token(scopes) {
      if (scopes.length === 0) return "0";
      if (scopes.length > MAX_SCOPES_PER_READ) {
        throw new RangeError(`At most ${MAX_SCOPES_PER_READ} scopes per read (${scopes.length})`);
      }
      const entries = await kv.getMany(scopes.map((s) => keys.publicVersion(s)));
      // A versionstamp is 20 hex digits; the leading ones rarely differ between keys of one store.
      return entries.map((e) => e.versionstamp === null ? "0" : e.versionstamp.replace(/^0+/, "")).join(".");
    },
    async bump(scopes, atMs) {
      if (scopes.length === 0) return;
      await bumpPublicScopes(kv.atomic(), scopes, atMs).commit();
    },
  };
}
