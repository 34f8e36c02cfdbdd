/**
 * Rephrasing of a deterministic explanation (`/explain`): with a model configured, the model is asked (task
 * `explain`) to put the text in plainer words; its text is accepted only when every number of the original
 * appears in it and it adds no number of its own (numbers compared as values: `1,000` = `1000`, `5.0` = `5`).
 * Otherwise, and with the offline parser, the original is kept; a rejected or failed rephrasing leaves a note.
 */
import { chargeRate } from "../auth/rate_limiter.ts";
import type { AssistDeps } from "./assist.ts";
import {
  ASSISTANT_RATE_BUCKET,
  callProvider,
  countsOf,
  DEFAULT_ASSISTANT_TIMEOUT_MS,
  recordUsage,
  type TurnUsage,
} from "./provider_call.ts";
import type { Language } from "./turn_contract.ts";

/** A rephrased (or kept) explanation. */
export interface RephraseOutcome {
  text: string;
  /** Whether `text` is the model's rephrasing (false: the original). */
  rephrased: boolean;
  /** The provider asked (`offline` when no model is configured) and its model. */
  provider: string;
  model: string | null;
  notes: string[];
}

/** The numbers written in `text` as canonical value strings (thousands separators dropped), each once. */
function numbersIn(text: string): Set<string> {
  const out = new Set<string>();
  for (const m of text.matchAll(/\d+(?:,\d{3})*(?:\.\d+)?/g)) {
    out.add(String(Number(m[0].replaceAll(",", ""))));
  }
  return out;
}

/** Why `candidate` may not replace `original` (a number lost or added), or null when it may. */
function numberMismatch(original: string, candidate: string): string | null {
  const a = numbersIn(original), b = numbersIn(candidate);
  const lost = [...a].filter((n) => !b.has(n));
  const added = [...b].filter((n) => !a.has(n));
  if (lost.length) return `it dropped ${lost.slice(0, 5).join(", ")}`;
  if (added.length) return `it added ${added.slice(0, 5).join(", ")}`;
  return null;
}

/** Rephrases `text` for `userId` in `language` (see the module comment); never rejects for a model failure. */
export async function rephrase(
  deps: AssistDeps,
  userId: string,
  text: string,
  language: Language,
): Promise<RephraseOutcome> {
  await chargeRate(deps.rate, ASSISTANT_RATE_BUCKET, userId);
  const provider = deps.provider;
  const kept = (notes: string[]): RephraseOutcome => ({
    text,
    rephrased: false,
    provider: provider.name,
    model: provider.model,
    notes,
  });
  if (provider === deps.offline || provider.model === null) return kept([]);
  const timeoutMs = deps.timeoutMs ?? DEFAULT_ASSISTANT_TIMEOUT_MS;
  const usage: TurnUsage = new Map();
  try {
    const reply = await callProvider(
      provider,
      {
        task: "explain",
        message: text,
        history: [],
        draft: null,
        errors: [],
        language,
        today: new Date(deps.clock.now()).toISOString().slice(0, 10),
      },
      timeoutMs,
      usage,
    );
    const candidate = reply.message.trim();
    if (reply.kind !== "explain" || !candidate) {
      return kept([`${provider.name} did not rephrase the explanation; the original is shown`]);
    }
    const mismatch = numberMismatch(text, candidate);
    if (mismatch) {
      return kept([`${provider.name}'s rephrasing was not used: ${mismatch}; the original is shown`]);
    }
    return { text: candidate, rephrased: true, provider: provider.name, model: provider.model, notes: [] };
  } catch (e) {
    countsOf(usage, provider.name).fallbacks++;
    const why = e instanceof Error && e.name === "ProviderError" ? e.message : "the call failed";
    deps.log?.("warn", "assistant rephrasing failed; original kept", {
      provider: provider.name,
      user_id: userId,
    });
    return kept([`${provider.name} could not rephrase the explanation (${why}); the original is shown`]);
  } finally {
    await recordUsage(deps, userId, usage);
  }
}
