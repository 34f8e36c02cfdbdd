/**
 * What the offline assistant refuses before reading a message: text over 4 000 characters (bounded work),
 * control characters (as `domain/safe_text.ts` defines them), attempts to steer the assistant away from its
 * task or to run code, and requests for market abuse. Each check is one linear scan.
 */
import { findUnsafeCharacter } from "../../safe_text.ts";
import { MAX_MESSAGE_CHARS } from "./slots.ts";

/** Why a message is refused, or null when it may be read. */
export type Refusal = "too_long" | "control_characters" | "injection" | "market_abuse";

const INJECTION =
  /\bignore (?:all |any |the |your )?(?:previous|prior|above|earlier) (?:instructions|prompts?|rules)|\bsystem prompt\b|\brm -rf\b|\bimport os\b|\bsubprocess\b|__import__|\beval\s*\(|\bexec\s*\(|<script\b|\bdrop table\b|\bjailbreak\b/i;
const ABUSE =
  /\bpump[- ]and[- ]dump\b|\bspoof(?:ing)?\b|\bfront[- ]?run(?:ning)?\b|\binsider (?:trading|information|tips?)\b|\bmanipulat(?:e|ing|ion) (?:the )?(?:price|market|stock)|\bwash trad(?:e|ing)\b|拉高出货|内幕(?:交易|消息)|操纵(?:股价|市场)|goreng saham|orang dalam/i;

/** The reason to refuse `message`, or null. */
export function refusalOf(message: string): Refusal | null {
  if (message.length > MAX_MESSAGE_CHARS) return "too_long";
  if (findUnsafeCharacter(message, true)) return "control_characters";
  if (INJECTION.test(message)) return "injection";
  if (ABUSE.test(message)) return "market_abuse";
  return null;
}
