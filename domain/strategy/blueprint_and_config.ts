/**
 * Compiles the two other strategy shapes into a spec: the copilot's seed blueprint and the chat agent's config
 * (the Backtester v2 document's `config`). Each indicator type becomes a rule of the expression language (see the
 * README table): blueprint entries are joined with `and`, exits with `or`; agent technical indicators contribute
 * a buy condition (all must hold on the same bar: `and`) and, where they have one, a sell condition (any one
 * sells: `or`). With no exit rule at all the exit is `0 > 1` (never) and positions leave by the risk rules only.
 * Every parameter the agent config names is honoured; an unknown field, parameter or indicator type is refused.
 */
import { z } from "zod";
import { refuseUnsafeText } from "../safe_text.ts";
import { UNIVERSE_NAMES } from "../market/types.ts";
import { isSupportedCalendarDate } from "../calendar/calendar.ts";
import { FUNDAMENTAL_METRICS, type StrategySpec, StrategySpecSchema } from "./spec.ts";

const OPERATORS = [">", "<", ">=", "<=", "crosses_above", "crosses_below"] as const;
type Operator = typeof OPERATORS[number];

const BlueprintRule = z.strictObject({
  indicator: z.enum(["sma", "ema", "rsi", "zscore", "macd", "bollinger", "atr"]),
  operator: z.enum(OPERATORS),
  value: z.number().nullable().optional(),
  params: z.strictObject({
    lookback: z.number().int().min(1).max(1000).optional(),
    threshold: z.number().optional(),
    multiplier: z.number().positive().max(100).optional(),
  }).default({}),
});

/** Timeframes of daily bars (the only bars there are), as blueprints write them. */
const DAILY_TIMEFRAMES = ["1d", "1D", "d", "D", "day", "daily", "1day"];

/**
 * A percent as the blueprint document types it (`number | string`): a number, or a string `"5"`, `"5%"`,
 * `"0.05"`. A number or a bare string is read as `asPct` reads numbers (≤ 1 a fraction, else percent); a string
 * with `%` is always a percent (`"0.5%"` is half a percent), so it becomes the fraction it names.
 */
const percentLike = z.union([
  z.number().positive(),
  z.string().max(16).regex(/^\s*\d+(\.\d+)?\s*%?\s*$/, 'Expected a percent: a number, or a string like "5%"')
    .transform((s) => (s.includes("%") ? Number(s.replace("%", "").trim()) / 100 : Number(s.trim())))
    .refine((x) => x > 0, "Must be greater than 0"),
]);

/** The copilot's blueprint shape. */
export const BlueprintSchema = z.strictObject({
  asset: z.string().min(1).max(32).regex(/^[A-Za-z0-9._^=-]+$/, "Not a symbol"),
  timeframe: z.string().max(16).refine(
    (t) => DAILY_TIMEFRAMES.includes(t.trim()),
    "Only daily bars exist: timeframe must be 1d (also accepted: daily, D, 1D, day)",
  ).default("1d"),
  entry: z.array(BlueprintRule).min(1).max(10),
  exit: z.array(BlueprintRule).max(10).default([]),
  risk: z.strictObject({
    stop_loss: percentLike.nullable().optional(),
    take_profit: z.number().positive().nullable().optional(),
    trailing_stop: z.number().positive().nullable().optional(),
  }).default({}),
  position_sizing: z.enum(["fixed", "percent", "risk_adjusted"]).default("percent"),
  capital: z.number().positive().optional(),
  start: z.string().max(32).superRefine(refuseUnsafeText()).optional(),
  end: z.string().max(32).superRefine(refuseUnsafeText()).optional(),
});
/** A blueprint. */
export type Blueprint = z.infer<typeof BlueprintSchema>;

/** A fraction (≤ 1) or a percent (> 1) → percent. */
const asPct = (x: number | null | undefined) => (x === null || x === undefined ? null : x <= 1 ? x * 100 : x);

