/** The assistant's `/health` check: which provider answers first and whether a model is configured. */
import type { LlmCheck } from "../health.ts";
import type { AssistDeps } from "./assist.ts";

/**
 * Reports the configuration without calling the model (a health probe must not spend quota): always `ok`, since
 * the offline parser answers whenever the model cannot. Never names the key.
 */
export function assistantHealth(deps: AssistDeps): Promise<LlmCheck> {
  const configured = deps.provider !== deps.offline;
  return Promise.resolve({
    ok: true,
    detail: configured
      ? `${deps.provider.name} (${deps.provider.model}) answers first; the offline parser is the fallback`
      : "offline parser (no GEMINI_API_KEY)",
    provider: deps.provider.name,
    model: deps.provider.model,
    configured,
  });
}
