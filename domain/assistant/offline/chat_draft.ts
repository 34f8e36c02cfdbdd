/**
 * The `chat` task offline: merges one message into the document-004 agent config built so far and asks for the
 * first missing slot of `strategy`, `universe`, `date_range`, `capital` (in that order), or answers
 * `config_ready` with the whole config once all four are known (costs, portfolio and risk defaults listed in
 * `assumptions`). A later answer overrides an earlier one ("also"/"add" appends indicators instead); "yes"
 * accepts the proposal of the previous assistant message (read back from `history` after its proposal marker).
 */
import { AgentConfigSchema } from "../../strategy/blueprint_and_config.ts";
import type { Language, TurnInput, TurnReply } from "../turn_contract.ts";
import { boundAssumptions, line, PROPOSAL_MARKERS, question, type QuestionKey } from "./messages.ts";
import type { Signal } from "./signals.ts";
import { extractSlots, type Slots } from "./slots.ts";

/** The chat slots, in the order they are asked. */
export const CHAT_SLOTS = ["strategy", "universe", "date_range", "capital"] as const;
type ChatSlot = typeof CHAT_SLOTS[number];

type Config = Record<string, unknown> & {
  filters: Record<string, unknown>;
  technicalIndicators: Record<string, unknown>[];
  backtestConfig: Record<string, unknown>;
};

/** A signal as an agent-config technical indicator, with a note when the config cannot say it exactly. */
function technicalOf(s: Signal, notes: string[]): Record<string, unknown> | null {
  switch (s.kind) {
    case "ma_cross":
      if (s.ma === "ema") {
        notes.push(`EMA ${s.fast}/${s.slow}: the agent config has SMA indicators only, SMA used`);
      }
      return s.cross
        ? { type: "SMA_CROSSOVER", shortPeriod: s.fast, longPeriod: s.slow }
        : { type: "SMA_TREND", shortPeriod: s.fast, longPeriod: s.slow };
    case "price_ma":
      if (s.ma === "ema") notes.push(`EMA ${s.period}: the agent config has SMA indicators only, SMA used`);
      return { type: "SMA_TREND", period: s.period };
    case "rsi": {
      const low = s.low ?? (s.dir !== "above" && s.level !== null ? s.level : 30);
      const high = s.high ?? (s.dir === "above" && s.level !== null ? s.level : 70);
      return low < high
        ? { type: "RSI", period: s.period, oversold: low, overbought: high }
        : { type: "RSI", period: s.period };
    }
    case "macd":
      return { type: "MACD", fastPeriod: s.fast, slowPeriod: s.slow, signalPeriod: s.signal };
    case "bollinger":
      if (s.band === "upper") {
        notes.push("Bollinger: the agent config buys at the lower band and sells at the middle band");
      }
      return { type: "BOLLINGER_BANDS", period: s.period, stdDev: s.k };
    case "breakout":
      notes.push(
        `${s.period}-day breakout: the agent config has no channel breakout, VOLATILITY_BREAKOUT (${s.period}, 1 ATR) used`,
      );
      return { type: "VOLATILITY_BREAKOUT", period: s.period, multiplier: 1 };
    case "vwap":
      return { type: "VWAP", period: s.period };
    case "momentum":
    case "rank":
      return null;
  }
}

/** A deep copy of the draft as a config to fill (unknown keys kept: the schema refuses them later, visibly). */
function startFrom(draft: Record<string, unknown> | null): Config {
  const c = structuredClone(draft ?? {}) as Record<string, unknown>;
  const obj = (
    x: unknown,
  ) => (x && typeof x === "object" && !Array.isArray(x) ? x as Record<string, unknown> : {});
  return {
    ...c,
    filters: obj(c.filters),
    technicalIndicators: Array.isArray(c.technicalIndicators)
      ? c.technicalIndicators as Record<string, unknown>[]
      : [],
    backtestConfig: obj(c.backtestConfig),
  };
}

