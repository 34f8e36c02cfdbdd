/**
 * The `generate` task offline: a prompt's slots → a strategy spec in its input shape. Entry conditions join with
 * `and` (or `or` when the prompt says so), exit conditions with `or`; a neutral description ("RSI 30/70", "SMA
 * 20/50 crossover") gives both sides, the exit being the opposite signal. A top-N ranking becomes `rank_by` and
 * `max_positions`, with every symbol a candidate (`close > 0`); a rebalance period becomes `max_holding_days`
 * so holdings turn over. Risk rules alone are a valid exit (the rule exit is then `0 > 1`, never). The reply is
 * `config_ready` when entry, exit and universe are known, else `needs_info` asking for the first missing one;
 * every value chosen for the user (dates, capital, costs, sizing, a default universe) is in `assumptions`.
 */
import { StrategySpecSchema } from "../../strategy/spec.ts";
import { yearsBefore } from "../../strategy/spec.ts";
import type { UniverseName } from "../../market/types.ts";
import type { Language, TurnReply } from "../turn_contract.ts";
import { boundAssumptions, line, question } from "./messages.ts";
import { canonical, mirror, rankExpression, ruleOf, signalName } from "./rules.ts";
import type { Signal } from "./signals.ts";
import type { Slots } from "./slots.ts";

/** The universe a prompt gets when it names none, by language (listed in `assumptions`). */
const DEFAULT_UNIVERSE: Readonly<Record<Language, UniverseName>> = { en: "us", zh: "hs300", id: "idx" };
/** Capital by market when none is given: IDX trades in lots of 100 shares (about 1M IDR), A-shares too. */
const DEFAULT_CAPITAL: Readonly<Partial<Record<UniverseName, number>>> = {
  idx: 100_000_000,
  lq45: 100_000_000,
  hs300: 1_000_000,
  csi500: 1_000_000,
  csi1000: 1_000_000,
  csi2000: 1_000_000,
  nifty: 1_000_000,
};
/** Years covered when the prompt gives no period. */
const DEFAULT_YEARS = 5;

/** The market a ticker trades on, as a universe name (for capital defaults). */
function marketOf(ticker: string): UniverseName {
  if (ticker.endsWith(".JK")) return "idx";
  if (/\.(SH|SZ)$/.test(ticker)) return "hs300";
  if (/\.(NS|BO)$/.test(ticker)) return "nifty";
  if (ticker.endsWith("-USD")) return "crypto";
  return "us";
}

/** Rules of signals for a side, each once. */
const rulesOf = (signals: Signal[], side: "entry" | "exit") => [
  ...new Set(signals.map((s) => ruleOf(s, side)).filter((r): r is string => r !== null)),
];

/** The entry and exit rules of the slots, what is missing, and what was assumed. */
function resolveRules(slots: Slots, assumptions: string[]) {
  const risk = slots.risk;
  const riskExit = risk.stopLossPct !== undefined || risk.takeProfitPct !== undefined ||
    risk.trailingStopPct !== undefined || risk.maxHoldingDays !== undefined || risk.rebalance !== undefined;
  let entry = rulesOf(slots.entry, "entry");
  let exit = rulesOf(slots.exit, "exit");
  const neutral = slots.neutral;
  if (entry.length === 0 && neutral.length) entry = rulesOf(neutral, "entry");
  const twoSided = neutral.some((s) => s.kind === "rsi" && s.high !== null);
  if (exit.length === 0 && neutral.length && (slots.entry.length === 0 || twoSided)) {
    exit = rulesOf(neutral.map(mirror), "exit");
    if (!twoSided) assumptions.push(`exit: the opposite signal (${exit.join(" or ")})`);
  }
  let rankBy: string | null = null;
  if (slots.rank) {
    rankBy = rankExpression(slots.rank);
    if (entry.length === 0) {
      entry = ["close > 0"];
      assumptions.push(
        `entry: every symbol is a candidate; the ${slots.rank.top} highest by ${rankBy} are bought`,
      );
    }
  }
  if (exit.length === 0 && riskExit) {
    exit = ["0 > 1"];
    assumptions.push("exit: no exit signal given, positions leave by the risk rules only (exit rule 0 > 1)");
  }
  const join = slots.entryOr ? " or " : " and ";
  return {
    entry: entry.length ? canonical(entry.join(join)) : null,
    exit: exit.length ? canonical(exit.join(" or ")) : null,
    rankBy,
  };
}

/** The generate reply for `slots`. */
export function generateReply(slots: Slots, lang: Language, today: string): TurnReply {
  const assumptions: string[] = [...slots.notes];
  const { entry, exit, rankBy } = resolveRules(slots, assumptions);
  const u = slots.universe;
  const universeKnown = u.tickers.length > 0 || u.name !== undefined || u.marketCap.length > 0 ||
    u.marketHint !== undefined || u.syariah === true;
  const missing = [
    ...(entry ? [] : ["entry"]),
    ...(exit ? [] : ["exit"]),
    ...(universeKnown ? [] : ["universe"]),
  ];
  let draft: Record<string, unknown> | null = null;
  if (entry && exit) draft = buildSpec(slots, entry, exit, rankBy, lang, today, assumptions, universeKnown);
  const valid = draft !== null && StrategySpecSchema.safeParse(draft).success;
  if (!valid) draft = null;
  const signals = [...slots.entry, ...slots.exit, ...slots.neutral, ...(slots.rank ? [slots.rank] : [])];
  const name = draft ? String(draft.name) : "";
  if (missing.length === 0 && draft) {
    return {
      kind: "config_ready",
      message: line("ready", lang, { name, entry: entry!, exit: exit! }),
      question: null,
      missing: [],
      draft,
      assumptions: boundAssumptions(assumptions),
      rationale: `Read offline from the prompt: ${signals.map(signalName).join(", ") || "risk rules"}.`,
    };
  }
  const first = missing[0] ?? "entry";
  const q = first === "exit"
    ? slots.rank ? question("exitRank", lang, { top: String(slots.rank.top) }) : question("exit", lang, {
      mirror: mirrorHint(slots, lang),
    })
    : question(first as "entry" | "universe", lang);
  if (first === "universe" && draft) {
    assumptions.push(`universe: not given, the draft uses ${DEFAULT_UNIVERSE[lang]} until you name one`);
  }
  return {
    kind: "needs_info",
    message: q,
    question: q,
    missing,
    draft,
    assumptions: boundAssumptions(assumptions),
    rationale: signals.length ? `Understood so far: ${signals.map(signalName).join(", ")}.` : "",
  };
}

