/** evaluateFormula's contract: fresh output, inputs untouched, sizes checked, empty panels, foreign Formula objects. */
import assert from "node:assert/strict";
import {
  evaluateFormula,
  type Formula,
  formulaCost,
  parseFormula,
} from "../../../../domain/factors/formula/formula.ts";
import { inputsOf, randomInputs } from "./formula_panels.ts";

Deno.test("the result is a fresh array and the inputs are never written", () => {
  const inputs = randomInputs(6, 12, 5);
  const before = inputs.close.slice();
  const out = evaluateFormula(parseFormula("close"), inputs);
  assert.notEqual(out, inputs.close);
  out[0] = 12345;
  for (
    const src of [
      "-close",
      "close * 2 + 1",
      "abs(close)",
      "close > 40 ? close : 0",
      "where(close, close, close)",
    ]
  ) {
    evaluateFormula(parseFormula(src), inputs);
  }
  assert.deepEqual(inputs.close, before);
});

Deno.test("a Formula object that parseFormula did not make is parsed from its source", () => {
  const foreign: Formula = { source: "ts_mean(close, 2)", lookback: 1, fields: ["close"] };
  const inputs = inputsOf({ close: [[1, 2], [3, 4], [5, 6]] });
  assert.deepEqual(Array.from(evaluateFormula(foreign, inputs)), [NaN, NaN, 2, 3, 4, 5]);
});

Deno.test("mismatched panel sizes are a programming error (RangeError), not a NaN result", () => {
  const inputs = inputsOf({ close: [[1, 2], [3, 4]] });
  assert.throws(
    () => evaluateFormula(parseFormula("close"), { ...inputs, volume: new Float64Array(3) }),
    RangeError,
  );
  assert.throws(() => evaluateFormula(parseFormula("close"), { ...inputs, sectors: ["a"] }), RangeError);
});

Deno.test("empty panels evaluate to empty results", () => {
  const none = { ...inputsOf({ close: [[1]] }), dates: [], symbols: [], sectors: [] };
  const empty = new Float64Array(0);
  const inputs = { ...none, open: empty, high: empty, low: empty, close: empty, volume: empty, vwap: empty };
  for (
    const src of [
      "rank(ts_mean(close, 20))",
      "correlation(rank(volume), rank(vwap), 10)",
      "ts_rank(close, 60)",
    ]
  ) {
    assert.equal(evaluateFormula(parseFormula(src), inputs).length, 0);
  }
  const noDates = { ...inputs, symbols: ["a", "b"], sectors: [null, "x"] };
  assert.equal(evaluateFormula(parseFormula("indneutralize(scale(close), sector)"), noDates).length, 0);
});

Deno.test("windows longer than the panel give an all-missing result", () => {
  const inputs = randomInputs(5, 10, 9, false);
  for (
    const src of [
      "ts_mean(close, 11)",
      "ts_rank(close, 50)",
      "correlation(close, volume, 12)",
      "delay(close, 10)",
    ]
  ) {
    assert.ok(evaluateFormula(parseFormula(src), inputs).every(Number.isNaN), src);
  }
});

Deno.test("an operation repeated in a formula is computed once and shared, never overwritten in place", () => {
  const inputs = randomInputs(8, 20, 4);
  const out = evaluateFormula(parseFormula("-delta(close, 1) + delta(close, 1)"), inputs);
  const delta = evaluateFormula(parseFormula("delta(close, 1)"), inputs);
  out.forEach((v, i) => assert.ok(Number.isNaN(delta[i]) ? Number.isNaN(v) : v === 0, `value ${i}: ${v}`));
  const twice = evaluateFormula(
    parseFormula("rank(ts_mean(close, 5)) - rank(ts_mean(close, 5)) * 2"),
    inputs,
  );
  const once = evaluateFormula(parseFormula("-rank(ts_mean(close, 5))"), inputs);
  assert.deepEqual(twice, once);
  const one = formulaCost(parseFormula("ts_rank(close, 60)"), 750, 1000);
  const two = formulaCost(parseFormula("ts_rank(close, 60) + ts_rank(close, 60)"), 750, 1000);
  assert.ok(two.operations < 1.1 * one.operations, "a repeated operation is costed once");
});
