/**
 * Changing a user's email. A new address is only pending until the user types the 6-digit code mailed to it;
 * then it is attached, provided nobody holds it at that moment (checked in the same commit as the email index).
 * Requests answer the same whether or not the address belongs to an account, so they cannot be used to probe.
 * Codes are stored as an HMAC bound to the user and the address, valid 10 minutes, void after 5 wrong tries.
 */
import { hmacSha256Hex, randomDigits, timingSafeEqual } from "../tokens_and_hashes.ts";
import { ConflictError, ServiceUnavailableError, ValidationError } from "../errors.ts";
import type { PendingEmailChange, UserRecord } from "../store/user_repo.ts";
import type { AuthDeps } from "./auth_deps.ts";

/** How long a confirmation code is valid. */
export const EMAIL_CHANGE_TTL_MS = 10 * 60_000;
/** Wrong tries after which a confirmation code is void. */
export const EMAIL_CHANGE_MAX_ATTEMPTS = 5;
/** Digits in a confirmation code. */
export const EMAIL_CHANGE_DIGITS = 6;

const codeHash = (deps: AuthDeps, userId: string, email: string, code: string) =>
  hmacSha256Hex(deps.settings.otpHmacKey, `email-change:${userId}:${email}:${code}`);

/**
 * Counts one email change against the per-IP, per-user and per-address limits; throws `RateLimitError` when
 * over. Runs before anything looks at the address, so a refusal says nothing about it either.
 */
export async function limitEmailChange(deps: AuthDeps, userId: string, email: string, ip: string) {
  const rules = deps.settings.rateLimits;
  await deps.limiter.consume("email_change_ip", ip, rules.emailChangePerIp);
  await deps.limiter.consume("email_change_user", userId, rules.emailChangePerUser);
  await deps.limiter.consume("email_change_to", email, rules.otpPerEmail);
}

/** A fresh code for `email` and the pending change to store for `userId`. */
export async function newEmailChange(
  deps: AuthDeps,
  userId: string,
  email: string,
): Promise<{ code: string; pending: PendingEmailChange }> {
  const code = randomDigits(EMAIL_CHANGE_DIGITS);
  return {
    code,
    pending: {
      email,
      code_hash: await codeHash(deps, userId, email, code),
      expires_at: deps.clock.now() + EMAIL_CHANGE_TTL_MS,
      attempts: 0,
    },
  };
}

/** Mails the confirmation code to the new address; `ServiceUnavailableError` when it cannot be sent. */
export async function mailEmailChangeCode(deps: AuthDeps, email: string, code: string): Promise<void> {
  try {
    await deps.mailer.send({
      to: email,
      subject: `Your Quantedge email confirmation code: ${code}`,
      text: `Your Quantedge email confirmation code is ${code}\n\n` +
        "Someone signed in to Quantedge asked to use this address for their account. Enter the code in " +
        "your profile to confirm it; it is valid for 10 minutes.\n" +
        "If it was not you, ignore this message: the address is not attached without the code.\n",
    });
  } catch (e) {
    deps.log("error", "email change mail failed", {
      email_domain: email.split("@")[1],
      error: (e as Error).message,
    });
    throw new ServiceUnavailableError("Cannot send the confirmation code right now, try again later");
  }
}

/**
 * Confirms the pending email change of `userId` with `code`: attaches the address (verified) and releases the
 * old one. A wrong, expired, void or missing code is a 422 on `code`; an address someone else claimed in the
 * meantime is `ConflictError("Email already in use")` and ends the pending change.
 */
export async function confirmEmailChange(deps: AuthDeps, userId: string, code: string): Promise<UserRecord> {
  const invalid = () => new ValidationError("Invalid or expired code", ["code"]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const now = deps.clock.now();
    const current = await deps.users.get(userId);
    const pending = current?.pending_email;
    if (!current || !pending) throw invalid();
    const matches = timingSafeEqual(await codeHash(deps, userId, pending.email, code), pending.code_hash);
    const same = (u: UserRecord) => u.pending_email?.code_hash === pending.code_hash;
    const usable = pending.expires_at > now && pending.attempts < EMAIL_CHANGE_MAX_ATTEMPTS;
    if (!usable || !matches) {
      let raced = false;
      await deps.users.update(userId, (u) => {
        if (!same(u)) {
          raced = true;
          return u;
        }
        const p = u.pending_email!;
        const tries = p.attempts + 1;
        const spent = !usable || tries >= EMAIL_CHANGE_MAX_ATTEMPTS;
        return { ...u, pending_email: spent ? null : { ...p, attempts: tries } };
      });
      if (raced) continue; // a new code or another try landed first: judge against the current record
      throw invalid();
    }
    let raced = false;
    try {
      const user = await deps.users.update(userId, (u) => {
        if (!same(u)) {
          raced = true;
          return u;
        }
        return { ...u, email: pending.email, email_verified: true, pending_email: null, updated_at: now };
      });
      if (raced) continue;
      deps.log("info", "email changed", { user_id: userId, email_domain: pending.email.split("@")[1] });
      return user;
    } catch (e) {
      if (!(e instanceof ConflictError) || e.message !== "Email already in use") throw e;
      await deps.users.update(userId, (u) => (same(u) ? { ...u, pending_email: null } : u));
      throw new ConflictError("Email already in use");
    }
  }
  throw invalid();
}
