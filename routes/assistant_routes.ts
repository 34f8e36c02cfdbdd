/**
 * The AI strategy assistant's paths, mounted at the root (as documents 000 and 004 write them) and under
 * `/api/v1`: `POST /generate`, `POST /builder/translate`, `POST /explain` (Quant Copilot), `POST /agent/invoke`
 * and `GET /agent/config/{session_id}` (Backtester v2). None needs a credential (the documents' clients send
 * none); with one, the caller is that user (their sessions, their rate). Anonymous chat sessions belong to the
 * caller's address. On the copilot's three root paths error bodies also carry the document's `error`
 * (`middleware/copilot_errors.ts`); validation failures are the house 422.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { type AgentCaller, agentConfigStatus, agentInvoke } from "../domain/assistant/agent_chat.ts";
import type { AssistantDeps } from "../domain/assistant/assistant_deps.ts";
import { explainStrategy } from "../domain/assistant/explain_strategy.ts";
import { generateStrategy } from "../domain/assistant/generate_strategy.ts";
import { translateBlueprint } from "../domain/assistant/translate_blueprint.ts";
import { LANGUAGES } from "../domain/assistant/turn_contract.ts";
import { type AppEnv, newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { optionalAuth } from "./middleware/auth.ts";
import { StrategySpecResponse } from "./schemas/backtest.ts";
import { errors, jsonBody, jsonResponse } from "./schemas/common.ts";
import {
  AgentInvokeBody,
  ExplainBody,
  GenerateBody,
  SessionId,
  TranslateBody,
} from "./schemas/assistant_requests.ts";

/** A named schema or `null` as `anyOf [$ref, null]` (`.nullable()` would make the shared component nullable). */
const orNull = <T extends z.ZodType>(schema: T) => z.union([schema, z.null()]);

/** An error body: `detail`, and on the copilot's root paths also `error` (the document's one string). */
const AssistantError = z.object({
  detail: z.string(),
  error: z.string().optional().openapi({ description: "The error as one string (Quant Copilot root paths)" }),
}).openapi("AssistantError");
const AssistantValidationError = z.object({
  detail: errors[422].content["application/json"].schema.shape.detail,
  error: z.string().optional().openapi({
    description: "The issues as one string (Quant Copilot root paths)",
  }),
}).openapi("AssistantValidationError");

const DESCRIPTIONS: Record<number, string> = {
  401: "An invalid or expired credential was sent (none is needed)",
  404: "Not found (or not yours)",
  409: "Other turns changed the session at the same time; send the message again",
  413: "The body is too large (or, for a chat turn, the test run of its config)",
  429: "Rate limit exceeded; see the Retry-After header",
};

/** The error responses of an assistant route: the given statuses, plus 422. */
function assistantErrors(...statuses: (keyof typeof DESCRIPTIONS)[]) {
  const out: Record<number, ReturnType<typeof jsonResponse>> = {
    422: jsonResponse(AssistantValidationError, "The body, query or path failed validation"),
  };
  for (const s of [...statuses, 413]) out[s] = jsonResponse(AssistantError, DESCRIPTIONS[s]);
  return out;
}

// ---- /generate

const GenerateAnswer = z.object({
  generated_code: z.string().openapi({
    description:
      "Quantedge strategy text (the canonical `key: value` form, `toStrategyText` of `spec`) — not " +
      'Python; backtrader Python is in `backtrader_code`. "" when `status` is not `ready`.',
  }),
  spec: orNull(StrategySpecResponse).openapi({ description: "The checked spec; null unless ready" }),
  strategy_text: z.string().nullable().openapi({ description: "The same strategy text; null unless ready" }),
  backtrader_code: z.string().nullable().openapi({
    description: "The strategy as backtrader Python (runs in backtrader 1.9); null unless ready",
  }),
  assumptions: z.array(z.string()).openapi({
    description: "Every value chosen that the prompt did not give",
  }),
  status: z.enum(["ready", "needs_info", "refused"]).openapi({
    description:
      "`ready`: a checked strategy; `needs_info`: see `question` and `missing`; `refused`: off-topic",
  }),
  question: z.string().nullable().openapi({ description: "The follow-up question when `needs_info`" }),
  missing: z.array(z.string()).openapi({ description: "Slots still needed: entry, exit, universe" }),
  message: z.string().openapi({ description: "The assistant's text for the user" }),
  provider: z.string().openapi({ description: "offline, gemini, … or backtrader_import" }),
  model: z.string().nullable(),
  notes: z.array(z.string()),
}).openapi("GenerateAnswer");

