/**
 * What a model is told and the JSON schema its reply must follow (structured output). The schema is built from
 * the zod schemas: `TurnReplySchema` with `draft` narrowed per task — the strategy spec's input shape
 * (`generate`), the document-004 agent config (`chat`), always null (`explain`) — and simplified to the subset of
 * JSON Schema Gemini's `responseJsonSchema` takes (no string lengths, patterns, defaults or `const`; `oneOf`
 * becomes `anyOf`; the draft's top-level fields are all optional so a question can carry a partial draft). The
 * schema only guides the model: every reply is parsed with `TurnReplySchema` and every draft checked again.
 */
import { z } from "zod";
import { AgentConfigSchema, TECHNICAL_PARAMETERS } from "../../strategy/blueprint_and_config.ts";
import { FIELDS, FUNCTIONS } from "../../strategy/expression.ts";
import { StrategySpecSchema } from "../../strategy/spec.ts";
import { TURN_KINDS, type TurnInput, TurnReplySchema, type TurnTask } from "../turn_contract.ts";

type JsonSchema = { [key: string]: unknown };

/** Keys of JSON Schema kept for Gemini (the rest, such as `maxLength`, `pattern`, `default`, are dropped). */
const KEPT_KEYS = new Set([
  "type",
  "properties",
  "required",
  "items",
  "enum",
  "anyOf",
  "description",
  "minItems",
  "maxItems",
  "minimum",
  "maximum",
  "nullable",
]);

/** `schema` reduced to the subset Gemini's structured output takes (see the module comment). */
function simplify(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(simplify);
  if (!schema || typeof schema !== "object") return schema;
  const src = schema as JsonSchema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(src)) {
    if (key === "properties") {
      out.properties = Object.fromEntries(
        Object.entries(value as JsonSchema).map(([name, sub]) => [name, simplify(sub)]),
      );
    } else if (key === "oneOf" || key === "anyOf") {
      out.anyOf = simplify(value);
    } else if (key === "const") {
      out.enum = [value];
      if (src.type === undefined) out.type = typeof value === "number" ? "number" : typeof value;
    } else if (key === "exclusiveMinimum") {
      out.minimum = value;
    } else if (key === "additionalProperties" && value && typeof value === "object") {
      // A loose object (`{}`): nothing to say beyond its declared properties.
    } else if (KEPT_KEYS.has(key)) {
      out[key] = key === "items" ? simplify(value) : value;
    }
  }
  return out;
}

/** The technical indicators of the chat draft: a known `type` and the parameters any type takes. */
function technicalIndicatorSchema(): JsonSchema {
  const params = new Set<string>();
  for (const p of Object.values(TECHNICAL_PARAMETERS)) for (const name of Object.keys(p)) params.add(name);
  return {
    type: "object",
    description: "One indicator: type and only that type's parameters (see the system instruction)",
    properties: {
      type: { type: "string", enum: Object.keys(TECHNICAL_PARAMETERS) },
      ...Object.fromEntries([...params].map((name) => [name, { type: "number" }])),
    },
    required: ["type"],
  };
}

/** The draft's schema for `task`, all top-level fields optional; `null` for `explain` (no draft). */
function draftSchema(task: TurnTask): JsonSchema | null {
  if (task === "explain") return null;
  const source = task === "generate" ? StrategySpecSchema : AgentConfigSchema;
  const full = simplify(z.toJSONSchema(source, { io: "input", unrepresentable: "any" })) as JsonSchema;
  delete full.required;
  if (task === "chat") {
    const props = full.properties as JsonSchema;
    props.technicalIndicators = {
      type: "array",
      minItems: 1,
      maxItems: 20,
      items: technicalIndicatorSchema(),
    };
  }
  return full;
}

const schemaCache = new Map<TurnTask, JsonSchema>();

/** The JSON schema of a reply for `task` (Gemini's `responseJsonSchema`), built once per task. */
export function turnResponseSchema(task: TurnTask): JsonSchema {
  const cached = schemaCache.get(task);
  if (cached) return cached;
  const reply = simplify(
    z.toJSONSchema(TurnReplySchema, { io: "input", unrepresentable: "any" }),
  ) as JsonSchema;
  const draft = draftSchema(task);
  (reply.properties as JsonSchema).draft = draft
    ? { anyOf: [draft, { type: "null" }], description: "The draft so far; null when there is nothing yet" }
    : { type: "null" };
  schemaCache.set(task, reply);
  return reply;
}

