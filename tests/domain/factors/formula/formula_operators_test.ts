/**
 * Every operator of the formula language against values worked out by hand on tiny panels (3–4 symbols × 6
 * dates): ties, missing values, short windows, constant windows, the conventions of each operator.
 */
import assert from "node:assert/strict";
import {
  evaluateFormula,
  type FormulaInputs,
  parseFormula,
} from "../../../../domain/factors/formula/formula.ts";
import { inputsOf, row } from "./formula_panels.ts";

const _ = NaN;

/** close: 3 symbols × 6 dates (symbol 2 has no bar on date 1). */
const CLOSE = [
  [1, 4, 2],
  [2, 4, _],
  [3, 1, 5],
  [2, 3, 5],
  [5, 3, 4],
  [4, 2, 6],
];
/** volume: symbol 1 is constant for the first four dates. */
const VOLUME = [
  [1, 7, 1],
  [2, 7, 2],
  [3, 7, 3],
  [5, 7, 4],
  [4, 8, 5],
  [6, 9, 6],
];
const PANEL = inputsOf({ close: CLOSE, volume: VOLUME, open: CLOSE.map((r) => r.map((v) => v - 1)) });

function rows(formula: string, inputs: FormulaInputs = PANEL): number[][] {
  const out = evaluateFormula(parseFormula(formula), inputs);
  const N = inputs.symbols.length;
  return inputs.dates.map((_, t) => row(out, N, t));
}

/** Equal within 1e-12 (relative), NaN only where NaN is expected. */
function assertRows(actual: number[][], expected: number[][], label: string): void {
  assert.equal(actual.length, expected.length, label);
  actual.forEach((r, t) =>
    r.forEach((a, j) => {
      const e = expected[t][j];
      const where = `${label}: date ${t}, symbol ${j}: got ${a}, expected ${e}`;
      if (Number.isNaN(e)) assert.ok(Number.isNaN(a), where);
      else assert.ok(Math.abs(a - e) <= 1e-12 * Math.max(1, Math.abs(e)), where);
    })
  );
}

const check = (formula: string, expected: number[][], inputs?: FormulaInputs) =>
  assertRows(rows(formula, inputs), expected, formula);

const NAN3 = [_, _, _];

Deno.test("fields: close as given, returns = close / delay(close, 1) − 1, adv{d} = mean volume of d bars", () => {
  check("close", CLOSE);
  check("returns", [NAN3, [1, 0, _], [0.5, -0.75, _], [-1 / 3, 2, 0], [1.5, 0, -0.2], [-0.2, -1 / 3, 0.5]]);
  check("adv2", [NAN3, [1.5, 7, 1.5], [2.5, 7, 2.5], [4, 7, 3.5], [4.5, 7.5, 4.5], [5, 8.5, 5.5]]);
  check("ADV1", VOLUME);
  check("Close - OPEN", CLOSE.map((r) => r.map((v) => (Number.isNaN(v) ? _ : 1))));
});

Deno.test("rank: per date, average ranks for ties, divided by the count of present values; missing stays missing", () => {
  check("rank(close)", [
    [1 / 3, 1, 2 / 3],
    [1 / 2, 1, _],
    [2 / 3, 1 / 3, 1],
    [1 / 3, 2 / 3, 1],
    [1, 1 / 3, 2 / 3],
    [2 / 3, 1 / 3, 1],
  ]);
  const ties = inputsOf({ close: [[2, 2, 1, 7], [3, 3, 3, 3], [_, 1, 1, _]] });
  check("rank(close)", [[5 / 8, 5 / 8, 1 / 4, 1], [5 / 8, 5 / 8, 5 / 8, 5 / 8], [_, 3 / 4, 3 / 4, _]], ties);
});

