/**
 * The Gemini provider: one `generateContent` call per turn through `@google/genai`, with structured output (every
 * request carries `responseMimeType: "application/json"` and the task's JSON schema, `turn_prompt.ts`). The reply
 * text is parsed as JSON and with `TurnReplySchema`; anything else is a `malformed` `ProviderError` (the caller
 * asks again once). The API key comes from the config only; it travels in the `x-goog-api-key` header and is
 * scrubbed from every error message this module passes on, so it never reaches a log or an answer.
 */
import { ApiError, GoogleGenAI } from "@google/genai";
import { type LlmProvider, type TurnInput, type TurnReply, TurnReplySchema } from "../turn_contract.ts";
import { ProviderError } from "./provider_error.ts";
import { systemInstruction, turnContents, turnResponseSchema } from "./turn_prompt.ts";

/** The model asked when `GEMINI_MODEL` is not set. */
export const DEFAULT_GEMINI_MODEL = "gemini-2.5-flash";

/** How to reach Gemini. */
export interface GeminiSettings {
  apiKey: string;
  model: string;
  /** Another endpoint than Google's (a proxy, or a loopback fake in tests); `undefined` for the default. */
  baseUrl?: string;
}

/** Longest piece of a model's text quoted in a parse error. */
const QUOTE_CHARS = 200;

/** `text` with every occurrence of `secret` replaced. */
function scrub(text: string, secret: string): string {
  return secret ? text.split(secret).join("[redacted]") : text;
}

/** Parses a model's reply text into a `TurnReply`; throws a `malformed` `ProviderError` saying why. */
function parseReply(text: string | undefined): TurnReply {
  if (!text || !text.trim()) throw new ProviderError("malformed", "the reply was empty");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ProviderError(
      "malformed",
      `the reply was not JSON (${(e as Error).message}): ${JSON.stringify(text.slice(0, QUOTE_CHARS))}`,
    );
  }
  const parsed = TurnReplySchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "reply"}: ${i.message}`);
    throw new ProviderError("malformed", `the reply does not follow the schema: ${issues.join("; ")}`);
  }
  return parsed.data;
}

/** A failure of the client as a `ProviderError` (the key scrubbed from its text). */
function toProviderError(e: unknown, signal: AbortSignal, apiKey: string): ProviderError {
  if (e instanceof ProviderError) return e;
  if (signal.aborted || (e instanceof Error && e.name === "AbortError")) {
    return new ProviderError("timeout", "the call was aborted at its deadline");
  }
  if (e instanceof ApiError) {
    const detail = scrub(e.message, apiKey).slice(0, 300);
    return new ProviderError("http", `HTTP ${e.status}: ${detail}`, e.status);
  }
  const message = e instanceof Error ? e.message : String(e);
  return new ProviderError("unreachable", scrub(message, apiKey).slice(0, 300));
}

/** Creates the Gemini provider. */
export function createGeminiProvider(settings: GeminiSettings): LlmProvider {
  const client = new GoogleGenAI({
    apiKey: settings.apiKey,
    ...(settings.baseUrl ? { httpOptions: { baseUrl: settings.baseUrl } } : {}),
  });
  return {
    name: "gemini",
    model: settings.model,
    async turn(input: TurnInput, signal: AbortSignal, meter): Promise<TurnReply> {
      let text: string | undefined;
      try {
        const response = await client.models.generateContent({
          model: settings.model,
          contents: turnContents(input).map((c) => ({ role: c.role, parts: [{ text: c.text }] })),
          config: {
            systemInstruction: systemInstruction(input),
            responseMimeType: "application/json",
            responseJsonSchema: turnResponseSchema(input.task),
            abortSignal: signal,
          },
        });
        const usage = response.usageMetadata;
        meter?.tokens(usage?.promptTokenCount ?? 0, usage?.candidatesTokenCount ?? 0);
        text = response.text;
      } catch (e) {
        throw toProviderError(e, signal, settings.apiKey);
      }
      return parseReply(text);
    },
  };
}