function compare(a: string, op: Operator, b: string): string {
  return op === "crosses_above" || op === "crosses_below" ? `${op}(${a}, ${b})` : `${a} ${op} ${b}`;
}

/** One blueprint rule as an expression. */
function blueprintRule(rule: z.infer<typeof BlueprintRule>): string {
  const n = rule.params.lookback;
  const level = rule.value ?? rule.params.threshold;
  const m = rule.params.multiplier ?? 2;
  switch (rule.indicator) {
    case "sma":
    case "ema":
      return compare("close", rule.operator, `${rule.indicator}(close, ${n ?? 20})`);
    case "rsi":
      return compare(`rsi(close, ${n ?? 14})`, rule.operator, String(level ?? 30));
    case "zscore":
      return compare(`zscore(close, ${n ?? 20})`, rule.operator, String(level ?? -2));
    case "macd":
      return level !== undefined && level !== null
        ? compare("macd(close, 12, 26, 9)", rule.operator, String(level))
        : compare("macd(close, 12, 26, 9)", rule.operator, "macd_signal(close, 12, 26, 9)");
    case "bollinger": {
      const below = rule.operator === "<" || rule.operator === "<=" || rule.operator === "crosses_below";
      return compare("close", rule.operator, `${below ? "bb_lower" : "bb_upper"}(close, ${n ?? 20}, ${m})`);
    }
    case "atr":
      // A chandelier-style exit: the close falls m ATRs below the highest close of the window.
      return compare("close", rule.operator, `highest(close, ${n ?? 22}) - ${m} * atr(${n ?? 22})`);
  }
}

/** Compiles a blueprint into a spec. */
export function compileBlueprint(bp: Blueprint): StrategySpec {
  const sizing = bp.position_sizing === "fixed"
    ? { method: "fixed_quantity", quantity: 100, max_positions: 1 }
    : bp.position_sizing === "risk_adjusted"
    ? { method: "risk_adjusted", risk_pct: 1, atr_period: 14, atr_multiple: 2, max_positions: 1 }
    : { method: "percent_equity", percent: 100, max_positions: 1 };
  return StrategySpecSchema.parse({
    name: `Blueprint ${bp.asset}`,
    universe: { tickers: [bp.asset.toUpperCase()] },
    entry: bp.entry.map(blueprintRule).join(" and "),
    exit: bp.exit.length ? bp.exit.map(blueprintRule).join(" or ") : "0 > 1",
    sizing,
    risk: {
      stop_loss_pct: asPct(bp.risk.stop_loss),
      take_profit_pct: asPct(bp.risk.take_profit),
      trailing_stop_pct: asPct(bp.risk.trailing_stop),
      max_holding_days: null,
    },
    ...(bp.capital ? { capital: bp.capital } : {}),
    ...(bp.start ? { start: bp.start } : {}),
    ...(bp.end ? { end: bp.end } : {}),
  });
}

const period = z.number().int().min(1).max(1000);
const positiveNumber = z.number().positive().max(1000);

/**
 * The technical indicators of the agent config and the parameters each takes (the Backtester v2 document's table;
 * every parameter is optional and has the default noted in `technicalRule`). `SMA_TREND.period`,
 * `VOLUME_SMA.multiplier` and `ATR.multiplier` are this API's earlier names, still accepted.
 */
export const TECHNICAL_PARAMETERS = {
  SMA_CROSSOVER: { shortPeriod: period, longPeriod: period },
  SMA_TREND: { shortPeriod: period, longPeriod: period, period },
  RSI: { period, oversold: z.number().min(0).max(100), overbought: z.number().min(0).max(100) },
  MACD: { fastPeriod: period, slowPeriod: period, signalPeriod: period },
  BOLLINGER_BANDS: { period, stdDev: positiveNumber },
  VOLUME_SMA: { period, threshold: positiveNumber, multiplier: positiveNumber },
  OBV: { period },
  VWAP: { period },
  VOLATILITY_BREAKOUT: { period, multiplier: positiveNumber },
  VOLUME_PRICE_TREND: { period },
  ATR: { period, multiplier: positiveNumber },
} as const;
/** A technical indicator type of the agent config. */
export type TechnicalType = keyof typeof TECHNICAL_PARAMETERS;
const TECHNICAL_TYPES = Object.keys(TECHNICAL_PARAMETERS) as TechnicalType[];
/** Indicator types that give no buy signal of their own (the document: "no direct signal"). */
const NO_BUY_SIGNAL: readonly TechnicalType[] = ["ATR"];