// ---- /builder/translate

const TranslateAnswer = z.object({
  prompt: z.string().openapi({ description: "A deterministic English sentence describing the blueprint" }),
  generated_code: z.string().openapi({ description: "Quantedge strategy text of `spec` (not Python)" }),
  spec: StrategySpecResponse,
  backtrader_code: z.string().openapi({ description: "The strategy as backtrader Python" }),
}).openapi("TranslateAnswer");

// ---- /explain

const ExplainAnswer = z.object({
  explanation: z.string().openapi({
    description: "Plain-language account built from the parsed spec (numbers from the spec; a configured " +
      "model may only reword it)",
  }),
  spec: orNull(StrategySpecResponse).openapi({
    description: "The spec explained; null when the code holds none",
  }),
  sections: z.array(z.object({
    key: z.enum(["entry", "exit", "ranking", "universe", "sizing", "risk", "costs", "fills", "dates"]),
    title: z.string(),
    text: z.string(),
  })),
  language: z.enum(LANGUAGES),
  rephrased: z.boolean().openapi({ description: "True when a model reworded the text" }),
}).openapi("ExplainAnswer");

// ---- /agent/*

const percentOrNull = z.number().nullable();
const AgentConfigResponse = z.object({
  backtestId: z.string(),
  name: z.string().optional(),
  tickers: z.array(z.string()).optional(),
  universe: z.string().optional(),
  filters: z.object({
    tickers: z.array(z.string()).optional(),
    marketCap: z.array(z.enum(["small", "mid", "large"])).optional(),
    syariah: z.boolean().optional(),
    minDailyValue: z.number().optional(),
    minAvgDailyValue: z.number().optional(),
    sectors: z.array(z.string()).optional(),
  }),
  fundamentalIndicators: z.array(z.object({
    type: z.string(),
    min: z.number().optional(),
    max: z.number().optional(),
  })),
  technicalIndicators: z.array(z.object({ type: z.string() }).catchall(z.number())),
  backtestConfig: z.object({
    initialCapital: z.number(),
    startDate: z.string(),
    endDate: z.string(),
    tradingCosts: z.object({ brokerFee: z.number(), sellFee: z.number(), minimumFee: z.number() }),
    portfolio: z.object({
      positionSizePercent: z.number(),
      minPositionPercent: z.number(),
      maxPositions: z.number(),
    }),
    riskManagement: z.object({
      stopLossPercent: percentOrNull,
      takeProfitPercent: percentOrNull,
      maxHoldingDays: percentOrNull,
    }),
  }),
}).openapi("AgentBacktestConfig", {
  description: "The document-004 config, complete (every value the run uses); POST it to /run_backtest as " +
    "`config` unchanged",
});

const AgentInvokeAnswer = z.object({
  response: z.string().openapi({ description: "The agent's text for the chat" }),
  config_ready: z.boolean().openapi({
    description: "True only when the config passed every check and a test run of it succeeded",
  }),
  backtest_config: orNull(AgentConfigResponse),
  session_id: z.string(),
  question: z.string().nullable().openapi({ description: "The follow-up question, if any" }),
  missing: z.array(z.string()).openapi({
    description: "Slots still needed: strategy, universe, date_range, capital",
  }),
  assumptions: z.array(z.string()).openapi({ description: "Values chosen that the user did not give" }),
  validation_errors: z.array(z.string()).openapi({ description: "Why the config is not ready" }),
  provider: z.string(),
}).openapi("AgentInvokeAnswer");

const AgentConfigAnswer = z.object({
  config_ready: z.boolean(),
  config: orNull(AgentConfigResponse).openapi({
    description: "The checked config; null until there is one",
  }),
  summary: z.string().openapi({
    description: "📊 **Current Strategy Configuration** — every field, the status",
  }),
  validation_errors: z.array(z.string()),
  session_id: z.string(),
  missing: z.array(z.string()),
  question: z.string().nullable(),
  assumptions: z.array(z.string()),
  messages: z.number().int().openapi({ description: "Messages kept in the session" }),
}).openapi("AgentConfigAnswer");

