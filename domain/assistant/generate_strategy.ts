/**
 * `POST /generate`: a prompt in words (English, Chinese, Indonesian) → a checked strategy spec, its strategy text
 * (`generated_code`, the house's code form), its backtrader export and the assumptions made; or, when the prompt
 * does not say enough, `status: "needs_info"` with the question and the missing slots (never a strategy that
 * does not run). A prompt that is backtrader Python is parsed first (never run); code outside the supported
 * subset is refused with the importer's 422, unless a model is configured, which is then asked to translate it
 * (its draft is checked like any other).
 */
import { ValidationError } from "../errors.ts";
import { toBacktraderCode } from "../strategy/backtrader/backtrader_export.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { toStrategyText } from "../strategy/strategy_text.ts";
import { assist, type AssistOutcome } from "./assist.ts";
import { checkDraft } from "./draft_checks.ts";
import type { AssistantDeps } from "./assistant_deps.ts";
import { readBacktrader } from "./backtrader_source.ts";
import { looksLikePython } from "../strategy/backtrader/backtrader_import.ts";
import type { Language } from "./turn_contract.ts";

/** A generation request. */
export interface GenerateInput {
  user_prompt: string;
  /**
   * The universe (a name such as `idx`, or tickers): fills backtrader code that names none, and is handed to the
   * provider with a prompt in words.
   */
  universe?: string;
  language?: Language;
}

/**
 * What `/generate` answers. `generated_code` is Quantedge strategy text ("" when there is no strategy). A ready
 * answer may still carry a `question`: a follow-up about a value it assumed (listed in `assumptions`).
 */
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
  if (looksLikePython(prompt)) {
    try {
      const { spec, universeMissing } = readBacktrader(prompt, ["user_prompt"], input.universe);
      if (universeMissing) return universeQuestion(language);
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
    message: input.universe ? `${prompt}\nUniverse: ${input.universe}` : prompt,
    history: [],
    draft: null,
    language,
  });
  const provisional = await onAssumedUniverse(deps, userId, outcome);
  if (provisional) return provisional;
  return answerOf(outcome, []);
}

/**
 * When the prompt gave the rules but no market, the parser drafts on a stated default universe (listed in
 * `assumptions`) and asks which market to use. That draft, once it passes the same three checks, is answered as
 * a runnable strategy with the question kept as a follow-up (so the document's "Create a moving average
 * crossover strategy" gets code, and the user sees which market was assumed). Anything else: `null`.
 */
async function onAssumedUniverse(
  deps: AssistantDeps,
  userId: string,
  outcome: AssistOutcome,
): Promise<GenerateAnswer | null> {
  const r = outcome.reply;
  if (outcome.spec || r.kind !== "needs_info" || !r.draft) return null;
  if (r.missing.length !== 1 || r.missing[0] !== "universe") return null;
  const checked = await checkDraft("generate", r.draft, { market: deps.assist.market, userId });
  if (!checked.ok) return null;
  const answer = ready(
    checked.spec,
    r.assumptions,
    outcome.provider,
    outcome.model,
    outcome.notes,
    r.message,
  );
  return { ...answer, question: r.question ?? r.message };
}

const UNIVERSE_QUESTION: Record<Language, string> = {
  en:
    "Which tickers or universe should this backtrader strategy trade? Backtrader adds its data feeds outside " +
    'the strategy: send them as `universe` (e.g. "RELIANCE.NS", "AAPL, MSFT" or "idx").',
  zh: "这个 backtrader 策略交易哪些股票或股票池？backtrader 在策略之外添加数据源：请通过 `universe` 发送" +
    '（例如 "RELIANCE.NS"、"AAPL, MSFT" 或 "idx"）。',
  id:
    "Saham atau universe apa yang diperdagangkan strategi backtrader ini? Backtrader menambahkan data feed di " +
    'luar strategi: kirim sebagai `universe` (mis. "RELIANCE.NS", "AAPL, MSFT" atau "idx").',
};

/** The answer to backtrader code whose rules were read but that names no universe. */
function universeQuestion(language: Language): GenerateAnswer {
  return {
    generated_code: "",
    spec: null,
    strategy_text: null,
    backtrader_code: null,
    assumptions: [],
    status: "needs_info",
    question: UNIVERSE_QUESTION[language],
    missing: ["universe"],
    message: UNIVERSE_QUESTION[language],
    provider: IMPORTER,
    model: null,
    notes: ["the backtrader code was read (parsed, never run); only its universe is missing"],
  };
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
