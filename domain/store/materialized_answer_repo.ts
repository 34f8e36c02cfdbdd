/**
 * Materialised public answers: an answer's JSON bytes stored in KV under its cache key with the version token
 * it was built at, so every isolate (and a restarted one) serves the answer one process built instead of
 * building it again. The bytes are split in parts under KV's 64 KiB value limit and written in one commit with
 * the entry naming the token and part count, so one consistent `getMany` reads them back.
 *
 * An answer is current only while its token is the one its scopes read now (the reader compares); a rebuilt
 * answer replaces the stored one. Entries expire 30 days after their last write, which clears answers of
 * strategies that left the public list.
 */
import { keys } from "./keys.ts";

/** Bytes in one part (under the 64 KiB value limit with the serialiser's header). */
export const MATERIALIZED_PART_BYTES = 63 * 1024;
/** Most parts of one answer (one `getMany` reads them with their entry): about 567 KiB. */
export const MATERIALIZED_MAX_PARTS = 9;
/** Longest cache key stored (KV keys are at most 2 KiB). */
const MAX_KEY_CHARS = 1000;
/** How long an entry lives after its last write. */
const EXPIRE_MS = 30 * 24 * 3600 * 1000;

/** What the entry of a materialised answer holds. */
interface MaterializedEntry {
  token: string;
  parts: number;
  bytes: number;
}

/** Reading and writing materialised answers. */
export interface MaterializedAnswerRepo {
  /** The JSON stored for `key` at `token`; `null` when none, or the stored one is of another token. */
  get(key: string, token: string): Promise<Uint8Array<ArrayBuffer> | null>;
  /**
   * Stores `json` for `key` at `token` (replacing any other); `false` (nothing stored) when the answer or the key
   * is too large to materialise.
   */
  put(key: string, token: string, json: Uint8Array): Promise<boolean>;
}

/** Creates the repository on `kv`. */
export function createMaterializedAnswerRepo(kv: Deno.Kv): MaterializedAnswerRepo {
  const entryKeys = (key: string) => [
    keys.materializedAnswer(key, "m"),
    ...Array.from({ length: MATERIALIZED_MAX_PARTS }, (_, i) => keys.materializedAnswer(key, i)),
  ];
  return {
    async get(key, token) {
      if (key.length > MAX_KEY_CHARS) return null;
      const [entry, ...parts] = await kv.getMany<unknown[]>(entryKeys(key));
      const m = entry.value as MaterializedEntry | null;
      if (!m || m.token !== token) return null;
      const out = new Uint8Array(m.bytes);
      let at = 0;
      for (let i = 0; i < m.parts; i++) {
        const part = parts[i].value as Uint8Array | null;
        if (!part) return null;
        out.set(part, at);
        at += part.byteLength;
      }
      return at === m.bytes ? out : null;
    },
    async put(key, token, json) {
      const parts = Math.max(1, Math.ceil(json.byteLength / MATERIALIZED_PART_BYTES));
      if (key.length > MAX_KEY_CHARS || parts > MATERIALIZED_MAX_PARTS) return false;
      const op = kv.atomic();
      const options = { expireIn: EXPIRE_MS };
      const entry: MaterializedEntry = { token, parts, bytes: json.byteLength };
      op.set(keys.materializedAnswer(key, "m"), entry, options);
      for (let i = 0; i < MATERIALIZED_MAX_PARTS; i++) {
        const k = keys.materializedAnswer(key, i);
        if (i < parts) {
          op.set(k, json.slice(i * MATERIALIZED_PART_BYTES, (i + 1) * MATERIALIZED_PART_BYTES), options);
        } else op.delete(k);
      }
      return (await op.commit()).ok;
    },
  };
}
