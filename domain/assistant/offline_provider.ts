/**
 * The offline provider (placeholder until the deterministic parser lands: issue 14): asks for the rules.
 */
import type { LlmProvider, TurnReply } from "./turn_contract.ts";

/** The offline provider. */
export function createOfflineProvider(): LlmProvider {
  return {
    name: "offline",
    model: null,
    turn(): Promise<TurnReply> {
      return Promise.resolve({
        kind: "needs_info",
        message: "Which entry and exit rules should the strategy use?",
        question: "Which entry and exit rules should the strategy use?",
        missing: ["entry", "exit"],
        draft: null,
        assumptions: [],
        rationale: "",
      });
    },
  };
}
