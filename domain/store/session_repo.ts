/**
 * Sign-in sessions and their rotating refresh tokens. A session is one refresh-token family: each refresh
 * replaces the live token; presenting a replaced token again revokes the whole session.
 */
import { ConflictError } from "../errors.ts";
import { keys } from "./keys.ts";
import type { UserRecord } from "./user_repo.ts";

/** A sign-in session (refresh-token family). */
export interface SessionRecord {
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  /** The user's `session_epoch` when the session was opened; the session dies when the user's epoch moves on. */
  user_epoch?: number;
}

/** One refresh token, stored under the SHA-256 of its value. */
export interface RefreshTokenRecord {
  session_id: string;
  user_id: string;
  issued_at: number;
  expires_at: number;
  /** Set when this token was exchanged for a new one; presenting it again is reuse (after the grace window). */
  rotated_at: number | null;
  /** SHA-256 of the token this one was exchanged for (set with `rotated_at`). */
  successor_hash?: string;
  /**
   * The successor token, AES-GCM sealed under a key only the holder of this token can derive, so a retry
   * within the grace window can be answered with the same pair. Absent on records written before it existed.
   */
  successor_sealed?: string;
}

/** Persistence of sessions and refresh tokens. */
export interface SessionRepo {
  /** Creates a session and its first refresh token in one commit; `ConflictError` when the id exists. */
  create(session: SessionRecord, tokenHash: string, token: RefreshTokenRecord): Promise<void>;
  getSession(id: string): Promise<SessionRecord | null>;
  /** A session and a user's record, as stored right now, in one read (authenticating an access token). */
  getSessionAndUser(
    id: string,
    userId: string,
  ): Promise<{ session: SessionRecord | null; user: UserRecord | null }>;
  getToken(hash: string): Promise<{ record: RefreshTokenRecord; versionstamp: string } | null>;
  /**
   * Marks `oldHash` rotated (naming `newHash` as its successor, with `sealedSuccessor` when given) and stores
   * `newHash`, only if the old token is unchanged since read and the session is not revoked; `false` when
   * another request got there first.
   */
  rotate(
    oldHash: string,
    seen: { record: RefreshTokenRecord; versionstamp: string },
    newHash: string,
    next: RefreshTokenRecord,
    nowMs: number,
    sessionExpiresAt: number,
    sealedSuccessor?: string,
  ): Promise<boolean>;
  /** Revokes a session (idempotent). */
  revoke(sessionId: string, reason: string, nowMs: number): Promise<void>;
  /**
   * Moves a live session of `userId` from the user's epoch `from` to the new `to`, so it outlives the change
   * that raised it; `false` (nothing changed) when the session is missing, revoked, someone else's, or was not
   * at `from` (it had already died with an earlier change).
   */
  adoptEpoch(sessionId: string, userId: string, from: number, to: number, nowMs: number): Promise<boolean>;
}

/** Creates the KV-backed session repository. */
export function createSessionRepo(kv: Deno.Kv): SessionRepo {
  const ttl = (expiresAt: number, nowMs: number) => Math.max(1000, expiresAt - nowMs);
  return {
    async create(session, tokenHash, token) {
      const exp = ttl(session.expires_at, session.created_at);
      const res = await kv.atomic()
        .check({ key: keys.session(session.id), versionstamp: null })
        .set(keys.session(session.id), session, { expireIn: exp })
        .set(keys.refreshToken(tokenHash), token, { expireIn: ttl(token.expires_at, token.issued_at) })
        .commit();
      if (!res.ok) throw new ConflictError(`Cannot create session "${session.id}": it exists`);
    },
    async getSession(id) {
      return (await kv.get<SessionRecord>(keys.session(id))).value;
    },
    async getSessionAndUser(id, userId) {
      const [session, user] = await kv.getMany<[SessionRecord, UserRecord]>([
        keys.session(id),
        keys.user(userId),
      ]);
      return { session: session.value, user: user.value };
    },
    async getToken(hash) {
      const entry = await kv.get<RefreshTokenRecord>(keys.refreshToken(hash));
      return entry.value && entry.versionstamp
        ? { record: entry.value, versionstamp: entry.versionstamp }
        : null;
    },
    async rotate(oldHash, seen, newHash, next, nowMs, sessionExpiresAt, sealedSuccessor) {
      const session = await kv.get<SessionRecord>(keys.session(seen.record.session_id));
      if (!session.value || session.value.revoked_at !== null) return false;
      const res = await kv.atomic()
        .check({ key: keys.refreshToken(oldHash), versionstamp: seen.versionstamp })
        .check(session)
        .set(keys.session(session.value.id), {
          ...session.value,
          expires_at: Math.max(session.value.expires_at, sessionExpiresAt),
        }, { expireIn: ttl(Math.max(session.value.expires_at, sessionExpiresAt), nowMs) })
        .set(keys.refreshToken(oldHash), {
          ...seen.record,
          rotated_at: nowMs,
          successor_hash: newHash,
          ...(sealedSuccessor === undefined ? {} : { successor_sealed: sealedSuccessor }),
        }, { expireIn: ttl(seen.record.expires_at, nowMs) })
        .set(keys.refreshToken(newHash), next, { expireIn: ttl(next.expires_at, nowMs) })
        .commit();
      return res.ok;
    },
    async revoke(sessionId, reason, nowMs) {
      for (let i = 0; i < 10; i++) {
        const entry = await kv.get<SessionRecord>(keys.session(sessionId));
        if (!entry.value || entry.value.revoked_at !== null) return;
        const res = await kv.atomic().check(entry)
          .set(keys.session(sessionId), { ...entry.value, revoked_at: nowMs, revoked_reason: reason }, {
            expireIn: ttl(entry.value.expires_at, nowMs),
          })
          .commit();
        if (res.ok) return;
      }
    },
    async adoptEpoch(sessionId, userId, from, to, nowMs) {
      for (let i = 0; i < 10; i++) {
        const entry = await kv.get<SessionRecord>(keys.session(sessionId));
        const s = entry.value;
        if (!s || s.revoked_at !== null || s.user_id !== userId || (s.user_epoch ?? 0) !== from) return false;
        const res = await kv.atomic().check(entry)
          .set(keys.session(sessionId), { ...s, user_epoch: to }, {
            expireIn: ttl(s.expires_at, nowMs),
          })
          .commit();
        if (res.ok) return true;
      }
      return false;
    },
  };
}
