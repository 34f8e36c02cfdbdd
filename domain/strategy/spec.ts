/**
 * The strategy spec (zod): universe, entry/exit rules in the expression language, ranking, sizing, risk,
 * costs (percent), fills, capital, dates and benchmarks. Every field but `universe`, `entry` and `exit` has a
 * documented default. Expressions are parsed at validation time, so a bad rule is a 422 naming the field.
 *
 * Dates default relative to the day the spec is read, never to a fixed day: a missing `end` is today (UTC, by
 * the clock the house hands `useSpecDateClock`), a missing `start` is `DEFAULT_SPAN_YEARS` years before `end`
 * (the given one or today). The parsed spec holds the filled dates, so a saved strategy keeps them.
 */
import { z } from "zod";
import { type Clock, systemClock } from "../clock.ts";
import { refuseUnsafeText } from "../safe_text.ts";
import { isSupportedCalendarDate } from "../calendar/calendar.ts";
import { UNIVERSE_NAMES } from "../market/types.ts";
import { ExpressionError, parseExpression } from "./expression.ts";

const expression = (field: string) =>
  z.string().min(1).max(2000).superRefine(refuseUnsafeText(true)).superRefine((src, ctx) => {
    try {
      parseExpression(src);
    } catch (e) {
      if (e instanceof ExpressionError) ctx.addIssue({ code: "custom", message: `${field}: ${e.message}` });
      else throw e;
    }
  });

const isoDate = z.string().refine(
  isSupportedCalendarDate,
  "Expected a real date YYYY-MM-DD between 1900 and 2199",
);
const symbol = z.string().min(1).max(32).regex(/^[A-Za-z0-9._^=-]+$/, "Not a symbol");
const pct = z.number().positive().max(100);

/** Fundamental metrics a filter can bound (point-in-time: the last figures public on the day). */
export const FUNDAMENTAL_METRICS = ["PE_RATIO", "PBV", "ROE", "DE_RATIO", "ROA", "NPM", "EPS"] as const;

/**
 * Universe filters: static ones (market-cap class, sectors, syariah) drop symbols before the run; dynamic ones
 * (minimum 20-day average traded value, fundamental bounds) make a symbol eligible for entry only on the days
 * they hold. ROE, ROA and NPM are fractions (0.15 = 15 %).
 */
const UniverseFiltersSchema = z.strictObject({
  market_cap: z.array(z.enum(["small", "mid", "large"])).min(1).optional(),
  sectors: z.array(z.string().min(1).max(60).superRefine(refuseUnsafeText())).min(1).max(20).optional(),
  syariah: z.boolean().optional(),
  min_avg_traded_value: z.number().positive().optional(),
  fundamentals: z.array(
    z.strictObject({
      metric: z.enum(FUNDAMENTAL_METRICS),
      min: z.number().optional(),
      max: z.number().optional(),
    }).refine((f) => f.min !== undefined || f.max !== undefined, { message: "Give min and/or max" }),
  ).max(10).optional(),
});

const common = {
  /** Most positions held at once. */
  max_positions: z.number().int().min(1).max(500).default(1),
  /** Smallest position worth opening, in currency (smaller orders are skipped). */
  min_position: z.number().min(0).default(0),
};

/** Position sizing methods. */
const SizingSchema = z.discriminatedUnion("method", [
  z.strictObject({ method: z.literal("percent_equity"), percent: pct.default(100), ...common }),
  z.strictObject({ method: z.literal("fixed_cash"), cash: z.number().positive(), ...common }),
  z.strictObject({ method: z.literal("fixed_quantity"), quantity: z.number().int().positive(), ...common }),
  z.strictObject({
    method: z.literal("risk_adjusted"),
    risk_pct: pct.default(1),
    atr_period: z.number().int().min(1).max(500).default(14),
    atr_multiple: z.number().positive().max(100).default(2),
    ...common,
  }),
]);

/** Years covered by a spec that gives no `start`: it starts this many years before its `end`. */
export const DEFAULT_SPAN_YEARS = 5;

/** Marks a date left out, until the spec's dates are filled (never leaves `StrategySpecSchema.parse`). */
const UNSET_DATE = "";

