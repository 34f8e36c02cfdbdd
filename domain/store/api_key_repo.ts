/** API keys, stored only as the SHA-256 of the key, indexed by hash (for auth) and by user (for listing). */
import { ConflictError } from "../errors.ts";
import { keys } from "./keys.ts";
import { countKeys, type Page, pageIndex, type PageRequest, withRetry } from "./kv.ts";
import type { UserRecord } from "./user_repo.ts";

/** How many key hashes a process remembers the id and user of (`authLookup`); the oldest goes first. */
const KNOWN_HASHES_MAX = 10_000;

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
  /**
   * Inserts a key unless its user already holds `maxPerUser` keys (checked in the same commit as the insert, so
   * concurrent creations cannot overshoot); `false` when the limit is reached, `ConflictError` when id or hash exist.
   */
  create(record: ApiKeyRecord, maxPerUser?: number): Promise<boolean>;
  get(id: string): Promise<ApiKeyRecord | null>;
  /**
   * The key with `hash` (its entry, for `touch`) and its user's record, as stored right now; `null` when no key
   * has `hash`. A key's id and user never change, so once a process has seen a hash it remembers them and
   * reads the key and the user in one `getMany`: a revoked key (deleted) or a changed user is seen on the
   * very next call, whichever process made the change.
   */
  authLookup(hash: string): Promise<{ key: Deno.KvEntry<ApiKeyRecord>; user: UserRecord | null } | null>;
  listByUser(userId: string, page: PageRequest): Promise<Page<ApiKeyRecord>>;
  countByUser(userId: string): Promise<number>;
  /** Deletes the key and its indexes in one commit (retrying over concurrent touches); `false` when it did not exist. */
  delete(id: string): Promise<boolean>;
  /** Deletes every key of `userId`; returns how many were deleted. */
  deleteByUser(userId: string): Promise<number>;
  /** Best-effort `last_used_at` update (skipped on a race); `seen`, the key's entry as just read, saves a read. */
  touch(id: string, nowMs: number, seen?: Deno.KvEntry<ApiKeyRecord>): Promise<void>;
}

/** Creates the KV-backed API-key repository. */
export function createApiKeyRepo(kv: Deno.Kv): ApiKeyRepo {
  const countByUser = (userId: string) => countKeys(kv, keys.apiKeysByUser(userId));
  /** The per-user counter entry and its value (counted from the index when the counter is missing). */
  const readCount = async (userId: string) => {
    const entry = await kv.get<number>(keys.apiKeyCount(userId));
    return { entry, count: entry.value ?? (await countByUser(userId)) };
  };
  /** Hash → the id and user of its key, for keys this process has authenticated (bounded, oldest out). */
  const known = new Map<string, { id: string; userId: string }>();
  const readKeyAndUser = async (id: string, userId: string) => {
    const [key, user] = await kv.getMany<[ApiKeyRecord, UserRecord]>([keys.apiKey(id), keys.user(userId)]);
    return { key, user: user.value };
  };

  const repo: ApiKeyRepo = {
    async create(record, maxPerUser = Number.MAX_SAFE_INTEGER) {
      return await withRetry<boolean>(`create API key "${record.id}"`, async () => {
        const { entry, count } = await readCount(record.user_id);
        if (count >= maxPerUser) return { committed: true, value: false };
        const res = await kv.atomic()
          .check(entry)
          .check({ key: keys.apiKey(record.id), versionstamp: null })
          .check({ key: keys.apiKeyByHash(record.key_hash), versionstamp: null })
          .set(keys.apiKey(record.id), record)
          .set(keys.apiKeyByHash(record.key_hash), record.id)
          .set(keys.apiKeyByUser(record.user_id, record.id), record.id)
          .set(keys.apiKeyCount(record.user_id), count + 1)
          .commit();
        if (res.ok) return { committed: true, value: true };
        const [byId, byHash] = await kv.getMany([keys.apiKey(record.id), keys.apiKeyByHash(record.key_hash)]);
        if (byId.versionstamp || byHash.versionstamp) {
          throw new ConflictError(`Cannot create API key "${record.id}": it exists`);
        }
        return { committed: false };
      });
    },
    async get(id) {
      return (await kv.get<ApiKeyRecord>(keys.apiKey(id))).value;
    },
    async authLookup(hash) {
      const ref = known.get(hash);
      if (ref) {
        const found = await readKeyAndUser(ref.id, ref.userId);
        const key = found.key;
        if (key.versionstamp !== null && key.value.key_hash === hash && key.value.user_id === ref.userId) {
          return { key, user: found.user };
        }
        known.delete(hash); // revoked (deleted): look the hash up afresh below
      }
      const id = (await kv.get<string>(keys.apiKeyByHash(hash))).value;
      if (!id) return null;
      const key = await kv.get<ApiKeyRecord>(keys.apiKey(id));
      if (key.versionstamp === null || key.value.key_hash !== hash) return null;
      const user = (await kv.get<UserRecord>(keys.user(key.value.user_id))).value;
      if (known.size >= KNOWN_HASHES_MAX) known.delete(known.keys().next().value!);
      known.set(hash, { id, userId: key.value.user_id });
      return { key, user };
    },
    listByUser: (userId, page) => pageIndex<ApiKeyRecord>(kv, keys.apiKeysByUser(userId), keys.apiKey, page),
    countByUser,
    async delete(id) {
      return await withRetry<boolean>(`revoke API key "${id}"`, async () => {
        const entry = await kv.get<ApiKeyRecord>(keys.apiKey(id));
        if (!entry.value) return { committed: true, value: false };
        const { entry: counter, count } = await readCount(entry.value.user_id);
        const res = await kv.atomic().check(entry).check(counter)
          .delete(keys.apiKey(id))
          .delete(keys.apiKeyByHash(entry.value.key_hash))
          .delete(keys.apiKeyByUser(entry.value.user_id, id))
          .set(keys.apiKeyCount(entry.value.user_id), Math.max(0, count - 1))
          .commit();
        return res.ok ? { committed: true, value: true } : { committed: false };
      });
    },
    async deleteByUser(userId) {
      let deleted = 0;
      for await (const entry of kv.list<string>({ prefix: keys.apiKeysByUser(userId) })) {
        if (await repo.delete(entry.value)) deleted++;
      }
      return deleted;
    },
    async touch(id, nowMs, seen) {
      const entry = seen?.value.id === id ? seen : await kv.get<ApiKeyRecord>(keys.apiKey(id));
      if (!entry.value) return;
      await kv.atomic().check(entry).set(keys.apiKey(id), { ...entry.value, last_used_at: nowMs }).commit();
    },
  };
  return repo;
}