Deno.test("ts_sum / sum and ts_mean / mean: short windows and windows with a missing value are missing", () => {
  const mean = [NAN3, NAN3, [2, 3, _], [7 / 3, 8 / 3, _], [10 / 3, 7 / 3, 14 / 3], [11 / 3, 8 / 3, 5]];
  check("ts_mean(close, 3)", mean);
  check("mean(close, 3)", mean);
  check("ts_mean(close, 3.9)", mean); // floored to 3
  const sum = mean.map((r) => r.map((v) => v * 3));
  check("ts_sum(close, 3)", sum);
  check("sum(close, 3)", sum);
  check("ts_mean(close, 1)", CLOSE);
  check("ts_mean(close, 7)", Array.from({ length: 6 }, () => NAN3)); // longer than the panel
});

Deno.test("delay and delta (= ts_delta): the value d bars ago, and the change over d bars; lag 0 is today", () => {
  check("delay(close, 2)", [NAN3, NAN3, [1, 4, 2], [2, 4, _], [3, 1, 5], [2, 3, 5]]);
  const delta = [NAN3, [1, 0, _], [1, -3, _], [-1, 2, 0], [3, 0, -1], [-1, -1, 2]];
  check("delta(close, 1)", delta);
  check("ts_delta(close, 1.5)", delta);
  check("-ts_delta(close, 1)", delta.map((r) => r.map((v) => -v)));
  check("delay(close, 0)", CLOSE);
  check("delay(close, 0.5)", CLOSE);
});

Deno.test("ts_std / stddev: sample standard deviation (ddof 1); exactly 0 on a constant window", () => {
  const s = Math.sqrt;
  const std = [
    NAN3,
    NAN3,
    [1, s(3), _],
    [s(1 / 3), s(7 / 3), _],
    [s(7 / 3), s(4 / 3), s(1 / 3)],
    [s(7 / 3), s(1 / 3), 1],
  ];
  check("ts_std(close, 3)", std);
  check("stddev(close, 3)", std);
  const std2 = rows("ts_std(volume, 3)");
  assert.equal(std2[2][1], 0);
  assert.equal(std2[3][1], 0);
  assertRows([std2[4]], [[1, s(1 / 3), 1]], "ts_std(volume, 3) on date 4");
});

Deno.test("correlation / ts_corr: Pearson over the window, missing when a side is constant", () => {
  const r28 = Math.sqrt(3 / 28);
  check("correlation(close, volume, 3)", [
    NAN3,
    NAN3,
    [1, _, _],
    [-1 / Math.sqrt(28), _, _],
    [-r28, 0.5, -Math.sqrt(3) / 2],
    [-r28, -Math.sqrt(3) / 2, 0.5],
  ]);
  check("ts_corr(close, volume, 3)", rows("correlation(close, volume, 3)"));
  check("correlation(close, close, 2)", [NAN3, [1, _, _], [1, 1, _], [1, 1, _], [1, _, 1], [1, 1, 1]]);
});

Deno.test("covariance / ts_cov: sample covariance (ddof 1); exactly 0 when a side is constant", () => {
  check("covariance(close, volume, 3)", [
    NAN3,
    NAN3,
    [1, 0, _],
    [-1 / 6, 0, _],
    [-1 / 2, 1 / 3, -1 / 2],
    [-1 / 2, -1 / 2, 1 / 2],
  ]);
  check("ts_cov(close, close, 3)", rows("ts_std(close, 3) ^ 2"));
});

Deno.test("product / ts_product: the product of the window", () => {
  const p = [NAN3, NAN3, [6, 16, _], [12, 12, _], [30, 9, 100], [40, 18, 120]];
  check("product(close, 3)", p);
  check("ts_product(close, 3)", p);
});

Deno.test("decay_linear: weights d (today), d − 1, …, 1 normalised to sum 1", () => {
  check("decay_linear(close, 3)", [NAN3, NAN3, [7 / 3, 2.5, _], [7 / 3, 2.5, _], [11 / 3, 8 / 3, 4.5], [
    4,
    2.5,
    31 / 6,
  ]]);
  check("decay_linear(close, 1)", CLOSE);
});

