/** The strategy-text reference matches the parser: its example parses, every key and function is described. */
import assert from "node:assert/strict";
import { FUNCTIONS } from "../../../domain/strategy/expression.ts";
import { parseStrategyText, toStrategyText } from "../../../domain/strategy/strategy_text.ts";
import {
  STRATEGY_TEXT_EXAMPLE,
  STRATEGY_TEXT_FORMAT,
} from "../../../domain/strategy/strategy_text_format.ts";

const RULES = "entry: close > sma(close, 20)\nexit: close < sma(close, 20)\n";

Deno.test("STRATEGY_TEXT_EXAMPLE parses as written and prints back to the same spec", () => {
  const spec = parseStrategyText(STRATEGY_TEXT_EXAMPLE);
  assert.equal(spec.name, "SMA cross");
  assert.deepEqual(spec.universe, { tickers: ["RELIANCE.NS"] });
  assert.equal(spec.risk.stop_loss_pct, 5);
  assert.deepEqual(parseStrategyText(toStrategyText(spec)), spec);
  assert.ok(STRATEGY_TEXT_FORMAT.includes(STRATEGY_TEXT_EXAMPLE), "the reference shows the example");
});

Deno.test("STRATEGY_TEXT_FORMAT describes every key the parser takes, and the defaults it fills", () => {
  const spec = parseStrategyText(`universe: {"tickers":["X"]}\n${RULES}`);
  const keys = toStrategyText(spec).trim().split("\n").map((line) => line.slice(0, line.indexOf(":")));
  assert.equal(keys.length, 15);
  for (const key of keys) assert.ok(STRATEGY_TEXT_FORMAT.includes(`\`${key}\``), `key ${key} is described`);
  for (const key of ["sizing", "costs", "fill", "capital", "benchmarks"] as const) {
    const json = `\`${JSON.stringify(spec[key])}\``;
    assert.ok(STRATEGY_TEXT_FORMAT.includes(json), `default of ${key} ${json} is stated`);
  }
  // The dates default relative to today (spec.ts), which the reference states in words.
  assert.ok(STRATEGY_TEXT_FORMAT.includes("`end`: today (UTC); `start`: five years before `end`"));
  assert.ok(STRATEGY_TEXT_FORMAT.includes(`\`${spec.rank_by}\``));
  assert.ok(STRATEGY_TEXT_FORMAT.includes(`\`${JSON.stringify(spec.name)}\``));
});

Deno.test("STRATEGY_TEXT_FORMAT names every function of the language but the cross-sectional ones", () => {
  for (const [name, f] of Object.entries(FUNCTIONS)) {
    if (f.crossSectional) continue;
    assert.ok(STRATEGY_TEXT_FORMAT.includes(`\`${name}(`), `${name} is described`);
  }
});

Deno.test("parseStrategyText fills a missing key from `defaults` and keeps one the text gives", () => {
  const universe = { tickers: ["RELIANCE.NS"] };
  assert.deepEqual(parseStrategyText(RULES, ["code"], { universe }).universe, universe);
  const given = parseStrategyText(`universe: {"name":"hs300"}\n${RULES}`, ["code"], { universe });
  assert.deepEqual(given.universe, { name: "hs300" });
  assert.throws(() => parseStrategyText(RULES, ["code"]), /universe/);
});
