import assert from "node:assert/strict";
import { addDays } from "../../../domain/calendar/dates.ts";
import { ValidationError } from "../../../domain/errors.ts";
import {
  computePerformance,
  cumulativeReturns,
  dailyReturnsFromNav,
  type NavPoint,
  ROLLING_SHARPE_WINDOW_DAYS,
} from "../../../domain/track_record/performance.ts";

const near = (a: number | null, b: number, tol = 1e-12) =>
  assert.ok(a !== null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

/** NAV points on consecutive calendar dates from 2024-01-01 (the functions do not look at the calendar). */
const series = (navs: number[]): NavPoint[] =>
  navs.map((nav, i) => ({ date: addDays("2024-01-01", i), nav }));

/** NAVs obtained by compounding `returns` from `start`. */
function compound(start: number, returns: number[]): number[] {
  const out: number[] = [];
  let nav = start;
  for (const r of returns) out.push(nav *= 1 + r);
  return out;
}

// Five days from 100 of capital, returns +10 %, −10 %, +10 %, −10 %, +10 %:
// NAVs 110, 99, 108.9, 98.01, 107.811.
const FIVE = series([110, 99, 108.9, 98.01, 107.811]);
// Benchmark +5 %, −5 %, unknown, 0, +2 %.
const FIVE_BENCH = [0.05, -0.05, null, 0, 0.02];

Deno.test("computePerformance() on a 5-day record matches hand-computed returns, volatility and Sharpe", () => {
  const p = computePerformance(FIVE, FIVE_BENCH, 100);
  // total = 107.811 / 100 − 1 = 0.07811
  near(p.total_return, 0.07811);
  assert.equal(p.trading_days, 5);
  // r = [.1, −.1, .1, −.1, .1]: mean .02; deviations .08, −.12, .08, −.12, .08;
  // SS = 3 × .0064 + 2 × .0144 = .048; var (ddof 1) = .048 / 4 = .012
  // volatility = √.012 × √252 = √3.024 = 1.7389652095…
  near(p.volatility, 1.7389652095427326);
  // sharpe = .02 / √.012 × √252 = .02 × √21000 = 2.8982753492…
  near(p.sharpe, 2.898275349237888);
  // 5 < 60 trading days: no annualised return and so no Calmar
  assert.equal(p.annual_return, null);
  assert.equal(p.calmar, null);
});

Deno.test("computePerformance() compounds the benchmark with unknown days as 0 and reports them", () => {
  const p = computePerformance(FIVE, FIVE_BENCH, 100);
  // benchmark = 1.05 × 0.95 × 1 × 1 × 1.02 − 1 = 0.9975 × 1.02 − 1 = 0.01745
  near(p.benchmark_return, 0.01745);
  assert.equal(p.benchmark_missing_days, 1);
  // excess = 0.07811 − 0.01745 = 0.06066
  near(p.excess_return, 0.06066);
  // daily excess r − b = [.05, −.05, .1, −.1, .08]: mean .016; deviations .034, −.066, .084, −.116, .064;
  // SS = .001156 + .004356 + .007056 + .013456 + .004096 = .03012; var = .03012 / 4 = .00753
  // excess sharpe = .016 / √.00753 × √252 = .016 × √33466.135… = 2.9270002865…
  near(p.excess_sharpe, 2.927000286520457);
});

Deno.test("computePerformance() max drawdown is a positive fraction from the running peak", () => {
  // equity 100, 110, 99, 108.9, 98.01, 107.811: peak 110, trough 98.01 → 98.01 / 110 − 1 = −0.109
  near(computePerformance(FIVE, FIVE_BENCH, 100).max_drawdown, 0.109);
  // the initial capital is the first peak: 100 → 95 → 100 is a 5 % drawdown
  near(computePerformance(series([95, 100]), [0, 0], 100).max_drawdown, 0.05);
  assert.equal(computePerformance(series([101, 102]), [0, 0], 100).max_drawdown, 0);
});

Deno.test("computePerformance() annualises over 252 days from 60 trading days on, with Calmar", () => {
  // 63 days: day i (1..61) at 100 + 0.1 i (peak 106.1 on day 61), day 62 at 95.49 = 106.1 × 0.9, day 63 at 110
  const navs = [...Array.from({ length: 61 }, (_, i) => 100 + 0.1 * (i + 1)), 95.49, 110];
  const p = computePerformance(series(navs), navs.map(() => 0), 100);
  assert.equal(p.trading_days, 63);
  // annual = 1.1^(252 / 63) − 1 = 1.1⁴ − 1 = 0.4641
  near(p.annual_return, 0.4641, 1e-12);
  // max drawdown = 1 − 95.49 / 106.1 = 0.1; calmar = 0.4641 / 0.1 = 4.641
  near(p.max_drawdown, 0.1, 1e-12);
  near(p.calmar, 4.641, 1e-12);
});

Deno.test("computePerformance() has no annual return under 60 days and no Calmar without a drawdown", () => {
  const rising = (n: number) => series(Array.from({ length: n }, (_, i) => 100 + i + 1));
  const p59 = computePerformance(rising(59), Array(59).fill(0), 100);
  assert.equal(p59.annual_return, null);
  const p60 = computePerformance(rising(60), Array(60).fill(0), 100);
  // 160 / 100 over 60 days: 1.6^(252 / 60) − 1 = 1.6^4.2 − 1
  near(p60.annual_return, 1.6 ** 4.2 - 1, 1e-12);
  assert.equal(p60.max_drawdown, 0);
  assert.equal(p60.calmar, null, "a record that never fell has no Calmar ratio");
});

Deno.test("computePerformance() rolling excess Sharpe starts at the 60th daily return", async (t) => {
  // r = 0.02 on every third day, −0.005 otherwise; benchmark 0. Any 60 consecutive days hold 20 × 0.02 and
  // 40 × −0.005: mean = (0.4 − 0.2) / 60 = 1/300; deviations 1/60 (×20) and −1/120 (×40);
  // SS = 20/3600 + 40/14400 = 1/120; var = (1/120) / 59 = 1/7080;
  // sharpe = (1/300) × √7080 × √252 = √1784160 / 300 = 4.4524150749…
  const returns = (n: number) => Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0.02 : -0.005));
  for (const [n, expected] of [[59, 0], [60, 1], [62, 3]] as const) {
    await t.step(`${n} days give ${expected} values`, () => {
      const points = series(compound(100, returns(n)));
      const p = computePerformance(points, Array(n).fill(0), 100);
      assert.equal(ROLLING_SHARPE_WINDOW_DAYS, 60);
      assert.equal(p.rolling_excess_sharpe.length, expected);
      p.rolling_excess_sharpe.forEach((v, k) => {
        assert.equal(v.date, points[59 + k].date);
        near(v.value, 4.452415074990202, 1e-9);
      });
    });
  }
});