/** The opposite of the entry signal as a suggested exit ("RSI(14) above 70, "), or "". */
function mirrorHint(slots: Slots, lang: Language): string {
  const s = slots.entry[0];
  if (!s) return "";
  const rule = ruleOf(mirror(s), "exit");
  if (!rule) return "";
  return lang === "zh"
    ? `反向信号（${rule}）、`
    : lang === "id"
    ? `sinyal kebalikan (${rule}), `
    : `the opposite signal (${rule}), `;
}

function buildSpec(
  slots: Slots,
  entry: string,
  exit: string,
  rankBy: string | null,
  lang: Language,
  today: string,
  assumptions: string[],
  universeKnown: boolean,
): Record<string, unknown> {
  const u = slots.universe;
  const universe: Record<string, unknown> = {};
  if (u.tickers.length) universe.tickers = u.tickers;
  if (u.name) universe.name = u.name;
  if (!u.tickers.length && !u.name) {
    const name = u.marketHint ?? (u.syariah ? "idx" : DEFAULT_UNIVERSE[lang]);
    universe.name = name;
    if (universeKnown && !u.marketHint) {
      assumptions.push(`universe: no market named, ${name} used for the filters`);
    }
    if (u.marketHint) assumptions.push(`universe: ${u.marketHint} for the market named`);
  }
  const filters: Record<string, unknown> = {};
  if (u.marketCap.length) filters.market_cap = u.marketCap;
  if (u.syariah) filters.syariah = true;
  if (Object.keys(filters).length) universe.filters = filters;
  const market = (universe.name as UniverseName | undefined) ?? marketOf(u.tickers[0]);
  const r = slots.risk;
  const single = u.tickers.length === 1 && !universe.name;
  let maxPositions = r.maxPositions ?? slots.rank?.top ?? (single ? 1 : undefined);
  if (maxPositions === undefined) {
    maxPositions = r.positionPct
      ? Math.max(1, Math.min(500, Math.floor(100 / r.positionPct)))
      : Math.min(10, Math.max(1, u.tickers.length || 10));
    assumptions.push(`sizing: at most ${maxPositions} positions at once`);
  }
  let percent = r.positionPct;
  if (percent === undefined) {
    percent = Math.floor((100 / maxPositions) * 100) / 100;
    assumptions.push(`sizing: ${percent}% of equity per position${r.equalWeight ? " (equal weight)" : ""}`);
  }
  const risk = {
    stop_loss_pct: r.stopLossPct ?? null,
    take_profit_pct: r.takeProfitPct ?? null,
    trailing_stop_pct: r.trailingStopPct ?? null,
    max_holding_days: r.maxHoldingDays ?? r.rebalance?.bars ?? null,
  };
  if (r.maxHoldingDays === undefined && r.rebalance) {
    assumptions.push(
      `"${r.rebalance.phrase}": the engine has no calendar rebalance, so each holding is sold after ${r.rebalance.bars} bars (max_holding_days) and the slots are refilled by the ranking`,
    );
  }
  const costs = {
    buy_fee_pct: slots.costs.buyPct ?? 0.1,
    sell_fee_pct: slots.costs.sellPct ?? 0.1,
    min_fee: slots.costs.minFee ?? 0,
    slippage_pct: slots.costs.slippagePct ?? 0,
  };
  if (slots.costs.buyPct === undefined || slots.costs.sellPct === undefined) {
    assumptions.push(`costs: ${costs.buy_fee_pct}% per buy and ${costs.sell_fee_pct}% per sell`);
  }
  assumptions.push(
    ...slots.costs.notes,
    ...slots.risk.notes,
    ...(slots.capital?.notes ?? []),
    ...(slots.dates?.notes ?? []),
  );
  let capital = slots.capital && slots.capital.value > 0 ? slots.capital.value : undefined;
  if (capital === undefined) {
    capital = DEFAULT_CAPITAL[market] ?? 100_000;
    assumptions.push(`capital: ${capital.toLocaleString("en-US")}`);
  }
  let start = slots.dates?.start, end = slots.dates?.end;
  if (!start || !end) {
    end = today;
    start = yearsBefore(today, DEFAULT_YEARS);
    assumptions.push(`period: the last ${DEFAULT_YEARS} years (${start} to ${end})`);
  }
  const where = u.tickers.length
    ? u.tickers.slice(0, 3).join(", ") + (u.tickers.length > 3 ? ", …" : "")
    : String(universe.name);
  const signals = [...slots.entry, ...slots.neutral, ...(slots.rank ? [slots.rank] : [])];
  const label = signals.length ? signals.slice(0, 2).map(signalName).join(" + ") : "Risk-rule strategy";
  return {
    name: `${label} on ${where}`.slice(0, 200),
    universe,
    entry,
    exit,
    ...(rankBy ? { rank_by: rankBy } : {}),
    sizing: { method: "percent_equity", percent, max_positions: maxPositions },
    risk,
    costs,
    capital,
    start,
    end,
  };
}