/** A date the client may leave out: left out, it reads as `UNSET_DATE` until `fillDates` runs. */
const optionalDate = (description: string) =>
  isoDate.optional().transform((d) => d ?? UNSET_DATE).describe(description);

let specDateClock: Clock = systemClock;

/** Sets the clock whose UTC date is a spec's default `end` (the house passes its own, tests their fixed one). */
export function useSpecDateClock(clock: Clock): void {
  specDateClock = clock;
}

/** `date` (YYYY-MM-DD) moved `years` years back; 29 February becomes 28 February in a common year. */
export function yearsBefore(date: string, years: number): string {
  const y = Number(date.slice(0, 4)) - years;
  const md = date.slice(5);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return `${String(y).padStart(4, "0")}-${md === "02-29" && !leap ? "02-28" : md}`;
}

/** Fills a left-out `end` with today (UTC) and a left-out `start` with `DEFAULT_SPAN_YEARS` before `end`. */
function fillDates<T extends { start: string; end: string }>(spec: T): T {
  if (spec.start !== UNSET_DATE && spec.end !== UNSET_DATE) return spec;
  const end = spec.end === UNSET_DATE ? new Date(specDateClock.now()).toISOString().slice(0, 10) : spec.end;
  const start = spec.start === UNSET_DATE ? yearsBefore(end, DEFAULT_SPAN_YEARS) : spec.start;
  return { ...spec, start, end };
}

/** The strategy spec. */
export const StrategySpecSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).superRefine(refuseUnsafeText()).default("Untitled strategy"),
  universe: z.strictObject({
    tickers: z.array(symbol).min(1).max(500).optional(),
    name: z.enum(UNIVERSE_NAMES).optional(),
    filters: UniverseFiltersSchema.optional(),
  }).refine((u) => u.tickers !== undefined || u.name !== undefined, {
    message: "Give tickers and/or a universe name",
  }),
  entry: expression("entry"),
  exit: expression("exit"),
  /** Which entry candidates to take when there are more than free slots (highest first). */
  rank_by: expression("rank_by").default("sma(close * volume, 20)"),
  sizing: SizingSchema.default({ method: "percent_equity", percent: 100, max_positions: 1, min_position: 0 }),
  risk: z.strictObject({
    stop_loss_pct: pct.nullable().default(null),
    take_profit_pct: z.number().positive().max(10_000).nullable().default(null),
    trailing_stop_pct: pct.nullable().default(null),
    max_holding_days: z.number().int().min(1).max(10_000).nullable().default(null),
  }).default({ stop_loss_pct: null, take_profit_pct: null, trailing_stop_pct: null, max_holding_days: null }),
  costs: z.strictObject({
    buy_fee_pct: z.number().min(0).max(10).default(0.1),
    sell_fee_pct: z.number().min(0).max(10).default(0.1),
    min_fee: z.number().min(0).default(0),
    slippage_pct: z.number().min(0).max(10).default(0),
  }).default({ buy_fee_pct: 0.1, sell_fee_pct: 0.1, min_fee: 0, slippage_pct: 0 }),
  /** `next_open`: decided on bar t's close, filled at bar t+1's open; `close`: filled at bar t's close. */
  fill: z.enum(["next_open", "close"]).default("next_open"),
  capital: z.number().positive().max(1e12).default(100_000),
  /** First day simulated (YYYY-MM-DD); left out: `DEFAULT_SPAN_YEARS` years before `end`. */
  start: optionalDate("First day simulated (YYYY-MM-DD); default: 5 years before end"),
  /** Last day simulated (YYYY-MM-DD); left out: today (UTC), so the run reaches the latest bar. */
  end: optionalDate("Last day simulated (YYYY-MM-DD); default: today (UTC)"),
  benchmarks: z.array(symbol).max(5).default([]),
  /** Sell what is still held at the last close (otherwise open positions are valued, not sold). */
  close_at_end: z.boolean().default(false),
  /** Annual risk-free rate for Sharpe/Sortino, percent. */
  risk_free_pct: z.number().min(-10).max(50).default(0),
}).overwrite(fillDates).refine((s) => s.start <= s.end, {
  message: "start must not be after end (a left-out end is today)",
  path: ["start"],
});

/** A validated spec with defaults filled in. */
export type StrategySpec = z.infer<typeof StrategySpecSchema>;
