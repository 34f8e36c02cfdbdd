/** RFC 8785 canonical JSON on hand-worked cases: key order, numbers, strings, refusals. */
import assert from "node:assert/strict";
import { canonicalJson } from "../../../../domain/track_record/settlement/canonical_json.ts";

Deno.test("canonicalJson sorts keys by UTF-16 code units at every level and writes no whitespace", () => {
  assert.equal(
    canonicalJson({ b: 1, a: { d: [3, { z: null, y: true }], c: false } }),
    '{"a":{"c":false,"d":[3,{"y":true,"z":null}]},"b":1}',
  );
  // Upper case (0x41–0x5A) sorts before "_" (0x5F) before lower case; a prefix before its extensions.
  assert.equal(canonicalJson({ a: 1, _: 2, B: 3, ab: 4, "": 5 }), '{"":5,"B":3,"_":2,"a":1,"ab":4}');
  // UTF-16 code units, not code points: U+FFFD (0xFFFD) sorts after U+1F600 (surrogates 0xD83D 0xDE00).
  assert.equal(canonicalJson({ "\ufffd": 1, "\u{1f600}": 2 }), '{"\u{1f600}":2,"\ufffd":1}');
  // RFC 8785 §3.2.3's own example of key order.
  assert.equal(
    canonicalJson({
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\u{1f600}": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis",
    }),
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\u{1f600}":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  );
  assert.equal(canonicalJson([]), "[]");
  assert.equal(canonicalJson({}), "{}");
});

Deno.test("canonicalJson writes numbers in ECMAScript's shortest round-trip form", () => {
  const cases: [number, string][] = [
    [0, "0"],
    [-0, "0"],
    [1, "1"],
    [-1.5, "-1.5"],
    [100, "100"],
    [1e-7, "1e-7"],
    [0.000001, "0.000001"],
    [0.1 + 0.2, "0.30000000000000004"],
    [1e21, "1e+21"],
    [1e20, "100000000000000000000"],
    [123456789012345680000, "123456789012345680000"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [1_000_000.123456789, "1000000.123456789"],
    [2 ** 53 + 2, "9007199254740994"],
    [0.0003, "0.0003"],
  ];
  for (const [x, text] of cases) assert.equal(canonicalJson(x), text, `${x}`);
  assert.equal(canonicalJson({ n: -0, m: [1e-7] }), '{"m":[1e-7],"n":0}');
});

Deno.test("canonicalJson writes strings as JSON.stringify does: escapes for quote, backslash and controls, the rest as is", () => {
  assert.equal(canonicalJson('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(canonicalJson("\n\t\r\b\f"), '"\\n\\t\\r\\b\\f"');
  assert.equal(canonicalJson("\u0001\u001f"), '"\\u0001\\u001f"');
  assert.equal(canonicalJson("/"), '"/"', "the solidus is not escaped");
  assert.equal(canonicalJson("\u007f"), '"\u007f"', "DEL is written as is");
  assert.equal(canonicalJson("贵州茅台 €"), '"贵州茅台 €"', "non-ASCII is written as is (UTF-8 when hashed)");
  assert.equal(canonicalJson("\u{1f600}"), '"\u{1f600}"', "a surrogate pair is one character");
  assert.equal(canonicalJson("\u2028"), '"\u2028"');
});

Deno.test("canonicalJson refuses what has no JSON form instead of dropping it", () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    assert.throws(() => canonicalJson(bad), TypeError);
    assert.throws(() => canonicalJson({ nav: bad }), TypeError);
  }
  assert.throws(() => canonicalJson({ a: undefined }), TypeError);
  assert.throws(() => canonicalJson([undefined]), TypeError);
  // deno-lint-ignore no-sparse-arrays
  assert.throws(() => canonicalJson([1, , 2]), TypeError, "a hole is not a value");
  assert.throws(() => canonicalJson(() => 1), TypeError);
  assert.throws(() => canonicalJson(1n), TypeError);
  assert.throws(() => canonicalJson(Symbol("s")), TypeError);
  assert.throws(() => canonicalJson(new Date(0)), TypeError);
  assert.throws(() => canonicalJson(new Map()), TypeError);
  assert.throws(() => canonicalJson("\ud800"), TypeError, "a lone surrogate is not Unicode");
  assert.throws(() => canonicalJson({ "\udc00": 1 }), TypeError, "nor in a key");
  let deep: unknown = 1;
  for (let i = 0; i < 40; i++) deep = [deep];
  assert.throws(() => canonicalJson(deep), TypeError, "nesting is bounded");
  assert.equal(canonicalJson(Object.assign(Object.create(null), { b: 1, a: 2 })), '{"a":2,"b":1}');
});
