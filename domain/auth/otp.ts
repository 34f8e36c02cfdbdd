/**
 * Email one-time codes: 6 digits from the CSPRNG, stored as an HMAC with their expiry time, valid 10 minutes,
 * void after 5 wrong tries. Requests answer the same whether or not an account exists.
 */
import { hmacSha256Hex, newId, randomDigits, timingSafeEqual } from "../tokens_and_hashes.ts";
import { ServiceUnavailableError, UnauthorizedError, ValidationError } from "../errors.ts";
import type { AuthDeps } from "./auth_deps.ts";
import { issueSession, type TokenPair } from "./sessions.ts";
import { isReservedEmail, newUserRecord } from "./user_view.ts";

/** How long a code is valid. */
export const OTP_TTL_MS = 10 * 60_000;
/** Wrong tries after which a code is void. */
export const OTP_MAX_ATTEMPTS = 5;
/** Digits in a code. */
export const OTP_DIGITS = 6;

/** The answer to every accepted request, so it reveals nothing about accounts. */
export const OTP_SENT_MESSAGE = "OTP sent to your email.";

const codeHash = (deps: AuthDeps, email: string, code: string) =>
  hmacSha256Hex(deps.settings.otpHmacKey, `otp:${email}:${code}`);

/** Lower-cases and trims an email, and refuses the reserved local domain. */
export function normaliseEmail(email: string, loc: string[] = ["email"]): string {
  const normal = email.trim().toLowerCase();
  if (isReservedEmail(normal)) {
    throw new ValidationError(
      `The domain of "${normal}" is reserved for anonymous accounts (@quantedge.local, @quantgpt.local)`,
      loc,
    );
  }
  return normal;
}

/** Creates a code for `email`, replacing any pending one, and mails it. Rate-limited per email and per IP. */
export async function requestOtp(deps: AuthDeps, rawEmail: string, ip: string): Promise<{ message: string }> {
  const email = normaliseEmail(rawEmail);
  await deps.limiter.consume("otp_ip", ip, deps.settings.rateLimits.otpPerIp);
  await deps.limiter.consume("otp_email", email, deps.settings.rateLimits.otpPerEmail);
  const code = randomDigits(OTP_DIGITS);
  const now = deps.clock.now();
  await deps.otps.put(email, {
    code_hash: await codeHash(deps, email, code),
    expires_at: now + OTP_TTL_MS,
    attempts: 0,
  }, OTP_TTL_MS);
  try {
    await deps.mailer.send({
      to: email,
      subject: `Your Quantedge sign-in code: ${code}`,
      text: `Your Quantedge sign-in code is ${code}\n\nIt is valid for 10 minutes. ` +
        `If you did not ask for it, you can ignore this message.\n`,
    });
  } catch (e) {
    deps.log("error", "otp mail failed", { email_domain: email.split("@")[1], error: (e as Error).message });
    throw new ServiceUnavailableError("Cannot send the sign-in code right now, try again later");
  }
  deps.log("info", "otp requested", { email_domain: email.split("@")[1] });
  return { message: OTP_SENT_MESSAGE };
}

/**
 * Checks a code; on success consumes it and signs the user in, creating the account on first success.
 * Every failure answers the same 401, so wrong, expired, void and unknown codes look alike. The access token
 * lives `accessTtlMs` (default: the OTP flow's configured lifetime, `OTP_ACCESS_TOKEN_TTL_HOURS`).
 */
export async function verifyOtp(
  deps: AuthDeps,
  rawEmail: string,
  code: string,
  ip: string,
  accessTtlMs: number = deps.settings.otpAccessTokenTtlMs,
): Promise<TokenPair> {
  const email = normaliseEmail(rawEmail);
  await deps.limiter.consume("otp_verify_ip", ip, deps.settings.rateLimits.verifyPerIp);
  const invalid = new UnauthorizedError("Invalid or expired code");
  for (let attempt = 0; attempt < 10; attempt++) {
    const now = deps.clock.now();
    const seen = await deps.otps.get(email);
    if (!seen) throw invalid;
    if (seen.record.expires_at <= now || seen.record.attempts >= OTP_MAX_ATTEMPTS) {
      await deps.otps.delete(email);
      throw invalid;
    }
    const matches = timingSafeEqual(await codeHash(deps, email, code), seen.record.code_hash);
    if (!matches) {
      const recorded = await deps.otps.recordFailure(email, seen, seen.record.expires_at - now);
      if (!recorded) continue;
      throw invalid;
    }
    if (!(await deps.otps.consume(email, seen))) continue; // raced with another try: re-read
    const user = await signInByVerifiedEmail(deps, email, now);
    return await issueSession(deps, user, accessTtlMs);
  }
  throw invalid;
}

/**
 * Finds or creates the account for a verified email. An existing account whose email was not verified yet
 * becomes verified, and whatever was set up before (password, sessions, API keys, a GitHub link) is revoked: it
 * may belong to someone who typed an address they do not own.
 */
async function signInByVerifiedEmail(deps: AuthDeps, email: string, now: number) {
  const existing = await deps.users.getByEmail(email);
  if (!existing) {
    try {
      const user = newUserRecord(
        { id: newId("usr", now), email, email_verified: true, last_login_at: now },
        now,
      );
      await deps.users.create(user);
      deps.log("info", "user created", { user_id: user.id, via: "otp" });
      return user;
    } catch {
      const raced = await deps.users.getByEmail(email);
      if (!raced) throw new UnauthorizedError("Invalid or expired code");
      return await markLogin(deps, raced.id, now);
    }
  }
  return await markLogin(deps, existing.id, now);
}

async function markLogin(deps: AuthDeps, userId: string, now: number) {
  let firstVerification = false;
  const user = await deps.users.update(userId, (u) => {
    firstVerification = !u.email_verified;
    return {
      ...u,
      password_hash: firstVerification ? null : u.password_hash,
      // A GitHub account linked before the email was proven may be the squatter's way back in: unlink it (the
      // owner links their own with one GitHub sign-in).
      github_id: firstVerification ? null : u.github_id,
      github_login: firstVerification ? null : u.github_login,
      session_epoch: (u.session_epoch ?? 0) + (firstVerification ? 1 : 0),
      email_verified: true,
      last_login_at: now,
      updated_at: now,
    };
  });
  if (firstVerification) {
    const keys = await deps.apiKeys.deleteByUser(userId);
    deps.log("info", "email verified: earlier credentials revoked", { user_id: userId, api_keys: keys });
  }
  return user;
}
