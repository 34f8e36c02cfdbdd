/** Account operations: invite sign-up, password login, profile changes, and admin tier/disable. */
import { newId, randomString } from "../tokens_and_hashes.ts";
import {
  BadRequestError,
  ConflictError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from "../errors.ts";
import type { Tier, UserRecord } from "../store/user_repo.ts";
import type { AuthDeps } from "./auth_deps.ts";
import { normaliseEmail } from "./otp.ts";
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from "./password.ts";
import { limitEmailChange, mailEmailChangeCode, newEmailChange } from "./email_change.ts";
import { issueSession, type TokenPair } from "./sessions.ts";
import { newUserRecord, RESERVED_EMAIL_DOMAIN } from "./user_view.ts";

/** Nicknames: 2–30 letters, digits, CJK characters, `_` or `-`; unique ignoring case. */
export const NICKNAME_PATTERN =
  /^[A-Za-z0-9_\-\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]{2,30}$/u;

const ANON_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

/**
 * Redeems an invite code: one new anonymous account (`user_xxxxxx@quantedge.local`, tier free) per call. An
 * unknown, disabled, expired or used-up code is one `BadRequestError` (400, `detail` a string, as the QuantGPT
 * guide's business errors): the same answer for each, so codes cannot be probed by their refusals.
 */
export async function redeemInvite(deps: AuthDeps, rawCode: string, ip: string): Promise<TokenPair> {
  return await issueSession(deps, await claimInviteAccount(deps, rawCode, ip));
}

/**
 * The account half of `redeemInvite`: counts one use of the code (rate-limited per IP, the same refusal for
 * every unusable code) and creates the anonymous account, without opening a session (an agent registering
 * over MCP takes an API key instead: `registerAgent`).
 */
export async function claimInviteAccount(deps: AuthDeps, rawCode: string, ip: string): Promise<UserRecord> {
  await deps.limiter.consume("invite_ip", ip, deps.settings.rateLimits.invitePerIp);
  const code = rawCode.trim().toUpperCase();
  const unusable = new BadRequestError("Invalid invite code: it is unknown, disabled, expired or used up");
  for (let attempt = 0; attempt < 20; attempt++) {
    const now = deps.clock.now();
    const seen = await deps.invites.get(code);
    if (!seen) throw unusable;
    const r = seen.record;
    if (r.disabled || r.uses >= r.max_uses || (r.expires_at !== null && r.expires_at <= now)) throw unusable;
    if (!(await deps.invites.replace(seen, { ...r, uses: r.uses + 1 }))) continue;
    const user = await createAnonymousUser(deps, now);
    deps.log("info", "user created", { user_id: user.id, via: "invite" });
    return user;
  }
  throw new ConflictError("Invite code is busy, try again");
}

async function createAnonymousUser(deps: AuthDeps, now: number): Promise<UserRecord> {
  for (let i = 0; i < 10; i++) {
    const handle = `user_${randomString(6, ANON_ALPHABET)}`;
    const user = newUserRecord({
      id: newId("usr", now),
      email: `${handle}@${RESERVED_EMAIL_DOMAIN}`,
      nickname: handle,
      last_login_at: now,
    }, now);
    try {
      await deps.users.create(user);
      return user;
    } catch (e) {
      if (!(e instanceof ConflictError)) throw e;
    }
  }
  throw new ConflictError("Cannot allocate an anonymous handle, try again");
}

/**
 * Signs in with email and password; rate-limited per email and per IP; one answer for every failure, a disabled
 * account included (only a sign-in that proves the email, such as OTP, is told "Account disabled").
 */
export async function login(
  deps: AuthDeps,
  rawEmail: string,
  password: string,
  ip: string,
): Promise<TokenPair> {
  const email = rawEmail.trim().toLowerCase();
  const rule = deps.settings.rateLimits.login;
  await deps.limiter.consume("login_ip", ip, { ...rule, limit: rule.limit * 5 });
  await deps.limiter.consume("login_email", email, rule);
  const user = await deps.users.getByEmail(email);
  // The hash always runs, and a disabled account fails like a wrong password (no reset of the failure count),
  // so neither the answer nor the time taken tells whether the password was right.
  const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!user || !user.password_hash || !ok || user.disabled) {
    throw new UnauthorizedError("Incorrect email or password");
  }
  await deps.limiter.reset("login_email", email, rule);
  const now = deps.clock.now();
  const updated = await deps.users.update(user.id, (u) => ({ ...u, last_login_at: now }));
  return await issueSession(deps, updated);
}

/** A profile change; absent fields stay as they are. */
export interface ProfileChange {
  nickname?: string;
  email?: string;
  password?: string;
}

/**
 * Changes nickname and/or password in one commit, and starts an email change: a new email is only stored as
 * pending and a confirmation code is mailed to it (`confirmEmailChange` attaches it). The answer is the same
 * whether or not the new email belongs to an account; email changes are rate-limited per user, IP and address.
 * A taken nickname (ignoring case) is a `ConflictError`. Asking for the current, verified email drops any
 * pending change and mails nothing. A new password ends every session of the user except `keepSessionId` (the
 * one making the change, `null` when it is made with an API key).
 */
export async function updateProfile(
  deps: AuthDeps,
  userId: string,
  change: ProfileChange,
  ip: string,
  keepSessionId: string | null = null,
): Promise<UserRecord> {
  const nickname = change.nickname?.normalize("NFC").trim();
  if (nickname !== undefined && !NICKNAME_PATTERN.test(nickname)) {
    throw new ValidationError(
      "Nickname must be 2-30 characters: letters, digits, CJK characters, '_' or '-'",
      ["nickname"],
    );
  }
  const email = change.email === undefined ? undefined : normaliseEmail(change.email);
  if (email !== undefined) await limitEmailChange(deps, userId, email, ip);
  const emailChange = email === undefined ? undefined : await newEmailChange(deps, userId, email);
  const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
  const now = deps.clock.now();
  let mailCode = false;
  let epochBefore = 0;
  const user = await deps.users.update(userId, (u) => {
    epochBefore = u.session_epoch ?? 0;
    const next = { ...u, updated_at: now };
    if (nickname !== undefined) next.nickname = nickname;
    if (emailChange !== undefined) {
      mailCode = !(emailChange.pending.email === u.email && u.email_verified);
      next.pending_email = mailCode ? emailChange.pending : null;
    }
    if (passwordHash !== undefined) {
      next.password_hash = passwordHash;
      // Whoever holds another session (or its refresh token) loses it with the old password.
      next.session_epoch = (u.session_epoch ?? 0) + 1;
    }
    return next;
  });
  if (passwordHash !== undefined && keepSessionId !== null) {
    await deps.sessions.adoptEpoch(keepSessionId, userId, epochBefore, user.session_epoch ?? 0, now);
  }
  if (emailChange && mailCode) await mailEmailChangeCode(deps, emailChange.pending.email, emailChange.code);
  return user;
}

/** Admin: sets a user's tier and/or disabled flag. */
export async function adminUpdateUser(
  deps: AuthDeps,
  userId: string,
  change: { tier?: Tier; disabled?: boolean },
): Promise<UserRecord> {
  const now = deps.clock.now();
  try {
    return await deps.users.update(userId, (u) => ({
      ...u,
      tier: change.tier ?? u.tier,
      disabled: change.disabled ?? u.disabled,
      updated_at: now,
    }));
  } catch (e) {
    if (e instanceof NotFoundError) throw new NotFoundError(`User "${userId}" not found`);
    throw e;
  }
}
