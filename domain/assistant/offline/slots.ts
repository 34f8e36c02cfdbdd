/**
 * Every slot of one message: the signals by side (entry, exit, or a neutral description), a ranking, the
 * universe, the period, capital, costs, risk and sizing, the vague intents ("momentum", "trend following",
 * "mean reversion") that call for a choice, and whether the message accepts a proposal ("yes", "ok", "好",
 * "ya"). Bounded: at most the first 4 000 characters and 40 clauses are read.
 */
import type { Language } from "../turn_contract.ts";
import { splitClauses } from "./clauses.ts";
import { type DateRange, extractDateRange } from "./dates.ts";
import { normalizeText } from "./lexicon.ts";
import { type Capital, type Costs, extractCapital, extractCosts } from "./money.ts";
import { extractRisk, type RiskSlots } from "./risk.ts";
import { extractSignals, type Signal } from "./signals.ts";
import { extractUniverse, type UniverseSlots } from "./universe.ts";

/** The longest message read (longer ones are refused before extraction). */
export const MAX_MESSAGE_CHARS = 4000;

/** A ranking signal. */
export type RankSignal = Extract<Signal, { kind: "rank" }>;

/** The slots of one message. */
export interface Slots {
  /** The message in the extractors' vocabulary. */
  text: string;
  entry: Signal[];
  exit: Signal[];
  neutral: Signal[];
  /** The entry conditions are alternatives ("… or …"). */
  entryOr: boolean;
  rank: RankSignal | null;
  universe: UniverseSlots;
  dates: DateRange | null;
  capital: Capital | null;
  costs: Costs;
  risk: RiskSlots;
  /** A vague style that needs a choice of signal. */
  style: "momentum" | "trend" | "mean_reversion" | null;
  /** The message accepts the previous proposal. */
  accepts: boolean;
  /** The message declines it. */
  declines: boolean;
  /** The message adds to the strategy ("also", "add") rather than replacing it. */
  adds: boolean;
  /** It talks about trading at all. */
  onTopic: boolean;
  /** Parameters defaulted or refused while reading, for `assumptions`. */
  notes: string[];
}

const YES =
  /^(?:yes|y|yeah|yep|yup|ok|okay|sure|fine|sounds good|go ahead|do it|correct|right|agreed|great|perfect)\b/;
const NO = /^(?:no|nope|nah|not really|tidak|bukan|不|不要|不是)\b/;
const TOPIC =
  /\b(?:strategy|backtest|test|stocks?|shares?|trade|trading|buy|sell|entry|exit|signal|indicator|portfolio|capital|fee|ticker|market|invest|price|crypto|etf|cap|rsi|sma|ema|ma|macd|bollinger|momentum|breakout|trend|reversion|stop loss|take profit|positions?|universe|index|dividend|rebalance|money|profit|profits|returns?|invest(?:ing|ment)?)\b/;

/**
 * The slots of `message`. `bareCapital`: the previous question asked for the capital, so a lone number is one.
 */
export function extractSlots(message: string, today: string, lang: Language, bareCapital = false): Slots {
  const original = message.slice(0, MAX_MESSAGE_CHARS);
  const text = normalizeText(original);
  const notes: string[] = [];
  const entry: Signal[] = [], exit: Signal[] = [], neutral: Signal[] = [];
  let rank: RankSignal | null = null, entryOr = false;
  let context: Signal | undefined;
  for (const clause of splitClauses(text, lang)) {
    const found = extractSignals(clause.text, context, text, clause.side !== null);
    notes.push(...found.notes);
    for (const s of found.signals) {
      if (s.kind === "rank") {
        rank ??= s;
        continue;
      }
      (clause.side === "entry" ? entry : clause.side === "exit" ? exit : neutral).push(s);
      context = s;
    }
    if (clause.side === "entry" && clause.or && found.signals.length > 1) entryOr = true;
  }
  const negative = /\b(sma|ema|ma|rsi|macd|bollinger|roc|vwap)\s*-\s*(\d{1,6})\b/.exec(text);
  if (negative) notes.push(`${negative[1].toUpperCase()} period -${negative[2]} read as ${negative[2]} (periods are positive)`);
  mergeNeutralRsi(neutral);
  if (rank?.factor === "momentum") {
    for (let i = neutral.length - 1; i >= 0; i--) if (neutral[i].kind === "momentum") neutral.splice(i, 1);
  }
  const style = /\bmomentum\b/.test(text)
    ? "momentum"
    : /\btrend(?:[- ]following)?\b/.test(text)
    ? "trend"
    : /\bmean[- ]reversion\b|\breversal\b|\bcontrarian\b/.test(text)
    ? "mean_reversion"
    : null;
  const head = text.replace(/^[\s,.!]+/, "");
  return {
    text,
    entry,
    exit,
    neutral,
    entryOr,
    rank,
    universe: extractUniverse(original, text, lang),
    dates: extractDateRange(text, today),
    capital: extractCapital(text, bareCapital),
    costs: extractCosts(text),
    risk: extractRisk(text),
    style,
    accepts: YES.test(head),
    declines: NO.test(head) || /^(?:不|不要|不是)/.test(original.trim()),
    adds: /\b(?:also|add|plus|as well|in addition|additionally|juga|tambah(?:kan)?)\b|加上|再加|另外|还要/
      .test(text + original),
    onTopic: TOPIC.test(text) || entry.length + exit.length + neutral.length > 0 || rank !== null,
    notes: [...new Set(notes)],
  };
}

/**
 * Neutral RSI mentions of one message ("14-day RSI, oversold 20, overbought 80") as one signal: the period
 * given, the level said below as the oversold level and the one said above as the overbought level.
 */
function mergeNeutralRsi(neutral: Signal[]): void {
  const rsis = neutral.filter((s): s is Extract<Signal, { kind: "rsi" }> => s.kind === "rsi");
  if (rsis.length < 2) return;
  const merged: Extract<Signal, { kind: "rsi" }> = { ...rsis[0], level: null, dir: null, cross: false };
  for (const r of rsis) {
    merged.period = r.period;
    if (r.low !== null) merged.low = r.low;
    if (r.high !== null) merged.high = r.high;
    if (r.level !== null && r.dir === "below") merged.low = r.level;
    if (r.level !== null && r.dir === "above") merged.high = r.level;
  }
  const at = neutral.indexOf(rsis[0]);
  for (let i = neutral.length - 1; i >= 0; i--) if (neutral[i].kind === "rsi") neutral.splice(i, 1);
  neutral.splice(at, 0, merged);
}