/** One technical indicator: `type` plus its numeric parameters. */
export type TechnicalIndicator = { type: TechnicalType } & Record<string, number>;

/**
 * A technical indicator: a known `type` and only that type's parameters, each validated; an unknown type or
 * parameter is an issue naming it (never dropped).
 */
const Technical = z.looseObject({ type: z.string().max(60) }).superRefine((t, ctx) => {
  if (!(TECHNICAL_TYPES as string[]).includes(t.type)) {
    ctx.addIssue({
      code: "custom",
      path: ["type"],
      message: `Unknown technical indicator type "${t.type}": expected one of ${TECHNICAL_TYPES.join(", ")}`,
    });
    return;
  }
  const params: Record<string, z.ZodType> = TECHNICAL_PARAMETERS[t.type as TechnicalType];
  for (const [key, value] of Object.entries(t)) {
    if (key === "type") continue;
    const schema = params[key];
    if (!schema) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `Unknown parameter "${key}" for ${t.type}: expected ${Object.keys(params).join(", ")}`,
      });
      continue;
    }
    const r = schema.safeParse(value);
    if (!r.success) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: `${t.type}.${key}: ${r.error.issues[0].message}`,
      });
    }
  }
  const n = t as Record<string, unknown>;
  const order = (a: string, b: string) => {
    if (typeof n[a] === "number" && typeof n[b] === "number" && (n[a] as number) >= (n[b] as number)) {
      ctx.addIssue({ code: "custom", path: [a], message: `${t.type}: ${a} must be below ${b}` });
    }
  };
  if (t.type === "SMA_CROSSOVER" || t.type === "SMA_TREND") order("shortPeriod", "longPeriod");
  if (t.type === "MACD") order("fastPeriod", "slowPeriod");
  if (t.type === "RSI") order("oversold", "overbought");
  if (
    t.type === "SMA_TREND" && n.period !== undefined &&
    (n.shortPeriod !== undefined || n.longPeriod !== undefined)
  ) {
    ctx.addIssue({
      code: "custom",
      path: ["period"],
      message:
        "SMA_TREND: give shortPeriod/longPeriod (short MA above long MA) or period (close above its MA), not both",
    });
  }
  if (t.type === "VOLUME_SMA" && n.threshold !== undefined && n.multiplier !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["multiplier"],
      message: "VOLUME_SMA: give threshold or multiplier, not both",
    });
  }
}).transform((t) => t as unknown as TechnicalIndicator);

const agentDate = z.string().max(32).superRefine(refuseUnsafeText()).refine(
  (d) => isSupportedCalendarDate(d.slice(0, 10)),
  "Expected a date YYYY-MM-DD between 1900 and 2199",
);
const agentTicker = z.string().min(1).max(32).regex(/^[A-Za-z0-9._^=-]+$/, "Not a symbol");

/** The agent config's `filters` (the document's names; `minAvgDailyValue` is this API's earlier name). */
const AgentFilters = z.strictObject({
  tickers: z.array(agentTicker).min(1).max(500).optional(),
  marketCap: z.preprocess(
    (x) => (typeof x === "string" ? [x] : x),
    z.array(
      z.preprocess((x) => (typeof x === "string" ? x.toLowerCase() : x), z.enum(["small", "mid", "large"])),
    )
      .min(1).max(3),
  ).optional(),
  syariah: z.boolean().optional(),
  minDailyValue: z.number().min(0).optional(),
  minAvgDailyValue: z.number().min(0).optional(),
  sectors: z.array(z.string().min(1).max(60).superRefine(refuseUnsafeText())).min(1).max(20).optional(),
}).refine((f) => f.minDailyValue === undefined || f.minAvgDailyValue === undefined, {
  message: "Give minDailyValue or minAvgDailyValue, not both",
  path: ["minAvgDailyValue"],
});