/** The expression language in one paragraph: fields, operators and every function with its parameters. */
function expressionLanguage(): string {
  const fns = Object.entries(FUNCTIONS).map(([name, spec]) =>
    `${name}(${
      spec.params.map((p) => (p.default === undefined ? p.name : `${p.name}=${p.default}`)).join(", ")
    }): ${spec.doc}`
  );
  return [
    `Expressions use numbers, the fields ${FIELDS.join(" ")}, + - * /, comparisons < <= > >= == !=,`,
    "and/or/not and parentheses. Windows are whole numbers (1–5000). The only functions are:",
    ...fns.map((f) => `- ${f}`),
    "entry and exit must be conditions (true/false); rank_by is a number (higher is taken first).",
  ].join("\n");
}

const LANGUAGE_NAMES = {
  en: "English",
  zh: "Chinese (简体中文)",
  id: "Indonesian (Bahasa Indonesia)",
} as const;

/** The slots of each task. */
const SLOT_TEXT: Record<TurnTask, string> = {
  generate:
    "Required slots: entry, exit, universe. Everything else may be assumed (and listed in assumptions).",
  chat: "Required slots: strategy (technicalIndicators), universe (filters.tickers, universe or " +
    "filters.marketCap), date_range (backtestConfig.startDate/endDate), capital (backtestConfig.initialCapital). " +
    "tradingCosts, portfolio and riskManagement may be assumed (and listed in assumptions).",
  explain: "",
};

const TASK_TEXT: Record<TurnTask, string> = {
  generate: "Turn the user's description into a Quantedge strategy spec (the draft).",
  chat:
    "Continue a conversation that builds a backtest agent config (the draft): keep what the draft already " +
    "holds, add what the user's new message gives, and ask for the next missing slot.",
  explain: "Rephrase the given explanation of a strategy in plain language. Keep every number exactly as " +
    "written and add no number of your own. Answer with kind explain, the rephrasing in message, draft null.",
};

/** The system instruction for `input`: the task, the expression language, the slots and the reply rules. */
export function systemInstruction(input: TurnInput): string {
  const parts = [
    "You are the strategy assistant of Quantedge, a backtesting platform. Reply with one JSON object that " +
    "follows the response schema, nothing else.",
    TASK_TEXT[input.task],
    `Answer in ${LANGUAGE_NAMES[input.language]}. Today is ${input.today} (UTC); resolve relative dates ` +
    "against it.",
  ];
  if (input.task !== "explain") {
    parts.push(
      `kind is one of ${
        TURN_KINDS.join(", ")
      }: needs_info (ask one question in \`question\`, name the missing ` +
        "slots in `missing`), config_ready (the draft is complete), explain, or refuse (not about trading " +
        "strategies).",
      SLOT_TEXT[input.task],
      "Never fill a required slot the user did not give: ask for it. Every value you choose yourself (a " +
        "default, a cost, a window) must be listed in assumptions, one short sentence each.",
    );
  }
  if (input.task === "chat") {
    const types = Object.entries(TECHNICAL_PARAMETERS).map(([t, p]) => `${t}(${Object.keys(p).join(", ")})`);
    parts.push(`technicalIndicators types and their parameters: ${types.join("; ")}.`);
  }
  if (input.task === "generate") parts.push(expressionLanguage());
  return parts.join("\n\n");
}

/** One message of the request: the user's (`user`) or the model's (`model`). */
export interface PromptContent {
  role: "user" | "model";
  text: string;
}

/**
 * The conversation sent to the model: the history, then one user message with the newest text, the current
 * draft and the previous check errors (a repair request).
 */
export function turnContents(input: TurnInput): PromptContent[] {
  const out: PromptContent[] = input.history.map((m) => ({
    role: m.role === "user" ? "user" : "model",
    text: m.text,
  }));
  const lines = [input.task === "explain" ? `Explanation to rephrase:\n${input.message}` : input.message];
  if (input.draft) lines.push(`Current draft (JSON):\n${JSON.stringify(input.draft)}`);
  if (input.errors.length) {
    lines.push(
      "Your previous reply failed these checks; fix the draft (or ask the user if you cannot):\n" +
        input.errors.map((e) => `- ${e}`).join("\n"),
    );
  }
  out.push({ role: "user", text: lines.join("\n\n") });
  return out;
}
