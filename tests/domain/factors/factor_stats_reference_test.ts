/**
 * validateFactorStats() against a second, straightforward implementation (plain arrays, ranks by sorting, every
 * statistic from its definition) on a large random panel with ties, missing values, unusable prices and a
 * constant day.
 */
import assert from "node:assert/strict";
import { dailyRankIc, type FactorPanel, validateFactorStats } from "../../../domain/factors/factor_stats.ts";
import { randomPanel } from "../../_helpers/factor_panels.ts";

// ----------------------------------------------------------------------------- the straightforward implementation

const ok = (x: number) => Number.isFinite(x);
const usable = (p: number) => Number.isFinite(p) && p > 0;

function ranksOf(xs: number[]): number[] {
  const idx = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const out = new Array<number>(xs.length);
  let i = 0;
  while (i < idx.length) {
    let e = i;
    while (e + 1 < idx.length && xs[idx[e + 1]] === xs[idx[i]]) e++;
    for (let q = i; q <= e; q++) out[idx[q]] = (i + 1 + e + 1) / 2;
    i = e + 1;
  }
  return out;
}

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n, mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? NaN : sab / Math.sqrt(saa * sbb);
}

function spearmanRef(x: number[], y: number[]): number {
  const xs: number[] = [], ys: number[] = [];
  for (let j = 0; j < x.length; j++) {
    if (ok(x[j]) && ok(y[j])) {
      xs.push(x[j]);
      ys.push(y[j]);
    }
  }
  if (xs.length < 3) return NaN;
  return pearson(ranksOf(xs), ranksOf(ys));
}

function summary(xs: number[]) {
  const v = xs.filter(ok);
  const mean = v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  const std = v.length >= 2 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : NaN;
  return { mean, std, ir: std > 0 ? mean / std : NaN, n: v.length };
}

function legs(names: string[], vals: number[]): { top: Set<string>; bottom: Set<string> } | null {
  const n = vals.length;
  if (n < 5) return null;
  const rk = ranksOf(vals);
  const top = new Set<string>(), bottom = new Set<string>();
  rk.forEach((r, i) => {
    if (5 * (n - r) < n) top.add(names[i]);
    else if (5 * (r - 1) < n) bottom.add(names[i]);
  });
  return top.size && bottom.size ? { top, bottom } : null;
}

function reference(panel: FactorPanel, others: Float64Array[]) {
  const D = panel.dates.length, N = panel.symbols.length;
  const row = (a: Float64Array, t: number) => Array.from(a.subarray(t * N, (t + 1) * N));
  const F = Array.from({ length: D }, (_, t) => row(panel.values, t));
  const C = Array.from({ length: D }, (_, t) => row(panel.close, t));
  // fwd(t, k): return from t+k to t+k+1
  const fwd = (t: number, k: number) =>
    Array.from({ length: N }, (_, j) => {
      if (t + k + 1 >= D) return NaN;
      const a = C[t + k][j], b = C[t + k + 1][j];
      return usable(a) && usable(b) ? b / a - 1 : NaN;
    });
  const ic = F.map((f, t) => spearmanRef(f, fwd(t, 1)));
  const decay = [1, 2, 3, 4, 5].map((k) => summary(F.map((f, t) => spearmanRef(f, fwd(t, k)))).mean);
  const ls = F.map((f, t) => {
    const r = fwd(t, 1);
    const names: string[] = [], vals: number[] = [], rets = new Map<string, number>();
    f.forEach((v, j) => {
      if (ok(v) && ok(r[j])) {
        names.push(panel.symbols[j]);
        vals.push(v);
        rets.set(panel.symbols[j], r[j]);
      }
    });
    const l = legs(names, vals);
    if (!l) return NaN;
    const avg = (s: Set<string>) => [...s].reduce((a, x) => a + rets.get(x)!, 0) / s.size;
    return avg(l.top) - avg(l.bottom);
  });
  const allLegs = F.map((f) => {
    const names: string[] = [], vals: number[] = [];
    f.forEach((v, j) => {
      if (ok(v)) {
        names.push(panel.symbols[j]);
        vals.push(v);
      }
    });
    return legs(names, vals);
  });
  const legChange = (a: Set<string>, b: Set<string>) => {
    const sym = [...a].filter((x) => !b.has(x)).length + [...b].filter((x) => !a.has(x)).length;
    return sym / (a.size + b.size);
  };
  const turn = allLegs.map((l, t) => {
    const p = t > 0 ? allLegs[t - 1] : null;
    return l && p ? (legChange(l.top, p.top) + legChange(l.bottom, p.bottom)) / 2 : NaN;
  });
  let covSum = 0, covDays = 0, dataDays = 0;
  F.forEach((f, t) => {
    if (f.some(ok)) dataDays++;
    const priced = C[t].map(usable);
    const np = priced.filter(Boolean).length;
    if (np > 0) {
      covSum += f.filter((v, j) => priced[j] && ok(v)).length / np;
      covDays++;
    }
  });
  const icS = summary(ic), lsS = summary(ls), turnover = summary(turn).mean;
  const sharpe = (lsS.mean / lsS.std) * Math.sqrt(252);
  const corr = others.map((o) => summary(F.map((f, t) => spearmanRef(f, row(o, t)))).mean);
  const years = [...new Set(panel.dates.map((d) => d.slice(0, 4)))].map((y) => {
    const ts = panel.dates.map((d, t) => (d.startsWith(y) ? t : -1)).filter((t) => t >= 0);
    let eq = 1, peak = 1, dd = 0;
    for (const t of ts) {
      if (!ok(ls[t])) continue;
      eq *= 1 + ls[t];
      peak = Math.max(peak, eq);
      dd = Math.max(dd, 1 - eq / peak);
    }
    const s = summary(ts.map((t) => ic[t]));
    return {
      year: Number(y),
      ic_mean: s.mean,
      ic_ir: s.ir,
      returns: eq - 1,
      drawdown: dd,
      turnover: summary(ts.map((t) => turn[t])).mean,
      days: s.n,
    };
  });
  let cum = 1;
  const lsSeries = ls.flatMap((x, t) =>
    ok(x) ? [{ date: panel.dates[t], ls_return: x, cumulative: cum *= 1 + x }] : []
  );
  return {
    ic,
    ic_mean: icS.mean,
    ic_std: icS.std,
    ic_ir: icS.ir,
    ic_days: icS.n,
    ic_decay: decay,
    coverage: covSum / covDays,
    data_days: dataDays,
    turnover,
    annualised_return: lsS.mean * 252,
    sharpe,
    fitness: sharpe * Math.sqrt(Math.abs(lsS.mean * 252) / Math.max(turnover, 0.02)),
    correlations: corr,
    max_correlation: Math.max(...corr.filter(ok).map(Math.abs)),
    lsSeries,
    years,
  };
}

