/** A verified, enabled user record for tests and benchmarks that store users directly. */
import type { UserRecord } from "../../domain/store/user_repo.ts";

/** User `id` (email `<id>@example.com` unless given) of `tier`, created and updated at `atMs`. */
export function userRecord(
  id: string,
  opts: { tier?: UserRecord["tier"]; nickname?: string | null; email?: string; atMs?: number } = {},
): UserRecord {
  const at = opts.atMs ?? 0;
  return {
    id,
    email: opts.email ?? `${id}@example.com`,
    nickname: opts.nickname ?? null,
    password_hash: null,
    tier: opts.tier ?? "free",
    disabled: false,
    email_verified: true,
    github_id: null,
    github_login: null,
    created_at: at,
    updated_at: at,
    last_login_at: null,
  };
}