Deno.test("computePerformance() returns null, not NaN, for zero-variance returns", () => {
  // flat NAV at the initial capital: r = 0 every day; benchmark +0.1 % every day: excess −0.001 every day
  const n = 61;
  const p = computePerformance(series(Array(n).fill(100)), Array(n).fill(0.001), 100);
  assert.equal(p.total_return, 0);
  assert.equal(p.volatility, 0);
  assert.equal(p.sharpe, null);
  assert.equal(p.excess_sharpe, null);
  assert.equal(p.max_drawdown, 0);
  assert.equal(p.annual_return, 0);
  assert.equal(p.calmar, null);
  assert.deepEqual(p.rolling_excess_sharpe.map((v) => v.value), [null, null]);
  // benchmark = 1.001^61 − 1; excess = 0 − that
  near(p.benchmark_return, 1.001 ** 61 - 1, 1e-12);
  near(p.excess_return, -(1.001 ** 61 - 1), 1e-12);
});

Deno.test("computePerformance() of one day has a return but no volatility or Sharpe", () => {
  const p = computePerformance(series([102]), [null], 100);
  near(p.total_return, 0.02);
  assert.equal(p.volatility, null);
  assert.equal(p.sharpe, null);
  assert.equal(p.excess_sharpe, null);
  assert.equal(p.benchmark_return, 0);
  assert.equal(p.benchmark_missing_days, 1);
});

Deno.test("computePerformance() of no points is all null", () => {
  const p = computePerformance([], [], 100);
  assert.equal(p.trading_days, 0);
  for (
    const k of [
      "total_return",
      "annual_return",
      "volatility",
      "sharpe",
      "max_drawdown",
      "calmar",
      "excess_return",
      "excess_sharpe",
      "benchmark_return",
    ] as const
  ) assert.equal(p[k], null, k);
  assert.deepEqual(p.rolling_excess_sharpe, []);
});

Deno.test("computePerformance() results survive JSON unchanged (no NaN or Infinity)", () => {
  const returns = Array.from({ length: 80 }, (_, i) => Math.sin(i * 1.3) * 0.02);
  const bench = returns.map((r, i) => (i % 7 === 0 ? null : r * 0.5));
  const p = computePerformance(series(compound(1000, returns)), bench, 1000);
  assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
  assert.equal(p.rolling_excess_sharpe.length, 21);
});

Deno.test("computePerformance() rejects misaligned or invalid input", async (t) => {
  const cases: [string, () => unknown][] = [
    ["benchmark length differs", () => computePerformance(FIVE, [0, 0], 100)],
    ["dates not ascending", () => computePerformance([FIVE[1], FIVE[0]], [0, 0], 100)],
    ["repeated date", () => computePerformance([FIVE[0], FIVE[0]], [0, 0], 100)],
    ["zero NAV", () => computePerformance(series([100, 0]), [0, 0], 100)],
    ["NaN NAV", () => computePerformance(series([NaN]), [0], 100)],
    ["bad date", () => computePerformance([{ date: "2024-02-30", nav: 1 }], [0], 100)],
    ["zero initial NAV", () => computePerformance(FIVE, FIVE_BENCH, 0)],
    ["infinite benchmark", () => computePerformance(series([100]), [Infinity], 100)],
  ];
  for (const [name, run] of cases) {
    await t.step(name, () => assert.throws(run, ValidationError));
  }
});

Deno.test("dailyReturnsFromNav() measures day 0 against the initial capital", () => {
  const r = dailyReturnsFromNav(series([110, 99]), 100);
  // 110 / 100 − 1 = 0.1; 99 / 110 − 1 = −0.1
  near(r[0], 0.1);
  near(r[1], -0.1);
  assert.equal(r.length, 2);
  assert.deepEqual(dailyReturnsFromNav([], 100), []);
});

Deno.test("cumulativeReturns() compounds simple returns, null as 0", () => {
  const c = cumulativeReturns([0.1, null, -0.1, 0.5]);
  // 1.1 − 1 = 0.1; unchanged; 1.1 × 0.9 − 1 = −0.01; 0.99 × 1.5 − 1 = 0.485
  near(c[0], 0.1);
  near(c[1], 0.1);
  near(c[2], -0.01);
  near(c[3], 0.485);
  assert.deepEqual(cumulativeReturns([]), []);
});