// ----------------------------------------------------------------------------- the comparison

const close = (a: number | null, b: number, what: string, tol = 1e-12) => {
  if (!Number.isFinite(b)) return assert.equal(a, null, `${what}: expected undefined, got ${a}`);
  assert.ok(a !== null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);
};

Deno.test("validateFactorStats() matches a straightforward implementation on 300 symbols × 250 days", () => {
  const { panel, others } = randomPanel(300, 250, 20261206);
  const got = validateFactorStats(panel, others);
  const want = reference(panel, others);

  const ic = dailyRankIc(panel);
  want.ic.forEach((x, t) => {
    if (Number.isFinite(x)) close(ic[t], x, `ic[${t}]`);
    else assert.ok(Number.isNaN(ic[t]), `ic[${t}] undefined`);
  });
  assert.ok(Number.isNaN(ic[17]), "the constant day has no IC");
  assert.deepEqual(
    got.ic_series.map((x) => x.date),
    panel.dates.filter((_, t) => Number.isFinite(want.ic[t])),
  );
  got.ic_series.forEach((x) => close(x.ic, want.ic[panel.dates.indexOf(x.date)], `ic_series ${x.date}`));

  for (
    const k of [
      "ic_mean",
      "ic_std",
      "ic_ir",
      "coverage",
      "turnover",
      "annualised_return",
      "sharpe",
      "fitness",
      "max_correlation",
    ] as const
  ) close(got[k], want[k], k);
  assert.equal(got.ic_days, want.ic_days);
  assert.equal(got.data_days, want.data_days);
  want.ic_decay.forEach((x, k) => close(got.ic_decay[k], x, `ic_decay[${k}]`));
  want.correlations.forEach((x, k) => close(got.correlations[k], x, `correlations[${k}]`));

  assert.equal(got.ls_cumulative_returns.length, want.lsSeries.length);
  want.lsSeries.forEach((x, i) => {
    const g = got.ls_cumulative_returns[i];
    assert.equal(g.date, x.date);
    close(g.ls_return, x.ls_return, `ls_return ${x.date}`);
    close(g.cumulative, x.cumulative, `cumulative ${x.date}`);
  });

  assert.equal(got.yearly_stats.length, want.years.length);
  want.years.forEach((y, i) => {
    const g = got.yearly_stats[i];
    assert.equal(g.year, y.year);
    assert.equal(g.days, y.days);
    for (const k of ["ic_mean", "ic_ir", "returns", "drawdown", "turnover"] as const) {
      close(g[k], y[k], `${y.year} ${k}`);
    }
  });

  // the planted signal is found: a positive IC that passes the IC checks; 250 days pass DATA_COVERAGE
  assert.ok(got.ic_mean! > 0.1, `ic_mean ${got.ic_mean}`);
  const byName = Object.fromEntries(got.checks.map((c) => [c.name, c.passed]));
  assert.equal(byName.IC_MEAN, true);
  assert.equal(byName.IC_IR, true);
  assert.equal(byName.DATA_COVERAGE, true);
  assert.equal(byName.SELF_CORRELATION, got.max_correlation! < 0.7);
});

Deno.test("validateFactorStats() matches on a second seed with few names (legs of one name, many ties)", () => {
  const { panel, others } = randomPanel(7, 60, 7, 1);
  const got = validateFactorStats(panel, others);
  const want = reference(panel, others);
  for (
    const k of ["ic_mean", "ic_ir", "coverage", "turnover", "sharpe", "fitness", "max_correlation"] as const
  ) {
    close(got[k], want[k], k);
  }
  want.ic_decay.forEach((x, k) => close(got.ic_decay[k], x, `ic_decay[${k}]`));
});
