/**
 * Versions of what public reads answer, one per scope: a public strategy (`strategy:<slug>`: its record, days,
 * signals, claimed history and audit trail), the public list (`list`), a transparency log (`log:<name>`), market
 * data (`market`) and the official calendars (`calendar`). Every write a public answer depends on sums 1 into its
 * scopes' version keys and into the epoch key (every scope's change moves it) in the same atomic commit
 * (`bumpPublicScopes`), and sets the `public_reads` stream marker with the scopes it changed, which in-process
 * caches follow (`kv.watch` + poll) to drop what went stale.
 *
 * A version token is built from the keys' versionstamps, which KV never reuses (not from the counters, which
 * restart when a key is deleted), so a token names one state of its scopes for the life of the store.
 *
 * Reading a token costs a request a share of one KV read, and it is still strictly current (a write committed
 * by any process before the request came is in the token it gets):
 * - the epoch is read fresh for every request, but concurrent requests share a read: a request joins the read
 *   that starts next, never one already under way (which may have started before a commit the request follows);
 * - the scopes' versionstamps are remembered per scope list with the epoch they were read after. While the epoch
 *   read fresh is the same, no write has touched any scope since, so the remembered token is the current one; a
 *   new epoch forgets them all. A remembered token is also read again once it is `TOKEN_MAX_AGE_MS` old, which
 *   bounds how long a writer that bumps scopes without the epoch (a process still running the code from before
 *   the epoch existed, during a rolling deploy) can go unseen.
 *
 * The cost is latency, not reads: under load a request may wait for the epoch read under way and then for its
 * own, two KV read latencies (well under a millisecond on a local file).
 */
import { monotonicMs } from "../clock.ts";
import { keys } from "./keys.ts";
import { PUBLIC_READS_STREAM, type PublicReadsMarker } from "./public_scopes.ts";

/** Most scopes one read may name (one `getMany`). */
export const MAX_SCOPES_PER_READ = 10;

/** Most scope lists whose tokens are remembered for one epoch (past that, the memory starts again). */
export const MAX_REMEMBERED_TOKENS = 10_000;
/** How long a remembered token is served before its scopes are read again even though the epoch stands. */
export const TOKEN_MAX_AGE_MS = 1_000;

/**
 * Adds to `op` the bump of every scope of `scopes`, of the epoch and the marker naming them; returns `op`. Sums
 * never conflict, so a bump adds no contention to the commit it rides on.
 */
export function bumpPublicScopes(
  op: Deno.AtomicOperation,
  scopes: readonly string[],
  atMs: number,
): Deno.AtomicOperation {
  const unique = [...new Set(scopes)];
  for (const scope of unique) op.sum(keys.publicVersion(scope), 1n);
  op.sum(keys.publicVersionsEpoch(), 1n);
  const marker: PublicReadsMarker = { at: atMs, scopes: unique };
  return op.set(keys.streamChanged(PUBLIC_READS_STREAM), marker);
}

/** Reading and bumping versions. */
export interface PublicVersionsRepo {
  /**
   * One token for the current state of `scopes` (at most `MAX_SCOPES_PER_READ`): every write committed before the
   * call is in it. A scope never bumped reads as `0`.
   */
  token(scopes: readonly string[]): Promise<string>;
  /** Bumps `scopes` in a commit of their own (for a write that has no atomic of its own to ride on). */
  bump(scopes: readonly string[], atMs: number): Promise<void>;
}

/**
 * `read` shared by concurrent callers without ever answering a caller with a read that started before its call:
 * a caller joins the read queued to start once the one under way ends, or starts one when none is under way.
 */
export function sharedFreshRead<T>(read: () => Promise<T>): () => Promise<T> {
  let running: Promise<T> | null = null;
  let queued: Promise<T> | null = null;
  const start = (): Promise<T> => {
    const p = read();
    running = p;
    const done = () => {
      if (running === p) running = null;
    };
    p.then(done, done);
    return p;
  };
  return () => {
    if (queued) return queued;
    if (!running) return start();
    const after = running.then(() => {}, () => {});
    return queued = after.then(() => {
      queued = null;
      return start();
    });
  };
}

/** A versionstamp as its 20 hex digits, `""` for a key never written (sorts before every versionstamp). */
const stampOf = (e: Deno.KvEntryMaybe<unknown>) => e.versionstamp ?? "";

/** Creates the repository on `kv`. */
export function createPublicVersionsRepo(
  kv: Deno.Kv,
  opts: { nowMs?: () => number } = {},
): PublicVersionsRepo {
  const nowMs = opts.nowMs ?? monotonicMs;
  const readEpoch = sharedFreshRead(async () => stampOf(await kv.get(keys.publicVersionsEpoch())));
  /** The newest epoch seen, and the tokens read after it (by scope list) with when they were read. */
  let epoch = "";
  let tokens = new Map<string, { token: string; at: number }>();
  return {
    async token(scopes) {
      if (scopes.length === 0) return "0";
      if (scopes.length > MAX_SCOPES_PER_READ) {
        throw new RangeError(`At most ${MAX_SCOPES_PER_READ} scopes per read (${scopes.length})`);
      }
      const seen = await readEpoch();
      const name = scopes.join("\u0000");
      if (seen === epoch) {
        const known = tokens.get(name);
        if (known !== undefined && nowMs() - known.at < TOKEN_MAX_AGE_MS) return known.token;
      }
      const at = nowMs();
      const entries = await kv.getMany(scopes.map((s) => keys.publicVersion(s)));
      // A versionstamp is 20 hex digits; the leading ones rarely differ between keys of one store.
      const token = entries.map((e) => e.versionstamp === null ? "0" : e.versionstamp.replace(/^0+/, ""))
        .join(".");
      // Versionstamps grow with every commit: an older epoch (a caller that read before a newer one was seen)
      // is not remembered; a newer one forgets what was read after the old.
      if (seen > epoch) {
        epoch = seen;
        tokens = new Map();
      }
      if (seen === epoch) {
        if (tokens.size >= MAX_REMEMBERED_TOKENS) tokens = new Map();
        tokens.set(name, { token, at });
      }
      return token;
    },
    async bump(scopes, atMs) {
      if (scopes.length === 0) return;
      await bumpPublicScopes(kv.atomic(), scopes, atMs).commit();
    },
  };
}
