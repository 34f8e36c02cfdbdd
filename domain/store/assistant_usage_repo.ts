/**
 * Assistant usage per user, UTC day and provider: model calls, fallbacks to the offline parser, repair rounds and
 * the prompt and response tokens Gemini reported. One record per (user, day, provider), kept `USAGE_TTL_DAYS`.
 */
import { sleep } from "../clock.ts";
import { keys } from "./keys.ts";

/** The counters of one user, day and provider. */
export interface AssistantUsageCounts {
  /** Provider calls (each repair request is a call). */
  calls: number;
  /** Turns this provider failed (timeout, HTTP error, unreachable, malformed twice) and offline answered. */
  fallbacks: number;
  /** Repair requests (a draft that failed a check, or a reply that was not JSON). */
  repairs: number;
  prompt_tokens: number;
  response_tokens: number;
}

/** One stored record. */
export interface AssistantUsageRecord extends AssistantUsageCounts {
  user_id: string;
  /** UTC day, YYYY-MM-DD. */
  day: string;
  provider: string;
}

/** Persistence of assistant usage. */
export interface AssistantUsageRepo {
  /** Adds `counts` to the record of `userId`, `day` and `provider` (created at zero). */
  add(userId: string, day: string, provider: string, counts: AssistantUsageCounts): Promise<void>;
  /** The records of `userId` from `fromDay` to `toDay` (inclusive), oldest day first. */
  list(userId: string, fromDay: string, toDay: string): Promise<AssistantUsageRecord[]>;
}

/** How long a day's usage is kept. */
const USAGE_TTL_DAYS = 400;
/** Attempts at the optimistic increment before giving up (a lost race means another turn counted). */
const MAX_ATTEMPTS = 50;
/** Most records one list reads (days × providers). */
const MAX_RECORDS = 1000;

const ZERO: AssistantUsageCounts = {
  calls: 0,
  fallbacks: 0,
  repairs: 0,
  prompt_tokens: 0,
  response_tokens: 0,
};

/** Creates the KV-backed assistant usage repository. */
export function createAssistantUsageRepo(kv: Deno.Kv): AssistantUsageRepo {
  return {
    async add(userId, day, provider, counts) {
      const key = keys.assistantUsage(userId, day, provider);
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const entry = await kv.get<AssistantUsageRecord>(key);
        const old = entry.value ?? { user_id: userId, day, provider, ...ZERO };
        const next: AssistantUsageRecord = {
          user_id: userId,
          day,
          provider,
          calls: old.calls + counts.calls,
          fallbacks: old.fallbacks + counts.fallbacks,
          repairs: old.repairs + counts.repairs,
          prompt_tokens: old.prompt_tokens + counts.prompt_tokens,
          response_tokens: old.response_tokens + counts.response_tokens,
        };
        const res = await kv.atomic().check(entry).set(key, next, { expireIn: USAGE_TTL_DAYS * 86_400_000 })
          .commit();
        if (res.ok) return;
        await sleep(Math.random() * Math.min(20, 1 + attempt));
      }
      throw new Error(`Cannot count assistant usage of "${userId}" on ${day}: too many concurrent updates`);
    },
    async list(userId, fromDay, toDay) {
      const prefix = keys.assistantUsageByUser(userId);
      const out: AssistantUsageRecord[] = [];
      const iter = kv.list<AssistantUsageRecord>({
        start: [...prefix, fromDay],
        end: [...prefix, `${toDay}\uffff`],
      }, { limit: MAX_RECORDS });
      for await (const entry of iter) out.push(entry.value);
      return out;
    },
  };
}