/** The caller of a chat route: the signed-in user, or the client address. */
const callerOf = (c: Context<AppEnv>): AgentCaller => {
  const id = c.get("principal")?.user.id;
  return id ? { userId: id, clientIp: c.get("clientIp") } : { clientIp: c.get("clientIp") };
};
/** Who a generation is charged to: the user, or `ip:<address>`. */
const whoOf = (c: Context<AppEnv>) => c.get("principal")?.user.id ?? `ip:${c.get("clientIp")}`;

/** Builds the assistant router (mounted at the root and under `/api/v1`). */
export function assistantRoutes(auth: AuthDeps, deps: AssistantDeps) {
  const app = newRouter();
  const maybeUser = optionalAuth(auth);
  const copilotTags = ["quant copilot", "assistant"];
  const agentTags = ["backtester v2", "assistant"];

  app.openapi(
    createRoute({
      method: "post",
      path: "/generate",
      tags: copilotTags,
      summary:
        "A strategy from a prompt in words (or backtrader code): checked spec + strategy text, or a question",
      description:
        "Never answers a strategy that does not run: when the prompt is not enough the answer is 200 " +
        'with `status: needs_info`, `question`, `missing`, `generated_code: ""` and `spec: null`. ' +
        "`generated_code` is Quantedge strategy text; `backtrader_code` is the Python export.",
      middleware: [maybeUser],
      request: { body: jsonBody(GenerateBody) },
      responses: {
        200: jsonResponse(GenerateAnswer, "The strategy, or the question"),
        ...assistantErrors(401, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(await fromInput("body", () => generateStrategy(deps, whoOf(c), body)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/builder/translate",
      tags: copilotTags,
      summary: "Compile a visual-builder blueprint: prompt sentence, strategy text, spec, backtrader code",
      middleware: [maybeUser],
      request: { body: jsonBody(TranslateBody) },
      responses: { 200: jsonResponse(TranslateAnswer, "The compiled blueprint"), ...assistantErrors(401) },
    }),
    async (c) => {
      c.req.valid("json");
      // The raw body: a default filled by the field-by-field check must not look like a sent field.
      const raw = await c.req.json() as Record<string, unknown>;
      return c.json(await fromInput("body", () => translateBlueprint(raw)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/explain",
      tags: copilotTags,
      summary: "A plain-language account of a strategy (spec, strategy text or backtrader code)",
      description: "Built deterministically from the parsed spec; backtrader code that defines no strategy " +
        "answers 200 saying so (spec null); other code the importer refuses is a 422 naming the line.",
      middleware: [maybeUser],
      request: { body: jsonBody(ExplainBody) },
      responses: { 200: jsonResponse(ExplainAnswer, "The explanation"), ...assistantErrors(401, 429) },
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(await fromInput("body", () => explainStrategy(deps, whoOf(c), body)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/agent/invoke",
      tags: agentTags,
      summary: "One chat turn building the Backtester v2 config; config_ready once checked and test-run",
      description: "Sessions live 7 days after the last turn and belong to the caller (a signed-in user, " +
        "else the client address): another caller's session id starts a session of its own.",
      middleware: [maybeUser],
      request: { body: jsonBody(AgentInvokeBody) },
      responses: {
        200: jsonResponse(AgentInvokeAnswer, "The agent's answer"),
        ...assistantErrors(401, 409, 429),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      return c.json(await fromInput("body", () => agentInvoke(deps, callerOf(c), body)), 200);
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/agent/config/{session_id}",
      tags: agentTags,
      summary: "Where a chat session stands: config, summary, validation errors",
      middleware: [maybeUser],
      request: { params: z.object({ session_id: SessionId.openapi({ example: "user_abc123" }) }) },
      responses: {
        200: jsonResponse(AgentConfigAnswer, "The session's config"),
        ...assistantErrors(401, 404),
      },
    }),
    async (c) => {
      const { session_id } = c.req.valid("param");
      return c.json(await fromInput("path", () => agentConfigStatus(deps, callerOf(c), session_id)), 200);
    },
  );

  return app;
}