const sub = (c: Config, key: string) => {
  const cur = c.backtestConfig[key];
  const o = cur && typeof cur === "object" ? cur as Record<string, unknown> : {};
  c.backtestConfig[key] = o;
  return o;
};

/** Merges `slots` into `c`; returns what was noted. */
function merge(c: Config, slots: Slots): string[] {
  // Notes about momentum or ranking periods do not apply: the agent config has no such indicator.
  const notes = slots.notes.filter((n) => !/^(?:momentum|ranking)/.test(n));
  const signals = [...slots.entry, ...slots.exit, ...slots.neutral];
  const techs: Record<string, unknown>[] = [];
  for (const s of signals) {
    const t = technicalOf(s, notes);
    if (t && !techs.some((x) => x.type === t.type)) techs.push(t);
  }
  if (techs.length) {
    const kept = slots.adds ? c.technicalIndicators.filter((t) => !techs.some((x) => x.type === t.type)) : [];
    c.technicalIndicators = [...kept, ...techs].slice(0, 20);
  }
  const u = slots.universe;
  const idx = u.tickers.filter((t) => t.endsWith(".JK")).map((t) => t.slice(0, -3));
  const other = u.tickers.filter((t) => !t.endsWith(".JK"));
  if (u.tickers.length) {
    delete c.universe;
    if (idx.length) c.filters.tickers = idx;
    else delete c.filters.tickers;
    if (other.length) c.tickers = other;
    else delete c.tickers;
  }
  if (u.name) {
    c.universe = u.name;
    if (!u.tickers.length) (delete c.tickers, delete c.filters.tickers);
  } else if (!u.tickers.length && u.marketHint && (u.marketCap.length || !hasUniverse(c))) {
    c.universe = u.marketHint;
  }
  if (u.marketCap.length) c.filters.marketCap = u.marketCap;
  if (u.syariah) c.filters.syariah = true;
  if (slots.dates) {
    c.backtestConfig.startDate = slots.dates.start;
    c.backtestConfig.endDate = slots.dates.end;
    notes.push(...slots.dates.notes);
  }
  if (slots.capital) {
    if (slots.capital.value > 0) c.backtestConfig.initialCapital = slots.capital.value;
    notes.push(...slots.capital.notes);
  }
  const costs = slots.costs;
  if (costs.buyPct !== undefined) sub(c, "tradingCosts").brokerFee = costs.buyPct;
  if (costs.sellPct !== undefined) sub(c, "tradingCosts").sellFee = costs.sellPct;
  if (costs.minFee !== undefined) sub(c, "tradingCosts").minimumFee = costs.minFee;
  if (costs.slippagePct !== undefined) {
    notes.push(`slippage ${costs.slippagePct}%: the agent config has no slippage field, not used`);
  }
  notes.push(...costs.notes);
  const r = slots.risk;
  if (r.stopLossPct !== undefined) sub(c, "riskManagement").stopLossPercent = r.stopLossPct;
  if (r.takeProfitPct !== undefined) sub(c, "riskManagement").takeProfitPercent = r.takeProfitPct;
  if (r.maxHoldingDays !== undefined) sub(c, "riskManagement").maxHoldingDays = r.maxHoldingDays;
  else if (r.rebalance) {
    sub(c, "riskManagement").maxHoldingDays = r.rebalance.bars;
    notes.push(
      `"${r.rebalance.phrase}": each holding is sold after ${r.rebalance.bars} days (maxHoldingDays) so the portfolio turns over`,
    );
  }
  if (r.trailingStopPct !== undefined) {
    notes.push(
      `trailing stop ${r.trailingStopPct}%: the agent config has no trailing stop; add ATR for a volatility trailing exit`,
    );
  }
  if (r.positionPct !== undefined) sub(c, "portfolio").positionSizePercent = r.positionPct;
  if (r.maxPositions !== undefined) sub(c, "portfolio").maxPositions = r.maxPositions;
  notes.push(...r.notes);
  return notes;
}