/** A fundamental bound: the last public figure (point-in-time) must lie in [min, max]. */
const AgentFundamental = z.strictObject({
  type: z.enum(FUNDAMENTAL_METRICS),
  min: z.number().optional(),
  max: z.number().optional(),
}).refine((f) => f.min !== undefined || f.max !== undefined, { message: "Give min and/or max" });

/**
 * The chat agent's config shape: the Backtester v2 document's `{backtestId, filters, fundamentalIndicators,
 * technicalIndicators, backtestConfig}`, plus this API's earlier `name`, `tickers` and `universe`. Unknown fields
 * are refused. Without tickers or a universe the run is on the synthetic IDX (the document's market: `idx`).
 */
export const AgentConfigSchema = z.strictObject({
  backtestId: z.string().max(200).superRefine(refuseUnsafeText()).optional(),
  name: z.string().max(200).superRefine(refuseUnsafeText()).optional(),
  tickers: z.array(agentTicker).max(500).optional(),
  universe: z.enum(UNIVERSE_NAMES).optional(),
  filters: AgentFilters.default({}),
  fundamentalIndicators: z.array(AgentFundamental).max(10).default([]),
  technicalIndicators: z.array(Technical).min(1).max(20),
  backtestConfig: z.strictObject({
    initialCapital: z.number().positive().max(1e12).optional(),
    startDate: agentDate.optional(),
    endDate: agentDate.optional(),
    tradingCosts: z.strictObject({
      brokerFee: z.number().min(0).max(10).optional(),
      sellFee: z.number().min(0).max(10).optional(),
      minimumFee: z.number().min(0).optional(),
    }).optional(),
    portfolio: z.strictObject({
      positionSizePercent: z.number().positive().max(100).optional(),
      minPositionPercent: z.number().min(0).max(100).optional(),
      maxPositions: z.number().int().min(1).max(500).optional(),
    }).optional(),
    riskManagement: z.strictObject({
      stopLossPercent: z.number().positive().max(100).nullable().optional(),
      takeProfitPercent: z.number().positive().max(10_000).nullable().optional(),
      maxHoldingDays: z.number().int().positive().max(10_000).nullable().optional(),
    }).optional(),
  }).default({}),
}).superRefine((c, ctx) => {
  if (c.technicalIndicators.every((t) => NO_BUY_SIGNAL.includes(t.type))) {
    ctx.addIssue({
      code: "custom",
      path: ["technicalIndicators"],
      message: `No technical indicator gives a buy signal: ${NO_BUY_SIGNAL.join(", ")} is volatility only ` +
        `(it adds a trailing exit); add one of ${
          TECHNICAL_TYPES.filter((t) => !NO_BUY_SIGNAL.includes(t)).join(", ")
        }`,
    });
  }
});
/** An agent config. */
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

/** Capital of an IDX agent run that names none: 100,000,000 IDR (one lot of 100 IDX shares costs up to ~1M). */
export const IDX_DEFAULT_CAPITAL = 100_000_000;
/** Benchmarks of an IDX agent run: the composite (IHSG) and the LQ45, in this order. */
export const IDX_BENCHMARKS = ["^JKSE", "LQ45"] as const;
/** How the agent config's technical indicators combine (a note on every run of one). */
const AGENT_COMBINATION_NOTE =
  "technical indicators combine: a buy needs every indicator's buy condition on the same bar (and); any " +
  "indicator's sell condition, or a risk rule, sells (or); ATR adds only a trailing exit";

