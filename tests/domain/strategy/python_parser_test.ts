/** The Python-subset lexer and parser of the backtrader importer: what it reads, what it refuses, and its bounds. */
import assert from "node:assert/strict";
import { ValidationError } from "../../../domain/errors.ts";
import { tokenizePython } from "../../../domain/strategy/python/python_lexer.ts";
import { parsePython, type PyExpr } from "../../../domain/strategy/python/python_parser.ts";

const LOC = ["strategy_code"];

/** Asserts `src` is refused with `type` and a message matching `msg`. */
function refused(src: string, type: string, msg: RegExp): void {
  assert.throws(() => parsePython(src, LOC), (e: unknown) => {
    assert.ok(e instanceof ValidationError, String(e));
    assert.equal(e.type, type, e.message);
    assert.match(e.message, msg);
    assert.deepEqual(e.loc, LOC);
    return true;
  });
}

const expr = (src: string): PyExpr => {
  const s = parsePython(`x = ${src}\n`, LOC).body[0];
  assert.equal(s.k, "assign");
  return (s as { value: PyExpr }).value;
};

Deno.test("the lexer reads numbers (exponents, underscores, hex), strings, comments and indentation", () => {
  const { tokens, comments } = tokenizePython(
    "a = 1e-3 + 1_000 + 0x1F + .5  # note\n# quantedge: rank_by: roc(close, 20)\nif a:\n    b = 'it''s' \"x\"\n",
    LOC,
  );
  const nums = tokens.filter((t) => t.t === "num").map((t) => t.num);
  assert.deepEqual(nums, [0.001, 1000, 31, 0.5]);
  assert.deepEqual(tokens.filter((t) => t.t === "indent" || t.t === "dedent").map((t) => t.t), [
    "indent",
    "dedent",
  ]);
  assert.deepEqual(comments, [{ line: 2, key: "rank_by", value: "roc(close, 20)" }]);
  assert.equal(tokens.find((t) => t.t === "str")!.line, 4);
});

Deno.test("CRLF and CR line ends read like LF, with the same line numbers", () => {
  const crlf = parsePython("import backtrader as bt\r\n\r\nx = 1\r\nif x:\r\n  y = 2\r\n", LOC);
  assert.deepEqual(crlf.body.map((s) => s.line), [1, 3, 4]);
  refused("import backtrader as bt\n\nx = 1\nwhile x:\n  pass\n", "unsupported_construct", /^line 4: /);
  refused(
    "import backtrader as bt\r\n\r\nx = 1\r\nwhile x:\r\n  pass\r\n",
    "unsupported_construct",
    /^line 4: /,
  );
  refused("x = 1\rwhile x:\r  pass\r", "unsupported_construct", /^line 2: /);
});

Deno.test("the parser reads the statements of the subset, with line numbers", () => {
  const m = parsePython(
    [
      "import backtrader as bt",
      "from datetime import datetime",
      "class S(bt.Strategy):",
      "    params = (('a', 1),)",
      "    def next(self):",
      "        a, b = 1, 2",
      "        a += 1",
      "        for i, d in enumerate(self.datas):",
      "            if not self.position and self.x[0] > 1:",
      "                self.buy(data=d)",
      "            elif self.y is not None:",
      "                pass",
      "            else:",
      "                return",
      "",
    ].join("\n"),
    LOC,
  );
  assert.deepEqual(m.body.map((s) => [s.k, s.line]), [["import", 1], ["from", 2], ["class", 3]]);
  const cls = m.body[2] as Extract<typeof m.body[number], { k: "class" }>;
  const next = cls.body[1] as Extract<typeof m.body[number], { k: "def" }>;
  assert.deepEqual(next.body.map((s) => [s.k, s.line]), [["assign", 6], ["augassign", 7], ["for", 8]]);
  const loop = next.body[2] as Extract<typeof m.body[number], { k: "for" }>;
  assert.equal(loop.target.k, "tuple");
  const ifs = loop.body[0] as Extract<typeof m.body[number], { k: "if" }>;
  assert.equal(ifs.orelse[0].k, "if");
  assert.equal(ifs.orelse[0].line, 11);
});

Deno.test("expressions: precedence, chained comparisons, is not, calls with keywords, subscripts", () => {
  const e = expr("a < b < c and not d or e");
  assert.equal(e.k, "bool");
  assert.equal((e as { op: string }).op, "or");
  const c = expr("1 + 2 * -3 ** 2");
  assert.equal(c.k, "bin");
  const cmp = expr("x is not None");
  assert.deepEqual((cmp as { ops: string[] }).ops, ["is not"]);
  const call = expr("f(1, period=2)[-1].close");
  assert.equal(call.k, "attr");
  const d = expr("{'a': 1, 'b': (1, 2), 'c': [3]}");
  assert.equal(d.k, "dict");
});

