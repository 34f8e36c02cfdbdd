/**
 * One assistant turn: charge the caller's rate, ask the provider, run the three checks (`draft_checks.ts`) on a
 * ready draft, feed the errors back for at most `MAX_REPAIRS` repair rounds, and otherwise turn the reply into a
 * question to the user that lists what is wrong — a draft that failed a check is never returned as `spec` or
 * `config`. A model that times out, answers an HTTP error, cannot be reached or twice sends a reply that is not a
 * valid turn is replaced by the offline parser for the rest of the turn, with a note saying so. The offline
 * parser is deterministic, so its failed drafts are not sent back for repair: they become the question at once.
 * Usage (calls, fallbacks, repairs, tokens) is counted per user, UTC day and provider.
 */
import type { Clock } from "../clock.ts";
import type { LogFn } from "../log.ts";
import { chargeRate, type RateCharge } from "../auth/rate_limiter.ts";
import type { AgentConfig } from "../strategy/blueprint_and_config.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import type { MarketData } from "../market/types.ts";
import type { AssistantUsageRepo } from "../store/assistant_usage_repo.ts";
import { checkDraft } from "./draft_checks.ts";
import {
  ASSISTANT_RATE_BUCKET,
  callProvider,
  countsOf,
  DEFAULT_ASSISTANT_TIMEOUT_MS,
  fallbackNote,
  recordUsage,
  type TurnUsage,
} from "./provider_call.ts";
import { ProviderError } from "./providers/provider_error.ts";
import type { Language, LlmProvider, TurnInput, TurnReply } from "./turn_contract.ts";

/** What a turn needs. Only `provider`, `offline` and `clock` are required; the house sets every field. */
export interface AssistDeps {
  /** The configured provider (Gemini when a key is set, else the offline parser), asked first. */
  provider: LlmProvider;
  /** The offline parser: the fallback when the provider fails. */
  offline: LlmProvider;
  clock: Clock;
  /** The market the third check reads (tickers, bars); absent: that check is skipped (parser-only tests). */
  market?: MarketData;
  /** Turns per user (bucket `assistant_turn`), charged before anything else; absent: not limited. */
  rate?: RateCharge;
  /** Where usage is counted; absent: not counted. */
  usage?: AssistantUsageRepo;
  /** Deadline of one provider call (default `DEFAULT_ASSISTANT_TIMEOUT_MS`). */
  timeoutMs?: number;
  /** Fallbacks are logged here (without the reply or any key). */
  log?: LogFn;
}

/** A checked turn. `spec` (and, for a chat, `config`) are set only when the draft passed every check. */
export interface AssistOutcome {
  reply: TurnReply;
  spec: StrategySpec | null;
  config: AgentConfig | null;
  /** The provider that produced the reply (`offline` after a fallback) and its model. */
  provider: string;
  model: string | null;
  /** How many repair rounds the turn took (0–2): drafts sent back with their check errors, replies re-asked. */
  repairs: number;
  /** What happened on the way (a fallback, a repair), for the answer. */
  notes: string[];
  /**
   * The last draft that failed the checks when the turn became a question (else null): a chat session may send it
   * back as `draft` with the user's answer. Never show it as a config or run it.
   */
  unchecked: Record<string, unknown> | null;
}

/** Most repair rounds of one turn (a draft sent back with its errors, or a malformed reply asked again). */
export const MAX_REPAIRS = 2;
/** Of those, most re-asks after a reply that was not a valid turn (not JSON, wrong shape). */
const MAX_FORMAT_REPAIRS = 1;

/** The opening of the question that replaces a draft that failed the checks, per language. */
const CHECK_FAILED_TEXT: Record<Language, { lead: string; ask: string }> = {
  en: {
    lead: "I could not complete a strategy that passes the checks:",
    ask: "Could you tell me how to fix this?",
  },
  zh: { lead: "我还无法生成通过检查的策略：", ask: "请告诉我如何修改。" },
  id: {
    lead: "Saya belum bisa menyusun strategi yang lolos pemeriksaan:",
    ask: "Bisakah Anda memberi tahu cara memperbaikinya?",
  },
};

