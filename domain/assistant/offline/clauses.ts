/**
 * Splits a normalised message into clauses and labels each with the side it speaks of: `entry` ("buy when …",
 * "…买入"), `exit` ("sell when …", "exit if …") or `null` (a neutral description: "an RSI 30/70 strategy").
 * Clauses end at punctuation (not a decimal point or a ticker's dot); a clause naming two actions is cut
 * before the second (English and Indonesian put the verb first) or after the first (Chinese puts it last).
 */
import type { Language } from "../turn_contract.ts";

/** A labelled clause. */
export interface Clause {
  side: "entry" | "exit" | null;
  text: string;
  /** The clause joins its conditions with "or". */
  or: boolean;
}

const BUY =
  /\b(?:buy(?:s|ing)?|enter(?:s|ing)?|entry|go long|long (?:when|if|on)|purchase|open (?:a )?(?:long )?position)\b/g;
const SELL =
  /\b(?:sell(?:s|ing)?|exit(?:s|ing)?|close (?:the |a )?(?:position|trade)s?|close out|get out|go short|short (?:when|if|on))\b/g;

/** Clauses of a normalised message, at most `max` (the rest are dropped: bounded work). */
export function splitClauses(text: string, lang: Language, max = 40): Clause[] {
  const pieces = text.split(/[,;!?:\n]|\.(?=\s|$)|\bthen\b|\bwhile\b/);
  const out: Clause[] = [];
  for (const piece of pieces) {
    if (out.length >= max) break;
    const verbs = [...piece.matchAll(BUY), ...piece.matchAll(SELL)].map((m) => ({
      at: m.index!,
      end: m.index! + m[0].length,
      side: /^(?:buy|enter|entry|go long|long|purchase|open)/.test(m[0]) ? "entry" as const : "exit" as const,
    })).sort((a, b) => a.at - b.at);
    const last = out[out.length - 1];
    if (last && /^\s*\d+(?:\.\d+)?\s*(?:days?|d|weeks?|periods?|bars?)?\s*$/.test(piece)) {
      last.text = `${last.text} ${piece.trim()}`;
      continue;
    }
    if (verbs.length === 0) {
      if (piece.trim()) out.push({ side: null, text: piece.trim(), or: /\bor\b/.test(piece) });
      continue;
    }
    let from = 0;
    for (let i = 0; i < verbs.length; i++) {
      const v = verbs[i];
      // Chinese: the condition comes first and the action ends it; otherwise the action opens its clause.
      const cut = lang === "zh"
        ? (i + 1 < verbs.length ? v.end : piece.length)
        : (i + 1 < verbs.length ? verbs[i + 1].at : piece.length);
      const part = piece.slice(from, cut).trim();
      from = cut;
      if (part && out.length < max) {
        out.push({ side: v.side, text: part, or: /\bor\b/.test(part) });
      }
    }
    const rest = piece.slice(from).trim();
    if (rest && out.length < max) out.push({ side: null, text: rest, or: /\bor\b/.test(rest) });
  }
  return out;
}
