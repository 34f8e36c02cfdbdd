/**
 * One call of a provider under a deadline, and the bookkeeping around it: per-provider usage counters of one turn
 * (written once at its end) and the note a fallback leaves in the answer. Shared by `assist` and `rephrase`.
 */
import { deadlineSignal } from "../clock.ts";
import type { Clock } from "../clock.ts";
import type { LogFn } from "../log.ts";
import type { AssistantUsageCounts, AssistantUsageRepo } from "../store/assistant_usage_repo.ts";
import { ProviderError } from "./providers/provider_error.ts";
import type { LlmProvider, TurnInput, TurnReply } from "./turn_contract.ts";

/** How long one provider call may take when the config names no other deadline. */
export const DEFAULT_ASSISTANT_TIMEOUT_MS = 8_000;

/** The limiter bucket every assistant turn (generate, chat, explain) is charged to, per user. */
export const ASSISTANT_RATE_BUCKET = "assistant_turn";

/** Usage counters of one turn, by provider name. */
export type TurnUsage = Map<string, AssistantUsageCounts>;

/** The counters of `provider` in `usage` (created at zero). */
export function countsOf(usage: TurnUsage, provider: string): AssistantUsageCounts {
  let counts = usage.get(provider);
  if (!counts) {
    counts = { calls: 0, fallbacks: 0, repairs: 0, prompt_tokens: 0, response_tokens: 0 };
    usage.set(provider, counts);
  }
  return counts;
}

/**
 * Asks `provider` once, aborting at `timeoutMs` (through the signal; a provider that ignores it is abandoned at
 * the same moment). Counts the call and the tokens the provider reports into `usage`.
 */
export async function callProvider(
  provider: LlmProvider,
  input: TurnInput,
  timeoutMs: number,
  usage: TurnUsage,
): Promise<TurnReply> {
  const counts = countsOf(usage, provider.name);
  counts.calls++;
  const deadline = deadlineSignal(timeoutMs);
  let onAbort: () => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new ProviderError("timeout", `no reply within ${timeoutMs} ms`));
    deadline.signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([
      provider.turn(input, deadline.signal, {
        tokens(prompt, response) {
          counts.prompt_tokens += prompt;
          counts.response_tokens += response;
        },
      }),
      aborted,
    ]);
  } catch (e) {
    throw deadline.signal.aborted && !(e instanceof ProviderError && e.kind !== "timeout")
      ? new ProviderError("timeout", `no reply within ${timeoutMs} ms`)
      : e;
  } finally {
    deadline.clear();
    deadline.signal.removeEventListener("abort", onAbort);
  }
}

/** The note a failed provider leaves: what happened, and that the offline parser answered. */
export function fallbackNote(provider: LlmProvider, e: unknown, timeoutMs: number): string {
  const name = provider.name;
  if (e instanceof ProviderError) {
    switch (e.kind) {
      case "timeout":
        return `${name} timed out after ${timeoutMs} ms; answered offline`;
      case "http":
        return e.status === 429
          ? `${name} refused the call (HTTP 429, over its quota); answered offline`
          : `${name} failed (HTTP ${e.status}); answered offline`;
      case "unreachable":
        return `${name} is unreachable; answered offline`;
      case "malformed":
        return `${name} did not send a valid reply (${e.message.slice(0, 160)}); answered offline`;
    }
  }
  return `${name} failed; answered offline`;
}

/** Writes one turn's usage (one record per provider asked); a failed write is logged, never fails the turn. */
export async function recordUsage(
  deps: { usage?: AssistantUsageRepo; clock: Clock; log?: LogFn },
  userId: string,
  usage: TurnUsage,
): Promise<void> {
  if (!deps.usage) return;
  const day = new Date(deps.clock.now()).toISOString().slice(0, 10);
  for (const [provider, counts] of usage) {
    try {
      await deps.usage.add(userId, day, provider, counts);
    } catch (e) {
      deps.log?.("warn", "assistant usage not counted", {
        user_id: userId,
        provider,
        error: e instanceof Error ? e.message : String(e),
      });
    }
  }
}
