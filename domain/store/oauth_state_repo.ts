/** Pending OAuth sign-in states: written when a sign-in starts, taken exactly once by its callback. */
import { ConflictError } from "../errors.ts";
import { keys } from "./keys.ts";

/** A pending sign-in: the provider, where to send the tokens (or `null` for JSON), and its expiry (epoch ms). */
export interface OAuthStateRecord {
  provider: "github";
  redirect_uri: string | null;
  created_at: number;
  expires_at: number;
}

/** Persistence of pending OAuth states. */
export interface OAuthStateRepo {
  /** Stores a new state with KV expiry `ttlMs`; `ConflictError` when the state already exists. */
  create(state: string, record: OAuthStateRecord, ttlMs: number): Promise<void>;
  /**
   * Deletes the state and returns its record in one atomic step, so a state works once even when two
   * callbacks race; `null` when it is unknown or already taken. Callers must still check `expires_at`.
   */
  take(state: string): Promise<OAuthStateRecord | null>;
}

/** Creates the KV-backed OAuth state repository. */
export function createOAuthStateRepo(kv: Deno.Kv): OAuthStateRepo {
  return {
    async create(state, record, ttlMs) {
      const key = keys.oauthState(state);
      const res = await kv.atomic().check({ key, versionstamp: null }).set(key, record, { expireIn: ttlMs })
        .commit();
      if (!res.ok) throw new ConflictError("OAuth state already exists");
    },
    async take(state) {
      const key = keys.oauthState(state);
      for (let attempt = 0; attempt < 5; attempt++) {
        const entry = await kv.get<OAuthStateRecord>(key);
        if (!entry.value) return null;
        const res = await kv.atomic().check(entry).delete(key).commit();
        if (res.ok) return entry.value;
      }
      return null;
    },
  };
}