Deno.test("ts_min / ts_max: the extremes of the window", () => {
  check("ts_min(close, 3)", [NAN3, NAN3, [1, 1, _], [2, 1, _], [2, 1, 4], [2, 2, 4]]);
  check("ts_max(close, 3)", [NAN3, NAN3, [3, 4, _], [3, 4, _], [5, 3, 5], [5, 3, 6]]);
});

Deno.test("ts_argmin / ts_argmax: bars since the extreme (0 = today), ties go to the most recent", () => {
  check("ts_argmax(close, 3)", [NAN3, NAN3, [0, 1, _], [1, 2, _], [0, 0, 1], [1, 1, 0]]);
  check("ts_argmin(close, 3)", [NAN3, NAN3, [2, 0, _], [0, 1, _], [1, 2, 0], [2, 0, 1]]);
  check("Ts_ArgMax(volume, 4)", [NAN3, NAN3, NAN3, [0, 0, 0], [1, 0, 0], [0, 0, 0]]);
});

Deno.test("ts_rank: today's average rank among the last d values, divided by d", () => {
  check("ts_rank(close, 3)", [NAN3, NAN3, [1, 1 / 3, _], [1 / 2, 2 / 3, _], [1, 5 / 6, 1 / 3], [
    2 / 3,
    1 / 3,
    1,
  ]]);
  check("ts_rank(volume, 3)", [NAN3, NAN3, [1, 2 / 3, 1], [1, 2 / 3, 1], [2 / 3, 1, 1], [1, 1, 1]]);
});

Deno.test("scale: x·a / Σ|x| per date; a date whose values are all 0 is missing", () => {
  const r = rows("scale(close)");
  assertRows(r.slice(0, 2), [[1 / 7, 4 / 7, 2 / 7], [1 / 3, 2 / 3, _]], "scale(close)");
  assertRows(rows("scale(close, 2)").slice(0, 1), [[2 / 7, 8 / 7, 4 / 7]], "scale(close, 2)");
  assertRows(rows("scale(-delta(close, 1))").slice(3, 4), [[1 / 3, -2 / 3, 0]], "scale of mixed signs");
  const zero = inputsOf({ close: [[0, 0, 0], [1, -1, _]] });
  check("scale(close)", [NAN3, [0.5, -0.5, _]], zero);
});

Deno.test("indneutralize / neutralize_sector: minus the sector's mean per date; no sector → missing", () => {
  const inputs = inputsOf({ close: [[1, 5, 3, 7], [_, 5, 3, 7], [2, 2, 2, 2]] }, ["A", "B", "A", null]);
  const expected = [[-1, 0, 1, _], [_, 0, 0, _], [0, 0, 0, _]];
  check("indneutralize(close, sector)", expected, inputs);
  check("IndNeutralize(close, IndClass.sector)", expected, inputs);
  check("neutralize_sector(close)", expected, inputs);
});

Deno.test("element-wise functions: abs, log, sign, sqrt, min, max, signedpower, powers", () => {
  const d = rows("delta(close, 1)")[3]; // [-1, 2, 0]
  assert.deepEqual(d, [-1, 2, 0]);
  assertRows([rows("abs(delta(close, 1))")[3]], [[1, 2, 0]], "abs");
  assertRows([rows("sign(delta(close, 1))")[3]], [[-1, 1, 0]], "sign");
  assertRows([rows("signedpower(delta(close, 1), 2)")[3]], [[-1, 4, 0]], "signedpower");
  assertRows([rows("SignedPower(delta(close, 1), 0.5)")[3]], [[-1, Math.SQRT2, 0]], "signedpower 0.5");
  assertRows([rows("delta(close, 1) ^ 2")[3]], [[1, 4, 0]], "power");
  assertRows([rows("log(delta(close, 1))")[3]], [[_, Math.log(2), _]], "log: missing for x ≤ 0");
  assertRows([rows("sqrt(delta(close, 1))")[3]], [[_, Math.SQRT2, 0]], "sqrt: missing for x < 0");
  assertRows([rows("min(close, volume)")[3]], [[2, 3, 4]], "min");
  assertRows([rows("max(close, 3)")[3]], [[3, 3, 5]], "max with a constant");
  assertRows([rows("max(close, volume)")[1]], [[2, 7, _]], "max keeps missing");
  assertRows([rows("-close^2")[4]], [[-25, -9, -16]], "-x^2 = -(x^2)");
  assertRows([rows("close ^ -1")[4]], [[0.2, 1 / 3, 0.25]], "2^-1");
  assertRows([rows("2 ^ 1 ^ 3 * close")[4]], [[10, 6, 8]], "right-associative power");
});

