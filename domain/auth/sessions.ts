/**
 * Sign-in sessions: issuing access + refresh tokens, rotating refresh tokens, logout, and resolving a bearer
 * credential (access token or API key) to a user.
 */
import { createHash } from "node:crypto";
import { newId, randomBytes, randomString, sha256Hex, timingSafeEqual } from "../tokens_and_hashes.ts";
import { ForbiddenError, UnauthorizedError } from "../errors.ts";
import type { RefreshTokenRecord, SessionRecord } from "../store/session_repo.ts";
import type { UserRecord } from "../store/user_repo.ts";
import type { AuthDeps } from "./auth_deps.ts";
import { toUserView, type UserView } from "./user_view.ts";

/** Refresh tokens look like `qrt_<43 base62 chars>`. */
const REFRESH_TOKEN_PREFIX = "qrt_";
/** API keys look like `qe_<40 base62 chars>`. */
export const API_KEY_PREFIX = "qe_";

/** What a successful sign-in returns. */
export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: "bearer";
  /** Access-token lifetime in seconds. */
  expires_in: number;
  user: UserView;
}

/** The caller behind a request. */
export interface Principal {
  user: UserRecord;
  via: "access_token" | "api_key";
  sessionId: string | null;
  apiKeyId: string | null;
}

/**
 * SHA-256 of an API key as lowercase hex (what `sha256Hex` gives), computed synchronously: the asynchronous
 * WebCrypto digest cost a key-authenticated request about as much CPU as its KV read.
 */
const apiKeyHash = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex");

/** A key's `last_used_at` is written at most once a minute: authenticating with it is otherwise read-only. */
const API_KEY_TOUCH_INTERVAL_MS = 60_000;

/** A session outlives nothing that raised its user's `session_epoch` (e.g. verifying a claimed email). */
const epochMatches = (session: SessionRecord, user: UserRecord) =>
  (session.user_epoch ?? 0) === (user.session_epoch ?? 0);

/** Opens a new session for `user` and returns its tokens; `accessTtlMs` defaults to the standard lifetime. */
export async function issueSession(
  deps: AuthDeps,
  user: UserRecord,
  accessTtlMs?: number,
): Promise<TokenPair> {
  if (user.disabled) throw new ForbiddenError("Account disabled");
  const now = deps.clock.now();
  const ttl = accessTtlMs ?? deps.settings.accessTokenTtlMs;
  const sessionId = newId("ses", now);
  const refresh = REFRESH_TOKEN_PREFIX + randomString(43);
  const refreshExpires = now + deps.settings.refreshTokenTtlMs;
  await deps.sessions.create(
    {
      id: sessionId,
      user_id: user.id,
      created_at: now,
      expires_at: Math.max(refreshExpires, now + ttl),
      revoked_at: null,
      revoked_reason: null,
      user_epoch: user.session_epoch ?? 0,
    },
    await sha256Hex(refresh),
    { session_id: sessionId, user_id: user.id, issued_at: now, expires_at: refreshExpires, rotated_at: null },
  );
  return {
    access_token: await signAccess(deps, user.id, sessionId, now, ttl),
    refresh_token: refresh,
    token_type: "bearer",
    expires_in: Math.floor(ttl / 1000),
    user: toUserView(user, deps.settings.adminEmails),
  };
}

async function signAccess(deps: AuthDeps, userId: string, sessionId: string, now: number, ttlMs: number) {
  const iat = Math.floor(now / 1000);
  return await deps.codec.sign({
    sub: userId,
    sid: sessionId,
    typ: "access",
    iat,
    exp: iat + Math.floor(ttlMs / 1000),
  });
}

/**
 * Exchanges a refresh token for a new pair. The old token stops working, except that within the grace window
 * (`refreshGraceMs`) the just-rotated token is accepted again and answered with the same new pair, so two
 * concurrent refreshes or a retry after a lost response keep the session. Presenting a rotated token later (or
 * once its successor has been rotated in turn) is treated as theft and revokes the whole session (every token
 * of the family).
 */