function hasUniverse(c: Config): boolean {
  const f = c.filters;
  return (Array.isArray(f.tickers) && f.tickers.length > 0) ||
    (Array.isArray(c.tickers) && c.tickers.length > 0) ||
    typeof c.universe === "string" || (Array.isArray(f.marketCap) && f.marketCap.length > 0) ||
    (typeof f.marketCap === "string") || f.syariah === true;
}

/** The slots of `c` still missing, in asking order. */
export function missingChatSlots(c: Record<string, unknown> | null): ChatSlot[] {
  const conf = startFrom(c);
  const b = conf.backtestConfig;
  return CHAT_SLOTS.filter((slot) => {
    switch (slot) {
      case "strategy":
        return conf.technicalIndicators.length === 0;
      case "universe":
        return !hasUniverse(conf);
      case "date_range":
        return typeof b.startDate !== "string" || typeof b.endDate !== "string";
      case "capital":
        return typeof b.initialCapital !== "number";
    }
  });
}

/** Which slot the previous assistant message asked for (read from its text), or null. */
function askedBefore(history: TurnInput["history"]): { text: string; slot: ChatSlot | null } | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const m = history[i];
    if (m.role !== "assistant") continue;
    const t = m.text;
    const slot = /initial capital|modal awal|初始资金/i.test(t)
      ? "capital"
      : /which period|periode backtest|回测哪个时间段/i.test(t)
      ? "date_range"
      : /which stocks|saham apa|交易哪些股票/i.test(t)
      ? "universe"
      : /signal|sinyal|信号/i.test(t)
      ? "strategy"
      : null;
    return { text: t, slot };
  }
  return null;
}

/** The proposal of an assistant message (the text after its marker, up to the sentence end), or null. */
function proposalOf(text: string): string | null {
  for (const marker of Object.values(PROPOSAL_MARKERS)) {
    const at = text.lastIndexOf(marker);
    if (at < 0) continue;
    const rest = text.slice(at + marker.length, at + marker.length + 300);
    const end = rest.search(/\.(?:\s|$)|。/);
    return (end < 0 ? rest : rest.slice(0, end)).trim();
  }
  return null;
}

/** The defaults a ready config gets for what the user did not say, each listed. */
function fillDefaults(c: Config, assumptions: string[]): void {
  const idx = !c.universe || c.universe === "idx" || c.universe === "lq45";
  const tc = sub(c, "tradingCosts");
  const fee = idx ? 0.15 : 0.1;
  if (tc.brokerFee === undefined) (tc.brokerFee = fee), assumptions.push(`tradingCosts.brokerFee: ${fee}%`);
  if (tc.sellFee === undefined) {
    (tc.sellFee = tc.brokerFee), assumptions.push(`tradingCosts.sellFee: ${tc.brokerFee}%`);
  }
  if (tc.minimumFee === undefined) {
    tc.minimumFee = idx ? 1000 : 0;
    assumptions.push(`tradingCosts.minimumFee: ${tc.minimumFee}`);
  }
  const p = sub(c, "portfolio");
  const tickers = [
    ...(Array.isArray(c.filters.tickers) ? c.filters.tickers : []),
    ...(Array.isArray(c.tickers) ? c.tickers : []),
  ];
  const few = tickers.length > 0 && tickers.length < 5 && !c.universe && !c.filters.marketCap;
  if (p.maxPositions === undefined) {
    p.maxPositions = few
      ? tickers.length
      : typeof p.positionSizePercent === "number"
      ? Math.max(1, Math.min(500, Math.floor(100 / (p.positionSizePercent as number))))
      : 5;
    assumptions.push(`portfolio.maxPositions: ${p.maxPositions}`);
  }
  if (p.positionSizePercent === undefined) {
    p.positionSizePercent = Math.floor(100 / (p.maxPositions as number));
    assumptions.push(`portfolio.positionSizePercent: ${p.positionSizePercent}%`);
  }
  const rm = sub(c, "riskManagement");
  for (const key of ["stopLossPercent", "takeProfitPercent", "maxHoldingDays"]) {
    if (rm[key] === undefined) (rm[key] = null), assumptions.push(`riskManagement.${key}: none`);
  }
}

