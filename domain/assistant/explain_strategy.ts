/**
 * `POST /explain`: a plain-language account of a strategy, built deterministically from the parsed spec (what
 * triggers entry and exit, ranking, universe, sizing, risk, costs, fills, capital and dates; every number from
 * the spec). The strategy comes as a spec, as Quantedge strategy text, or as backtrader Python (parsed, never
 * run). A configured model may only reword the text (`AssistantDeps.rephrase`), and its wording is kept only
 * when it carries exactly the numbers of the original.
 */
import { ValidationError } from "../errors.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { parseStrategyText } from "../strategy/strategy_text.ts";
import { looksLikePython } from "../strategy/backtrader/backtrader_import.ts";
import type { AssistantDeps } from "./assistant_deps.ts";
import { readBacktrader, universeOf } from "./backtrader_source.ts";
import { type ExplanationSection, sectionsText, specSections } from "./spec_words.ts";
import type { Language } from "./turn_contract.ts";

/** What to explain: exactly one of `strategy_code`, `code` (the document's other name) or `spec`. */
export interface ExplainInput {
  strategy_code?: string;
  code?: string;
  spec?: StrategySpec;
  /** For code that names no universe (backtrader adds feeds outside the strategy): a universe name or tickers. */
  universe?: string;
  language?: Language;
}

/**
 * The explanation, the spec it was built from (null when the code defines no strategy, or is backtrader code that
 * names no universe and none was sent) and its sections.
 */
export interface ExplainAnswer {
  explanation: string;
  spec: StrategySpec | null;
  sections: ExplanationSection[];
  language: Language;
  /** True when a model reworded the deterministic text (its numbers checked against the original). */
  rephrased: boolean;
}

const NO_UNIVERSE: Record<Language, string> = {
  en:
    "Not set in the code (backtrader adds its data feeds outside the strategy); send `universe` to name it.",
  zh: "代码中未设置（backtrader 在策略之外添加数据源）；可通过 `universe` 指定。",
  id:
    "Tidak ditentukan di kode (backtrader menambahkan data feed di luar strategi); kirim `universe` untuk menentukannya.",
};

const NO_STRATEGY: Record<Language, string> = {
  en: "This code defines no backtrader strategy (no class derived from bt.Strategy), so there is " +
    "nothing to trade: no entry rule, no exit rule, no orders.",
  zh: "这段代码没有定义 backtrader 策略（没有继承 bt.Strategy 的类），因此没有可交易的内容：没有入场规则、" +
    "没有出场规则、没有订单。",
  id: "Kode ini tidak mendefinisikan strategi backtrader (tidak ada kelas turunan bt.Strategy), " +
    "jadi tidak ada yang diperdagangkan: tidak ada aturan masuk, aturan keluar, atau order.",
};

/** The numbers of a text as values, each once, sorted (`1,000` = `1000`, `5.0` = `5`): what a rewording keeps. */
const numbersOf = (text: string) =>
  [
    ...new Set(
      (text.match(/\d+(?:,\d{3})*(?:\.\d+)?/g) ?? []).map((n) => String(Number(n.replaceAll(",", "")))),
    ),
  ]
    .sort().join(" ");

/** Explains the strategy of `input`; a source that does not parse is a 422 naming the field. */
export async function explainStrategy(
  deps: AssistantDeps,
  userId: string,
  input: ExplainInput,
): Promise<ExplainAnswer> {
  const language = input.language ?? "en";
  const given = (["strategy_code", "code", "spec"] as const).filter((k) => input[k] !== undefined);
  if (given.length !== 1) {
    throw new ValidationError(
      given.length ? `Give one of ${given.join(", ")}, not several` : "Give strategy_code, code or spec",
      given.length ? [given[1]] : [],
      given.length ? "value_error" : "missing",
    );
  }
  const field = given[0];
  let spec: StrategySpec;
  let universeMissing = false;
  if (field === "spec") {
    if (input.universe !== undefined) {
      throw new ValidationError("A spec names its own universe; universe is for code", ["universe"]);
    }
    spec = input.spec!;
  } else {
    const code = (field === "code" ? input.code : input.strategy_code)!;
    if (looksLikePython(code)) {
      try {
        ({ spec, universeMissing } = readBacktrader(code, [field], input.universe));
      } catch (e) {
        // The document's own example ("import backtrader as bt\n...") holds no strategy: that is an answer.
        // Anything else (an import outside the subset, a syntax error) is the importer's 422.
        if (e instanceof ValidationError && e.type === "no_strategy") {
          return { explanation: NO_STRATEGY[language], spec: null, sections: [], language, rephrased: false };
        }
        throw e;
      }
    } else {
      spec = parseStrategyText(code, [field], input.universe ? { universe: universeOf(input.universe) } : {});
    }
  }
  const sections = specSections(spec, language).map((s) =>
    s.key === "universe" && universeMissing ? { ...s, text: NO_UNIVERSE[language] } : s
  );
  const text = sectionsText(sections, language);
  // The one place a model touches an explanation: rewording only, numbers checked (see `Rephraser`).
  let explanation = text;
  let rephrased = false;
  if (deps.rephrase) {
    const worded = await deps.rephrase(userId, text, language).catch(() => null);
    if (worded && worded.trim() && worded.trim() !== text.trim() && numbersOf(worded) === numbersOf(text)) {
      explanation = worded.trim();
      rephrased = true;
    }
  }
  return { explanation, spec: universeMissing ? null : spec, sections, language, rephrased };
}
