/** Pending email one-time codes, one per email, stored only as an HMAC. */
import { keys } from "./keys.ts";

/** A pending code: its HMAC, when it stops being valid (epoch ms), and wrong tries so far. */
export interface OtpRecord {
  code_hash: string;
  expires_at: number;
  attempts: number;
}

/** Persistence of pending OTP codes. */
export interface OtpRepo {
  /** Replaces any pending code for `email`; KV expiry is set too, but readers must check `expires_at`. */
  put(email: string, record: OtpRecord, ttlMs: number): Promise<void>;
  get(email: string): Promise<{ record: OtpRecord; versionstamp: string } | null>;
  /** Records one more wrong try if the record is unchanged since read; `false` on a race (caller re-reads). */
  recordFailure(
    email: string,
    seen: { record: OtpRecord; versionstamp: string },
    ttlMs: number,
  ): Promise<boolean>;
  /** Deletes the code if unchanged since read; `false` when another request used or changed it first. */
  consume(email: string, seen: { versionstamp: string }): Promise<boolean>;
  delete(email: string): Promise<void>;
}

/** Creates the KV-backed OTP repository. */
export function createOtpRepo(kv: Deno.Kv): OtpRepo {
  return {
    async put(email, record, ttlMs) {
      await kv.set(keys.otpCode(email), record, { expireIn: ttlMs });
    },
    async get(email) {
      const entry = await kv.get<OtpRecord>(keys.otpCode(email));
      return entry.value && entry.versionstamp
        ? { record: entry.value, versionstamp: entry.versionstamp }
        : null;
    },
    async recordFailure(email, seen, ttlMs) {
      const key = keys.otpCode(email);
      const next = { ...seen.record, attempts: seen.record.attempts + 1 };
      const res = await kv.atomic().check({ key, versionstamp: seen.versionstamp })
        .set(key, next, { expireIn: Math.max(1, ttlMs) }).commit();
      return res.ok;
    },
    async consume(email, seen) {
      const key = keys.otpCode(email);
      const res = await kv.atomic().check({ key, versionstamp: seen.versionstamp }).delete(key).commit();
      return res.ok;
    },
    async delete(email) {
      await kv.delete(keys.otpCode(email));
    },
  };
}
