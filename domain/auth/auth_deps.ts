/** What the identity services need, built once in `main.ts` (or a test) and passed down. */
import type { Clock } from "../clock.ts";
import type { RateLimitSettings } from "../config.ts";
import type { LogFn } from "../log.ts";
import type { Mailer } from "../mail/mailer.ts";
import type { ApiKeyRepo } from "../store/api_key_repo.ts";
import type { InviteRepo } from "../store/invite_repo.ts";
import type { OtpRepo } from "../store/otp_repo.ts";
import type { SessionRepo } from "../store/session_repo.ts";
import type { UserRepo } from "../store/user_repo.ts";
import type { RateLimiter } from "./rate_limiter.ts";
import type { AccessTokenCodec } from "./token_codec.ts";

/** Identity settings taken from `Config`. */
export interface AuthSettings {
  /** Key for the HMAC of OTP codes (the JWT secret). */
  otpHmacKey: string;
  accessTokenTtlMs: number;
  otpAccessTokenTtlMs: number;
  refreshTokenTtlMs: number;
  /** Grace window of a just-rotated refresh token (0: none). */
  refreshGraceMs: number;
  adminEmails: readonly string[];
  rateLimits: RateLimitSettings;
}

/** Repositories and services the identity area uses. */
export interface AuthDeps {
  users: UserRepo;
  sessions: SessionRepo;
  otps: OtpRepo;
  apiKeys: ApiKeyRepo;
  invites: InviteRepo;
  limiter: RateLimiter;
  codec: AccessTokenCodec;
  mailer: Mailer;
  clock: Clock;
  settings: AuthSettings;
  log: LogFn;
}
