/** `POST /api/v1/strategy-text/check`: every problem of strategy code with line, column and hint. */
import assert from "node:assert/strict";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";
import { RELIANCE_SMA } from "../_helpers/backtrader_samples.ts";

const GOOD = `# SMA cross
name: "SMA cross"
universe: {"tickers":["RELIANCE.NS"]}
entry: crosses_above(sma(close, 20), sma(close, 50))
exit: crosses_below(sma(close, 20), sma(close, 50))
`;

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

const check = (w: TestWorld, body: unknown) =>
  w.request("POST", "/api/v1/strategy-text/check", { json: body });

Deno.test("strategy-text check: valid text answers the spec and its canonical text", async () => {
  await withWorld(async (w) => {
    const res = await check(w, { strategy_code: GOOD });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json();
    assert.equal(body.valid, true);
    assert.equal(body.format, "strategy_text");
    assert.deepEqual(body.issues, []);
    assert.deepEqual(body.spec.universe, { tickers: ["RELIANCE.NS"] });
    assert.match(body.generated_code, /^entry: crosses_above\(sma\(close, 20\), sma\(close, 50\)\)$/m);
  });
});

Deno.test("strategy-text check: every problem with its line, column and hint", async () => {
  await withWorld(async (w) => {
    const text = [
      'name: "x"',
      'universe: {"tickers":["RELIANCE.NS"]}',
      "entry: crosses_above(smaa(close, 20), sma(close, 50))",
      "exit: close <",
      "  sizing: {'method': 'fixed_quantity'}",
      "entyr: close > 1",
      "no colon here",
      'name: "again"',
    ].join("\n");
    const res = await check(w, { strategy_code: text });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.valid, false);
    assert.equal(body.spec, null);
    assert.equal(body.generated_code, null);
    const at = (line: number) => body.issues.find((i: { line: number }) => i.line === line);
    assert.deepEqual(at(3), {
      line: 3,
      column: 22,
      message: 'Unknown function "smaa"',
      hint: 'did you mean "sma"?',
      key: "entry",
    });
    assert.equal(at(4).column, 14, "the end of the expression");
    assert.equal(at(4).key, "exit");
    assert.equal(at(5).key, "sizing");
    assert.match(at(5).message, /not valid JSON/);
    assert.ok(at(5).column >= 11, "inside the value, after the indentation and the key");
    assert.deepEqual([at(6).message, at(6).hint], ['Unknown key "entyr"', 'did you mean "entry"?']);
    assert.equal(at(7).message, 'Expected "key: value"');
    assert.match(at(8).message, /"name" given twice \(first on line 1\)/);
    assert.equal(body.issues.length, 6);
  });
});

Deno.test("strategy-text check: spec problems land on the line of their key, or name the missing key", async () => {
  await withWorld(async (w) => {
    const res = await check(w, { strategy_code: "entry: close > 1\nexit: close < 1\ncapital: -5\n" });
    const body = await res.json();
    assert.equal(body.valid, false);
    const universe = body.issues.find((i: { key: string }) => i.key === "universe");
    assert.deepEqual([universe.line, universe.hint], [null, 'add a line "universe: …"']);
    const capital = body.issues.find((i: { key: string }) => i.key === "capital");
    assert.equal(capital.line, 3);
    assert.match(capital.message, /^capital: /);
  });
});

Deno.test("strategy-text check: backtrader code is read by the importer; what it refuses names the line", async () => {
  await withWorld(async (w) => {
    const ok = await (await check(w, { strategy_code: RELIANCE_SMA })).json();
    assert.equal(ok.valid, true);
    assert.equal(ok.format, "backtrader");
    assert.match(ok.generated_code, /crosses_above\(sma\(close, 20\), sma\(close, 50\)\)/);

    const looping = RELIANCE_SMA.replace(
      "    def next(self):\n",
      "    def next(self):\n        while True:\n            pass\n",
    );
    const bad = await (await check(w, { strategy_code: looping })).json();
    assert.equal(bad.valid, false);
    assert.equal(bad.format, "backtrader");
    assert.equal(bad.issues.length, 1);
    assert.equal(typeof bad.issues[0].line, "number");
    assert.match(bad.issues[0].message, /while/);
  });
});

Deno.test("strategy-text check: a body without code, empty code, too much code or unknown fields is a 422", async (t) => {
  await withWorld(async (w) => {
    const cases: [string, unknown, string[]][] = [
      ["missing", {}, ["body", "strategy_code"]],
      ["empty", { strategy_code: "" }, ["body", "strategy_code"]],
      ["not a string", { strategy_code: 5 }, ["body", "strategy_code"]],
      ["too long", { strategy_code: "#".repeat(20_001) }, ["body", "strategy_code"]],
      ["extra field", { strategy_code: GOOD, spec: {} }, ["body"]],
    ];
    for (const [name, body, loc] of cases) {
      await t.step(name, async () => {
        const res = await check(w, body);
        assert.equal(res.status, 422);
        const detail = (await res.json()).detail;
        assert.ok(Array.isArray(detail) && detail.length > 0);
        assert.deepEqual(detail[0].loc.slice(0, loc.length), loc);
      });
    }
    const notJson = await w.request("POST", "/api/v1/strategy-text/check", {
      body: "entry: close > 1",
      headers: { "content-type": "text/plain" },
    });
    assert.ok(notJson.status >= 400 && notJson.status < 500, `status ${notJson.status}`);
    await notJson.body?.cancel();
  });
});