/** A one-line account of the config so far. */
function summary(c: Config): string {
  const parts: string[] = [];
  if (c.technicalIndicators.length) parts.push(c.technicalIndicators.map((t) => String(t.type)).join(" + "));
  const u: string[] = [];
  if (typeof c.universe === "string") u.push(c.universe);
  if (Array.isArray(c.filters.marketCap)) u.push(`${(c.filters.marketCap as string[]).join("/")} cap`);
  if (Array.isArray(c.filters.tickers)) u.push((c.filters.tickers as string[]).join(", "));
  if (Array.isArray(c.tickers)) u.push((c.tickers as string[]).join(", "));
  if (u.length) parts.push(u.join(" "));
  const b = c.backtestConfig;
  if (typeof b.startDate === "string") parts.push(`${b.startDate} → ${b.endDate}`);
  if (typeof b.initialCapital === "number") parts.push(`capital ${b.initialCapital.toLocaleString("en-US")}`);
  return parts.join("; ");
}

/** The chat reply for `input` in `lang`. */
export function chatReply(input: TurnInput, lang: Language): TurnReply {
  const c = startFrom(input.draft);
  const before = askedBefore(input.history);
  const slots = extractSlots(input.message, input.today, lang, before?.slot === "capital");
  const assumptions: string[] = [];
  if (slots.accepts && before) {
    const proposal = proposalOf(before.text);
    if (proposal) assumptions.push(...merge(c, extractSlots(proposal, input.today, lang)));
  }
  assumptions.push(...merge(c, slots));
  const missing = missingChatSlots(c);
  if (missing.length === 0) {
    fillDefaults(c, assumptions);
    const parsed = AgentConfigSchema.safeParse(c);
    if (parsed.success) {
      return {
        kind: "config_ready",
        message: `${line("chatReady", lang, {})} ${line("soFar", lang, { summary: summary(c) })}`,
        question: null,
        missing: [],
        draft: c,
        assumptions: boundAssumptions(assumptions),
        rationale: "Every slot is known: strategy, universe, date range and capital.",
      };
    }
    const errors = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    const q = question("strategy", lang);
    return {
      kind: "needs_info",
      message: `${line("repair", lang, { errors })} ${q}`.slice(0, 4000),
      question: q.slice(0, 1000),
      missing: ["strategy"],
      draft: c,
      assumptions: boundAssumptions(assumptions),
      rationale: "",
    };
  }
  const first = missing[0];
  const key: QuestionKey = first === "strategy"
    ? (slots.style ?? styleOf(input.history)) ?? "strategy"
    : first === "universe"
    ? "chatUniverse"
    : first;
  const q = question(key, lang);
  const so = summary(c);
  return {
    kind: "needs_info",
    message: so ? `${line("soFar", lang, { summary: so })} ${q}` : q,
    question: q,
    missing,
    draft: c,
    assumptions: boundAssumptions(assumptions),
    rationale: "",
  };
}

/** The style the user asked for earlier in the conversation, if any. */
function styleOf(history: TurnInput["history"]): "momentum" | "trend" | "mean_reversion" | null {
  for (let i = history.length - 1; i >= 0; i--) {
    const t = history[i].role === "user" ? history[i].text.toLowerCase() : "";
    if (/momentum|动量/.test(t)) return "momentum";
    if (/trend|趋势|tren/.test(t)) return "trend";
    if (/mean[- ]reversion|均值回归|reversal/.test(t)) return "mean_reversion";
  }
  return null;
}
