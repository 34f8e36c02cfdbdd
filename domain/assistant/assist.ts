/**
 * One assistant turn: ask the provider, check its draft, hand back a checked outcome. (First cut: issue 14
 * completes it with the three checks, at most two repairs, timeouts, the offline fallback, rate and usage.)
 */
import type { Clock } from "../clock.ts";
import { type AgentConfig, AgentConfigSchema, compileAgentConfig } from "../strategy/blueprint_and_config.ts";
import { type StrategySpec, StrategySpecSchema } from "../strategy/spec.ts";
import type { LlmProvider, TurnInput, TurnReply } from "./turn_contract.ts";

/** What a turn needs. */
export interface AssistDeps {
  /** The configured provider (Gemini when a key is set, else the offline parser), asked first. */
  provider: LlmProvider;
  /** The offline parser: the fallback when the provider fails. */
  offline: LlmProvider;
  clock: Clock;
}

/** A checked turn. `spec` (and, for a chat, `config`) are set only when the draft passed every check. */
export interface AssistOutcome {
  reply: TurnReply;
  spec: StrategySpec | null;
  config: AgentConfig | null;
  /** The provider that produced the reply (`offline` after a fallback) and its model. */
  provider: string;
  model: string | null;
  /** How many repair rounds the draft took (0–2). */
  repairs: number;
  /** What happened on the way (a fallback, a repair), for the answer. */
  notes: string[];
}

/** Runs one turn for `userId`. */
export async function assist(
  deps: AssistDeps,
  _userId: string,
  input: Omit<TurnInput, "errors" | "today">,
): Promise<AssistOutcome> {
  const today = new Date(deps.clock.now()).toISOString().slice(0, 10);
  const reply = await deps.provider.turn({ ...input, errors: [], today }, new AbortController().signal);
  const out: AssistOutcome = {
    reply,
    spec: null,
    config: null,
    provider: deps.provider.name,
    model: deps.provider.model,
    repairs: 0,
    notes: [],
  };
  if (reply.kind !== "config_ready" || !reply.draft) return out;
  if (input.task === "chat") {
    const parsed = AgentConfigSchema.safeParse(reply.draft);
    if (parsed.success) {
      out.config = parsed.data;
      out.spec = compileAgentConfig(parsed.data);
    }
  } else {
    const parsed = StrategySpecSchema.safeParse(reply.draft);
    if (parsed.success) out.spec = parsed.data;
  }
  return out;
}
