/**
 * The canonical bytes of a day's signal, the thing that is hashed and attested. Third parties recompute it from
 * the public record, so every rule here is documented in the README ("Signal hash").
 *
 * Canonical JSON (RFC 8785 style): object keys sorted by code point, no whitespace, strings JSON-escaped; the
 * object is `{"signals":[{"symbol":…,"weight":…},…],"strategy":<slug>,"trade_date":"YYYY-MM-DD"}` with signals
 * sorted by symbol and each weight written as a plain decimal string (`decimalString`).
 */
import { sha256Hex } from "../../tokens_and_hashes.ts";

/** One target weight. */
export interface SignalWeight {
  symbol: string;
  weight: number;
}

/** What is hashed for one strategy-day. */
export interface SignalPayload {
  strategy: string;
  trade_date: string;
  signals: readonly SignalWeight[];
}

/**
 * The shortest round-trip decimal text of a finite number, without exponent: `0.5`, `1`, `0.0000001`,
 * `0.333333333333`. Throws for non-finite numbers.
 */
export function decimalString(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`Cannot write ${x} as a decimal`);
  const text = String(x);
  const e = text.indexOf("e");
  if (e < 0) return text;
  const negative = text.startsWith("-");
  const mantissa = text.slice(negative ? 1 : 0, e);
  const exponent = Number(text.slice(e + 1));
  const [intPart, fracPart = ""] = mantissa.split(".");
  const digits = intPart + fracPart;
  const point = intPart.length + exponent; // position of the decimal point within `digits`
  let out: string;
  if (point <= 0) out = "0." + "0".repeat(-point) + digits;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = digits.slice(0, point) + "." + digits.slice(point);
  out = out.includes(".") ? out.replace(/0+$/, "").replace(/\.$/, "") : out;
  return (negative ? "-" : "") + out;
}

/** Signals sorted by symbol (code-point order), the order used everywhere a day's signal is shown or hashed. */
export function sortSignals<T extends SignalWeight>(signals: readonly T[]): T[] {
  return [...signals].sort((a, b) => (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

/** The canonical JSON text of a signal payload (see the module comment for the exact rules). */
export function canonicalSignalJson(payload: SignalPayload): string {
  const signals = sortSignals(payload.signals).map((s) =>
    `{"symbol":${JSON.stringify(s.symbol)},"weight":${JSON.stringify(decimalString(s.weight))}}`
  );
  return `{"signals":[${signals.join(",")}],"strategy":${JSON.stringify(payload.strategy)},` +
    `"trade_date":${JSON.stringify(payload.trade_date)}}`;
}

/** `signal_hash`: lowercase hex SHA-256 of the UTF-8 bytes of `canonicalSignalJson(payload)`. */
export function signalHash(payload: SignalPayload): Promise<string> {
  return sha256Hex(canonicalSignalJson(payload));
}

/** `symbols_hash`: the first 16 hex characters of SHA-256 of the sorted symbols joined with commas. */
export async function symbolsHash(symbols: readonly string[]): Promise<string> {
  const sorted = [...symbols].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return (await sha256Hex(sorted.join(","))).slice(0, 16);
}
