/** The public shape of a user, as every identity route returns it. */
import { iso, isoOrNull } from "../iso_time.ts";
import type { Tier, UserRecord } from "../store/user_repo.ts";

/** Accounts created from invite codes get addresses in this reserved domain, which users may not claim. */
export const RESERVED_EMAIL_DOMAIN = "quantedge.local";

/**
 * Every domain no user may claim: ours, and the QuantGPT guide's anonymous domain (`@quantgpt.local`, which the
 * guide says is refused), so an address copied from that document is refused too.
 */
const RESERVED_EMAIL_DOMAINS = [RESERVED_EMAIL_DOMAIN, "quantgpt.local"] as const;

/** A user as the API shows it (no hashes, ISO timestamps). */
export interface UserView {
  id: string;
  email: string;
  nickname: string | null;
  tier: Tier;
  is_admin: boolean;
  is_anonymous: boolean;
  email_verified: boolean;
  has_password: boolean;
  profile_complete: boolean;
  github_login: string | null;
  disabled: boolean;
  /** An email change waiting for its confirmation code (not attached yet), or `null`. */
  pending_email: string | null;
  /** When the pending change's code stops working (ISO), or `null`. */
  pending_email_expires_at: string | null;
  created_at: string;
  last_login_at: string | null;
}

/** `true` when `email` belongs to a reserved local domain (`@quantedge.local`, `@quantgpt.local`). */
export function isReservedEmail(email: string): boolean {
  const lower = email.toLowerCase();
  return RESERVED_EMAIL_DOMAINS.some((d) => lower.endsWith(`@${d}`));
}

/** `true` when `user` is an administrator: a verified email listed in configuration. */
export function isAdmin(user: UserRecord, adminEmails: readonly string[]): boolean {
  return user.email_verified && !isReservedEmail(user.email) && adminEmails.includes(user.email);
}

/** A profile is complete once the account has a real email it can sign in with (verified, or with a password). */
export function isProfileComplete(user: UserRecord): boolean {
  return !isReservedEmail(user.email) && (user.email_verified || user.password_hash !== null);
}

/** Converts a stored user to its API view. */
export function toUserView(user: UserRecord, adminEmails: readonly string[]): UserView {
  return {
    id: user.id,
    email: user.email,
    nickname: user.nickname,
    tier: user.tier,
    is_admin: isAdmin(user, adminEmails),
    is_anonymous: isReservedEmail(user.email),
    email_verified: user.email_verified,
    has_password: user.password_hash !== null,
    profile_complete: isProfileComplete(user),
    github_login: user.github_login,
    disabled: user.disabled,
    pending_email: user.pending_email?.email ?? null,
    pending_email_expires_at: user.pending_email ? iso(user.pending_email.expires_at) : null,
    created_at: iso(user.created_at),
    last_login_at: isoOrNull(user.last_login_at),
  };
}

/** A fresh user record with defaults (tier free, enabled, no password). */
export function newUserRecord(
  fields: Pick<UserRecord, "id" | "email"> & Partial<UserRecord>,
  nowMs: number,
): UserRecord {
  return {
    nickname: null,
    password_hash: null,
    tier: "free",
    disabled: false,
    email_verified: false,
    github_id: null,
    github_login: null,
    created_at: nowMs,
    updated_at: nowMs,
    last_login_at: null,
    session_epoch: 0,
    ...fields,
  };
}
