import assert from "node:assert/strict";
import { createRateLimiter } from "../../../domain/auth/rate_limiter.ts";
import { fixedClock } from "../../../domain/clock.ts";
import { RateLimitError } from "../../../domain/errors.ts";
import { createRateLimitRepo } from "../../../domain/store/rate_limit_repo.ts";

const T0 = Date.UTC(2026, 4, 14, 1, 0, 0);
const RULE = { limit: 5, windowMs: 15 * 60_000 };

async function withLimiter(
  fn: (l: ReturnType<typeof createRateLimiter>, c: ReturnType<typeof fixedClock>) => Promise<void>,
) {
  const kv = await Deno.openKv(":memory:");
  try {
    const clock = fixedClock(T0);
    await fn(createRateLimiter(createRateLimitRepo(kv), clock), clock);
  } finally {
    kv.close();
  }
}

Deno.test("RateLimiter.consume() allows `limit` attempts, then throws 'Rate limit exceeded: N per W'", () =>
  withLimiter(async (limiter) => {
    for (let i = 0; i < 5; i++) await limiter.consume("otp_email", "a@example.com", RULE);
    await assert.rejects(limiter.consume("otp_email", "a@example.com", RULE), (e: unknown) => {
      assert.ok(e instanceof RateLimitError);
      assert.equal(e.message, "Rate limit exceeded: 5 per 15 minutes");
      assert.equal(e.retryAfterSeconds, 900);
      return true;
    });
  }));

Deno.test("RateLimiter.consume() counts buckets and identities separately", () =>
  withLimiter(async (limiter) => {
    for (let i = 0; i < 5; i++) await limiter.consume("otp_email", "a@example.com", RULE);
    await limiter.consume("otp_email", "b@example.com", RULE);
    await limiter.consume("login_email", "a@example.com", RULE);
  }));

Deno.test("RateLimiter.consume() reports the seconds left in the window and resets when it ends", () =>
  withLimiter(async (limiter, clock) => {
    clock.advance(7 * 60_000 + 500);
    for (let i = 0; i < 5; i++) await limiter.consume("b", "id", RULE);
    await assert.rejects(
      limiter.consume("b", "id", RULE),
      (e: RateLimitError) => e.retryAfterSeconds === 480,
    );
    clock.advance(8 * 60_000 - 1000);
    await assert.rejects(limiter.consume("b", "id", RULE), (e: RateLimitError) => e.retryAfterSeconds === 1);
    clock.advance(500);
    await limiter.consume("b", "id", RULE);
  }));

Deno.test("RateLimiter.reset() clears the current window", () =>
  withLimiter(async (limiter) => {
    for (let i = 0; i < 5; i++) await limiter.consume("login_email", "a@example.com", RULE);
    await limiter.reset("login_email", "a@example.com", RULE);
    for (let i = 0; i < 5; i++) await limiter.consume("login_email", "a@example.com", RULE);
    await assert.rejects(limiter.consume("login_email", "a@example.com", RULE), RateLimitError);
  }));
