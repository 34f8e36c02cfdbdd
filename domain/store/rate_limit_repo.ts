/** Fixed-window counters for rate limits, one KV key per bucket, identity and window, expiring with the window. */
import { sleep } from "../clock.ts";
import { keys } from "./keys.ts";

/** The outcome of one counted attempt. */
export interface RateDecision {
  allowed: boolean;
  /** Attempts counted in the current window, including this one when allowed. */
  count: number;
  /** Seconds until the window resets (≥ 1). */
  retryAfterSeconds: number;
}

/** Persistence of rate-limit counters. */
export interface RateLimitRepo {
  /**
   * Counts one attempt for `identity` in `bucket` if fewer than `limit` were counted in the current window of
   * `windowMs` (windows are aligned to multiples of `windowMs` since the epoch).
   */
  hit(
    bucket: string,
    identity: string,
    limit: number,
    windowMs: number,
    nowMs: number,
  ): Promise<RateDecision>;
  /** Forgets the current window's count (e.g. after a successful login). */
  reset(bucket: string, identity: string, windowMs: number, nowMs: number): Promise<void>;
}

/** Attempts at the optimistic increment before a hit is refused as if over the limit. */
const MAX_ATTEMPTS = 200;

/** Creates the KV-backed rate-limit repository. */
export function createRateLimitRepo(kv: Deno.Kv): RateLimitRepo {
  return {
    async hit(bucket, identity, limit, windowMs, nowMs) {
      const windowStart = Math.floor(nowMs / windowMs) * windowMs;
      const key = keys.rateLimit(bucket, identity, windowStart);
      const retryAfterSeconds = Math.max(1, Math.ceil((windowStart + windowMs - nowMs) / 1000));
      // Optimistic increment: every lost race means another hit was counted, so with a short random backoff a
      // burst of concurrent hits settles; only a pathological pile-up exhausts the attempts (then: refuse).
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const entry = await kv.get<number>(key);
        const count = entry.value ?? 0;
        if (count >= limit) return { allowed: false, count, retryAfterSeconds };
        const res = await kv.atomic().check(entry).set(key, count + 1, { expireIn: windowMs + 1000 })
          .commit();
        if (res.ok) return { allowed: true, count: count + 1, retryAfterSeconds };
        await sleep(Math.random() * Math.min(20, 1 + attempt));
      }
      return { allowed: false, count: limit, retryAfterSeconds };
    },
    async reset(bucket, identity, windowMs, nowMs) {
      const windowStart = Math.floor(nowMs / windowMs) * windowMs;
      await kv.delete(keys.rateLimit(bucket, identity, windowStart));
    },
  };
}
