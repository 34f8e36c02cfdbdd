import assert from "node:assert/strict";
import {
  dailyRankIc,
  FACTOR_CHECK_THRESHOLDS,
  FACTOR_STATS_CONVENTIONS,
  type FactorPanel,
  forwardReturns,
  icSummary,
  validateFactorStats,
} from "../../../domain/factors/factor_stats.ts";

const near = (a: number | null | undefined, b: number, tol = 1e-12, what = "") =>
  assert.ok(
    a !== null && a !== undefined && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)),
    `${what}: ${a} vs ${b}`,
  );

/** Closes from one-day returns: close[0] = 100, close[s+1] = close[s] × (1 + r[s]). */
function closesFrom(r: number[][], symbols: number): number[][] {
  const c: number[][] = [Array(symbols).fill(100)];
  for (const row of r) c.push(c[c.length - 1].map((p, j) => p * (1 + row[j])));
  return c;
}

const flat = (rows: number[][]) => Float64Array.from(rows.flat());

// ---------------------------------------------------------------------------------------------------------------
// The hand-worked panel: 5 symbols A..E, 7 dates over a year end.
//
// One-day returns r[s] (close s → s+1); the forward return of date t (delay 1) is r[t+1].
//   r[0] = 0 0 0 0 0
//   r[1] = .01 .03 .02 .05 .04          fwd of date 0
//   r[2] = .01 .02 .03 .04 .07          fwd of date 1
//   r[3] = .02 .01  —  .03 .015         fwd of date 2 (C: close of date 4 missing)
//   r[4] = .01 -.01 —  .02 -.02         fwd of date 3
//   r[5] = .01 .02 .03 .04 .05          fwd of date 4
// Factor rows:
//   date 0: 1 2 3 4 5
//   date 1: 1 1 2 3 3                   (ties)
//   date 2: 5 — 3 1 2                   (B missing; C has no forward return)
//   date 3: 2 2 2 2 2                   (constant)
//   date 4: 5 4 3 2 1                   (C has a value but no close that day)
//   date 5: 4 5 3 2 1                   (no forward return: past the panel)
//   date 6: — — — 7 —
// ---------------------------------------------------------------------------------------------------------------
const DATES = [
  "2024-12-27",
  "2024-12-30",
  "2024-12-31",
  "2025-01-02",
  "2025-01-03",
  "2025-01-06",
  "2025-01-07",
];
const SYMBOLS = ["A", "B", "C", "D", "E"];
const R = [
  [0, 0, 0, 0, 0],
  [0.01, 0.03, 0.02, 0.05, 0.04],
  [0.01, 0.02, 0.03, 0.04, 0.07],
  [0.02, 0.01, 0, 0.03, 0.015],
  [0.01, -0.01, 0, 0.02, -0.02],
  [0.01, 0.02, 0.03, 0.04, 0.05],
];
const CLOSE = closesFrom(R, 5);
CLOSE[4][2] = NaN;
const F = [
  [1, 2, 3, 4, 5],
  [1, 1, 2, 3, 3],
  [5, NaN, 3, 1, 2],
  [2, 2, 2, 2, 2],
  [5, 4, 3, 2, 1],
  [4, 5, 3, 2, 1],
  [NaN, NaN, NaN, 7, NaN],
];
const HAND: FactorPanel = { dates: DATES, symbols: SYMBOLS, values: flat(F), close: flat(CLOSE) };

Deno.test("forwardReturns(): delay 1 is close[t+2]/close[t+1] − 1, NaN for missing or non-positive closes", () => {
  // closes (3 symbols × 5 dates); a 0 close and a NaN close are both unusable.
  const close = flat([
    [10, 20, 40],
    [11, 20, 36],
    [12.1, 22, NaN],
    [12.1, 0, 40],
    [13.31, 22, 44],
  ]);
  const f = forwardReturns(close, 5, 3);
  near(f[0], 0.1, 1e-12, "t0 A: 12.1/11 − 1");
  near(f[1], 0.1, 1e-12, "t0 B: 22/20 − 1");
  assert.ok(Number.isNaN(f[2]), "t0 C: close of t+2 missing");
  assert.equal(f[3], 0, "t1 A: 12.1/12.1 − 1");
  assert.ok(Number.isNaN(f[4]), "t1 B: close 0 is unusable");
  assert.ok(Number.isNaN(f[5]), "t1 C: close of t+1 missing");
  near(f[6], 0.1, 1e-12, "t2 A");
  assert.ok(Number.isNaN(f[7]), "t2 B: close of t+1 is 0");
  near(f[8], 0.1, 1e-12, "t2 C: 44/40 − 1");
  for (let i = 9; i < 15; i++) assert.ok(Number.isNaN(f[i]), "the last two dates have no forward return");
  // lag 2: close[t+3]/close[t+2] − 1
  near(forwardReturns(close, 5, 3, 2)[0], 0, 1e-12, "lag 2 t0 A: 12.1/12.1 − 1");
  assert.throws(() => forwardReturns(close, 4, 3), /expected 12/);
  assert.throws(() => forwardReturns(close, 5, 3, 0), /lag/);
});