export async function refreshSession(deps: AuthDeps, refreshToken: string): Promise<TokenPair> {
  const invalid = () => new UnauthorizedError("Invalid or expired refresh token");
  if (!refreshToken.startsWith(REFRESH_TOKEN_PREFIX)) throw invalid();
  const hash = await sha256Hex(refreshToken);
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = deps.clock.now();
    const seen = await deps.sessions.getToken(hash);
    if (!seen || seen.record.expires_at <= now) throw invalid();
    const session = await deps.sessions.getSession(seen.record.session_id);
    if (!session || session.revoked_at !== null) throw invalid();
    const user = await deps.users.get(seen.record.user_id);
    if (seen.record.rotated_at !== null) {
      const again = await samePairWithinGrace(deps, refreshToken, seen.record, now);
      if (again) {
        if (!user || !epochMatches(session, user)) throw invalid();
        if (user.disabled) throw new ForbiddenError("Account disabled");
        deps.log("info", "refresh token replayed within the grace window", { session_id: session.id });
        return await pairOf(deps, user, session.id, again.token, again.issuedAt);
      }
      await deps.sessions.revoke(session.id, "refresh token reuse", now);
      deps.log("warn", "refresh token reuse: session revoked", {
        session_id: session.id,
        user_id: session.user_id,
      });
      throw new UnauthorizedError("Refresh token already used: the session has been revoked, sign in again");
    }
    if (!user || !epochMatches(session, user)) throw invalid();
    if (user.disabled) throw new ForbiddenError("Account disabled");
    const next = REFRESH_TOKEN_PREFIX + randomString(43);
    const nextHash = await sha256Hex(next);
    const nextExpires = now + deps.settings.refreshTokenTtlMs;
    const ttl = deps.settings.accessTokenTtlMs;
    const ok = await deps.sessions.rotate(
      hash,
      seen,
      nextHash,
      {
        session_id: session.id,
        user_id: user.id,
        issued_at: now,
        expires_at: nextExpires,
        rotated_at: null,
      },
      now,
      Math.max(nextExpires, now + ttl),
      deps.settings.refreshGraceMs > 0 ? await sealSuccessor(refreshToken, next) : undefined,
    );
    if (!ok) continue; // another request rotated it first: the next pass sees `rotated_at`
    return await pairOf(deps, user, session.id, next, now);
  }
  throw invalid();
}

/** The pair a refresh answers; the access token depends only on its inputs, so a replay signs the same one. */
async function pairOf(
  deps: AuthDeps,
  user: UserRecord,
  sessionId: string,
  refreshToken: string,
  issuedAt: number,
): Promise<TokenPair> {
  const ttl = deps.settings.accessTokenTtlMs;
  return {
    access_token: await signAccess(deps, user.id, sessionId, issuedAt, ttl),
    refresh_token: refreshToken,
    token_type: "bearer",
    expires_in: Math.floor(ttl / 1000),
    user: toUserView(user, deps.settings.adminEmails),
  };
}

/**
 * The successor of a rotated token when a replay of it is still acceptable: inside the grace window, and the
 * successor is the live token of the session (not rotated in turn, not expired). `null` otherwise.
 */
async function samePairWithinGrace(
  deps: AuthDeps,
  presented: string,
  rotated: RefreshTokenRecord,
  now: number,
): Promise<{ token: string; issuedAt: number } | null> {
  const grace = deps.settings.refreshGraceMs;
  if (grace <= 0 || rotated.rotated_at === null || now >= rotated.rotated_at + grace) return null;
  if (!rotated.successor_hash || !rotated.successor_sealed) return null;
  const successor = await deps.sessions.getToken(rotated.successor_hash);
  if (!successor || successor.record.rotated_at !== null || successor.record.expires_at <= now) return null;
  const token = await openSuccessor(presented, rotated.successor_sealed);
  if (token === null || !timingSafeEqual(await sha256Hex(token), rotated.successor_hash)) return null;
  return { token, issuedAt: successor.record.issued_at };
}

const SEAL_IV_BYTES = 12;

