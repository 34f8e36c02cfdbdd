/** Generic Deno KV helpers every repository uses: paging, batched reads, retries, chunked blobs. */
import { randomString } from "../crypto.ts";
import { ConflictError } from "../errors.ts";
import { keys } from "./keys.ts";

/** The most items one page may hold. */
export const MAX_PAGE_LIMIT = 200;
/** Deno KV reads at most this many keys in one `getMany`. */
export const GET_MANY_BATCH = 10;
/** Largest value Deno KV stores under one key, minus headroom for the serialisation envelope. */
export const MAX_CHUNK_BYTES = 60 * 1024;

/** A page request: `limit` (1–200) items after skipping `offset`. */
export interface PageRequest {
  limit: number;
  offset: number;
}

/** One page of a list, with the total count so clients can page. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

/** Reads many keys in batches of ten, preserving order; missing keys give `null`. */
export async function getManyValues<T>(kv: Deno.Kv, keyList: Deno.KvKey[]): Promise<(T | null)[]> {
  const out: (T | null)[] = [];
  for (let i = 0; i < keyList.length; i += GET_MANY_BATCH) {
    const batch = await kv.getMany<T[]>(keyList.slice(i, i + GET_MANY_BATCH));
    for (const entry of batch) out.push(entry.value);
  }
  return out;
}

/**
 * Pages through an index whose keys end with a record id and whose values are ids: lists the index
 * (newest first when ids are time-ordered and `reverse` is true), skips `offset`, resolves `limit` records.
 * `filter` sees each resolved record; the total counts records that pass it.
 */
export async function pageIndex<T>(
  kv: Deno.Kv,
  indexPrefix: Deno.KvKey,
  recordKey: (id: string) => Deno.KvKey,
  page: PageRequest,
  opts: { reverse?: boolean; filter?: (record: T) => boolean } = {},
): Promise<Page<T>> {
  const limit = Math.min(Math.max(1, page.limit), MAX_PAGE_LIMIT);
  const offset = Math.max(0, page.offset);
  const reverse = opts.reverse ?? true;
  if (!opts.filter) {
    const ids: string[] = [];
    let total = 0;
    for await (const entry of kv.list<string>({ prefix: indexPrefix }, { reverse, batchSize: 500 })) {
      if (total >= offset && ids.length < limit) ids.push(entry.value);
      total++;
    }
    const records = await getManyValues<T>(kv, ids.map(recordKey));
    return {
      items: records.filter((r): r is NonNullable<typeof r> => r !== null) as T[],
      total,
      limit,
      offset,
    };
  }
  const items: T[] = [];
  let total = 0;
  let batch: string[] = [];
  const flush = async () => {
    for (const record of await getManyValues<T>(kv, batch.map(recordKey))) {
      if (record === null || !opts.filter!(record)) continue;
      if (total >= offset && items.length < limit) items.push(record);
      total++;
    }
    batch = [];
  };
  for await (const entry of kv.list<string>({ prefix: indexPrefix }, { reverse, batchSize: 500 })) {
    batch.push(entry.value);
    if (batch.length === GET_MANY_BATCH) await flush();
  }
  await flush();
  return { items, total, limit, offset };
}

/** Pages through records stored directly under `prefix` (values are the records). */
export async function pageRecords<T>(
  kv: Deno.Kv,
  prefix: Deno.KvKey,
  page: PageRequest,
  opts: { reverse?: boolean; filter?: (record: T) => boolean } = {},
): Promise<Page<T>> {
  const limit = Math.min(Math.max(1, page.limit), MAX_PAGE_LIMIT);
  const offset = Math.max(0, page.offset);
  const items: T[] = [];
  let total = 0;
  for await (const entry of kv.list<T>({ prefix }, { reverse: opts.reverse ?? true, batchSize: 500 })) {
    if (opts.filter && !opts.filter(entry.value)) continue;
    if (total >= offset && items.length < limit) items.push(entry.value);
    total++;
  }
  return { items, total, limit, offset };
}

/** Counts the keys under `prefix` without reading more than the keys. */
export async function countKeys(kv: Deno.Kv, prefix: Deno.KvKey): Promise<number> {
  let n = 0;
  for await (const _ of kv.list({ prefix }, { batchSize: 1000 })) n++;
  return n;
}

/**
 * Runs an optimistic read-check-write `attempt` until it commits: `attempt` returns the commit result, or a
 * value to return directly. Gives up with `ConflictError` after `tries` lost races.
 */