/** One technical indicator of the agent's config as `{entry?, exit?}` conditions (defaults as noted). */
function technicalRule(t: TechnicalIndicator): { entry?: string; exit?: string } {
  const num = (key: string, fallback: number) => t[key] ?? fallback;
  switch (t.type) {
    case "SMA_CROSSOVER": {
      const s = num("shortPeriod", 20), l = num("longPeriod", 50);
      return {
        entry: `crosses_above(sma(close, ${s}), sma(close, ${l}))`,
        exit: `crosses_below(sma(close, ${s}), sma(close, ${l}))`,
      };
    }
    case "SMA_TREND": {
      if (t.period !== undefined) {
        return { entry: `close > sma(close, ${t.period})`, exit: `close < sma(close, ${t.period})` };
      }
      const s = num("shortPeriod", 20), l = num("longPeriod", 50);
      return { entry: `sma(close, ${s}) > sma(close, ${l})`, exit: `sma(close, ${s}) < sma(close, ${l})` };
    }
    case "RSI": {
      const p = num("period", 14);
      return {
        entry: `rsi(close, ${p}) < ${num("oversold", 30)}`,
        exit: `rsi(close, ${p}) > ${num("overbought", 70)}`,
      };
    }
    case "MACD": {
      const a = `${num("fastPeriod", 12)}, ${num("slowPeriod", 26)}, ${num("signalPeriod", 9)}`;
      return {
        entry: `crosses_above(macd(close, ${a}), macd_signal(close, ${a}))`,
        exit: `crosses_below(macd(close, ${a}), macd_signal(close, ${a}))`,
      };
    }
    case "BOLLINGER_BANDS": {
      const p = num("period", 20), k = num("stdDev", 2);
      return { entry: `close < bb_lower(close, ${p}, ${k})`, exit: `close > bb_middle(close, ${p})` };
    }
    case "VOLUME_SMA":
      return {
        entry: `volume > ${num("threshold", num("multiplier", 1.5))} * volume_sma(${num("period", 20)})`,
      };
    case "OBV":
      return { entry: `obv() > sma(obv(), ${num("period", 20)})` };
    case "VWAP": {
      const p = num("period", 20);
      return { entry: `close > vwap(${p})`, exit: `close < vwap(${p})` };
    }
    case "VOLATILITY_BREAKOUT": {
      const p = num("period", 20);
      return { entry: `close > delay(close, 1) + ${num("multiplier", 1)} * atr(${p})` };
    }
    case "VOLUME_PRICE_TREND":
      return { entry: `vpt() > sma(vpt(), ${num("period", 20)})` };
    case "ATR": {
      const p = num("period", 14);
      return { exit: `close < highest(close, ${p}) - ${num("multiplier", 2)} * atr(${p})` };
    }
  }
}

/** A ticker of `filters.tickers`: a bare code (`BBCA`) is an IDX ticker (`BBCA.JK`), the document's market. */
const agentSymbol = (t: string) => (/[.^-]/.test(t) ? t.toUpperCase() : `${t.toUpperCase()}.JK`);

/**
 * The symbols the config names, each once: `filters.tickers` (the document's field, bare codes on the IDX) and
 * this API's earlier top-level `tickers` (taken as written, upper-cased).
 */
function agentTickers(c: AgentConfig): string[] {
  return [
    ...new Set([
      ...(c.filters.tickers ?? []).map(agentSymbol),
      ...(c.tickers ?? []).map((t) => t.toUpperCase()),
    ]),
  ];
}

/**
 * Whether the config runs on the IDX (the document's market): its tickers are all `.JK` (a bare code counts)
 * and its universe, if any, is `idx` or `lq45`; no tickers and no universe means the IDX universe.
 */
function isIdxAgentConfig(c: AgentConfig): boolean {
  const tickers = agentTickers(c);
  return tickers.every((t) => t.endsWith(".JK")) &&
    (!c.universe || c.universe === "idx" || c.universe === "lq45");
}

