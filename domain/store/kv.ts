/** Generic Deno KV helpers every repository uses: paging, batched reads, retries, chunked blobs. */
import { ConflictError } from "../errors.ts";

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
    return { items: records.filter((r): r is NonNullable<typeof r> => r !== null) as T[], total, limit, offset };
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

/**
 * Stores `bytes` under `blobKey` as chunks of at most 60 KiB plus a manifest, in one atomic commit per call;
 * older chunks beyond the new length are deleted. Use for long series (bars, equity curves).
 */
export async function putBlob(
  kv: Deno.Kv,
  blobKey: readonly Deno.KvKeyPart[],
  bytes: Uint8Array,
  opts: { expireIn?: number } = {},
): Promise<void> {
  const manifestKey = [...blobKey, "manifest"];
  const previous = await kv.get<{ chunks: number }>(manifestKey);
  const chunks = Math.ceil(bytes.length / MAX_CHUNK_BYTES);
  const writes: [Deno.KvKey, unknown][] = [];
  for (let i = 0; i < chunks; i++) {
    writes.push([[...blobKey, "chunk", i], bytes.subarray(i * MAX_CHUNK_BYTES, (i + 1) * MAX_CHUNK_BYTES)]);
  }
  // A commit holds at most ~800 KiB of values: write chunks in groups, manifest last, so readers see old or new.
  const GROUP = 10;
  for (let g = 0; g < writes.length; g += GROUP) {
    let op = kv.atomic();
    for (const [k, v] of writes.slice(g, g + GROUP)) op = op.set(k, v, opts);
    const res = await op.commit();
    if (!res.ok) throw new ConflictError(`Cannot write blob ${JSON.stringify(blobKey)}`);
  }
  let op = kv.atomic().check(previous).set(manifestKey, { chunks, bytes: bytes.length }, opts);
  for (let i = chunks; i < (previous.value?.chunks ?? 0); i++) op = op.delete([...blobKey, "chunk", i]);
  const res = await op.commit();
  if (!res.ok) throw new ConflictError(`Cannot write blob ${JSON.stringify(blobKey)}: changed concurrently`);
}

/** Reads a blob written by `putBlob`; `null` when absent or incomplete. */
export async function getBlob(kv: Deno.Kv, blobKey: readonly Deno.KvKeyPart[]): Promise<Uint8Array | null> {
  const manifest = await kv.get<{ chunks: number; bytes: number }>([...blobKey, "manifest"]);
  if (!manifest.value) return null;
  const parts = await getManyValues<Uint8Array>(
    kv,
    Array.from({ length: manifest.value.chunks }, (_, i) => [...blobKey, "chunk", i]),
  );
  const out = new Uint8Array(manifest.value.bytes);
  let at = 0;
  for (const part of parts) {
    if (!part) return null;
    out.set(part, at);
    at += part.length;
  }
  return at === manifest.value.bytes ? out : null;
}
