/**
 * An in-process cache of public answers as bytes: each entry is one answer's JSON, stored under its cache key
 * with the version token it was built at (see `public_versions_repo.ts`) and the scopes it depends on. An entry
 * is served only while its token is the current one, so a write is never hidden by the cache (provided the
 * answer's scopes cover everything it reads, and a build that could not read what it needs throws or answers
 * `servedOnly` instead of a degraded answer); entries of a changed scope are also dropped as soon as the change
 * is heard (`evictScopes`, fed by the `public_reads` marker), which keeps memory for what is still current.
 *
 * Compressed forms (gzip, brotli) are made once per entry on first demand and kept with it. Concurrent misses of
 * one key and token share one build. Bounded by entries and bytes (least recently used out first).
 */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** Bytes a `Response` can take as its body. */
export type Bytes = Uint8Array<ArrayBuffer>;

/** Content codings the cache can hold besides the identity. */
export type CachedEncoding = "gzip" | "br";

/** One cached answer. */
export interface CachedAnswer {
  /** Its cache key. */
  key: string;
  /** The version token it was built at. */
  token: string;
  /** The answer's JSON, UTF-8. */
  json: Bytes;
  /** Scopes the answer depends on. */
  scopes: readonly string[];
  /** Compressed forms made so far. */
  encoded: Partial<Record<CachedEncoding, Bytes>>;
}

/**
 * A built answer to serve once and never keep (e.g. a value made at the current time that no write stands
 * behind): `ResponseCache.answer` answers it to the callers waiting on that build and stores nothing.
 */
export class ServedOnly {
  constructor(readonly value: unknown) {}
}

/** Counters of a cache. */
export interface ResponseCacheStats {
  entries: number;
  bytes: number;
  hits: number;
  misses: number;
  evictions: number;
}

/** The cache. */
export interface ResponseCache {
  /**
   * The answer of `key` at `token`: from the cache, or built by `build` (one build for concurrent callers) and
   * kept. A build that throws keeps nothing and throws to every caller waiting on it. A build answering a
   * `Uint8Array` answers the JSON itself (UTF-8, e.g. read back from a materialised copy); any other value is
   * serialised with `JSON.stringify`. A build answering `ServedOnly` answers its value and keeps nothing.
   */
  answer(
    key: string,
    token: string,
    scopes: readonly string[],
    build: () => Promise<unknown>,
  ): Promise<{ answer: CachedAnswer; hit: boolean }>;
  /** `answer.json` in `encoding`, compressed once and kept with the entry. */
  encode(answer: CachedAnswer, encoding: CachedEncoding): Bytes;
  /** Drops every entry depending on one of `scopes`; returns how many. */
  evictScopes(scopes: readonly string[]): number;
  stats(): ResponseCacheStats;
}

/** Limits of a cache. */
export interface ResponseCacheLimits {
  /** Most entries kept (default 5,000). */
  maxEntries?: number;
  /** Most bytes kept over every entry and its compressed forms (default 64 MiB). */
  maxBytes?: number;
  /** An answer larger than this (JSON bytes) is served but not kept (default 4 MiB). */
  maxEntryBytes?: number;
}

const encoder = new TextEncoder();

/** Brotli at quality 5: within a few percent of the best size on JSON, at a fraction of quality 11's time. */
const BROTLI_OPTIONS = {
  params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT },
};

/** Compresses `bytes` in `encoding`. */
export function compressBytes(bytes: Uint8Array, encoding: CachedEncoding): Bytes {
  const out = encoding === "br" ? brotliCompressSync(bytes, BROTLI_OPTIONS) : gzipSync(bytes, { level: 6 });
  return new Uint8Array(out);
}

const sizeOf = (a: CachedAnswer) =>
  a.json.byteLength + (a.encoded.gzip?.byteLength ?? 0) + (a.encoded.br?.byteLength ?? 0);

/** Creates an empty cache. */
export function createResponseCache(limits: ResponseCacheLimits = {}): ResponseCache {
  const maxEntries = limits.maxEntries ?? 5_000;
  const maxBytes = limits.maxBytes ?? 64 * 1024 * 1024;
  const maxEntryBytes = limits.maxEntryBytes ?? 4 * 1024 * 1024;
  const entries = new Map<string, CachedAnswer>(); // insertion order = least recently used first
  const inflight = new Map<string, Promise<CachedAnswer>>();
  const stats = { bytes: 0, hits: 0, misses: 0, evictions: 0 };

  const remove = (key: string) => {
    const e = entries.get(key);
    if (!e) return;
    entries.delete(key);
    stats.bytes -= sizeOf(e);
    stats.evictions++;
  };
  const trim = () => {
    for (const key of entries.keys()) {
      if (entries.size <= maxEntries && stats.bytes <= maxBytes) break;
      remove(key);
    }
  };
  const keep = (key: string, a: CachedAnswer) => {
    remove(key);
    if (a.json.byteLength > maxEntryBytes) return;
    entries.set(key, a);
    stats.bytes += sizeOf(a);
    trim();
  };

  return {
    async answer(key, token, scopes, build) {
      const cached = entries.get(key);
      if (cached && cached.token === token) {
        // Most recently used: to the end of the order.
        entries.delete(key);
        entries.set(key, cached);
        stats.hits++;
        return { answer: cached, hit: true };
      }
      const flightKey = `${token}\u0000${key}`;
      const pending = inflight.get(flightKey);
      if (pending) return { answer: await pending, hit: true };
      stats.misses++;
      const built = (async (): Promise<CachedAnswer> => {
        const made = await build();
        const keepIt = !(made instanceof ServedOnly);
        const value = made instanceof ServedOnly ? made.value : made;
        const answer: CachedAnswer = {
          key,
          token,
          json: value instanceof Uint8Array ? new Uint8Array(value) : encoder.encode(JSON.stringify(value)),
          scopes,
          encoded: {},
        };
        if (keepIt) keep(key, answer);
        return answer;
      })();
      inflight.set(flightKey, built);
      try {
        return { answer: await built, hit: false };
      } finally {
        inflight.delete(flightKey);
      }
    },
    encode(answer, encoding) {
      const done = answer.encoded[encoding];
      if (done) return done;
      const bytes = compressBytes(answer.json, encoding);
      answer.encoded[encoding] = bytes;
      // Count the new bytes only when the entry is still held (an evicted one is garbage once served).
      if (entries.get(answer.key) === answer) {
        stats.bytes += bytes.byteLength;
        trim();
      }
      return bytes;
    },
    evictScopes(scopes) {
      const changed = new Set(scopes);
      let n = 0;
      for (const [key, e] of entries) {
        if (e.scopes.some((s) => changed.has(s))) {
          remove(key);
          n++;
        }
      }
      return n;
    },
    stats: () => ({ entries: entries.size, ...stats }),
  };
}
