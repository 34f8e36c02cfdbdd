/**
 * Strategy assistant tools (the Quant Copilot's generate, blueprint translation and explanation; the Backtester
 * v2 chat agent and its sessions): the same operations as `POST /generate`, `/builder/translate`, `/explain`,
 * `/agent/invoke` and `GET /agent/config/{session_id}`. Like those routes they need no credential; with an API
 * key the caller is that user (their rate, their chat sessions), without one the client address. A configured
 * model provider (Gemini) may be asked — so the tools that can reach it are marked open-world — and offline the
 * platform's deterministic parser answers; a draft that fails the platform's checks is never returned.
 */
import { z } from "zod";
import {
  AGENT_SESSION_TTL_MS,
  type AgentCaller,
  agentConfigStatus,
  agentInvoke,
  MAX_MESSAGES,
} from "../../domain/assistant/agent_chat.ts";
import { MAX_USAGE_DAYS, readAssistantUsage } from "../../domain/assistant/assistant_usage.ts";
import { explainStrategy } from "../../domain/assistant/explain_strategy.ts";
import { generateStrategy } from "../../domain/assistant/generate_strategy.ts";
import { translateBlueprint } from "../../domain/assistant/translate_blueprint.ts";
import { BlueprintSchema } from "../../domain/strategy/blueprint_and_config.ts";
import { checkStrategyText } from "../../domain/strategy/strategy_text_check.ts";
import {
  AgentInvokeBody,
  ExplainBody,
  GenerateBody,
  Language as LanguageArg,
  SessionId,
  Universe as UniverseArg,
} from "../../routes/schemas/assistant_requests.ts";
import { safeText } from "../../routes/schemas/common.ts";
import { defineTool, READ_ONLY, type ToolContext, type ToolDef } from "../tool_kit.ts";

/** The sentence every model-backed tool carries about who answers. */
const WHO_ANSWERS = "When a model provider (Gemini) is configured it is asked first, under a deadline; " +
  "offline — or when the model fails — the platform's deterministic parser (English, Chinese, Indonesian) " +
  "answers, and `provider` says which did.";

const Language = LanguageArg.describe("Language of the answer: en (default), zh or id");

const Universe = UniverseArg.describe(
  'A universe name (idx, us, hs300, …) or tickers separated by commas (e.g. "RELIANCE.NS"): fills ' +
    "backtrader code that names none (its data feeds are added outside the strategy)",
);

const SESSION_RULES = "Sessions belong to the caller — your account with an API key, else your client " +
  "address — so another caller's session id names a different session; they live " +
  `${AGENT_SESSION_TTL_MS / 86_400_000} days after the last turn and keep the last ${MAX_MESSAGES} messages.`;

const B = BlueprintSchema.shape;

/** The chat caller of a tool call: the signed-in user, or the client address (as the HTTP route). */
function agentCaller(ctx: ToolContext): AgentCaller {
  const id = ctx.caller.principal?.user.id;
  return id ? { userId: id, clientIp: ctx.caller.clientIp } : { clientIp: ctx.caller.clientIp };
}

/** Who a generation or explanation is charged to: the user, or `ip:<address>` (as the HTTP routes). */
const whoOf = (ctx: ToolContext) => ctx.caller.principal?.user.id ?? `ip:${ctx.caller.clientIp}`;

