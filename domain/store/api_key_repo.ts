/** API keys, stored only as the SHA-256 of the key, indexed by hash (for auth) and by user (for listing). */
import { ConflictError } from "../errors.ts";
import { keys } from "./keys.ts";
import { type Page, type PageRequest, pageIndex } from "./kv.ts";

/** A stored API key: never the key itself, only its hash and the parts safe to show. */
export interface ApiKeyRecord {
  id: string;
  user_id: string;
  name: string;
  key_hash: string;
  /** The first characters of the key, e.g. `qe_AbC1`. */
  prefix: string;
  last4: string;
  created_at: number;
  last_used_at: number | null;
}

/** Persistence of API keys. */
export interface ApiKeyRepo {
  create(record: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | null>;
  getByHash(hash: string): Promise<ApiKeyRecord | null>;
  listByUser(userId: string, page: PageRequest): Promise<Page<ApiKeyRecord>>;
  countByUser(userId: string): Promise<number>;
  /** Deletes the key and its indexes in one commit; `false` when it did not exist. */
  delete(id: string): Promise<boolean>;
  /** Best-effort `last_used_at` update (skipped on a race). */
  touch(id: string, nowMs: number): Promise<void>;
}

/** Creates the KV-backed API-key repository. */
export function createApiKeyRepo(kv: Deno.Kv): ApiKeyRepo {
  return {
    async create(record) {
      const res = await kv.atomic()
        .check({ key: keys.apiKey(record.id), versionstamp: null })
        .check({ key: keys.apiKeyByHash(record.key_hash), versionstamp: null })
        .set(keys.apiKey(record.id), record)
        .set(keys.apiKeyByHash(record.key_hash), record.id)
        .set(keys.apiKeyByUser(record.user_id, record.id), record.id)
        .commit();
      if (!res.ok) throw new ConflictError(`Cannot create API key "${record.id}": it exists`);
    },
    async get(id) {
      return (await kv.get<ApiKeyRecord>(keys.apiKey(id))).value;
    },
    async getByHash(hash) {
      const id = await kv.get<string>(keys.apiKeyByHash(hash));
      return id.value ? (await kv.get<ApiKeyRecord>(keys.apiKey(id.value))).value : null;
    },
    listByUser: (userId, page) => pageIndex<ApiKeyRecord>(kv, keys.apiKeysByUser(userId), keys.apiKey, page),
    async countByUser(userId) {
      let n = 0;
      for await (const _ of kv.list({ prefix: keys.apiKeysByUser(userId) })) n++;
      return n;
    },
    async delete(id) {
      const entry = await kv.get<ApiKeyRecord>(keys.apiKey(id));
      if (!entry.value) return false;
      const res = await kv.atomic().check(entry)
        .delete(keys.apiKey(id))
        .delete(keys.apiKeyByHash(entry.value.key_hash))
        .delete(keys.apiKeyByUser(entry.value.user_id, id))
        .commit();
      return res.ok;
    },
    async touch(id, nowMs) {
      const entry = await kv.get<ApiKeyRecord>(keys.apiKey(id));
      if (!entry.value) return;
      await kv.atomic().check(entry).set(keys.apiKey(id), { ...entry.value, last_used_at: nowMs }).commit();
    },
  };
}