Deno.test("dailyRankIc(): ties averaged, pairwise removal, undefined under 3 pairs or on a constant day", () => {
  const ic = dailyRankIc(HAND);
  // date 0: factor ranks 1..5, return ranks 1 3 2 5 4 → Σd² = 4 → 1 − 6·4/(5·24) = 0.8
  near(ic[0], 0.8);
  // date 1: factor ranks 1.5 1.5 3 4.5 4.5, return ranks 1..5; centred on 3: (−1.5 −1.5 0 1.5 1.5)·(−2 −1 0 1 2)
  // = 9, Σx² = 9, Σy² = 10 → 9/√90 = 3/√10
  near(ic[1], 3 / Math.sqrt(10));
  // date 2: pairs A(5, .02) D(1, .03) E(2, .015) → ranks (3,2) (1,3) (2,1); centred (1,0) (−1,1) (0,−1) → −1/2
  near(ic[2], -0.5);
  assert.ok(Number.isNaN(ic[3]), "constant factor day");
  // date 4: factor 5 4 3 2 1 against returns .01 .02 .03 .04 .05 → −1
  near(ic[4], -1);
  assert.ok(Number.isNaN(ic[5]) && Number.isNaN(ic[6]), "no forward return");
  // lag 2: date 0 vs r[2] → 1; date 1 vs r[3] (C removed): factor ranks A,B 1.5, D,E 3.5, returns B1 E2 A3 D4
  // → centred (−1,.5) (−1,−1.5) (1,1.5) (1,−.5) → 2/√(4·5) = 1/√5; date 2 vs r[4]: A(5,.01) D(1,.02) E(2,−.02) → −.5
  const ic2 = dailyRankIc(HAND, 2);
  near(ic2[0], 1);
  near(ic2[1], 1 / Math.sqrt(5));
  near(ic2[2], -0.5);
  assert.ok(ic2.slice(3).every(Number.isNaN));
  // fewer than 3 pairs
  const two: FactorPanel = {
    dates: ["2024-01-02", "2024-01-03", "2024-01-04"],
    symbols: ["A", "B", "C"],
    values: flat([[1, 2, NaN], [1, 2, 3], [1, 2, 3]]),
    close: flat([[1, 1, 1], [1, 1, 1], [1, 2, 3]]),
  };
  assert.ok(Number.isNaN(dailyRankIc(two)[0]));
});

Deno.test("icSummary(): sample std and IR, undefined under 2 values or zero std", () => {
  const s = icSummary([0.1, NaN, 0.3, -0.1]);
  // mean 0.1; deviations 0, .2, −.2 → SS .08 → std √(.08/2) = .2 → IR .5
  near(s.mean, 0.1);
  near(s.std, 0.2);
  near(s.ir, 0.5);
  assert.equal(s.days, 3);
  assert.ok(Number.isNaN(icSummary([0.2]).ir));
  assert.ok(Number.isNaN(icSummary([0.2, 0.2]).ir));
});