Deno.test("every construct outside the subset is refused, naming it and its line", () => {
  const cases: [string, RegExp][] = [
    ["x = 1\nwhile x:\n    pass\n", /^line 2: `while` loops are not supported/],
    ["f = lambda x: x\n", /^line 1: `lambda` functions are not supported/],
    ["try:\n    pass\nexcept:\n    pass\n", /^line 1: `try` blocks/],
    ["with open('x') as f:\n    pass\n", /^line 1: `with` blocks/],
    ["x = eval('1')\n", /^line 1: `eval\(\)` is not supported/],
    ["exec('x = 1')\n", /^line 1: `exec\(\)` is not supported/],
    ["x = getattr(a, 'b')\n", /^line 1: `getattr\(\)` is not supported/],
    [
      "import os\n",
      /^line 1: importing `os` \(only backtrader, datetime, math and pandas may be imported\) is not/,
    ],
    ["from subprocess import run\n", /^line 1: importing `subprocess`/],
    ["@decorator\ndef f():\n    pass\n", /^line 1: decorators are not supported/],
    ["x = [a for a in b]\n", /^line 1: comprehensions and generator expressions/],
    ["f(*args)\n", /^line 1: star arguments/],
    ["def f(**kw):\n    pass\n", /^line 1: star arguments/],
    ["def f():\n    global x\n", /^line 2: `global` declarations/],
    ["x = a if b else c\n", /^line 1: conditional expressions/],
    ["x = a[1:2]\n", /^line 1: slices/],
    ["x = a.__class__\n", /^line 1: the dunder attribute `__class__`/],
    ["def f():\n    yield 1\n", /^line 2: `yield`/],
    ["del x\n", /^line 1: `del` statements/],
    ["for x in y:\n    break\n", /^line 2: `break`/],
    ["x = 1; y = 2\n", /^line 1: several statements on one line/],
    ["async def f():\n    pass\n", /^line 1: `async` functions/],
    ["x: int = 1\n", /^line 1: annotated assignments/],
  ];
  for (const [src, msg] of cases) refused(src, "unsupported_construct", msg);
});

Deno.test("ugly input: tabs and spaces, unterminated strings, control characters, huge numbers, deep nesting", () => {
  refused("if x:\n\t pass\n", "syntax_error", /^line 2: the indentation mixes tabs and spaces/);
  refused(
    "if x:\n\tpass\nif y:\n    pass\n",
    "syntax_error",
    /^line 4: the indentation mixes tabs and spaces/,
  );
  refused("x = 'abc\ny = 1\n", "syntax_error", /^line 1: unterminated string/);
  refused("x = '''abc\n\ny = 1\n", "syntax_error", /^line 1: unterminated string/);
  refused("x = 1\ny = 2\x07\n", "syntax_error", /^line 2: control character U\+0007/);
  refused("x = 'a\x00b'\n", "syntax_error", /^line 1: control character U\+0000 in a string/);
  refused("x = 1e999\n", "syntax_error", /^line 1: the number 1e999… is too large/);
  refused(`x = ${"9".repeat(400)}\n`, "syntax_error", /too large/);
  refused(
    `x = ${"(".repeat(10_000)}1${")".repeat(10_000)}\n`,
    "too_long",
    /^line 1: the code is longer than 20000/,
  );
  refused(
    `x = ${"(".repeat(60)}1${")".repeat(60)}\n`,
    "too_deep",
    /^line 1: brackets nested more than 50 deep/,
  );
  refused(`x = ${"-".repeat(5_000)}1\n`, "too_deep", /^line 1: expression nested more than/);
  refused(`x = ${"not ".repeat(1_000)}1\n`, "too_deep", /^line 1: expression nested more than/);
  refused("x = 1\n".repeat(2_001), "too_long", /^line 2001: the code has more than 2000 lines/);
  refused("x = (1,\n", "syntax_error", /a bracket is never closed/);
  refused("x = 1)\n", "syntax_error", /^line 1: unmatched "\)"/);
  refused("if x:\npass\n", "syntax_error", /^line 2: expected an indented block/);
  refused("x = 1 +\n", "syntax_error", /^line 1: unexpected the end of the line/);
  refused("x = 12abc\n", "syntax_error", /malformed number/);
  let deep = "";
  for (let i = 0; i < 52; i++) deep += `${" ".repeat(i)}if x:\n`;
  deep += `${" ".repeat(52)}pass\n`;
  refused(deep, "too_deep", /blocks nested more than 50 deep/);
});

Deno.test("unicode identifiers parse as names", () => {
  const m = parsePython("größe = 1\n变量 = größe\n", LOC);
  assert.equal(m.body.length, 2);
  const v = (m.body[1] as { value: PyExpr }).value;
  assert.deepEqual(v.k === "name" ? v.id : null, "größe");
});
