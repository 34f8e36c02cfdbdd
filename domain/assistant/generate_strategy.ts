/**
 * `POST /generate`: a prompt in words (English, Chinese, Indonesian) → a checked strategy spec, its strategy text
 * (`generated_code`, the house's code form), its backtrader export and the assumptions made; or, when the prompt
 * does not say enough, `status: "needs_info"` with the question and the missing slots (never a strategy that
 * does not run). A prompt that is backtrader Python is parsed first (never run); code outside the supported
 * subset is refused with the importer's 422, unless a model is configured, which is then asked to translate it
 * (its draft is checked like any other).
 */
import { ValidationError } from "../errors.ts";
import { parseBacktraderCode } from "../strategy/backtrader/backtrader_import.ts";
import { toBacktraderCode } from "../strategy/backtrader/backtrader_export.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { toStrategyText } from "../strategy/strategy_text.ts";
import { assist, type AssistOutcome } from "./assist.ts";
import type { AssistantDeps } from "./assistant_deps.ts";
import { isPythonCode } from "./explain_strategy.ts";
import type { Language } from "./turn_contract.ts";

/** A generation request. */
export interface GenerateInput {
  user_prompt: string;
  language?: Language;
}

/** What `/generate` answers. `generated_code` is Quantedge strategy text ("" when there is no strategy). */
export interface GenerateAnswer {
  generated_code: string;
  spec: StrategySpec | null;
  strategy_text: string | null;
  backtrader_code: string | null;
  assumptions: string[];
  status: "ready" | "needs_info" | "refused";
  question: string | null;
  missing: string[];
  message: string;
  provider: string;
  model: string | null;
  notes: string[];
}

/** The provider name of a strategy read from backtrader code by the importer. */
const IMPORTER = "backtrader_import";

/** Generates a strategy for `userId` from `input.user_prompt`. */
export async function generateStrategy(
  deps: AssistantDeps,
  userId: string,
  input: GenerateInput,
): Promise<GenerateAnswer> {
  const language = input.language ?? "en";
  const prompt = input.user_prompt;
  if (isPythonCode(prompt)) {
    try {
      const spec = parseBacktraderCode(prompt, ["user_prompt"]);
      return ready(spec, [], IMPORTER, null, ["read from backtrader code (parsed, never run)"], "");
    } catch (e) {
      const modelConfigured = deps.assist.provider.name !== deps.assist.offline.name;
      if (!(e instanceof ValidationError) || !modelConfigured) throw e;
      const outcome = await assist(deps.assist, userId, {
        task: "generate",
        message: "Translate this backtrader strategy into a Quantedge strategy spec (the code is not run; " +
          `the importer refused it: ${e.message}):\n\n${prompt}`,
        history: [],
        draft: null,
        language,
      });
      return answerOf(outcome, [
        `the backtrader importer refused the code (${e.message}); a model translated it`,
      ]);
    }
  }
  const outcome = await assist(deps.assist, userId, {
    task: "generate",
    message: prompt,
    history: [],
    draft: null,
    language,
  });
  return answerOf(outcome, []);
}

function ready(
  spec: StrategySpec,
  assumptions: string[],
  provider: string,
  model: string | null,
  notes: string[],
  message: string,
): GenerateAnswer {
  const text = toStrategyText(spec);
  return {
    generated_code: text,
    spec,
    strategy_text: text,
    backtrader_code: toBacktraderCode(spec),
    assumptions,
    status: "ready",
    question: null,
    missing: [],
    message,
    provider,
    model,
    notes,
  };
}

/** A checked outcome as the answer: ready with its spec, else the question (or the refusal). */
function answerOf(outcome: AssistOutcome, notes: string[]): GenerateAnswer {
  const r = outcome.reply;
  const allNotes = [...notes, ...outcome.notes];
  if (outcome.spec) {
    return ready(outcome.spec, r.assumptions, outcome.provider, outcome.model, allNotes, r.message);
  }
  const refused = r.kind === "refuse";
  return {
    generated_code: "",
    spec: null,
    strategy_text: null,
    backtrader_code: null,
    assumptions: r.assumptions,
    status: refused ? "refused" : "needs_info",
    question: refused ? null : r.question ?? r.message,
    missing: r.missing,
    message: r.message,
    provider: outcome.provider,
    model: outcome.model,
    notes: allNotes,
  };
}
