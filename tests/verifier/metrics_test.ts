/**
 * The verifier's `/performance` metrics: a three-day record worked by hand, edge cases of the conventions, and a
 * 700-day random record against a second, plain implementation written here (Welford's running variance,
 * an explicit peak walk), including every 60-day rolling window.
 */
import assert from "node:assert/strict";
import { performanceOf } from "../../verifier/metrics.ts";

const close = (a: number | null, b: number | null, what: string, tol = 1e-12) => {
  if (a === null || b === null) return assert.equal(a, b, what);
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(a), Math.abs(b)), `${what}: ${a} ≠ ${b}`);
};

Deno.test("performanceOf() on a three-day record worked by hand", () => {
  // NAVs 110, 99, 108.9 from 100: returns 0.1, −0.1, 0.1; mean 1/30, sample sd √(1/75).
  // Benchmark 0.01, unknown (0), −0.02: compounded 1.01 · 0.98 − 1 = −0.0102; excess 0.09, −0.1, 0.12.
  const { metrics: m, rolling } = performanceOf(
    [110, 99, 108.9],
    [0.01, null, -0.02],
    ["2026-07-06", "2026-07-07", "2026-07-08"],
    100,
  );
  close(m.total_return, 0.089, "total");
  close(m.sharpe, Math.sqrt(75 * 252) / 30, "sharpe"); // 4.582575…
  close(m.volatility, Math.sqrt(252 / 75), "volatility"); // 1.833030…
  close(m.max_drawdown, 0.1, "drawdown"); // 99 below the peak 110
  close(m.benchmark_return, -0.0102, "benchmark");
  close(m.excess_return, 0.0992, "excess");
  // Excess mean 11/300; deviations 0.16/3, −0.41/3, 0.25/3 → variance (0.0256 + 0.1681 + 0.0625) / 18.
  close(m.excess_sharpe, (11 / 300) / Math.sqrt(0.2562 / 18) * Math.sqrt(252), "excess sharpe");
  assert.equal(m.annual_return, null, "under 60 days");
  assert.equal(m.calmar, null);
  assert.equal(m.trading_days, 3);
  assert.equal(m.benchmark_missing_days, 1);
  assert.deepEqual(rolling, []);
});

Deno.test("performanceOf(): the initial capital is the first peak; equal returns have volatility 0 and no Sharpe", () => {
  const down = performanceOf([90, 95], [0, 0], ["a", "b"], 100).metrics;
  close(down.max_drawdown, 0.1, "drawdown from the initial capital");
  const flat = performanceOf(
    Array.from({ length: 61 }, (_, i) => 100 * 1.001 ** (i + 1)),
    new Array(61).fill(0.001),
    Array.from({ length: 61 }, (_, i) => `d${i}`),
    100,
  );
  assert.equal(flat.metrics.volatility !== null && flat.metrics.volatility < 1e-12, true);
  assert.equal(flat.metrics.max_drawdown, 0);
  assert.equal(flat.metrics.calmar, null, "no drawdown, no Calmar");
  close(flat.metrics.annual_return, 1.001 ** 252 - 1, "annual", 1e-12);
  assert.equal(flat.rolling.length, 2);
  assert.deepEqual(flat.rolling.map((w) => w.date), ["d59", "d60"]);
  const same = performanceOf([100, 100, 100], [null, null, null], ["a", "b", "c"], 100).metrics;
  assert.deepEqual([same.volatility, same.sharpe, same.excess_sharpe], [0, null, null]);
  const empty = performanceOf([], [], [], 100).metrics;
  assert.deepEqual([empty.total_return, empty.max_drawdown, empty.sharpe, empty.trading_days], [
    null,
    null,
    null,
    0,
  ]);
});

/** A second implementation: Welford's variance and a plain peak walk. */
function plain(navs: number[], bench: (number | null)[], initial: number) {
  const r: number[] = [], x: number[] = [];
  let prev = initial;
  for (let i = 0; i < navs.length; i++) {
    r.push(navs[i] / prev - 1);
    x.push(r[i] - (bench[i] === null ? 0 : bench[i]!));
    prev = navs[i];
  }
  const sharpe = (v: number[]) => {
    let n = 0, mean = 0, m2 = 0;
    for (const y of v) {
      n++;
      const d = y - mean;
      mean += d / n;
      m2 += d * (y - mean);
    }
    const sd = Math.sqrt(m2 / (n - 1));
    return { sharpe: (mean / sd) * Math.sqrt(252), vol: sd * Math.sqrt(252) };
  };
  let peak = initial, dd = 0, b = 1;
  for (const v of navs) {
    if (v > peak) peak = v;
    if ((peak - v) / peak > dd) dd = (peak - v) / peak;
  }
  for (const y of bench) b *= 1 + (y ?? 0);
  const total = navs[navs.length - 1] / initial - 1;
  const annual = Math.exp(Math.log(1 + total) * 252 / navs.length) - 1;
  const rolling = [];
  for (let end = 60; end <= x.length; end++) rolling.push(sharpe(x.slice(end - 60, end)).sharpe);
  return {
    ...sharpe(r),
    excess: sharpe(x).sharpe,
    dd,
    total,
    bench: b - 1,
    annual,
    calmar: annual / dd,
    rolling,
  };
}

Deno.test("performanceOf() agrees with a second implementation on a 700-day random record", () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const navs: number[] = [], bench: (number | null)[] = [];
  let nav = 1e6;
  for (let i = 0; i < 700; i++) {
    nav *= 1 + (rand() - 0.48) * 0.04;
    navs.push(nav);
    bench.push(rand() < 0.05 ? null : (rand() - 0.5) * 0.03);
  }
  const dates = navs.map((_, i) => `d${i}`);
  const { metrics: m, rolling } = performanceOf(navs, bench, dates, 1e6);
  const p = plain(navs, bench, 1e6);
  close(m.sharpe, p.sharpe, "sharpe", 1e-9);
  close(m.volatility, p.vol, "volatility", 1e-9);
  close(m.excess_sharpe, p.excess, "excess sharpe", 1e-9);
  close(m.max_drawdown, p.dd, "drawdown", 1e-9);
  close(m.total_return, p.total, "total", 1e-9);
  close(m.benchmark_return, p.bench, "benchmark", 1e-9);
  close(m.excess_return, p.total - p.bench, "excess", 1e-9);
  close(m.annual_return, p.annual, "annual", 1e-9);
  close(m.calmar, p.calmar, "calmar", 1e-9);
  assert.equal(m.benchmark_missing_days, bench.filter((b) => b === null).length);
  assert.equal(rolling.length, 641);
  rolling.forEach((w, i) => {
    assert.equal(w.date, dates[i + 59]);
    close(w.value, p.rolling[i], `window ${i}`, 1e-9);
  });
});