Deno.test("validateFactorStats(): every statistic of the hand-worked panel", () => {
  const other = F.map((row) => row.map((v) => -v));
  const none = F.map((row) => row.map(() => NaN));
  // date 0 only: [2 1 4 3 —] against 1 2 3 4 5 on A..D: ranks 2 1 4 3 vs 1 2 3 4 → Σd² 4 → 1 − 24/60 = .6
  const oneDay = F.map((row, t) => row.map((_, j) => (t === 0 ? [2, 1, 4, 3, NaN][j] : NaN)));
  const s = validateFactorStats(HAND, [flat(other), flat(none), flat(oneDay)]);

  const ics = [0.8, 3 / Math.sqrt(10), -0.5, -1];
  const icMean = ics.reduce((a, b) => a + b) / 4;
  const icStd = Math.sqrt(ics.reduce((a, b) => a + (b - icMean) ** 2, 0) / 3);
  near(s.ic_mean, icMean);
  near(s.ic_std, icStd);
  near(s.ic_ir, icMean / icStd);
  assert.equal(s.ic_days, 4);
  assert.deepEqual(s.ic_series.map((x) => x.date), [DATES[0], DATES[1], DATES[2], DATES[4]]);

  // decay: lag 1 = IC mean; lag 2 = (1 + 1/√5 − .5)/3; lag 3: date 0 vs r[3] (C missing): A(1,.02) B(2,.01)
  // D(4,.03) E(5,.015) → return ranks 3 1 4 2 vs 1 2 3 4 → Σd² 4+1+1+4 = 10 → 1 − 60/60 = 0; date 1 vs r[4]
  // (C missing): factor A,B 1.5 D,E 3.5; returns .01 −.01 .02 −.02 → ranks 3 2 4 1 → centred (−1,.5) (−1,−.5)
  // (1,1.5) (1,−1.5) → 0; date 2 vs r[5] (C has closes again on dates 5, 6): A(5,.01) C(3,.03) D(1,.04)
  // E(2,.05) → factor ranks 4 3 1 2, return ranks 1 2 3 4 → Σd² 9+1+4+4 = 18 → 1 − 108/60 = −.8.
  // Lag 3 mean = −.8/3. Lag 4: date 0 vs r[4]: A(1,.01) B(2,−.01) D(4,.02) E(5,−.02) → ranks
  // 3 2 4 1 → Σd² 4+0+1+9 = 14 → 1 − 84/60 = −.4; date 1 vs r[5]: factor 1.5 1.5 3 4.5 4.5 vs 1..5 → 3/√10.
  // Lag 5: date 0 vs r[5] → 1.
  near(s.ic_decay[0], icMean);
  near(s.ic_decay[1], (1 + 1 / Math.sqrt(5) - 0.5) / 3);
  near(s.ic_decay[2], -0.8 / 3);
  near(s.ic_decay[3], (-0.4 + 3 / Math.sqrt(10)) / 2);
  near(s.ic_decay[4], 1);

  // coverage: dates 0,1,3,4(C has no close: 4 of 4),5 → 1; date 2 → 4/5; date 6 → 1/5 → 6/7
  near(s.coverage, 6 / 7);
  assert.equal(s.data_days, 7);

  // long-short: date 0 long E (.04) short A (.01) → .03; date 1 legs {D,E} {A,B} → (.04+.07)/2 − (.01+.02)/2 = .04;
  // date 2 has 3 pairs (< 5), date 3 is constant (no legs); date 4 long A (.01) short E (.05) → −.04
  assert.deepEqual(s.ls_cumulative_returns.map((x) => x.date), [DATES[0], DATES[1], DATES[4]]);
  const ls = [0.03, 0.04, -0.04];
  ls.forEach((x, i) => near(s.ls_cumulative_returns[i].ls_return, x, 1e-12, `ls ${i}`));
  near(s.ls_cumulative_returns[2].cumulative, 1.03 * 1.04 * 0.96);
  // mean .01, deviations .02 .03 −.05 → SS .0038 → std √.0019
  near(s.annualised_return, 0.01 * 252);
  near(s.sharpe, (0.01 / Math.sqrt(0.0019)) * Math.sqrt(252), 1e-10);

  // turnover: legs on all factor names. date 0 top {E} bottom {A}; date 1 top {D,E} bottom {A,B} → each leg
  // 1/(1+2) → 1/3; dates 2, 3 have no legs (4 names, constant); date 4 top {A} bottom {E}, no previous legs;
  // date 5 top {B} bottom {E} → (2/2 + 0/2)/2 = 1/2; mean 5/12
  near(s.turnover, 5 / 12);
  near(s.fitness, s.sharpe! * Math.sqrt((0.01 * 252) / (5 / 12)), 1e-10);

  // correlations: the negated copy −1 every defined day; all-missing: none; one day: .6
  near(s.correlations[0], -1);
  assert.equal(s.correlations[1], null);
  near(s.correlations[2], 0.6);
  near(s.max_correlation, 1);

  const byName = Object.fromEntries(s.checks.map((c) => [c.name, c]));
  assert.equal(byName.IC_MEAN.passed, Math.abs(icMean) > 0.015);
  assert.equal(byName.IC_IR.passed, Math.abs(icMean / icStd) > 0.15);
  assert.equal(byName.HIGH_TURNOVER.passed, false, "5/12 ≥ 0.35");
  assert.equal(byName.SELF_CORRELATION.passed, false, "|−1| ≥ 0.7");
  assert.equal(byName.DATA_COVERAGE.passed, false, "7 < 120 days");
  assert.equal(byName.DATA_COVERAGE.value, 7);
  assert.equal(s.passed, false);

  // yearly: 2024 = dates 0..2: ICs .8, 3/√10, −.5; LS .03, .04 → 1.0712 − 1, no drawdown; turnover 1/3; 3 days.
  // 2025 = dates 3..6: IC −1 (one IC: no IR); LS −.04 → −.04, drawdown .04; turnover 1/2; 1 day.
  assert.equal(s.yearly_stats.length, 2);
  const [y24, y25] = s.yearly_stats;
  assert.equal(y24.year, 2024);
  const m24 = (0.8 + 3 / Math.sqrt(10) - 0.5) / 3;
  near(y24.ic_mean, m24);
  const sd24 = Math.sqrt(([0.8, 3 / Math.sqrt(10), -0.5].reduce((a, b) => a + (b - m24) ** 2, 0)) / 2);
  near(y24.ic_ir, m24 / sd24);
  near(y24.returns, 1.03 * 1.04 - 1);
  assert.equal(y24.drawdown, 0);
  near(y24.turnover, 1 / 3);
  assert.equal(y24.days, 3);
  assert.equal(y25.year, 2025);
  near(y25.ic_mean, -1);
  assert.equal(y25.ic_ir, null);
  near(y25.returns, -0.04);
  near(y25.drawdown, 0.04);
  near(y25.turnover, 0.5);
  assert.equal(y25.days, 1);
  assert.ok(FACTOR_STATS_CONVENTIONS.turnover.length > 0);
});

