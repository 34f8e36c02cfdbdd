/**
 * The identity area's front door: every operation an adapter (HTTP today; MCP, a dashboard, a CLI later) calls
 * for sign-in, the current user, API keys and tiers, and the admin's invites and users — each answering its API
 * view, never a stored record. Field paths of a `ValidationError` are relative to the operation's input
 * (`["nickname"]`); each adapter puts its own prefix in front.
 */
import { NotFoundError } from "../errors.ts";
import type { Page } from "../store/kv.ts";
import type { Tier, UserRecord } from "../store/user_repo.ts";
import { adminUpdateUser, type ProfileChange, updateProfile } from "./accounts.ts";
import type { AuthDeps } from "./auth_deps.ts";
import { confirmEmailChange } from "./email_change.ts";
import { createInvite, type InviteCodeView } from "./invites.ts";
import { authenticate, logout, refreshSession, type TokenPair } from "./sessions.ts";
import { type TierInfo, tierInfo, TIERS } from "./tiers.ts";
import { toUserView, type UserView } from "./user_view.ts";

export { login, redeemInvite } from "./accounts.ts";
export { registerAgent } from "./agent_registration.ts";
export { createApiKey, listApiKeys, revokeApiKey } from "./api_keys.ts";
export { finishGithubSignIn, startGithubSignIn } from "./github_oauth.ts";
export { disableInvite, listInvites } from "./invites.ts";
export { requestOtp, verifyOtp } from "./otp.ts";

/** The user as the API shows them to themselves or to an admin. */
export function userView(deps: AuthDeps, user: UserRecord): UserView {
  return toUserView(user, deps.settings.adminEmails);
}

/** Rotates a refresh token, rate-limited per client IP (`refreshPerIp`) before the token is looked at. */
export async function refreshTokens(deps: AuthDeps, refreshToken: string, ip: string): Promise<TokenPair> {
  await deps.limiter.consume("refresh_ip", ip, deps.settings.rateLimits.refreshPerIp);
  return await refreshSession(deps, refreshToken);
}

/**
 * Signs out: revokes the session of `refreshToken` and the session behind `credential` (a bearer access token).
 * A credential that does not authenticate has no session to revoke; signing out still succeeds.
 */
export async function signOut(
  deps: AuthDeps,
  by: { refreshToken?: string; credential?: string | null },
): Promise<void> {
  const sessionId = by.credential
    ? await authenticate(deps, by.credential).then((p) => p.sessionId, () => null)
    : null;
  await logout(deps, { refreshToken: by.refreshToken, sessionId });
}

/** Changes the caller's profile (see `updateProfile`) and answers the updated user. */
export async function changeProfile(
  deps: AuthDeps,
  caller: { userId: string; sessionId: string | null },
  change: ProfileChange,
  ip: string,
): Promise<UserView> {
  return userView(deps, await updateProfile(deps, caller.userId, change, ip, caller.sessionId));
}

/** Attaches the caller's pending email with its code (see `confirmEmailChange`) and answers the updated user. */
export async function confirmEmail(deps: AuthDeps, userId: string, code: string): Promise<UserView> {
  return userView(deps, await confirmEmailChange(deps, userId, code));
}

/** A tier with the caller's usage of its limits. */
export interface MyTierView extends TierInfo {
  usage: { api_keys: number };
}

/** The caller's tier, its limits and what the caller uses of them. */
export async function myTier(deps: AuthDeps, user: UserRecord): Promise<MyTierView> {
  return { ...tierInfo(user.tier), usage: { api_keys: await deps.apiKeys.countByUser(user.id) } };
}

/** Every tier and its limits, in upgrade order. */
export function allTiers(): { tiers: TierInfo[] } {
  return { tiers: [...TIERS] };
}

/** Admin: creates an invite code; `expires_at` is an ISO date-time (or absent/`null`: never). */
export async function createInviteCode(
  deps: AuthDeps,
  adminId: string,
  input: { code?: string; max_uses: number; expires_at?: string | null; note?: string | null },
): Promise<InviteCodeView> {
  return await createInvite(deps, adminId, {
    code: input.code,
    max_uses: input.max_uses,
    expires_at: input.expires_at ? Date.parse(input.expires_at) : null,
    note: input.note ?? null,
  });
}

/**
 * Admin: a page of users, or the one user with `email` (trimmed, case ignored; an empty page when none has it,
 * at offset 0 whatever `offset` says).
 */
export async function findUsers(
  deps: AuthDeps,
  query: { email?: string; limit: number; offset: number },
): Promise<Page<UserView>> {
  if (query.email !== undefined) {
    const user = await deps.users.getByEmail(query.email.trim().toLowerCase());
    const items = user ? [userView(deps, user)] : [];
    return { items, total: items.length, limit: query.limit, offset: 0 };
  }
  const page = await deps.users.list({ limit: query.limit, offset: query.offset });
  return { ...page, items: page.items.map((u) => userView(deps, u)) };
}

/** Admin: one user; `NotFoundError` when there is none with `id`. */
export async function getUser(deps: AuthDeps, id: string): Promise<UserView> {
  const user = await deps.users.get(id);
  if (!user) throw new NotFoundError(`User "${id}" not found`);
  return userView(deps, user);
}

/** Admin: sets a user's tier and/or disabled flag and answers the updated user. */
export async function updateUser(
  deps: AuthDeps,
  id: string,
  change: { tier?: Tier; disabled?: boolean },
): Promise<UserView> {
  return userView(deps, await adminUpdateUser(deps, id, change));
}