/** The agent's `filters` and `fundamentalIndicators` as spec universe filters. */
function agentFilters(c: AgentConfig): Record<string, unknown> | undefined {
  const f = c.filters;
  const out: Record<string, unknown> = {};
  if (f.marketCap) out.market_cap = [...new Set(f.marketCap)];
  if (f.sectors) out.sectors = f.sectors;
  if (f.syariah !== undefined) out.syariah = f.syariah;
  const adv = f.minDailyValue ?? f.minAvgDailyValue;
  if (adv !== undefined && adv > 0) out.min_avg_traded_value = adv;
  if (c.fundamentalIndicators.length) {
    out.fundamentals = c.fundamentalIndicators.map((r) => ({
      metric: r.type,
      ...(r.min !== undefined ? { min: r.min } : {}),
      ...(r.max !== undefined ? { max: r.max } : {}),
    }));
  }
  return Object.keys(out).length ? out : undefined;
}

/**
 * What a run of `c` should say about the config beside its report: how indicators combine, and the defaults
 * it chose (the IDX capital when none was given).
 */
export function agentConfigNotes(c: AgentConfig): string[] {
  const notes = [AGENT_COMBINATION_NOTE];
  if (c.backtestConfig.initialCapital === undefined && isIdxAgentConfig(c)) {
    notes.push(
      `initialCapital not given: an IDX run starts with ${IDX_DEFAULT_CAPITAL.toLocaleString("en-US")} IDR ` +
        "(IDX trades in lots of 100 shares)",
    );
  }
  if (!agentTickers(c).length && !c.universe) {
    notes.push("no tickers given: the run covers the IDX universe (idx) after the filters");
  }
  return notes;
}

/** Compiles an agent config into a spec. */
export function compileAgentConfig(c: AgentConfig): StrategySpec {
  const rules = c.technicalIndicators.map(technicalRule);
  const entries = [...new Set(rules.map((r) => r.entry).filter((x): x is string => !!x))];
  const exits = [...new Set(rules.map((r) => r.exit).filter((x): x is string => !!x))];
  const b = c.backtestConfig;
  const p = b.portfolio ?? {};
  const rm = b.riskManagement ?? {};
  const costs = b.tradingCosts ?? {};
  const idx = isIdxAgentConfig(c);
  const tickers = agentTickers(c);
  const capital = b.initialCapital ?? (idx ? IDX_DEFAULT_CAPITAL : undefined);
  const filters = agentFilters(c);
  return StrategySpecSchema.parse({
    name: c.name ?? (c.backtestId ? `Agent strategy ${c.backtestId}` : "Agent strategy"),
    universe: {
      ...(tickers.length ? { tickers } : {}),
      ...(c.universe ? { name: c.universe } : !tickers.length ? { name: "idx" } : {}),
      ...(filters ? { filters } : {}),
    },
    entry: entries.join(" and "),
    exit: exits.length ? exits.join(" or ") : "0 > 1",
    sizing: {
      method: "percent_equity",
      percent: p.positionSizePercent ?? 10,
      max_positions: p.maxPositions ?? 10,
      min_position: ((p.minPositionPercent ?? 0) / 100) * (capital ?? 100_000),
    },
    risk: {
      stop_loss_pct: rm.stopLossPercent ?? null,
      take_profit_pct: rm.takeProfitPercent ?? null,
      trailing_stop_pct: null,
      max_holding_days: rm.maxHoldingDays ?? null,
    },
    costs: {
      buy_fee_pct: costs.brokerFee ?? 0.1,
      sell_fee_pct: costs.sellFee ?? costs.brokerFee ?? 0.1,
      min_fee: costs.minimumFee ?? 0,
      slippage_pct: 0,
    },
    ...(idx ? { benchmarks: [...IDX_BENCHMARKS] } : {}),
    ...(capital !== undefined ? { capital } : {}),
    ...(b.startDate ? { start: b.startDate.slice(0, 10) } : {}),
    ...(b.endDate ? { end: b.endDate.slice(0, 10) } : {}),
  });
}
