/**
 * Canonical JSON as RFC 8785 (JSON Canonicalization Scheme, "JCS") defines it: the one text of a JSON value that
 * is hashed wherever this platform hashes a structured record (the day records of `record_chain.ts`). Third
 * parties reimplement it from these rules (README, "Verified track records"):
 * - `null`, `true`, `false` as written;
 * - a number as ECMAScript writes it (`JSON.stringify(number)`: the shortest text that reads back as the same
 *   IEEE-754 double, e.g. `1`, `0.1`, `0.30000000000000004`, `1e-7`, `1e+21`); `-0` is written `0`; `NaN` and
 *   the infinities have no JSON form and are refused;
 * - a string as `JSON.stringify` writes it (`"` and `\` escaped, controls as `\b \f \n \r \t` or `\u00XX`,
 *   everything else, non-ASCII included, as its UTF-8 bytes); a string with a lone surrogate is not valid
 *   Unicode (RFC 8785 takes I-JSON input) and is refused;
 * - an array as `[` + its elements in order, joined by `,` + `]`;
 * - an object as `{` + its members `"key":value` joined by `,` + `}`, keys sorted by their UTF-16 code units
 *   (JavaScript's default string order; not by code point, not locale-aware);
 * - no whitespace anywhere.
 * Anything that is not JSON (`undefined`, a function, a bigint, a symbol, a class instance such as a `Date`) is
 * refused with a `TypeError` rather than silently dropped, so a hashed text never loses a field.
 */

/** Deepest nesting accepted (the records hashed here are 4 levels deep); deeper input is refused. */
const MAX_DEPTH = 32;

/** Compares strings by UTF-16 code units, the key order of RFC 8785 §3.2.3. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function stringText(s: string): string {
  if (!s.isWellFormed()) throw new TypeError("Canonical JSON refuses a string with a lone surrogate");
  return JSON.stringify(s);
}

function write(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new TypeError(`Canonical JSON refuses nesting deeper than ${MAX_DEPTH}`);
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new TypeError(`Canonical JSON has no form for the number ${value}`);
      return JSON.stringify(value); // ECMAScript shortest round trip; -0 → "0"
    case "string":
      return stringText(value);
    case "object": {
      if (Array.isArray(value)) return `[${Array.from(value, (v) => write(v, depth + 1)).join(",")}]`;
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError("Canonical JSON takes plain objects and arrays only");
      }
      const record = value as Record<string, unknown>;
      const members = Object.keys(record).sort(byCodeUnits).map((k) =>
        `${stringText(k)}:${write(record[k], depth + 1)}`
      );
      return `{${members.join(",")}}`;
    }
    default:
      throw new TypeError(`Canonical JSON has no form for a ${typeof value}`);
  }
}

/** The RFC 8785 canonical text of `value` (rules in the module comment); throws `TypeError` for non-JSON input. */
export function canonicalJson(value: unknown): string {
  return write(value, 0);
}
