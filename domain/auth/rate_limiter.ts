/** Rate limiting on top of the KV counters, with the product's error message. */
import type { Clock } from "../clock.ts";
import { describeRateRule, type RateRule } from "../config.ts";
import { RateLimitError } from "../errors.ts";
import type { RateLimitRepo } from "../store/rate_limit_repo.ts";

/** Counts attempts per bucket and identity and refuses those over the rule. */
export interface RateLimiter {
  /** Counts one attempt; throws `RateLimitError("Rate limit exceeded: N per W")` when over `rule`. */
  consume(bucket: string, identity: string, rule: RateRule): Promise<void>;
  /** Clears the current window of `bucket`/`identity`. */
  reset(bucket: string, identity: string, rule: RateRule): Promise<void>;
}

/** Creates a rate limiter over `repo`, reading time from `clock`. */
export function createRateLimiter(repo: RateLimitRepo, clock: Clock): RateLimiter {
  return {
    async consume(bucket, identity, rule) {
      const decision = await repo.hit(bucket, identity, rule.limit, rule.windowMs, clock.now());
      if (!decision.allowed) {
        throw new RateLimitError(
          `Rate limit exceeded: ${describeRateRule(rule)}`,
          decision.retryAfterSeconds,
        );
      }
    },
    reset: (bucket, identity, rule) => repo.reset(bucket, identity, rule.windowMs, clock.now()),
  };
}

/** What an operation charges each call against: the limiter and the rule of its bucket. */
export interface RateCharge {
  limiter: RateLimiter;
  rule: RateRule;
}

/** Counts one call of `identity` in `bucket` against `charge`; without a charge the operation is not limited. */
export async function chargeRate(
  charge: RateCharge | undefined,
  bucket: string,
  identity: string,
): Promise<void> {
  if (charge) await charge.limiter.consume(bucket, identity, charge.rule);
}
