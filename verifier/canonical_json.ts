/**
 * Canonical JSON, written for the verifier alone (it shares no code with the server):
 * - `canonicalJson` is RFC 8785 (JCS): object keys sorted by UTF-16 code units, no whitespace, strings as
 *   `JSON.stringify` writes them, numbers in ECMAScript's shortest round-trip form (`-0` → `0`); a non-finite
 *   number, `undefined`, a function or a non-plain value is refused with a `TypeError`.
 * - `canonicalSignalJson` is the signal form of README "Signal hash": `{"signals":[{"symbol","weight"}…],
 *   "strategy","trade_date"}` with signals sorted by symbol and each weight a decimal string without exponent.
 */

/** Compares two strings by UTF-16 code units (the order RFC 8785 sorts keys in). */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The RFC 8785 canonical text of a JSON value (see the module comment); throws `TypeError` for non-JSON input. */
export function canonicalJson(value: unknown): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON has no form for ${value}`);
      return JSON.stringify(value); // shortest round trip; -0 is written 0
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError("canonical JSON takes plain objects only");
      }
      const entries = Object.keys(value).sort(byCodeUnits).map((k) =>
        `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`
      );
      return `{${entries.join(",")}}`;
    }
    default:
      throw new TypeError(`canonical JSON has no form for a ${typeof value}`);
  }
}

/**
 * A finite number as the shortest round-trip decimal without an exponent: `0.3`, `1`, `0.0000001`, `-12.5`.
 * Throws `RangeError` for a non-finite number.
 */
export function plainDecimal(x: number): string {
  if (!Number.isFinite(x)) throw new RangeError(`no decimal form for ${x}`);
  const text = String(x === 0 ? 0 : x);
  const match = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = "", exp] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exp); // where the decimal point falls within `digits`
  let out: string;
  if (point <= 0) out = `0.${"0".repeat(-point)}${digits}`;
  else if (point >= digits.length) out = digits + "0".repeat(point - digits.length);
  else out = `${digits.slice(0, point)}.${digits.slice(point)}`;
  if (out.includes(".")) out = out.replace(/0+$/, "").replace(/\.$/, "");
  return sign + out;
}

/** The README's canonical signal text for a strategy-day's weights (sorted by symbol here). */
export function canonicalSignalJson(
  strategy: string,
  tradeDate: string,
  signals: readonly { symbol: string; weight: number }[],
): string {
  const sorted = [...signals].sort((a, b) => byCodeUnits(a.symbol, b.symbol));
  return canonicalJson({
    signals: sorted.map((s) => ({ symbol: s.symbol, weight: plainDecimal(s.weight) })),
    strategy,
    trade_date: tradeDate,
  });
}
