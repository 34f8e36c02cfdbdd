import assert from "node:assert/strict";
import {
  hmacSha256Hex,
  newId,
  randomDigits,
  randomString,
  sha256Hex,
  timingSafeEqual,
  toHex,
} from "../../domain/tokens_and_hashes.ts";

Deno.test("timingSafeEqual() is true only for identical strings", async (t) => {
  const cases: [string, string, boolean][] = [
    ["", "", true],
    ["abc", "abc", true],
    ["abc", "abd", false],
    ["abc", "ab", false],
    ["ab", "abc", false],
    ["", "a", false],
    ["a", "", false],
    ["é", "e", false],
    ["中文", "中文", true],
    ["x".repeat(64), "x".repeat(63) + "y", false],
    ["abcabc", "abc", false],
  ];
  for (const [a, b, expected] of cases) {
    await t.step(
      `${JSON.stringify(a)} vs ${JSON.stringify(b)}`,
      () => assert.equal(timingSafeEqual(a, b), expected),
    );
  }
});

Deno.test("timingSafeEqual() inspects every character instead of stopping at the first difference", () => {
  // A difference in the first and in the last position must both be found (no early exit that skips the tail).
  const base = "0".repeat(32);
  assert.equal(timingSafeEqual(base, "1" + base.slice(1)), false);
  assert.equal(timingSafeEqual(base, base.slice(1) + "1"), false);
});

Deno.test("sha256Hex() and hmacSha256Hex() match known vectors", async () => {
  assert.equal(await sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  // RFC 4231 test case 2.
  assert.equal(
    await hmacSha256Hex("Jefe", "what do ya want for nothing?"),
    "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
  );
});

Deno.test("toHex() writes two lowercase digits per byte", () => {
  assert.equal(toHex(new Uint8Array([0, 1, 171, 255])), "0001abff");
});

Deno.test("randomDigits() returns n decimal digits, leading zeros included, covering every digit", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 300; i++) {
    const code = randomDigits(6);
    assert.match(code, /^\d{6}$/);
    for (const d of code) seen.add(d);
  }
  assert.equal(seen.size, 10);
});

Deno.test("randomString() draws only from the alphabet and differs between calls", () => {
  const a = randomString(40);
  assert.match(a, /^[0-9A-Za-z]{40}$/);
  assert.notEqual(a, randomString(40));
  assert.match(randomString(100, "ab"), /^[ab]{100}$/);
});

Deno.test("newId() sorts by creation time and keeps the prefix", () => {
  const early = newId("usr", Date.UTC(2026, 0, 1));
  const late = newId("usr", Date.UTC(2026, 0, 2));
  assert.match(early, /^usr_[0-9a-z]{22}$/);
  assert.ok(early < late);
  assert.notEqual(newId("usr", 0), newId("usr", 0));
});