Deno.test("comparisons, && and ||, c ? a : b and where: 1/0, missing when an operand is missing", () => {
  assertRows([rows("close > 2")[1]], [[0, 1, _]], ">");
  assertRows([rows("close >= 2")[1]], [[1, 1, _]], ">=");
  assertRows([rows("close == 4")[1]], [[0, 1, _]], "==");
  assertRows([rows("close != 4")[1]], [[1, 0, _]], "!=");
  assertRows([rows("close < 3 && volume > 1")[1]], [[1, 0, _]], "&&");
  assertRows([rows("close < 3 || volume > 100")[1]], [[1, 0, _]], "||");
  assertRows([rows("close > 2 ? close : -1 * volume")[1]], [[-2, 4, _]], "ternary");
  assertRows([rows("where(close > 2, close, -volume)")[1]], [[-2, 4, _]], "where");
  assertRows(
    [rows("(close > 2) ? 1 : ((close < 2) ? -1 : 0)")[0]],
    [[-1, 1, 0]],
    "nested ternary",
  );
  assertRows([rows("close > 1 ? 1 : 0 ? 5 : 6")[0]], [[6, 1, 1]], "ternary is right-associative");
  assertRows([rows("1 - close / 2 * 3 + 4")[0]], [[3.5, -1, 2]], "precedence");
});

Deno.test("±Infinity becomes missing: division by zero, log of 0, infinite inputs", () => {
  check("close / (close - close)", CLOSE.map(() => NAN3));
  check("close * (1 / 0)", CLOSE.map(() => NAN3));
  const inf = inputsOf({ close: [[1, Infinity, 3], [2, 3, -Infinity], [3, 4, 5]] });
  check("close", [[1, _, 3], [2, 3, _], [3, 4, 5]], inf);
  check("ts_max(close, 2)", [NAN3, [2, _, _], [3, 4, _]], inf);
  check("rank(close)", [[1 / 2, _, 1], [1 / 2, 1, _], [1 / 3, 2 / 3, 1]], inf);
});

Deno.test("the paper's Alpha#101 and Alpha#12 and the issue's examples evaluate", () => {
  const high = CLOSE.map((r) => r.map((v) => v + 1)), low = CLOSE.map((r) => r.map((v) => v - 2));
  const open = CLOSE.map((r) => r.map((v) => v - 1));
  const inputs = inputsOf({ close: CLOSE, open, high, low, volume: VOLUME });
  const a101 = 1 / (3 + 0.001);
  check(
    "(close - open) / ((high - low) + .001)",
    CLOSE.map((r) => r.map((v) => (Number.isNaN(v) ? _ : a101))),
    inputs,
  );
  check("sign(delta(volume, 1)) * (-1 * delta(close, 1))", [
    NAN3,
    [-1, 0, _],
    [-1, 0, _],
    [1, 0, 0],
    [3, 0, 1],
    [1, 1, -2],
  ], inputs);
  // volume / adv2 on dates 1–5: [4/3, 1, 4/3], [1.2, 1, 1.2], [1.25, 1, 8/7], [8/9, 16/15, 10/9], [1.2, 18/17, 12/11]
  check("rank(volume / adv2)", [
    NAN3,
    [5 / 6, 1 / 3, 5 / 6],
    [5 / 6, 1 / 3, 5 / 6],
    [1, 1 / 3, 2 / 3],
    [1 / 3, 2 / 3, 1],
    [1, 1 / 3, 2 / 3],
  ], inputs);
});