export async function withRetry<T>(
  what: string,
  attempt: () => Promise<{ committed: false } | { committed: true; value: T }>,
  tries = 20,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const result = await attempt();
    if (result.committed) return result.value;
    await new Promise((r) => setTimeout(r, Math.random() * 5 * (i + 1)));
  }
  throw new ConflictError(`Cannot ${what}: too many concurrent changes, try again`);
}

/** The manifest of a blob: how many chunks of which generation hold how many bytes. */
interface BlobManifest {
  /** Chunks are written under a fresh generation, so a reader never mixes old and new chunks. */
  gen: string;
  chunks: number;
  bytes: number;
}

/** Chunks and deletions per atomic commit: 10 × 60 KiB stays well under KV's ~800 KiB per-commit budget. */
const BLOB_GROUP = 10;

async function deleteChunks(kv: Deno.Kv, blobKey: readonly Deno.KvKeyPart[], gen: string, chunks: number) {
  for (let g = 0; g < chunks; g += BLOB_GROUP) {
    let op = kv.atomic();
    for (let i = g; i < Math.min(chunks, g + BLOB_GROUP); i++) {
      op = op.delete(keys.blobChunk(blobKey, gen, i));
    }
    await op.commit();
  }
}

/**
 * Stores `bytes` under `blobKey` as chunks of at most 60 KiB plus a manifest. The chunks go under a new
 * generation and the manifest switches to it last, so readers see the old blob or the new one, never a mix;
 * the previous generation's chunks are deleted afterwards. Throws `ConflictError` when another writer replaced
 * the blob at the same time (its chunks are then cleaned up). Use for long series (bars, equity curves).
 */
export async function putBlob(
  kv: Deno.Kv,
  blobKey: readonly Deno.KvKeyPart[],
  bytes: Uint8Array,
  opts: { expireIn?: number } = {},
): Promise<void> {
  const manifestKey = keys.blobManifest(blobKey);
  const previous = await kv.get<BlobManifest>(manifestKey);
  const gen = randomString(12);
  const chunks = Math.ceil(bytes.length / MAX_CHUNK_BYTES);
  for (let g = 0; g < chunks; g += BLOB_GROUP) {
    let op = kv.atomic();
    for (let i = g; i < Math.min(chunks, g + BLOB_GROUP); i++) {
      op = op.set(
        keys.blobChunk(blobKey, gen, i),
        bytes.slice(i * MAX_CHUNK_BYTES, (i + 1) * MAX_CHUNK_BYTES),
        opts,
      );
    }
    if (!(await op.commit()).ok) throw new ConflictError(`Cannot write blob ${JSON.stringify(blobKey)}`);
  }
  const manifest: BlobManifest = { gen, chunks, bytes: bytes.length };
  const res = await kv.atomic().check(previous).set(manifestKey, manifest, opts).commit();
  if (!res.ok) {
    await deleteChunks(kv, blobKey, gen, chunks);
    throw new ConflictError(`Cannot write blob ${JSON.stringify(blobKey)}: changed concurrently`);
  }
  if (previous.value) await deleteChunks(kv, blobKey, previous.value.gen, previous.value.chunks);
}

/** Reads a blob written by `putBlob`; `null` when absent or incomplete. */
export async function getBlob(kv: Deno.Kv, blobKey: readonly Deno.KvKeyPart[]): Promise<Uint8Array | null> {
  const manifestKey = keys.blobManifest(blobKey);
  for (let attempt = 0; attempt < 3; attempt++) {
    const manifest = await kv.get<BlobManifest>(manifestKey);
    const m = manifest.value;
    if (!m) return null;
    const parts = await getManyValues<Uint8Array>(
      kv,
      Array.from({ length: m.chunks }, (_, i) => keys.blobChunk(blobKey, m.gen, i)),
    );
    if (parts.every((p) => p !== null)) {
      const out = new Uint8Array(m.bytes);
      let at = 0;
      for (const part of parts as Uint8Array[]) {
        if (at + part.length > m.bytes) return null;
        out.set(part, at);
        at += part.length;
      }
      return at === m.bytes ? out : null;
    }
    // A writer replaced the blob between reading the manifest and its chunks: read the new one.
    if ((await kv.get(manifestKey)).versionstamp === manifest.versionstamp) return null;
  }
  return null;
}
