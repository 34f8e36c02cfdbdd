/** Builds the identity services (users, sessions, OTPs, API keys, invites, rate limits, token codec). */
import type { AuthDeps, AuthSettings } from "../domain/auth/auth_deps.ts";
import { createRateLimiter } from "../domain/auth/rate_limiter.ts";
import type { Clock } from "../domain/clock.ts";
import type { Config } from "../domain/config.ts";
import { randomString } from "../domain/tokens_and_hashes.ts";
import type { LogFn } from "../domain/log.ts";
import type { Mailer } from "../domain/mail/mailer.ts";
import { createApiKeyRepo } from "../domain/store/api_key_repo.ts";
import { createInviteRepo } from "../domain/store/invite_repo.ts";
import { createOtpRepo } from "../domain/store/otp_repo.ts";
import { createRateLimitRepo } from "../domain/store/rate_limit_repo.ts";
import { createSessionRepo } from "../domain/store/session_repo.ts";
import { createSettingsRepo } from "../domain/store/settings_repo.ts";
import { createUserRepo } from "../domain/store/user_repo.ts";
import { createJwtCodec } from "../routes/jwt_codec.ts";

/**
 * Resolves the JWT secret: the configured one, or in development/test one generated once and kept in KV so
 * tokens survive a restart.
 */
export async function resolveJwtSecret(config: Config, kv: Deno.Kv): Promise<string> {
  if (config.jwtSecret) return config.jwtSecret;
  if (config.env === "production") throw new Error("JWT_SECRET is required in production");
  return await createSettingsRepo(kv).getOrCreate("jwt_secret", () => randomString(64));
}

/** Inputs of `buildAuthServices`; `secret` signs access tokens and keys the OTP HMAC. */
export interface AuthServicesInput {
  config: Config;
  kv: Deno.Kv;
  clock: Clock;
  mailer: Mailer;
  log: LogFn;
  secret: string;
  /** Settings that differ from the configuration's (tests of one setting). */
  overrides?: Partial<AuthSettings>;
}

/** Identity repositories and settings over one KV handle. */
export function buildAuthServices(input: AuthServicesInput): AuthDeps {
  const { config, kv, clock, mailer, log, secret } = input;
  return {
    users: createUserRepo(kv),
    sessions: createSessionRepo(kv),
    otps: createOtpRepo(kv),
    apiKeys: createApiKeyRepo(kv),
    invites: createInviteRepo(kv),
    limiter: createRateLimiter(createRateLimitRepo(kv), clock),
    codec: createJwtCodec(secret),
    mailer,
    clock,
    log,
    settings: {
      otpHmacKey: secret,
      accessTokenTtlMs: config.accessTokenTtlMs,
      otpAccessTokenTtlMs: config.otpAccessTokenTtlMs,
      refreshTokenTtlMs: config.refreshTokenTtlMs,
      refreshGraceMs: config.refreshGraceMs,
      adminEmails: config.adminEmails,
      rateLimits: config.rateLimits,
      ...input.overrides,
    },
  };
}
