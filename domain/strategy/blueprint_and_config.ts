/**
 * Compiles the two other strategy shapes into a spec: the copilot's seed blueprint and the chat agent's config.
 * Each indicator type becomes a rule of the expression language (see the README table):
 * blueprint entries are joined with `and`, exits with `or`; agent technical indicators contribute an entry
 * condition (joined with `and`) and, where they have one, an exit condition (joined with `or`). With no exit rule
 * at all the exit is `0 > 1` (never) and positions leave by the risk rules only.
 */
import { z } from "zod";
import { refuseUnsafeText } from "../safe_text.ts";
import { UNIVERSE_NAMES } from "../market/types.ts";
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

/** The copilot's blueprint shape. */
export const BlueprintSchema = z.strictObject({
  asset: z.string().min(1).max(32).regex(/^[A-Za-z0-9._^=-]+$/, "Not a symbol"),
  timeframe: z.enum(["1d", "daily", "D"]).default("1d"),
  entry: z.array(BlueprintRule).min(1).max(10),
  exit: z.array(BlueprintRule).max(10).default([]),
  risk: z.strictObject({
    stop_loss: z.number().positive().nullable().optional(),
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

const Technical = z.looseObject({
  type: z.enum([
    "SMA_CROSSOVER",
    "SMA_TREND",
    "RSI",
    "MACD",
    "BOLLINGER_BANDS",
    "VOLUME_SMA",
    "OBV",
    "VWAP",
    "VOLATILITY_BREAKOUT",
    "VOLUME_PRICE_TREND",
    "ATR",
  ]),
});

/** The chat agent's config shape (fields it does not use are accepted and ignored). */
export const AgentConfigSchema = z.looseObject({
  name: z.string().max(200).superRefine(refuseUnsafeText()).optional(),
  tickers: z.array(z.string().min(1).max(32).superRefine(refuseUnsafeText())).max(500).optional(),
  universe: z.enum(UNIVERSE_NAMES).optional(),
  filters: z.record(z.string(), z.unknown()).optional(),
  fundamentalIndicators: z.array(z.unknown()).optional(),
  technicalIndicators: z.array(Technical).min(1).max(20),
  backtestConfig: z.looseObject({
    initialCapital: z.number().positive().optional(),
    startDate: z.string().max(32).superRefine(refuseUnsafeText()).optional(),
    endDate: z.string().max(32).superRefine(refuseUnsafeText()).optional(),
    tradingCosts: z.looseObject({
      brokerFee: z.number().min(0).optional(),
      sellFee: z.number().min(0).optional(),
      minimumFee: z.number().min(0).optional(),
    }).optional(),
    portfolio: z.looseObject({
      positionSizePercent: z.number().positive().max(100).optional(),
      minPositionPercent: z.number().min(0).max(100).optional(),
      maxPositions: z.number().int().min(1).max(500).optional(),
    }).optional(),
    riskManagement: z.looseObject({
      stopLossPercent: z.number().positive().nullable().optional(),
      takeProfitPercent: z.number().positive().nullable().optional(),
      maxHoldingDays: z.number().int().positive().nullable().optional(),
    }).optional(),
  }).default({}),
}).refine((c) => c.tickers?.length || c.universe, { message: "Give tickers or a universe" });
/** An agent config. */
export type AgentConfig = z.infer<typeof AgentConfigSchema>;

const num = (o: Record<string, unknown>, key: string, fallback: number) =>
  typeof o[key] === "number" && Number.isFinite(o[key]) ? (o[key] as number) : fallback;

/** One technical indicator of the agent's config as `{entry, exit?}` conditions. */
function technicalRule(
  t: Record<string, unknown> & { type: string },
): { entry: string; exit?: string } {
  switch (t.type) {
    case "SMA_CROSSOVER": {
      const s = num(t, "shortPeriod", num(t, "fastPeriod", 20)),
        l = num(t, "longPeriod", num(t, "slowPeriod", 50));
      return {
        entry: `crosses_above(sma(close, ${s}), sma(close, ${l}))`,
        exit: `crosses_below(sma(close, ${s}), sma(close, ${l}))`,
      };
    }
    case "SMA_TREND": {
      const p = num(t, "period", 200);
      return { entry: `close > sma(close, ${p})`, exit: `close < sma(close, ${p})` };
    }
    case "RSI": {
      const p = num(t, "period", 14);
      return {
        entry: `rsi(close, ${p}) < ${num(t, "oversold", 30)}`,
        exit: `rsi(close, ${p}) > ${num(t, "overbought", 70)}`,
      };
    }
    case "MACD": {
      const a = `${num(t, "fastPeriod", 12)}, ${num(t, "slowPeriod", 26)}, ${num(t, "signalPeriod", 9)}`;
      return {
        entry: `crosses_above(macd(close, ${a}), macd_signal(close, ${a}))`,
        exit: `crosses_below(macd(close, ${a}), macd_signal(close, ${a}))`,
      };
    }
    case "BOLLINGER_BANDS": {
      const p = num(t, "period", 20), k = num(t, "stdDev", 2);
      return { entry: `close < bb_lower(close, ${p}, ${k})`, exit: `close > bb_middle(close, ${p})` };
    }
    case "VOLUME_SMA":
      return { entry: `volume > ${num(t, "multiplier", 1.5)} * volume_sma(${num(t, "period", 20)})` };
    case "OBV":
      return { entry: `obv() > sma(obv(), ${num(t, "period", 20)})` };
    case "VWAP": {
      const p = num(t, "period", 20);
      return { entry: `close > vwap(${p})`, exit: `close < vwap(${p})` };
    }
    case "VOLATILITY_BREAKOUT": {
      const p = num(t, "period", 20);
      return { entry: `close > delay(close, 1) + ${num(t, "multiplier", 1)} * atr(${p})` };
    }
    case "VOLUME_PRICE_TREND":
      return { entry: `vpt() > sma(vpt(), ${num(t, "period", 20)})` };
    case "ATR": {
      const p = num(t, "period", 14);
      return {
        entry: "close > 0",
        exit: `close < highest(close, ${p}) - ${num(t, "multiplier", 2)} * atr(${p})`,
      };
    }
  }
  throw new Error(`unknown indicator type ${t.type}`);
}

/** The agent's `filters` and `fundamentalIndicators` as spec universe filters (unknown keys are ignored). */
function agentFilters(c: AgentConfig): Record<string, unknown> | undefined {
  const f = (c.filters ?? {}) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const cap = f.marketCap ?? f.market_cap;
  if (typeof cap === "string" && ["small", "mid", "large"].includes(cap.toLowerCase())) {
    out.market_cap = [cap.toLowerCase()];
  }
  if (Array.isArray(cap)) out.market_cap = cap.map((x) => String(x).toLowerCase());
  const sectors = f.sectors ?? f.sector;
  if (Array.isArray(sectors) && sectors.length) out.sectors = sectors.map(String);
  else if (typeof sectors === "string" && sectors) out.sectors = [sectors];
  if (typeof f.syariah === "boolean") out.syariah = f.syariah;
  const adv = f.minAvgDailyValue ?? f.minAverageDailyValue ?? f.min_avg_traded_value;
  if (typeof adv === "number" && adv > 0) out.min_avg_traded_value = adv;
  const fundamentals = (c.fundamentalIndicators ?? []).flatMap((x) => {
    const r = x as Record<string, unknown>;
    const metric = String(r.type ?? r.metric ?? "").toUpperCase();
    const min = typeof r.min === "number" ? r.min : typeof r.minValue === "number" ? r.minValue : undefined;
    const max = typeof r.max === "number" ? r.max : typeof r.maxValue === "number" ? r.maxValue : undefined;
    return FUNDAMENTAL_METRICS.includes(metric as typeof FUNDAMENTAL_METRICS[number]) &&
        (min !== undefined || max !== undefined)
      ? [{ metric, ...(min !== undefined ? { min } : {}), ...(max !== undefined ? { max } : {}) }]
      : [];
  });
  if (fundamentals.length) out.fundamentals = fundamentals;
  return Object.keys(out).length ? out : undefined;
}

/** Compiles an agent config into a spec. */
export function compileAgentConfig(c: AgentConfig): StrategySpec {
  const rules = c.technicalIndicators.map((t) =>
    technicalRule(t as Record<string, unknown> & { type: string })
  );
  const entries = [...new Set(rules.map((r) => r.entry))].filter((e) => e !== "close > 0");
  const exits = rules.map((r) => r.exit).filter((x): x is string => !!x);
  const b = c.backtestConfig;
  const p = b.portfolio ?? {};
  const rm = b.riskManagement ?? {};
  const costs = b.tradingCosts ?? {};
  return StrategySpecSchema.parse({
    name: c.name ?? "Agent strategy",
    universe: {
      ...(c.tickers?.length ? { tickers: c.tickers.map((t) => t.toUpperCase()) } : {}),
      ...(c.universe ? { name: c.universe } : {}),
      ...(agentFilters(c) ? { filters: agentFilters(c) } : {}),
    },
    entry: entries.length ? entries.join(" and ") : "close > 0",
    exit: exits.length ? exits.join(" or ") : "0 > 1",
    sizing: {
      method: "percent_equity",
      percent: p.positionSizePercent ?? 10,
      max_positions: p.maxPositions ?? 10,
      min_position: ((p.minPositionPercent ?? 0) / 100) * (b.initialCapital ?? 100_000),
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
    ...(b.initialCapital ? { capital: b.initialCapital } : {}),
    ...(b.startDate ? { start: b.startDate.slice(0, 10) } : {}),
    ...(b.endDate ? { end: b.endDate.slice(0, 10) } : {}),
  });
}
