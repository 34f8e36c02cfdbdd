/**
 * The built-in strategies: a few classic rule sets every user can name without saving anything, so a client
 * written to the TradAI backend document (`{"config": {"strategy": "TrendFollowing", "pairs": [...]}}`) runs on a
 * fresh server. Each is a plain spec in the expression language; the caller's symbols replace its universe.
 * Names are matched case-insensitively. Defaults: 2020-01-01 to 2024-12-31, 100,000 of capital, at most 5
 * positions each taking 1/min(5, symbols) of equity, 0.1 % fees each side, fills at the next day's open.
 */
import { type StrategySpec, StrategySpecSchema } from "./spec.ts";

/** One built-in strategy: its name, what it does, and its rules. */
export interface BuiltinStrategy {
  name: string;
  description: string;
  entry: string;
  exit: string;
}

/** The built-ins, by name. */
export const BUILTIN_STRATEGIES: readonly BuiltinStrategy[] = [
  {
    name: "TrendFollowing",
    description:
      "Long while the 20-day SMA is above the 50-day SMA: enters on the cross up, exits on the cross down",
    entry: "crosses_above(sma(close, 20), sma(close, 50))",
    exit: "crosses_below(sma(close, 20), sma(close, 50))",
  },
  {
    name: "MeanReversion",
    description: "Buys a dip (14-day RSI under 30), sells the recovery (RSI over 55)",
    entry: "rsi(close, 14) < 30",
    exit: "rsi(close, 14) > 55",
  },
  {
    name: "Breakout",
    description: "Buys a close above the previous 20-day high, sells a close below the previous 10-day low",
    entry: "close > delay(highest(high, 20), 1)",
    exit: "close < delay(lowest(low, 10), 1)",
  },
  {
    name: "MACDMomentum",
    description: "Long while MACD(12, 26, 9) is above its signal line",
    entry: "crosses_above(macd(close, 12, 26, 9), macd_signal(close, 12, 26, 9))",
    exit: "crosses_below(macd(close, 12, 26, 9), macd_signal(close, 12, 26, 9))",
  },
];

/** The built-in strategy named `name` (case-insensitive), or `null`. */
export function findBuiltinStrategy(name: string): BuiltinStrategy | null {
  const key = name.toLowerCase();
  return BUILTIN_STRATEGIES.find((b) => b.name.toLowerCase() === key) ?? null;
}

/** The spec of built-in `b` on `tickers` (see the module comment for its defaults). */
export function builtinSpec(b: BuiltinStrategy, tickers: string[]): StrategySpec {
  return StrategySpecSchema.parse({
    name: b.name,
    universe: { tickers },
    entry: b.entry,
    exit: b.exit,
    sizing: { method: "percent_equity", percent: 100 / Math.min(5, tickers.length), max_positions: 5 },
    start: "2020-01-01",
    end: "2024-12-31",
  });
}
