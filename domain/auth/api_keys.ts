/** API keys: created once and shown once, stored as SHA-256, listed by prefix and last four, revoked at once. */
import { iso, isoOrNull } from "../iso_time.ts";
import { newId, randomString, sha256Hex } from "../tokens_and_hashes.ts";
import { ForbiddenError, NotFoundError } from "../errors.ts";
import type { ApiKeyRecord } from "../store/api_key_repo.ts";
import type { Page, PageRequest } from "../store/kv.ts";
import type { UserRecord } from "../store/user_repo.ts";
import type { AuthDeps } from "./auth_deps.ts";
import { API_KEY_PREFIX } from "./sessions.ts";
import { tierInfo } from "./tiers.ts";

/** A key as listed: never the key itself. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  last4: string;
  created_at: string;
  last_used_at: string | null;
}

/** Converts a stored key to its listed view. */
export function toApiKeyView(r: ApiKeyRecord): ApiKeyView {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    last4: r.last4,
    created_at: iso(r.created_at),
    last_used_at: isoOrNull(r.last_used_at),
  };
}

/** Creates a key for `user`; the returned `api_key` is the only time the key is ever shown. */
export async function createApiKey(
  deps: AuthDeps,
  user: UserRecord,
  name: string,
): Promise<{ id: string; name: string; api_key: string; prefix: string; last4: string; created_at: string }> {
  const limit = tierInfo(user.tier).limits.max_api_keys;
  const refuse = () =>
    new ForbiddenError(`API key limit reached: the ${user.tier} tier allows ${limit} keys`);
  if ((await deps.apiKeys.countByUser(user.id)) >= limit) throw refuse();
  const now = deps.clock.now();
  const key = API_KEY_PREFIX + randomString(40);
  const record: ApiKeyRecord = {
    id: newId("key", now),
    user_id: user.id,
    name: name.trim(),
    key_hash: await sha256Hex(key),
    prefix: key.slice(0, API_KEY_PREFIX.length + 4),
    last4: key.slice(-4),
    created_at: now,
    last_used_at: null,
  };
  if (!(await deps.apiKeys.create(record, limit))) throw refuse();
  return {
    id: record.id,
    name: record.name,
    api_key: key,
    prefix: record.prefix,
    last4: record.last4,
    created_at: iso(now),
  };
}

/** Lists the caller's keys, newest first. */
export async function listApiKeys(
  deps: AuthDeps,
  userId: string,
  page: PageRequest,
): Promise<Page<ApiKeyView>> {
  const result = await deps.apiKeys.listByUser(userId, page);
  return { ...result, items: result.items.map(toApiKeyView) };
}

/** Revokes one of the caller's keys; someone else's key is reported as not found. */
export async function revokeApiKey(deps: AuthDeps, userId: string, keyId: string): Promise<void> {
  const record = await deps.apiKeys.get(keyId);
  if (!record || record.user_id !== userId || !(await deps.apiKeys.delete(keyId))) {
    throw new NotFoundError(`API key "${keyId}" not found`);
  }
}
