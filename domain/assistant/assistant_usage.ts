/** The caller's assistant usage: per UTC day and provider, with totals and the turn rate that applies. */
import { describeRateRule } from "../config.ts";
import { ValidationError } from "../errors.ts";
import type { AssistantUsageCounts } from "../store/assistant_usage_repo.ts";
import type { AssistDeps } from "./assist.ts";

/** Most days one usage answer covers. */
export const MAX_USAGE_DAYS = 90;

/** One day and provider of the caller's usage. */
export interface AssistantUsageDay extends AssistantUsageCounts {
  /** UTC day, YYYY-MM-DD. */
  date: string;
  provider: string;
}

/** The usage answer. */
export interface AssistantUsageView {
  user_id: string;
  /** First and last UTC day covered (inclusive). */
  from: string;
  to: string;
  /** The provider asked first and its model (`offline` and null without a model). */
  provider: string;
  model: string | null;
  /** Days with any use, oldest first, one entry per provider used that day. */
  days: AssistantUsageDay[];
  totals: AssistantUsageCounts;
  /** The turn rate per user (generate, chat and explain share it); null when turns are not limited. */
  rate_limit: { limit: number; window_seconds: number; description: string } | null;
}

/** The UTC day `ms` falls on. */
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** `userId`'s usage over the last `days` UTC days, today included (1–`MAX_USAGE_DAYS`). */
export async function readAssistantUsage(
  deps: AssistDeps,
  userId: string,
  days: number,
): Promise<AssistantUsageView> {
  if (!Number.isInteger(days) || days < 1 || days > MAX_USAGE_DAYS) {
    throw new ValidationError(`days must be a whole number from 1 to ${MAX_USAGE_DAYS}`, ["days"]);
  }
  const now = deps.clock.now();
  const to = dayOf(now);
  const from = dayOf(now - (days - 1) * 86_400_000);
  const records = deps.usage ? await deps.usage.list(userId, from, to) : [];
  const totals: AssistantUsageCounts = {
    calls: 0,
    fallbacks: 0,
    repairs: 0,
    prompt_tokens: 0,
    response_tokens: 0,
  };
  const out: AssistantUsageDay[] = records.map((r) => {
    for (const k of Object.keys(totals) as (keyof AssistantUsageCounts)[]) totals[k] += r[k];
    return {
      date: r.day,
      provider: r.provider,
      calls: r.calls,
      fallbacks: r.fallbacks,
      repairs: r.repairs,
      prompt_tokens: r.prompt_tokens,
      response_tokens: r.response_tokens,
    };
  });
  const rule = deps.rate?.rule;
  return {
    user_id: userId,
    from,
    to,
    provider: deps.provider.name,
    model: deps.provider.model,
    days: out,
    totals,
    rate_limit: rule
      ? { limit: rule.limit, window_seconds: rule.windowMs / 1000, description: describeRateRule(rule) }
      : null,
  };
}
