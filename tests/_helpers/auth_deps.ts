/** Builds the identity services alone (no HTTP) on a fresh `:memory:` KV with a fixed clock, for domain tests. */
import type { AuthDeps, AuthSettings } from "../../domain/auth/auth_deps.ts";
import { createRateLimiter } from "../../domain/auth/rate_limiter.ts";
import { fixedClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { createApiKeyRepo } from "../../domain/store/api_key_repo.ts";
import { createInviteRepo } from "../../domain/store/invite_repo.ts";
import { createOtpRepo } from "../../domain/store/otp_repo.ts";
import { createRateLimitRepo } from "../../domain/store/rate_limit_repo.ts";
import { createSessionRepo } from "../../domain/store/session_repo.ts";
import { createUserRepo } from "../../domain/store/user_repo.ts";
import { createJwtCodec } from "../../routes/jwt_codec.ts";
import { captureMailer, T0 } from "./test_app.ts";

/** The secret the helper signs with (also the OTP HMAC key). */
export const AUTH_TEST_SECRET = "auth-deps-secret-auth-deps-secret-0123";

/** Identity services plus the handles a test inspects. */
export interface AuthWorld {
  deps: AuthDeps;
  kv: Deno.Kv;
  clock: ReturnType<typeof fixedClock>;
  sent: ReturnType<typeof captureMailer>["sent"];
  logs: { level: string; msg: string; fields?: Record<string, unknown> }[];
  close(): void;
}

/** Opens identity services with the default settings (admin `admin@example.com`), overridable per test. */
export async function openAuthWorld(settings: Partial<AuthSettings> = {}): Promise<AuthWorld> {
  const kv = await Deno.openKv(":memory:");
  const clock = fixedClock(T0);
  const config = parseConfig({ ADMIN_EMAILS: "admin@example.com" });
  const mailer = captureMailer();
  const logs: AuthWorld["logs"] = [];
  const deps: AuthDeps = {
    users: createUserRepo(kv),
    sessions: createSessionRepo(kv),
    otps: createOtpRepo(kv),
    apiKeys: createApiKeyRepo(kv),
    invites: createInviteRepo(kv),
    limiter: createRateLimiter(createRateLimitRepo(kv), clock),
    codec: createJwtCodec(AUTH_TEST_SECRET),
    mailer,
    clock,
    log: (level, msg, fields) => logs.push({ level, msg, fields }),
    settings: {
      otpHmacKey: AUTH_TEST_SECRET,
      accessTokenTtlMs: config.accessTokenTtlMs,
      otpAccessTokenTtlMs: config.otpAccessTokenTtlMs,
      refreshTokenTtlMs: config.refreshTokenTtlMs,
      refreshGraceMs: config.refreshGraceMs,
      adminEmails: config.adminEmails,
      rateLimits: config.rateLimits,
      ...settings,
    },
  };
  return { deps, kv, clock, sent: mailer.sent, logs, close: () => kv.close() };
}
