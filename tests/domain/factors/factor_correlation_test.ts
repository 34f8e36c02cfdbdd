import assert from "node:assert/strict";
import { sortRows } from "../../../domain/factors/cross_section_ranks.ts";
import { meanDailySpearman, withCorrelations } from "../../../domain/factors/factor_correlation.ts";
import { validateFactorStats } from "../../../domain/factors/factor_stats.ts";
import { randomPanel } from "../../_helpers/factor_panels.ts";

Deno.test("withCorrelations on stats without others equals validateFactorStats with them", () => {
  const { panel, others } = randomPanel(60, 80, 11, 3);
  const D = panel.dates.length, N = panel.symbols.length;
  const direct = validateFactorStats(panel, others);
  const mine = sortRows(panel.values, D, N);
  const oneByOne = withCorrelations(
    validateFactorStats(panel),
    others.map((o) => meanDailySpearman(mine, o, D)),
  );
  assert.deepEqual(oneByOne, direct);
});

Deno.test("a factor correlated at or above 0.7 fails SELF_CORRELATION, by absolute value", () => {
  const { panel } = randomPanel(40, 60, 5, 0);
  const flipped = panel.values.map((x) => -x);
  const D = panel.dates.length, N = panel.symbols.length;
  const c = meanDailySpearman(sortRows(panel.values, D, N), flipped, D);
  assert.ok(Math.abs(c + 1) < 1e-12, String(c));
  const s = withCorrelations(validateFactorStats(panel), [0.2, c, Number.NaN]);
  assert.equal(s.max_correlation, 1);
  const check = s.checks.find((k) => k.name === "SELF_CORRELATION")!;
  assert.deepEqual([check.value, check.passed], [1, false]);
  assert.equal(s.passed, false);
  assert.deepEqual(s.correlations.map((x) => (x === null ? null : Math.round(x * 1e9) / 1e9)), [
    0.2,
    -1,
    null,
  ]);
});

Deno.test("meanDailySpearman by hand: two dates, ties averaged, a missing value removed pairwise", () => {
  // Date 0: a = [1, 2, 3, 4], b = [1, 3, 2, 4] → ranks a 1,2,3,4; b 1,3,2,4 → rho = 1 − 6·2/(4·15) = 0.8.
  // Date 1: a = [1, 1, 2, NaN], b = [3, 2, 1, 0] → pairs 0..2: a ranks 1.5,1.5,3; b ranks 3,2,1.
  //   centred a: −0.5, −0.5, 1; b: 1, 0, −1 → sxy = −0.5 − 1 = −1.5; sxx = 1.5; syy = 2 → rho = −1.5/√3.
  const a = Float64Array.from([1, 2, 3, 4, 1, 1, 2, NaN]);
  const b = Float64Array.from([1, 3, 2, 4, 3, 2, 1, 0]);
  const c = meanDailySpearman(sortRows(a, 2, 4), b, 2);
  assert.ok(Math.abs(c - (0.8 - 1.5 / Math.sqrt(3)) / 2) < 1e-12, String(c));
});
