/** Generic Deno KV helpers every repository uses: paging, batched reads, retries, chunked blobs. */
import { sleep } from "../clock.ts";
import { randomString } from "../tokens_and_hashes.ts";
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
    await sleep(Math.random() * 5 * (i + 1));
  }
  throw new ConflictError(`Cannot ${what}: too many concurrent changes, try again`);
}

/**
 * How KV operations wait out SQLite's write lock held by another process on the same file (a server and
 * `deno task demo`, say): Deno KV reports it as "database is locked" instead of waiting.
 */
export interface BusyRetryOptions {
  /** Tries per operation, the first included (default 12). */
  attempts?: number;
  /** First wait, doubled after each busy answer (default 10 ms). */
  baseDelayMs?: number;
  /** Longest single wait (default 500 ms); with the defaults one operation waits at most about 3.6 s. */
  maxDelayMs?: number;
  /** Called before each wait (for logs and tests). */
  onBusy?: (operation: string, attempt: number, delayMs: number) => void;
}

/** `true` for the error Deno KV throws when another connection holds the SQLite file's write lock. */
export function isKvBusyError(e: unknown): boolean {
  return e instanceof Error && /database is locked|database table is locked|SQLITE_BUSY/i.test(e.message);
}

type BusyPolicy = Required<Omit<BusyRetryOptions, "onBusy">> & Pick<BusyRetryOptions, "onBusy">;

function busyPolicy(opts: BusyRetryOptions): BusyPolicy {
  return {
    attempts: Math.max(1, opts.attempts ?? 12),
    baseDelayMs: opts.baseDelayMs ?? 10,
    maxDelayMs: opts.maxDelayMs ?? 500,
    onBusy: opts.onBusy,
  };
}

/** Waits before the next try after `attempt` busy answers, or throws when the tries are used up. */
async function busyBackoff(p: BusyPolicy, operation: string, attempt: number, e: unknown): Promise<void> {
  if (!isKvBusyError(e)) throw e;
  if (attempt >= p.attempts) {
    throw new Error(
      `KV ${operation}: database is locked (another process kept the write lock through ${p.attempts} tries)`,
      { cause: e },
    );
  }
  // Exponential backoff with jitter, so two writers that collided do not collide again in step.
  const delay = Math.min(p.maxDelayMs, p.baseDelayMs * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);
  p.onBusy?.(operation, attempt, delay);
  await sleep(delay);
}

async function retryBusy<T>(p: BusyPolicy, operation: string, run: () => Promise<T>): Promise<T> {
  for (let attempt = 1;; attempt++) {
    try {
      return await run();
    } catch (e) {
      await busyBackoff(p, operation, attempt, e);
    }
  }
}

type AtomicCall = { method: Exclude<keyof Deno.AtomicOperation, "commit">; args: unknown[] };

/**
 * An atomic operation that remembers its checks and mutations, so a commit refused with "database is locked"
 * (nothing was written: SQLite rolled the transaction back) is rebuilt and committed again, checks included.
 */
