/** Parsing and checking formulas: look-back, fields, and located errors with helpful messages. */
import assert from "node:assert/strict";
import {
  formulaCost,
  FormulaError,
  MAX_FORMULA_LENGTH,
  MAX_FORMULA_WINDOW,
  parseFormula,
} from "../../../../domain/factors/formula/formula.ts";

/** Asserts `source` fails at `position` (and `length` when given) with a message matching `message`. */
function fails(source: string, message: RegExp, position: number, length?: number): void {
  let caught: unknown;
  try {
    parseFormula(source);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof FormulaError, `${source}: expected a FormulaError, got ${caught}`);
  assert.match(caught.message, message, source);
  assert.equal(caught.position, position, `${source}: position (message: ${caught.message})`);
  if (length !== undefined) assert.equal(caught.length, length, `${source}: length`);
}

Deno.test("look-back adds up through composition", () => {
  const cases: [string, number][] = [
    ["close", 0],
    ["returns", 1],
    ["adv20", 19],
    ["volume / adv20", 19],
    ["rank(ts_mean(close, 20))", 19],
    ["-ts_delta(close, 20)", 20],
    ["ts_mean(delta(close, 5), 20)", 24],
    ["delay(ts_mean(returns, 10), 3)", 13],
    ["correlation(rank(volume), rank(vwap), 10)", 9],
    ["correlation(adv30, delay(close, 2), 10)", 38],
    ["ts_rank(close, 9.7)", 8],
    ["close > open ? ts_max(high, 5) : ts_min(low, 3)", 4],
    ["ts_std(ts_std(close, 2), 2)", 2],
    ["sum(close, 7) / 7 + decay_linear(delta(vwap, 1), 5.5)", 6],
  ];
  for (const [src, lookback] of cases) assert.equal(parseFormula(src).lookback, lookback, src);
});

Deno.test("fields are listed in order of first appearance, lower case; names are case-insensitive", () => {
  assert.deepEqual(parseFormula("rank(volume / adv20)").fields, ["volume", "adv20"]);
  assert.deepEqual(parseFormula("Close - OPEN + close + Returns").fields, ["close", "open", "returns"]);
  assert.deepEqual(parseFormula("Ts_Rank(VWAP, 5) * IndNeutralize(high, IndClass.Sector)").fields, [
    "vwap",
    "high",
  ]);
  const f = parseFormula("  rank(ts_mean(close, 20))  ");
  assert.equal(f.source, "  rank(ts_mean(close, 20))  ");
});

Deno.test("numbers: integers, decimals, leading dots, exponents; constants fold", () => {
  assert.equal(parseFormula("close * 1e-3 + .5 + 2.").lookback, 0);
  assert.equal(parseFormula("delay(close, 2 * 3 - 1)").lookback, 5);
  assert.equal(parseFormula("ts_mean(close, -(-3))").lookback, 2);
  assert.equal(parseFormula("delay(close, (1 < 2) ? 4 : 9)").lookback, 4);
});

Deno.test("unknown names: the nearest known names, and what the platform has", () => {
  fails("rnak(close)", /Unknown function rnak; did you mean rank\?/, 0, 4);
  fails("rank(clsoe)", /Unknown name clsoe; did you mean close\?.*fields are open, high, low, close/, 5, 5);
  fails("ts_men(close, 5)", /did you mean ts_mean/, 0, 6);
  fails(
    "zscore(close)",
    /Unknown function zscore; the functions are rank, ts_rank, delay, .*neutralize_sector$/,
    0,
    6,
  );
  fails("close * foo", /Unknown name foo/, 8, 3);
  fails(
    "rank(cap)",
    /cap \(market capitalisation\) is not available.*open, high, low, close, volume, vwap, returns, adv\{d\}/,
    5,
    3,
  );
  fails("amount / volume", /amount \(traded value\) is not available/, 0, 6);
  fails(
    "indneutralize(close, IndClass.industry)",
    /only sectors are known.*indneutralize\(x, sector\)/,
    21,
    17,
  );
  fails("indneutralize(close, volume)", /second argument of indneutralize is the grouping/, 21, 6);
  fails("close + sector", /only the second argument of indneutralize/, 8, 6);
  fails("rank + close", /rank is a function: write rank\(…\)/, 0, 4);
  fails("close(5)", /close is a field, not a function.*delay\(close, d\)/, 0, 5);
  fails("adv + close", /adv needs a window: write adv20/, 0, 3);
  fails("adv0", /adv\{d\} takes d from 1 to 250/, 0, 4);
  fails(`adv${MAX_FORMULA_WINDOW + 1}`, /adv\{d\} takes d from 1 to 250/, 0, 6);
});

