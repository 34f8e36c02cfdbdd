/**
 * `POST /builder/translate`: the visual builder's blueprint (document 000's `StrategyBlueprint`, sent as the
 * body or wrapped as `{blueprint: …}`) compiled into a spec by `compileBlueprint`, with the deterministic English
 * prompt that describes it, the strategy text and the backtrader export. Only daily bars exist, so `timeframe`
 * is accepted only as a daily value (a 422 says so otherwise).
 */
import { ZodError } from "zod";
import { ValidationError } from "../errors.ts";
import { BlueprintSchema, compileBlueprint } from "../strategy/blueprint_and_config.ts";
import { toBacktraderCode } from "../strategy/backtrader/backtrader_export.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { toStrategyText } from "../strategy/strategy_text.ts";
import { num, ruleInWords } from "./spec_words.ts";

/** The translation. `generated_code` is Quantedge strategy text (the house's code form). */
export interface TranslateAnswer {
  prompt: string;
  generated_code: string;
  spec: StrategySpec;
  backtrader_code: string;
}

const SIZING_WORDS = {
  fixed: "fixed position size",
  percent: "percent-of-equity position size",
  risk_adjusted: "risk-adjusted position size",
} as const;

/** Translates a blueprint (`input` is the body: the blueprint itself, or `{blueprint}`). */
export function translateBlueprint(input: Record<string, unknown>): TranslateAnswer {
  const wrapped = input.blueprint !== undefined;
  if (wrapped && Object.keys(input).length > 1) {
    throw new ValidationError(
      "Send the blueprint as the body or wrapped as {blueprint: …}, not both",
      [Object.keys(input).find((k) => k !== "blueprint")!],
      "extra_forbidden",
    );
  }
  const parsed = BlueprintSchema.safeParse(wrapped ? input.blueprint : input);
  if (!parsed.success) throw issuesOf(parsed.error, wrapped ? ["blueprint"] : []);
  const bp = parsed.data;
  let spec: StrategySpec;
  try {
    spec = compileBlueprint(bp);
  } catch (e) {
    throw e instanceof ZodError ? issuesOf(e, wrapped ? ["blueprint"] : []) : e;
  }
  const r = spec.risk;
  const risk = [
    r.stop_loss_pct !== null ? `stop loss ${num(r.stop_loss_pct)}%` : null,
    r.take_profit_pct !== null ? `take profit ${num(r.take_profit_pct)}%` : null,
    r.trailing_stop_pct !== null ? `trailing stop ${num(r.trailing_stop_pct)}%` : null,
  ].filter(Boolean);
  const sizing = spec.sizing;
  const sizeDetail = sizing.method === "fixed_quantity"
    ? ` (${sizing.quantity} shares)`
    : sizing.method === "percent_equity"
    ? ` (${num(sizing.percent)}% of equity)`
    : sizing.method === "risk_adjusted"
    ? ` (${num(sizing.risk_pct)}% of equity at risk, stop ${
      num(sizing.atr_multiple)
    } × ATR ${sizing.atr_period})`
    : "";
  const prompt = `Build a strategy on ${bp.asset} using ${bp.timeframe.trim()} candles: enter when ` +
    `${ruleInWords(spec.entry, "en")}; ${
      bp.exit.length
        ? `exit when ${ruleInWords(spec.exit, "en")}`
        : "no exit rule (positions leave by the risk rules)"
    }; ` +
    `${risk.length ? risk.join(", ") : "no stop loss or take profit"}; ` +
    `${SIZING_WORDS[bp.position_sizing]}${sizeDetail}.`;
  return {
    prompt,
    generated_code: toStrategyText(spec),
    spec,
    backtrader_code: toBacktraderCode(spec),
  };
}

/** A blueprint's zod issues as one 422 with every issue, under `at`. */
function issuesOf(error: ZodError, at: string[]): ValidationError {
  const issues = error.issues.map((i) => {
    const missing = i.code === "invalid_type" && /received undefined$/.test(i.message);
    return {
      type: missing ? "missing" : i.code,
      loc: [...at, ...i.path.map((p) => (typeof p === "number" ? p : String(p)))],
      msg: missing ? "Field required" : i.message,
    };
  });
  return new ValidationError(issues[0].msg, issues[0].loc, issues[0].type, issues);
}
