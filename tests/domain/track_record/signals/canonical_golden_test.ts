/**
 * Golden values of the signal hash: the canonical bytes and SHA-256 of fixed payloads are pinned as literals
 * (written out by hand and hashed outside this code base), and every weight is also checked against a second,
 * separately written decimal writer built on `toExponential()` and a SHA-256 from `node:crypto`.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  canonicalSignalJson,
  decimalString,
  signalHash,
  symbolsHash,
} from "../../../../domain/track_record/signals/canonical.ts";

/**
 * The second writer: the shortest round-trip digits and exponent from `toExponential()`, then the decimal point
 * moved by string padding.
 */
function plainDecimal(x: number): string {
  const [mantissa, exp] = x.toExponential().split("e");
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const e = Number(exp);
  let out: string;
  if (e < 0) out = "0." + "0".repeat(-e - 1) + digits;
  else if (e + 1 >= digits.length) out = digits + "0".repeat(e + 1 - digits.length);
  else out = digits.slice(0, e + 1) + "." + digits.slice(e + 1);
  return (negative ? "-" : "") + out;
}

const sha256 = (text: string) => createHash("sha256").update(new TextEncoder().encode(text)).digest("hex");

Deno.test("decimalString() writes plain decimals, including numbers JavaScript prints with an exponent", () => {
  const cases: [number, string][] = [
    [0.5, "0.5"],
    [1, "1"],
    [0.3, "0.3"],
    [0.1 + 0.2, "0.30000000000000004"],
    [1 / 3, "0.3333333333333333"],
    [0.000001, "0.000001"], // the last one String() writes without an exponent
    // Exponent branch, negative exponent: String() gives "1e-7", "1.5e-7", "1.2345e-10", "5e-324".
    [1e-7, "0.0000001"],
    [1.5e-7, "0.00000015"],
    [1.2345e-10, "0.00000000012345"],
    [-1e-7, "-0.0000001"],
    [5e-324, "0." + "0".repeat(323) + "5"],
    // Exponent branch, positive exponent: String() gives "1e+21", "1.2345e+25".
    [1e21, "1000000000000000000000"],
    [1.2345e25, "12345000000000000000000000"],
    [-2.5e22, "-25000000000000000000000"],
    [123456789012345680000, "123456789012345680000"], // below 1e21: no exponent
    [0, "0"],
  ];
  for (const [x, expected] of cases) {
    assert.equal(String(x).includes("e"), x !== 0 && (Math.abs(x) < 1e-6 || Math.abs(x) >= 1e21), String(x));
    assert.equal(decimalString(x), expected, `decimalString(${x})`);
    assert.equal(plainDecimal(x), expected, `plainDecimal(${x})`);
    assert.equal(Number(expected), x, `${expected} reads back as ${x}`);
  }
  for (const bad of [NaN, Infinity, -Infinity]) assert.throws(() => decimalString(bad), RangeError);
});

Deno.test("decimalString() agrees with the second writer on weights across the exponent boundaries", () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = 0; i < 5000; i++) {
    const w = next() * 10 ** -Math.floor(next() * 12);
    assert.equal(decimalString(w), plainDecimal(w), String(w));
  }
});

Deno.test("golden: canonical bytes and SHA-256 of fixed signals are pinned", async () => {
  const payload = {
    strategy: "demo-momentum",
    trade_date: "2026-05-14",
    signals: [
      { symbol: "600519.SH", weight: 0.4 },
      { symbol: "000001.SZ", weight: 0.3 },
      { symbol: "510300.SH", weight: 1e-7 },
    ],
  };
  const canonical =
    '{"signals":[{"symbol":"000001.SZ","weight":"0.3"},{"symbol":"510300.SH","weight":"0.0000001"},' +
    '{"symbol":"600519.SH","weight":"0.4"}],"strategy":"demo-momentum","trade_date":"2026-05-14"}';
  assert.equal(canonicalSignalJson(payload), canonical);
  const hash = "6b85194e0c1dcf7651b54401b0bf74c69f51e1e97169c3f7664513f5d719568f";
  assert.equal(sha256(canonical), hash);
  assert.equal(await signalHash(payload), hash);

  const cash = { strategy: "all-cash", trade_date: "2026-05-15", signals: [] };
  assert.equal(canonicalSignalJson(cash), '{"signals":[],"strategy":"all-cash","trade_date":"2026-05-15"}');
  assert.equal(await signalHash(cash), "141536ef2601df0af372bf4d0d6a7d26e1701430f32ccc66d573f66edd1a110d");

  assert.equal(await symbolsHash(["600519.SH", "000001.SZ", "510300.SH"]), "4c6bb58b7a4ba57a");
});

Deno.test("the canonical form does not depend on input order or key order, and escapes strings as JSON", async () => {
  const a = {
    strategy: "s-1",
    trade_date: "2026-05-14",
    signals: [{ symbol: "B", weight: 0.2 }, { symbol: "A", weight: 0.1 }],
  };
  const b = {
    signals: [{ weight: 0.1, symbol: "A" }, { weight: 0.2, symbol: "B" }],
    trade_date: "2026-05-14",
    strategy: "s-1",
  };
  assert.equal(canonicalSignalJson(a), canonicalSignalJson(b));
  assert.equal(await signalHash(a), sha256(canonicalSignalJson(b)));
  const odd = { strategy: 'q"\\\u0001é', trade_date: "2026-05-14", signals: [] };
  assert.equal(
    canonicalSignalJson(odd),
    '{"signals":[],"strategy":"q\\"\\\\\\u0001é","trade_date":"2026-05-14"}',
  );
  assert.equal(await signalHash(odd), sha256(canonicalSignalJson(odd)));
});