Deno.test("arity: how many arguments and their names", () => {
  fails("ts_mean(close)", /^ts_mean\(x, d\) takes 2 arguments, not 1$/, 0, 14);
  fails("rank(close, 5)", /^rank\(x\) takes 1 argument, not 2$/, 0, 14);
  fails("Correlation(close, volume)", /^Correlation\(x, y, d\) takes 3 arguments, not 2$/, 0);
  fails("scale(close, 1, 2)", /^scale\(x, a=1\) takes 1 or 2 arguments, not 3$/, 0);
  fails("abs()", /^abs\(x\) takes 1 argument, not 0$/, 0, 5);
  fails("neutralize_sector(close, sector)", /^neutralize_sector\(x\) takes 1 argument, not 2$/, 0);
});

Deno.test("windows and lags: constant, floored, bounded, never negative", () => {
  fails(
    "ts_mean(close, volume)",
    /window of ts_mean \(its 2nd argument\) must be a constant number of bars/,
    15,
    6,
  );
  fails("delay(close, -1)", /lag of delay is negative \(-1\): a negative lag would read future bars/, 13, 2);
  fails("delta(close, -0.5)", /negative/, 13, 4);
  fails("ts_mean(close, 0.9)", /window of ts_mean must be at least 1 bar \(0\.9 is floored to 0\)/, 15, 3);
  fails("ts_std(close, 1)", /window of ts_std must be at least 2 bars/, 14, 1);
  fails("correlation(close, open, 1.5)", /at least 2 bars \(1\.5 is floored to 1\)/, 25, 3);
  fails(`ts_mean(close, ${MAX_FORMULA_WINDOW + 1})`, /251 bars; the longest allowed is 250/, 15, 3);
  fails("delay(close, 1000)", /lag of delay is 1000 bars; the longest allowed is 250/, 13, 4);
  fails("delay(close, 1 / 0)", /not a finite number/, 13, 5);
  fails("scale(close, volume)", /2nd argument of scale \(a\) must be a constant number/, 13, 6);
  assert.equal(parseFormula(`ts_mean(close, ${MAX_FORMULA_WINDOW}.9)`).lookback, MAX_FORMULA_WINDOW - 1);
});

Deno.test("syntax errors point at the problem", () => {
  fails("", /The formula is empty/, 0);
  fails("   ", /The formula is empty/, 3);
  fails("close +", /ends too early/, 7);
  fails("((close)", /Expected "\)" to close \(, found the end of the formula/, 8);
  fails("rank(close", /Expected "\)" to close rank\(/, 10);
  fails("close)", /Unmatched "\)"/, 5, 1);
  fails("close open", /Unexpected "open" after a complete formula/, 6, 4);
  fails("close = open", /compare with "=="/, 6);
  fails("close & open", /"and" is written "&&"/, 6);
  fails("close | open", /"or" is written "\|\|"/, 6);
  fails("close # 2", /Unexpected "#"/, 6);
  fails("close \u2212 open", /minus sign as "-"/, 6);
  fails("rank(close,)", /Expected a number, a name or "\(", found "\)"/, 11);
  fails("close > 1 ? open", /Expected ":" after the first branch/, 16);
  fails("a < b < c", /Comparisons do not chain/, 6, 1);
  fails("close == open == high", /Equality tests do not chain/, 14, 2);
  fails("2abc + close", /"2abc" is not a number or a name/, 0, 4);
  fails("close * 1e999", /too large/, 8, 5);
  fails("1 + 2", /reads no market data/, 0, 5);
});

Deno.test("limits: length and nesting depth", () => {
  const long = "close + " + "1 + ".repeat(MAX_FORMULA_LENGTH / 4) + "1";
  fails(
    long,
    new RegExp(`${long.length} characters long; the limit is ${MAX_FORMULA_LENGTH}`),
    MAX_FORMULA_LENGTH,
  );
  const deep = "(".repeat(70) + "close" + ")".repeat(70);
  fails(deep, /nests more than 64 levels/, 64);
  fails("-".repeat(80) + "close", /nests more than 64 levels/, 63);
  assert.equal(parseFormula("(".repeat(60) + "close" + ")".repeat(60)).lookback, 0);
  // a long flat chain is fine (bounded by the length, not the depth)
  assert.equal(parseFormula(Array.from({ length: 200 }, () => "close").join(" + ")).fields.length, 1);
});

Deno.test("formulaCost: grows with the panel and the windows, and counts intermediate panels", () => {
  const cheap = formulaCost(parseFormula("close - open"), 750, 1000);
  const rank = formulaCost(parseFormula("rank(ts_mean(close, 20))"), 750, 1000);
  const tsRank = formulaCost(parseFormula("ts_rank(close, 60)"), 750, 1000);
  const tsRank250 = formulaCost(parseFormula("ts_rank(close, 250)"), 750, 1000);
  assert.ok(
    cheap.operations < rank.operations && rank.operations < tsRank.operations,
    JSON.stringify({ cheap, rank }),
  );
  assert.ok(tsRank250.operations > 3 * tsRank.operations);
  assert.equal(formulaCost(parseFormula("close - open"), 1500, 1000).operations, 2 * cheap.operations);
  assert.equal(cheap.bytes, 3 * 750 * 1000 * 8);
  assert.ok(formulaCost(parseFormula("rank(volume / adv20)"), 750, 1000).bytes >= 4 * 750 * 1000 * 8);
});