/** An AES-GCM key derived from a refresh token: only whoever holds the token can open what it seals. */
async function sealKey(token: string): Promise<CryptoKey> {
  const material = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`refresh-grace:${token}`));
  return await crypto.subtle.importKey("raw", material, "AES-GCM", false, ["encrypt", "decrypt"]);
}

/** Seals `successor` under a key derived from `token`, as base64 of IV ‖ ciphertext. */
async function sealSuccessor(token: string, successor: string): Promise<string> {
  const iv = randomBytes(SEAL_IV_BYTES);
  const sealed = new Uint8Array(
    await crypto.subtle.encrypt(
      { name: "AES-GCM", iv: iv as BufferSource },
      await sealKey(token),
      new TextEncoder().encode(successor),
    ),
  );
  const out = new Uint8Array(iv.length + sealed.length);
  out.set(iv);
  out.set(sealed, iv.length);
  return btoa(String.fromCharCode(...out));
}

/** Opens what `sealSuccessor(token, …)` sealed; `null` for a wrong token or damaged data. */
async function openSuccessor(token: string, sealed: string): Promise<string | null> {
  try {
    const bytes = Uint8Array.from(atob(sealed), (c) => c.charCodeAt(0));
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: bytes.slice(0, SEAL_IV_BYTES) },
      await sealKey(token),
      bytes.slice(SEAL_IV_BYTES),
    );
    return new TextDecoder().decode(plain);
  } catch {
    return null;
  }
}

/** Revokes the session a refresh token (or an access token's session id) belongs to; unknown tokens are ignored. */
export async function logout(
  deps: AuthDeps,
  by: { refreshToken?: string; sessionId?: string | null },
): Promise<void> {
  const now = deps.clock.now();
  if (by.refreshToken) {
    const seen = await deps.sessions.getToken(await sha256Hex(by.refreshToken));
    if (seen) await deps.sessions.revoke(seen.record.session_id, "logout", now);
  }
  if (by.sessionId) await deps.sessions.revoke(by.sessionId, "logout", now);
}

/**
 * Resolves `Authorization: Bearer <credential>` to a principal: an API key (`qe_…`) or an access token whose
 * session is live. Throws `UnauthorizedError` for anything else and `ForbiddenError("Account disabled")` — unless
 * `allowDisabled` (the few operations a disabled account keeps: contacting support).
 */
export async function authenticate(
  deps: AuthDeps,
  credential: string,
  opts: { allowDisabled?: boolean } = {},
): Promise<Principal> {
  const now = deps.clock.now();
  let principal: Principal;
  if (credential.startsWith(API_KEY_PREFIX)) {
    // One read per request once this process has seen the key: the key and its user as stored right now.
    const hash = apiKeyHash(credential);
    const found = await deps.apiKeys.authLookup(hash);
    if (!found || !timingSafeEqual(found.key.value.key_hash, hash)) {
      throw new UnauthorizedError("Invalid API key");
    }
    const { key, user } = found;
    if (!user) throw new UnauthorizedError("Invalid API key");
    const lastUsed = key.value.last_used_at;
    if (lastUsed === null || now - lastUsed > API_KEY_TOUCH_INTERVAL_MS) {
      await deps.apiKeys.touch(key.value.id, now, key);
    }
    principal = { user, via: "api_key", sessionId: null, apiKeyId: key.value.id };
  } else {
    const claims = await deps.codec.verify(credential, Math.floor(now / 1000));
    if (!claims) throw new UnauthorizedError("Invalid or expired token");
    const { session, user } = await deps.sessions.getSessionAndUser(claims.sid, claims.sub);
    if (
      !session || session.revoked_at !== null || session.user_id !== claims.sub || !user ||
      !epochMatches(session, user)
    ) {
      throw new UnauthorizedError("Invalid or expired token");
    }
    principal = { user, via: "access_token", sessionId: session.id, apiKeyId: null };
  }
  if (principal.user.disabled && !opts.allowDisabled) throw new ForbiddenError("Account disabled");
  return principal;
}
