/**
 * The offline provider: a deterministic natural-language parser (`domain/assistant/offline/`) that answers
 * every task with no API key and no network. `generate` turns a prompt into a strategy spec or asks for the
 * first missing of entry, exit and universe; `chat` builds the document-004 agent config turn by turn; `explain`
 * hands back the deterministic account unchanged (there is nothing to rephrase without a model). Messages over
 * 4 000 characters, with control characters, that try to redirect the assistant or ask for market abuse are
 * refused, as is text about something else entirely. A repair request (`errors`) is answered by asking the
 * user, naming the errors: the parser's drafts are checked before they are returned, so errors come from the
 * semantic checks (history, data, universe) that only the user can resolve.
 */
import type { Language, LlmProvider, TurnInput, TurnReply } from "./turn_contract.ts";
import { chatReply, missingChatSlots } from "./offline/chat_draft.ts";
import { refusalOf } from "./offline/guard.ts";
import { detectLanguage } from "./offline/language.ts";
import { line, question, refusalText } from "./offline/messages.ts";
import { extractSlots } from "./offline/slots.ts";
import { generateReply } from "./offline/spec_draft.ts";

/** A refusal reply. */
function refuse(message: string): TurnReply {
  return {
    kind: "refuse",
    message,
    question: null,
    missing: [],
    draft: null,
    assumptions: [],
    rationale: "",
  };
}

/** The language of the newest message, else of the conversation's last user message that shows one, else the input's. */
function languageOf(input: TurnInput): Language {
  const own = detectLanguage(input.message);
  let before: Language | null = null;
  for (let i = input.history.length - 1; i >= 0 && !before; i--) {
    const m = input.history[i];
    before = m.role === "user" ? detectLanguage(m.text) : null;
  }
  // A short answer ("100 juta", "ok") does not switch the conversation's language.
  const short = input.message.trim().split(/\s+/).length <= 3 && own !== "zh";
  return (before && (short || !own) ? before : own) ?? input.language;
}

/** The slot a check error points at (for a repair question). */
function slotOfError(error: string, task: TurnInput["task"]): string {
  if (/date|period|history|bars|data/i.test(error)) return task === "chat" ? "date_range" : "entry";
  if (/universe|ticker|symbol|market/i.test(error)) return "universe";
  if (/capital/i.test(error)) return task === "chat" ? "capital" : "entry";
  if (/exit/i.test(error)) return task === "chat" ? "strategy" : "exit";
  return task === "chat" ? "strategy" : "entry";
}

/** One offline turn. */
function offlineTurn(input: TurnInput): TurnReply {
  const lang = languageOf(input);
  const reason = refusalOf(input.message);
  if (reason) return refuse(refusalText(reason, lang));
  if (input.task === "explain") {
    return {
      kind: "explain",
      message: input.message,
      question: null,
      missing: [],
      draft: null,
      assumptions: [],
      rationale: "Offline: the deterministic account is returned as written.",
    };
  }
  if (input.errors.length) {
    const errors = input.errors.slice(0, 5).map((e) => e.slice(0, 160)).join("; ");
    const slot = slotOfError(input.errors[0], input.task);
    const q = question(
      slot === "universe" ? (input.task === "chat" ? "chatUniverse" : "universe") : slot as "entry",
      lang,
    );
    return {
      kind: "needs_info",
      message: `${line("repair", lang, { errors })} ${q}`.slice(0, 4000),
      question: q,
      missing: input.task === "chat"
        ? [slot, ...missingChatSlots(input.draft).filter((s) => s !== slot)]
        : [slot],
      draft: input.draft,
      assumptions: [],
      rationale: "The offline parser cannot resolve check errors by itself; it asks.",
    };
  }
  if (input.task === "chat") {
    const reply = chatReply(input, lang);
    const slots = extractSlots(input.message, input.today, lang);
    if (offTopic(input.message, slots) && reply.kind === "needs_info") {
      return refuse(refusalText("off_topic", lang));
    }
    return reply;
  }
  const slots = extractSlots(input.message, input.today, lang);
  if (offTopic(input.message, slots)) return refuse(refusalText("off_topic", lang));
  return generateReply(slots, lang, input.today);
}

/** Text about something else: no trading word, nothing extracted, no answer to a question, several words. */
function offTopic(message: string, slots: ReturnType<typeof extractSlots>): boolean {
  const today = /\b(?:today|right now|hari ini|sekarang)\b|今天|现在/i.test(message);
  if (today && slots.entry.length + slots.exit.length + slots.neutral.length === 0 && !slots.rank) {
    return true;
  }
  if (slots.onTopic || slots.accepts || slots.declines) return false;
  const u = slots.universe;
  if (u.tickers.length || u.name || u.marketCap.length || slots.dates || slots.capital) return false;
  const words = message.trim().split(/\s+/).filter(Boolean).length;
  const han = (message.match(/[\u4e00-\u9fff]/g) ?? []).length;
  return words >= 4 || han >= 6;
}

/** The offline provider (name `offline`, no model). */
export function createOfflineProvider(): LlmProvider {
  return {
    name: "offline",
    model: null,
    turn(input: TurnInput, signal: AbortSignal): Promise<TurnReply> {
      if (signal.aborted) return Promise.reject(signal.reason ?? new Error("aborted"));
      try {
        return Promise.resolve(offlineTurn(input));
      } catch (e) {
        return Promise.reject(e);
      }
    },
  };
}