/** The assistant tools. */
export const assistantTools: ToolDef[] = [
  defineTool({
    name: "generate_strategy",
    title: "Generate a strategy from words",
    description: "Turns an idea in words (or backtrader Python, parsed and never run) into a checked " +
      "strategy: `spec`, Quantedge strategy text (`generated_code`, also `strategy_text`), a backtrader " +
      "export (`backtrader_code`) and the `assumptions` made. Never answers a strategy that does not run: " +
      'when the prompt is not enough the answer has status "needs_info" with `question` and `missing` ' +
      '(entry, exit, universe), generated_code "" and spec null; off-topic prompts are "refused". Nothing ' +
      "is saved (save_strategy keeps a spec; run_backtest runs one). " + WHO_ANSWERS + " Charged to the " +
      "assistant turn rate (429 with retry_after_seconds).",
    input: z.strictObject({
      user_prompt: GenerateBody.shape.user_prompt.describe(
        'The idea in words, e.g. "SMA crossover 20/50 on AAPL, stop loss 5%", or backtrader Python code ' +
          "(≤ 20,000 characters)",
      ),
      universe: Universe,
      language: Language,
    }),
    access: "public",
    hints: { ...READ_ONLY, openWorld: true },
    run: (ctx, args) => generateStrategy(ctx.deps.strategyAssistant, whoOf(ctx), args),
  }),
  defineTool({
    name: "translate_blueprint",
    title: "Compile a visual-builder blueprint",
    description:
      "Compiles a StrategyBlueprint (the Quant Copilot's visual builder: an asset, entry and exit " +
      "rules on sma, ema, rsi, zscore, macd, bollinger or atr, risk and sizing) into a `spec`, a " +
      "deterministic English `prompt` describing it, Quantedge strategy text (`generated_code`) and " +
      "`backtrader_code`. Deterministic, no model involved; nothing is saved. Entry rules are joined with " +
      "and, exits with or.",
    input: z.strictObject({
      asset: B.asset.describe('The symbol traded, e.g. "RELIANCE.NS" or "AAPL" (required)'),
      timeframe: B.timeframe.describe('Daily bars only: "1d" (default; also daily, D, 1D, day)'),
      entry: B.entry.describe(
        "1–10 rules [{indicator: sma|ema|rsi|zscore|macd|bollinger|atr, operator: > < >= <= crosses_above " +
          "crosses_below, value: number|null, params: {lookback?, threshold?, multiplier?}}], all must hold",
      ),
      exit: B.exit.describe("0–10 rules of the same form, any one exits (default none: risk rules only)"),
      risk: B.risk.describe(
        '{stop_loss?, take_profit?, trailing_stop?}: a fraction ≤ 1 or a percent > 1; stop_loss may be "5%"',
      ),
      position_sizing: B.position_sizing.describe(
        "fixed (100 shares) | percent (all equity, default) | risk_adjusted (1% of equity at risk, stop 2 × ATR 14)",
      ),
      capital: B.capital.describe("Starting capital in the asset's currency (default the spec's)"),
      start: B.start.describe("First date of the backtest range, YYYY-MM-DD (default five years before end)"),
      end: B.end.describe("Last date, YYYY-MM-DD (default today, UTC)"),
    }),
    access: "public",
    hints: READ_ONLY,
    run: (_ctx, args) => Promise.resolve(translateBlueprint(args)),
  }),
  defineTool({
    name: "explain_strategy",
    title: "Explain a strategy in plain language",
    description: "A plain-language account of a strategy — entry, exit, ranking, universe, sizing, risk, " +
      "costs, fills, dates — as `explanation` and `sections`, built from the parsed spec (every number comes " +
      "from the spec). Give exactly one of strategy_code (Quantedge strategy text or backtrader Python, parsed " +
      "and never run) or spec. A configured model (Gemini) may only reword the text, and its wording is kept " +
      "only when every number survives (`rephrased`); offline the deterministic text is answered as is. Code " +
      "that defines no backtrader strategy answers spec null; code that does not parse is a 422 naming the line.",
    input: z.strictObject({
      strategy_code: ExplainBody.shape.strategy_code.describe(
        "Quantedge strategy text (key: value lines) or backtrader Python (≤ 20,000 characters)",
      ),
      spec: ExplainBody.shape.spec.describe(
        "A strategy spec object (as generate_strategy answers it)",
      ),
      universe: Universe,
      language: Language,
    }),
    access: "public",
    hints: { ...READ_ONLY, openWorld: true },
    run: (ctx, args) => explainStrategy(ctx.deps.strategyAssistant, whoOf(ctx), args),
  }),
  defineTool({
    name: "agent_chat",
    title: "Chat with the backtest configuration agent",
    description: "One turn of the Backtester v2 chat agent, which builds a complete backtest config from a " +
      "conversation (strategy, universe, date range, capital). Answers `response`, `question` and `missing` " +
      "while something is needed; `config_ready` is true only when the config passed every check and a test " +
      "run of it succeeded, and then `backtest_config` is complete (every value written out). Keep the same " +
      "session_id for the whole conversation; read where it stands with get_agent_config. " + SESSION_RULES +
      " " + WHO_ANSWERS + " Not idempotent: each call adds a turn to the session — after a timeout read " +
      "get_agent_config {session_id} (its `messages` count) before sending again.",
    input: z.strictObject({
      input_text: AgentInvokeBody.shape.input_text.describe(
        'The user\'s message (≤ 4,000 characters), e.g. "I want to test a momentum strategy on large cap stocks"',
      ),
      session_id: AgentInvokeBody.shape.session_id.describe(
        'The conversation: 1–128 letters, digits, _ . : - (default "default")',
      ),
      language: Language.describe("Language of the answer: en, zh or id (default: guessed from the message)"),
    }),
    access: "public",
    hints: { readOnly: false, destructive: false, idempotent: false, openWorld: true },
    run: (ctx, args) => agentInvoke(ctx.deps.strategyAssistant, agentCaller(ctx), args),
  }),
  defineTool({
    name: "get_agent_config",
    title: "A chat session's config",
    description:
      "Where a chat session of agent_chat stands: config_ready, the checked `config` (null until " +
      "there is one), a `summary` of every field, validation_errors, missing, question, assumptions and the " +
      "number of `messages` kept. A session that does not exist, expired or is another caller's answers 404. " +
      SESSION_RULES,
    input: z.strictObject({
      session_id: SessionId.describe('The session id given to agent_chat (default there: "default")'),
    }),
    access: "public",
    hints: READ_ONLY,
    run: (ctx, { session_id }) => agentConfigStatus(ctx.deps.strategyAssistant, agentCaller(ctx), session_id),
  }),
  defineTool({
    name: "check_strategy_text",
    title: "Check strategy code",
    description:
      "Checks strategy code without running it (POST /api/v1/strategy-text/check): strategy text " +
      "(the resource quantedge://docs/strategy-language) or backtrader Python of the supported subset. Answers " +
      "`valid`, every problem with its 1-based line, column, message and hint, and when valid the checked spec " +
      "and canonical text — valid code is accepted by every tool taking `strategy_code` (run_backtest, " +
      "save_strategy, …). Invalid code is an answer with valid false, not an error. No API key needed.",
    input: z.strictObject({
      strategy_code: safeText({ min: 1, max: 20_000, multiline: true, trim: false }).describe(
        "Strategy text or backtrader Python, 1–20,000 characters",
      ),
    }),
    access: "public",
    hints: READ_ONLY,
    run: (_ctx, { strategy_code }) => Promise.resolve(checkStrategyText(strategy_code)),
  }),
  defineTool({
    name: "get_assistant_usage",
    title: "My assistant usage",
    description: "My strategy-assistant usage (GET /api/v1/assistant/usage): calls, fallbacks to the " +
      "offline parser, repairs and model tokens per UTC day and provider, their totals, the provider asked " +
      "first and the assistant's rate limit (generate_strategy, agent_chat and explain_strategy share it).",
    input: z.strictObject({
      days: z.number().int().min(1).max(MAX_USAGE_DAYS).default(30).describe(
        `UTC days covered, today included, 1–${MAX_USAGE_DAYS} (default 30)`,
      ),
    }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { days }) => readAssistantUsage(ctx.deps.assistant, ctx.user().id, days),
  }),
];