class BusyRetryAtomic {
  #calls: AtomicCall[] = [];
  #first: Deno.AtomicOperation;
  constructor(private readonly kv: Deno.Kv, private readonly policy: BusyPolicy) {
    this.#first = kv.atomic();
  }
  #record(method: AtomicCall["method"], args: unknown[]): this {
    // Applied to a real operation right away, so invalid keys or values throw here as they would unwrapped.
    (this.#first[method] as (...a: unknown[]) => unknown)(...args);
    this.#calls.push({ method, args });
    return this;
  }
  check(...checks: Deno.AtomicCheck[]): this {
    return this.#record("check", checks);
  }
  mutate(...mutations: Deno.KvMutation[]): this {
    return this.#record("mutate", mutations);
  }
  sum(key: Deno.KvKey, n: bigint): this {
    return this.#record("sum", [key, n]);
  }
  min(key: Deno.KvKey, n: bigint): this {
    return this.#record("min", [key, n]);
  }
  max(key: Deno.KvKey, n: bigint): this {
    return this.#record("max", [key, n]);
  }
  set(key: Deno.KvKey, value: unknown, options?: { expireIn?: number }): this {
    return this.#record("set", [key, value, options]);
  }
  delete(key: Deno.KvKey): this {
    return this.#record("delete", [key]);
  }
  enqueue(
    value: unknown,
    options?: { delay?: number; keysIfUndelivered?: Deno.KvKey[]; backoffSchedule?: number[] },
  ): this {
    return this.#record("enqueue", [value, options]);
  }
  commit(): Promise<Deno.KvCommitResult | Deno.KvCommitError> {
    let op: Deno.AtomicOperation | null = this.#first;
    return retryBusy(this.policy, "atomic commit", () => {
      if (!op) {
        op = this.kv.atomic();
        for (const c of this.#calls) (op[c.method] as (...a: unknown[]) => unknown)(...c.args);
      }
      const current = op;
      op = null;
      return current.commit();
    });
  }
}

/**
 * Wraps a KV handle so writes, atomic commits and point reads wait out another process's SQLite write lock
 * with bounded exponential backoff instead of failing with "database is locked" (Deno KV waits by itself only
 * for commits without checks). Everything else (`list`, `watch`, `listenQueue`, `close`) passes through: reads
 * of the WAL-mode file do not wait for the writer. Optimistic checks keep their meaning: a retried commit
 * re-checks the same versionstamps.
 */
function retryBusyKv(kv: Deno.Kv, opts: BusyRetryOptions = {}): Deno.Kv {
  const p = busyPolicy(opts);
  const wrapped: Record<PropertyKey, unknown> = {
    get: (key: Deno.KvKey, o?: unknown) => retryBusy(p, "get", () => kv.get(key, o as never)),
    getMany: (list: Deno.KvKey[], o?: unknown) => retryBusy(p, "getMany", () => kv.getMany(list, o as never)),
    set: (key: Deno.KvKey, value: unknown, o?: { expireIn?: number }) =>
      retryBusy(p, "set", () => kv.set(key, value, o)),
    delete: (key: Deno.KvKey) => retryBusy(p, "delete", () => kv.delete(key)),
    enqueue: (value: unknown, o?: never) => retryBusy(p, "enqueue", () => kv.enqueue(value, o)),
    atomic: () => new BusyRetryAtomic(kv, p),
  };
  return new Proxy(kv, {
    get(target, prop) {
      if (Object.hasOwn(wrapped, prop)) return wrapped[prop];
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Opens Deno KV at `path` (`undefined` = the platform's default) with `retryBusyKv` around it. */
export async function openKv(path: string | undefined, opts: BusyRetryOptions = {}): Promise<Deno.Kv> {
  const p = busyPolicy(opts);
  return retryBusyKv(await retryBusy(p, "open", () => Deno.openKv(path)), opts);
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

/** Deletes the blob under `blobKey` (manifest first, so no reader sees a partial blob); nothing when absent. */
export async function deleteBlob(kv: Deno.Kv, blobKey: readonly Deno.KvKeyPart[]): Promise<void> {
  const manifest = await kv.get<BlobManifest>(keys.blobManifest(blobKey));
  if (!manifest.value) return;
  if (!(await kv.atomic().check(manifest).delete(keys.blobManifest(blobKey)).commit()).ok) return;
  await deleteChunks(kv, blobKey, manifest.value.gen, manifest.value.chunks);
}

/**
 * Stores `bytes` under `blobKey` as chunks of at most 60 KiB plus a manifest. The chunks go under a new
 * generation and the manifest switches to it last, so readers see the old blob or the new one, never a mix;
 * the previous generation's chunks are deleted afterwards. Throws `ConflictError` when another writer replaced
 * the blob at the same time (its chunks are then cleaned up). Use for long series (bars, equity curves).
 * `opts.withSwitch` adds mutations to the commit that switches the manifest (the moment readers see the new
 * blob), e.g. the bump of the public scopes that show it.
 */
export async function putBlob(
  kv: Deno.Kv,
  blobKey: readonly Deno.KvKeyPart[],
  bytes: Uint8Array,
  opts: { expireIn?: number; withSwitch?: (op: Deno.AtomicOperation) => void } = {},
): Promise<void> {
  const manifestKey = keys.blobManifest(blobKey);
  const previous = await kv.get<BlobManifest>(manifestKey);
  const setOpts = opts.expireIn === undefined ? {} : { expireIn: opts.expireIn };
  const gen = randomString(12);
  const chunks = Math.ceil(bytes.length / MAX_CHUNK_BYTES);
  for (let g = 0; g < chunks; g += BLOB_GROUP) {
    let op = kv.atomic();
    for (let i = g; i < Math.min(chunks, g + BLOB_GROUP); i++) {
      op = op.set(
        keys.blobChunk(blobKey, gen, i),
        bytes.slice(i * MAX_CHUNK_BYTES, (i + 1) * MAX_CHUNK_BYTES),
        setOpts,
      );
    }
    if (!(await op.commit()).ok) throw new ConflictError(`Cannot write blob ${JSON.stringify(blobKey)}`);
  }
  const manifest: BlobManifest = { gen, chunks, bytes: bytes.length };
  const op = kv.atomic().check(previous).set(manifestKey, manifest, setOpts);
  opts.withSwitch?.(op);
  const res = await op.commit();
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
