/** The verifier's canonical JSON (RFC 8785) and the README's signal form, on worked examples. */
import assert from "node:assert/strict";
import { canonicalJson, canonicalSignalJson, plainDecimal } from "../../verifier/canonical_json.ts";
import { sha256Hex } from "../../verifier/crypto.ts";

Deno.test("canonicalJson() sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)", () => {
  const input = {
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis",
  };
  // Object.keys would put the integer-like "1" first: read the keys in the order the text holds them.
  const keys = [...canonicalJson(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) =>
    JSON.parse(`"${m[1]}"`)
  );
  assert.deepEqual(keys, ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"]);
});

Deno.test("canonicalJson() writes numbers in ECMAScript's shortest form and strings as JSON.stringify does", () => {
  assert.equal(
    canonicalJson({
      b: [1e21, 1e-7, 0.000001, -0, 333333333.3333333, 4.5, 100],
      a: '\u2028"\\\n',
      c: null,
      d: true,
    }),
    '{"a":"\u2028\\"\\\\\\n","b":[1e+21,1e-7,0.000001,0,333333333.3333333,4.5,100],"c":null,"d":true}',
  );
  assert.equal(canonicalJson({ z: { y: 1, x: [] }, a: {} }), '{"a":{},"z":{"x":[],"y":1}}');
});

Deno.test("canonicalJson() refuses what JSON cannot hold", () => {
  for (const bad of [NaN, Infinity, undefined, () => 1, new Date(0), { a: undefined }]) {
    assert.throws(() => canonicalJson(bad), TypeError);
  }
});

Deno.test("plainDecimal() writes the shortest round-trip decimal without an exponent", () => {
  const cases: [number, string][] = [
    [0.3, "0.3"],
    [1, "1"],
    [1e-7, "0.0000001"],
    [1.5e-10, "0.00000000015"],
    [1e21, "1000000000000000000000"],
    [-2.5e-8, "-0.000000025"],
    [0.1 + 0.2, "0.30000000000000004"],
    [-0, "0"],
  ];
  for (const [x, text] of cases) {
    assert.equal(plainDecimal(x), text);
    assert.equal(Number(plainDecimal(x)), x === 0 ? 0 : x);
  }
  assert.throws(() => plainDecimal(NaN), RangeError);
});

Deno.test("canonicalSignalJson() gives README's example bytes and hash input", async () => {
  const text = canonicalSignalJson("reversal-10", "2026-11-23", [
    { symbol: "600519.SH", weight: 0.3 },
    { symbol: "000001.SZ", weight: 0.2 },
  ]);
  assert.equal(
    text,
    '{"signals":[{"symbol":"000001.SZ","weight":"0.2"},{"symbol":"600519.SH","weight":"0.3"}],' +
      '"strategy":"reversal-10","trade_date":"2026-11-23"}',
  );
  assert.equal(await sha256Hex(text), await sha256Hex(new TextEncoder().encode(text)));
  assert.equal(
    await sha256Hex("abc"),
    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", // FIPS 180-2 example
  );
});
