/**
 * The one turn contract of the strategy assistant. Every answer of a provider — the offline parser, Gemini
 * (requested with structured output, the JSON schema built from these zod schemas), or a test fake — is one
 * `TurnReply`. A reply is never trusted: its draft goes through the three checks (`draft_checks.ts`) before
 * anything reaches the user, and the numbers of an explanation come from the parsed spec, never from a model.
 */
import { z } from "zod";

/** What a reply is: a follow-up question, a ready draft, an explanation, or a refusal (off-topic, unsafe). */
export const TURN_KINDS = ["needs_info", "config_ready", "explain", "refuse"] as const;
/** The kind of a reply. */
export type TurnKind = typeof TURN_KINDS[number];

/** The languages the assistant reads and answers in (the users of documents 002 and 004 write in them). */
export const LANGUAGES = ["en", "zh", "id"] as const;
/** A language. */
export type Language = typeof LANGUAGES[number];

/**
 * What the assistant is asked to do: `generate` a strategy spec from a prompt (`/generate`), continue a `chat`
 * that builds a document-004 agent config (`/agent/invoke`), or `explain` (rephrase a deterministic account).
 */
export type TurnTask = "generate" | "chat" | "explain";

/**
 * A provider's reply. `draft` is, for `generate`, a strategy spec in its input shape (expressions as strings,
 * checked by Quantedge's parser); for `chat`, the document-004 agent config built so far; `null` when there is
 * nothing to draft yet. `missing` names the slots still needed (e.g. `"date_range"`, `"technicalIndicators"`).
 * `assumptions` lists every value the provider chose that the user did not give (never filled silently).
 */
export const TurnReplySchema = z.strictObject({
  kind: z.enum(TURN_KINDS),
  /** The text shown to the user, in the user's language. */
  message: z.string().max(4000),
  /** The follow-up question (`needs_info`), else null. */
  question: z.string().max(1000).nullable(),
  missing: z.array(z.string().max(80)).max(20),
  draft: z.record(z.string(), z.unknown()).nullable(),
  assumptions: z.array(z.string().max(300)).max(30),
  /** Why the draft looks the way it does (shown with the answer, kept short). */
  rationale: z.string().max(2000),
});
/** A provider's reply. */
export type TurnReply = z.infer<typeof TurnReplySchema>;

/** One earlier message of a conversation. */
export interface TurnMessage {
  role: "user" | "assistant";
  text: string;
}

/** What a provider is asked. */
export interface TurnInput {
  task: TurnTask;
  /** The user's newest message: the prompt, the chat message, or (explain) the deterministic account to rephrase. */
  message: string;
  /** Earlier messages of the conversation, oldest first (chat only; empty otherwise). */
  history: TurnMessage[];
  /** The draft so far (chat), or the draft being repaired; null at the start. */
  draft: Record<string, unknown> | null;
  /** The check errors of the previous draft when this is a repair request; empty otherwise. */
  errors: string[];
  /** The language to answer in. */
  language: Language;
  /** Today (UTC, YYYY-MM-DD): relative dates ("last 3 years") are resolved against it. */
  today: string;
}

/** Where a provider reports what one call cost (Gemini's `usageMetadata`); counted per user and day. */
export interface TurnMeter {
  /** Adds the prompt and response tokens of one model call. */
  tokens(prompt: number, response: number): void;
}

/** A source of turn replies: the offline parser, Gemini, or a test fake. */
export interface LlmProvider {
  /** `offline`, `gemini`, … (reported in answers and usage). */
  readonly name: string;
  /** The model asked, null for the offline parser. */
  readonly model: string | null;
  /**
   * One reply; rejects on timeout (through `signal`), transport errors or a reply that is not JSON. A model
   * reports the tokens of the call to `meter` when one is given (optional: the offline parser has none).
   */
  turn(input: TurnInput, signal: AbortSignal, meter?: TurnMeter): Promise<TurnReply>;
}