Deno.test("validateFactorStats(): SELF_CORRELATION passes without others and under 0.7; legs never split ties", () => {
  const oneDay = F.map((row, t) => row.map((_, j) => (t === 0 ? [2, 1, 4, 3, NaN][j] : NaN)));
  const s = validateFactorStats(HAND, [flat(oneDay)]);
  near(s.max_correlation, 0.6);
  assert.equal(s.checks.find((c) => c.name === "SELF_CORRELATION")!.passed, true);
  const alone = validateFactorStats(HAND);
  assert.equal(alone.max_correlation, null);
  assert.deepEqual(alone.correlations, []);
  assert.equal(alone.checks.find((c) => c.name === "SELF_CORRELATION")!.passed, true);
  assert.equal(FACTOR_CHECK_THRESHOLDS.data_days, 120);

  // 6 names, factor 1 2 2 2 5 6: ranks 1, 3, 3, 3, 5, 6; n/5 = 1.2 → top 5(6 − r) < 6: r > 4.8 → ranks 5, 6;
  // bottom 5(r − 1) < 6: r < 2.2 → rank 1 only; the tie at 3 stays out of both legs.
  const six: FactorPanel = {
    dates: ["2024-01-02", "2024-01-03", "2024-01-04"],
    symbols: ["A", "B", "C", "D", "E", "F"],
    values: flat([[1, 2, 2, 2, 5, 6], [1, 2, 2, 2, 5, 6], [1, 2, 2, 2, 5, 6]]),
    close: flat([[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1], [1.1, 1.2, 1.3, 1.4, 1.5, 1.6]]),
  };
  const l = validateFactorStats(six);
  // long E, F: (.5 + .6)/2 = .55; short A: .1 → .45
  near(l.ls_cumulative_returns[0].ls_return, 0.45);
  assert.equal(l.turnover, 0, "same legs every day");
});

Deno.test("validateFactorStats(): shape errors are refused with a clear message", () => {
  const bad = (p: Partial<FactorPanel>, re: RegExp, others: Float64Array[] = []) =>
    assert.throws(() => validateFactorStats({ ...HAND, ...p }, others), re);
  bad({ values: new Float64Array(34) }, /values has 34 values, expected dates × symbols = 7 × 5 = 35/);
  bad({ close: new Float64Array(36) }, /close has 36 values/);
  bad({}, /others\[0\] has 1 values/, [new Float64Array(1)]);
  bad({ dates: [...DATES.slice(0, 6), "2025-01-06"] }, /strictly increasing/);
  bad({ dates: [...DATES.slice(0, 6), "2025/01/08"] }, /not YYYY-MM-DD/);
  bad({ symbols: ["A", "B", "C", "D", "D"] }, /duplicate symbols/);
  bad({ symbols: [], values: new Float64Array(0), close: new Float64Array(0) }, /no symbols/);
});

Deno.test("yearly_stats leaves out a year that holds only forward-return days past the last factor value", () => {
  // Values on the three 2024 dates only; the 2025 rows carry closes (the forward returns) and no values.
  const values = F.map((row, t) => (t < 3 ? row : row.map(() => NaN)));
  const s = validateFactorStats({ ...HAND, values: flat(values) });
  assert.deepEqual(s.yearly_stats.map((y) => [y.year, y.days]), [[2024, 3]]);
  // Values on 2025's dates 4 and 5 (date 4 has an IC): the year is kept.
  const withLegs = F.map((row, t) => (t < 3 || t === 4 || t === 5 ? row : row.map(() => NaN)));
  const s2 = validateFactorStats({ ...HAND, values: flat(withLegs) });
  assert.deepEqual(s2.yearly_stats.map((y) => y.year), [2024, 2025]);
});
