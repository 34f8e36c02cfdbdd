import assert from "node:assert/strict";
import { findUnsafeCharacter } from "../../domain/safe_text.ts";

Deno.test("findUnsafeCharacter() finds controls, bidi overrides/isolates and unpaired surrogates", async (t) => {
  const refused: [string, string, string, number][] = [
    ["NUL", "ab\u0000c", "U+0000", 2],
    ["ESC", "\u001b[31m", "U+001B", 0],
    ["DEL", "a\u007f", "U+007F", 1],
    ["C1", "a\u0090", "U+0090", 1],
    ["LRE", "\u202a", "U+202A", 0],
    ["RLO", "x\u202ey", "U+202E", 1],
    ["LRI", "\u2066", "U+2066", 0],
    ["PDI", "\u2069", "U+2069", 0],
    ["lone high surrogate at end", "ok\ud83d", "U+D83D", 2],
    ["lone low surrogate", "\ude00ok", "U+DE00", 0],
    ["reversed pair", "\ude00\ud83d", "U+DE00", 0],
  ];
  for (const [name, text, codePoint, index] of refused) {
    await t.step(name, () => {
      const found = findUnsafeCharacter(text, true);
      assert.ok(found, name);
      assert.equal(found.codePoint, codePoint);
      assert.equal(found.index, index);
    });
  }
});

Deno.test("findUnsafeCharacter() allows tab and line breaks only in multi-line text, and ordinary Unicode always", () => {
  for (const ch of ["\t", "\n", "\r"]) {
    assert.equal(findUnsafeCharacter(`a${ch}b`, true), null);
    assert.equal(findUnsafeCharacter(`a${ch}b`, false)?.kind, "control character");
  }
  for (
    const text of [
      "",
      "plain",
      "📈 emoji pair",
      "زخم RTL letters",
      "LRM \u200e RLM \u200f",
      "中文 名称",
      "\u00a0nbsp",
    ]
  ) {
    assert.equal(findUnsafeCharacter(text, false), null, text);
  }
});
