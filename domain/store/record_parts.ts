/**
 * Large fields of a record stored beside it, inside the record's own atomic commit: the fields' JSON text, gzip
 * compressed, cut into chunks of at most `MAX_CHUNK_BYTES`, each under its own key. The record keeps a small
 * head with `PartsRef`; small records keep the fields inline (one KV value, the format they always had), so the
 * common case reads and writes exactly as before.
 *
 * Used for the signals of a day (a 500-symbol signal with its canonical JSON is ~50 KiB, near Deno KV's 64 KiB
 * per-value limit) and a settled day's positions and trades (~90 KiB and ~190 KiB at 500 symbols). Unlike
 * `putBlob`, these chunks are written in the caller's commit, so a submission or a settled day stays one atomic
 * commit; a new version goes under a fresh generation (`gen`) and the commit that writes it deletes the previous
 * generation's chunks, so a reader that finds a chunk missing knows the head changed and reads it again.
 *
 * Conventions: JSON keeps every finite number exactly (shortest round-trip text); `undefined` properties are
 * dropped (the records' optional fields are absent rather than `undefined`).
 */
import { randomString } from "../tokens_and_hashes.ts";
import { getManyValues, MAX_CHUNK_BYTES } from "./kv.ts";
import { keys } from "./keys.ts";

/**
 * Largest JSON text (UTF-16 code units) of a record's large fields kept inline. The records' V8 serialisation
 * is at most ~1.2× their JSON for this content (9-byte doubles against 3–20 digit decimals), so an inline record
 * stays below ~32 KiB, half the KV value limit.
 */
export const INLINE_JSON_CHARS = 24 * 1024;

/** Where a record's large fields are: `chunks` gzip-compressed JSON chunks (`bytes` in all) of generation `gen`. */
export interface PartsRef {
  gen: string;
  chunks: number;
  bytes: number;
}

/** The record kinds with parts (the second element of their chunk keys). */
export type PartsKind = "signal" | "settled_day" | "settled_trades";

/** Where a record's chunks live: kind, strategy and date. */
export interface PartsOwner {
  kind: PartsKind;
  slug: string;
  date: string;
}

/** The keys of `ref`'s chunks. */
export function partKeys(owner: PartsOwner, ref: PartsRef): Deno.KvKey[] {
  return Array.from(
    { length: ref.chunks },
    (_, i) => keys.recordPart(owner.kind, owner.slug, owner.date, ref.gen, i),
  );
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream): Promise<Uint8Array> {
  const out = new Response(new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(stream));
  return new Uint8Array(await out.arrayBuffer());
}

/** Chunked fields ready to be set in a commit: the head's reference and the chunk keys with their bytes. */
export interface SplitParts {
  ref: PartsRef;
  sets: { key: Deno.KvKey; value: Uint8Array }[];
}

/**
 * `null` when `fields` fit inline (JSON of at most `INLINE_JSON_CHARS`); otherwise their compressed chunks under
 * a fresh generation, for the caller to set in its commit with the head that holds `ref`.
 */
export async function splitParts(owner: PartsOwner, fields: unknown): Promise<SplitParts | null> {
  const text = JSON.stringify(fields);
  if (text.length <= INLINE_JSON_CHARS) return null;
  const bytes = await pipe(new TextEncoder().encode(text), new CompressionStream("gzip"));
  const ref: PartsRef = {
    gen: randomString(12),
    chunks: Math.ceil(bytes.length / MAX_CHUNK_BYTES),
    bytes: bytes.length,
  };
  const sets = partKeys(owner, ref).map((key, i) => ({
    key,
    value: bytes.slice(i * MAX_CHUNK_BYTES, (i + 1) * MAX_CHUNK_BYTES),
  }));
  return { ref, sets };
}

/** Joins and decodes chunks read for `ref`; `null` when one is missing (a newer generation replaced them). */
async function decodeParts<T>(ref: PartsRef, chunks: (Uint8Array | null)[]): Promise<T | null> {
  if (chunks.length !== ref.chunks || chunks.some((c) => c === null)) return null;
  const joined = new Uint8Array(ref.bytes);
  let at = 0;
  for (const c of chunks as Uint8Array[]) {
    if (at + c.length > ref.bytes) return null;
    joined.set(c, at);
    at += c.length;
  }
  if (at !== ref.bytes) return null;
  const text = new TextDecoder().decode(await pipe(joined, new DecompressionStream("gzip")));
  return JSON.parse(text) as T;
}

/**
 * Reads the fields of several records' parts in one pass (batched `getMany`), in order; `null` for a record whose
 * chunks were replaced meanwhile (the caller reads that record's head again).
 */
export async function readParts<T>(
  kv: Deno.Kv,
  items: readonly { owner: PartsOwner; ref: PartsRef }[],
): Promise<(T | null)[]> {
  const all = await getManyValues<Uint8Array>(kv, items.flatMap((it) => partKeys(it.owner, it.ref)));
  const out: (T | null)[] = [];
  let at = 0;
  for (const it of items) {
    out.push(await decodeParts<T>(it.ref, all.slice(at, at + it.ref.chunks)));
    at += it.ref.chunks;
  }
  return out;
}