/** The question that replaces a reply whose draft failed `errors`. */
function checksFailedQuestion(
  reply: TurnReply,
  language: Language,
  errors: string[],
  slots: string[],
): TurnReply {
  const text = CHECK_FAILED_TEXT[language];
  const list = errors.map((e) => `- ${e}`).join("\n");
  return {
    kind: "needs_info",
    message: `${text.lead}\n${list}\n${text.ask}`.slice(0, 4000),
    question: text.ask,
    missing: [...new Set([...reply.missing, ...slots])].slice(0, 20),
    draft: null,
    assumptions: [],
    rationale: `checks failed: ${errors.join("; ")}`.slice(0, 2000),
  };
}

/** The UTC date of `clock`, YYYY-MM-DD. */
function todayOf(clock: Clock): string {
  return new Date(clock.now()).toISOString().slice(0, 10);
}

/** Runs one turn for `userId` (see the module comment for the loop). */
export async function assist(
  deps: AssistDeps,
  userId: string,
  input: Omit<TurnInput, "errors" | "today">,
): Promise<AssistOutcome> {
  await chargeRate(deps.rate, ASSISTANT_RATE_BUCKET, userId);
  const timeoutMs = deps.timeoutMs ?? DEFAULT_ASSISTANT_TIMEOUT_MS;
  const fresh: TurnInput = { ...input, errors: [], today: todayOf(deps.clock) };
  const usage: TurnUsage = new Map();
  const notes: string[] = [];
  let provider = deps.provider;
  let request = fresh;
  let repairs = 0;
  let formatRepairs = 0;
  try {
    // Bounded: each pass either returns, spends a repair (≤ MAX_REPAIRS) or falls back (once) to offline.
    for (;;) {
      let reply: TurnReply;
      try {
        reply = await callProvider(provider, request, timeoutMs, usage);
      } catch (e) {
        if (provider === deps.offline) throw e;
        if (
          e instanceof ProviderError && e.kind === "malformed" && formatRepairs < MAX_FORMAT_REPAIRS &&
          repairs < MAX_REPAIRS
        ) {
          formatRepairs++;
          repairs++;
          countsOf(usage, provider.name).repairs++;
          request = { ...request, errors: [`your previous reply was not a valid turn: ${e.message}`] };
          continue;
        }
        countsOf(usage, provider.name).fallbacks++;
        const note = fallbackNote(provider, e, timeoutMs);
        notes.push(note);
        deps.log?.("warn", "assistant provider failed; answering offline", {
          provider: provider.name,
          model: provider.model,
          user_id: userId,
          task: input.task,
          note,
        });
        provider = deps.offline;
        request = fresh;
        continue;
      }
      const out: AssistOutcome = {
        reply,
        spec: null,
        config: null,
        provider: provider.name,
        model: provider.model,
        repairs,
        notes,
        unchecked: null,
      };
      if (reply.kind !== "config_ready" || input.task === "explain") return out;
      const check = reply.draft
        ? await checkDraft(input.task, reply.draft, { market: deps.market, userId })
        : { ok: false as const, errors: ["draft: a config_ready reply needs a draft"], slots: [] };
      if (check.ok) {
        if (repairs > 0) notes.push(`the draft passed the checks after ${repairs} repair round(s)`);
        return { ...out, spec: check.spec, config: check.config };
      }
      if (provider === deps.offline || repairs >= MAX_REPAIRS) {
        if (provider !== deps.offline) {
          notes.push(`the draft still failed the checks after ${repairs} repair round(s); asking the user`);
        }
        return {
          ...out,
          reply: checksFailedQuestion(reply, input.language, check.errors, check.slots),
          unchecked: reply.draft,
        };
      }
      repairs++;
      countsOf(usage, provider.name).repairs++;
      request = { ...fresh, draft: reply.draft, errors: check.errors };
    }
  } finally {
    await recordUsage(deps, userId, usage);
  }
}
