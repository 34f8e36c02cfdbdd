/**
 * A signal as a rule of the expression language, for the entry or the exit side: what the user said, and where
 * they left the direction out, the usual one for that side (an entry buys the upward cross, RSI below its
 * oversold level, the lower Bollinger band, the N-day high; an exit the opposite, and the middle band).
 */
import { parseExpression, printExpression } from "../../strategy/expression.ts";
import type { Direction, Signal } from "./signals.ts";

/** Which side a rule is for. */
export type Side = "entry" | "exit";

const flip = (d: Direction): Direction => (d === "above" ? "below" : "above");

/** `a` against `b` in direction `dir`, as a crossing or a state. */
function relation(a: string, dir: Direction, b: string, cross: boolean): string {
  if (cross) return `${dir === "above" ? "crosses_above" : "crosses_below"}(${a}, ${b})`;
  return `${a} ${dir === "above" ? ">" : "<"} ${b}`;
}

/** An expression in its canonical printed form. */
export function canonical(src: string): string {
  return printExpression(parseExpression(src));
}

/** The rule of `s` for `side` (null for a ranking, which is not a rule). */
export function ruleOf(s: Signal, side: Side): string | null {
  const usual: Direction = side === "entry" ? "above" : "below";
  switch (s.kind) {
    case "ma_cross": {
      const a = `${s.ma}(close, ${s.fast})`, b = `${s.ma}(close, ${s.slow})`;
      return canonical(relation(a, s.dir ?? usual, b, s.cross));
    }
    case "price_ma":
      return canonical(relation("close", s.dir ?? usual, `${s.ma}(close, ${s.period})`, s.cross));
    case "rsi": {
      const dir = s.dir ?? (side === "entry" ? "below" : "above");
      const lvl = s.level ?? (dir === "below" ? s.low ?? 30 : s.high ?? 70);
      return canonical(relation(`rsi(close, ${s.period})`, dir, String(lvl), s.cross));
    }
    case "bollinger": {
      const band = s.band ?? (side === "entry" ? "lower" : "middle");
      const dir = s.dir ?? (band === "lower" ? (side === "entry" ? "below" : "below") : "above");
      const line = band === "middle"
        ? `bb_middle(close, ${s.period})`
        : `bb_${band}(close, ${s.period}, ${s.k})`;
      return canonical(relation("close", dir, line, s.cross));
    }
    case "macd": {
      const args = `close, ${s.fast}, ${s.slow}, ${s.signal}`;
      const dir = s.dir ?? usual;
      if (s.target === "hist") return canonical(relation(`macd_hist(${args})`, dir, "0", false));
      if (s.target === "zero") return canonical(relation(`macd(${args})`, dir, "0", false));
      return canonical(relation(`macd(${args})`, dir, `macd_signal(${args})`, true));
    }
    case "breakout": {
      const high = s.side === "high" || (s.side === null && side === "entry");
      return canonical(
        high ? `close > delay(highest(high, ${s.period}), 1)` : `close < delay(lowest(low, ${s.period}), 1)`,
      );
    }
    case "vwap":
      return canonical(relation("close", s.dir ?? usual, `vwap(${s.period})`, s.cross));
    case "momentum": {
      const dir = s.dir ?? usual;
      return canonical(relation(`roc(close, ${s.period})`, dir, String(s.level), false));
    }
    case "rank":
      return null;
  }
}

/** The opposite of a signal (the exit of a neutral "RSI 30/70" or "SMA 20/50 crossover" description). */
export function mirror(s: Signal): Signal {
  switch (s.kind) {
    case "ma_cross":
    case "price_ma":
    case "macd":
    case "momentum":
    case "vwap":
      return { ...s, dir: s.dir === null ? null : flip(s.dir) };
    case "rsi":
      return { ...s, dir: null, level: null, cross: false };
    case "bollinger":
      return s.band === "upper" && s.dir === "above"
        ? { ...s, band: "middle", dir: "below", cross: false }
        : { ...s, band: null, dir: null, cross: false };
    case "breakout":
      return { ...s, side: s.side === null ? null : s.side === "high" ? "low" : "high" };
    case "rank":
      return s;
  }
}

/** A ranking's factor as a `rank_by` expression. */
export function rankExpression(s: Extract<Signal, { kind: "rank" }>): string {
  switch (s.factor) {
    case "momentum":
      return canonical(`roc(close, ${s.period})`);
    case "volume":
      return canonical("sma(close * volume, 20)");
    case "rsi":
      return canonical("rsi(close, 14)");
    case "volatility":
      return canonical(`-stdev(roc(close, 1), ${s.period})`);
  }
}

/** A short English name of a signal ("SMA 20/50 crossover"), for names and messages. */
export function signalName(s: Signal): string {
  switch (s.kind) {
    case "ma_cross":
      return `${s.ma.toUpperCase()} ${s.fast}/${s.slow} ${s.cross ? "crossover" : "trend"}`;
    case "price_ma":
      return `price vs ${s.ma.toUpperCase()} ${s.period}`;
    case "rsi":
      return `RSI(${s.period})`;
    case "bollinger":
      return `Bollinger(${s.period}, ${s.k})`;
    case "macd":
      return `MACD(${s.fast}/${s.slow}/${s.signal})`;
    case "breakout":
      return `${s.period}-day breakout`;
    case "momentum":
      return `${s.period}-day momentum`;
    case "vwap":
      return `price vs VWAP ${s.period}`;
    case "rank":
      return `top ${s.top} by ${s.period}-day ${s.factor}`;
  }
}
