import assert from "node:assert/strict";
import {
  alphaBeta,
  annualisedReturn,
  dailyReturns,
  deflatedSharpe,
  drawdowns,
  normalCdf,
  normalQuantile,
  probabilisticSharpe,
  sampleStd,
  sharpeRatio,
  sortinoRatio,
} from "../../../domain/metrics/stats.ts";

const near = (a: number | null, b: number, tol = 1e-12) =>
  assert.ok(a !== null && Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

Deno.test("sampleStd() uses ddof 1 and sharpeRatio() annualises with √252", () => {
  const r = [0.01, -0.02, 0.03, 0.0];
  // mean 0.005; deviations 0.005, −0.025, 0.025, −0.005 → SS = 0.0013; var = 0.0013/3
  near(sampleStd(r), Math.sqrt(0.0013 / 3));
  near(sharpeRatio(r), (0.005 / Math.sqrt(0.0013 / 3)) * Math.sqrt(252));
  near(sharpeRatio(r, 0.0252), ((0.005 - 0.0001) / Math.sqrt(0.0013 / 3)) * Math.sqrt(252));
  assert.equal(sharpeRatio([0.01, 0.01, 0.01]), null, "zero variance gives null, not Infinity");
  assert.equal(sharpeRatio([0.01]), null);
});

Deno.test("sortinoRatio() divides by the downside deviation √(mean(min(r, 0)²))", () => {
  const r = [0.01, -0.02, 0.03, 0.0];
  near(sortinoRatio(r), (0.005 / Math.sqrt(0.0004 / 4)) * Math.sqrt(252));
  assert.equal(sortinoRatio([0.01, 0.02]), null);
});

Deno.test("drawdowns() and annualisedReturn() follow their definitions", () => {
  const d = drawdowns([100, 120, 90, 130, 65]);
  near(d.max, -50);
  assert.deepEqual(Array.from(d.series), [0, 0, -0.25, 0, -0.5]);
  assert.equal(annualisedReturn(100, 110, 59), null, "under 60 days: null");
  near(annualisedReturn(100, 121, 504), 10);
  const r = dailyReturns([100, 110, 99]);
  near(r[0], 0.1);
  near(r[1], -0.1);
});

Deno.test("alphaBeta() is the OLS fit of strategy on benchmark returns, alpha annualised in percent", () => {
  const b = [0.01, -0.01, 0.02, 0.0];
  const r = b.map((x) => 0.001 + 1.5 * x);
  const { alpha, beta } = alphaBeta(r, b);
  near(beta, 1.5);
  near(alpha, 0.001 * 252 * 100, 1e-9);
});

Deno.test("normal CDF and quantile agree with published values", () => {
  near(normalCdf(0), 0.5, 1e-7);
  near(normalCdf(1.959963984540054), 0.975, 1e-6);
  near(normalQuantile(0.975), 1.959963984540054, 1e-8);
  near(normalQuantile(0.01), -2.3263478740408408, 1e-8);
});

Deno.test("probabilisticSharpe() is ½ at a zero Sharpe and rises with it; deflatedSharpe() is lower", () => {
  const base = Array.from({ length: 500 }, (_, i) => Math.sin(i * 1.7) * 0.01);
  const m = base.reduce((s, x) => s + x, 0) / base.length;
  const centred = base.map((x) => x - m);
  near(probabilisticSharpe(centred), 0.5, 1e-9);
  const good = centred.map((x) => x + 0.001);
  const psr = probabilisticSharpe(good)!;
  assert.ok(psr > 0.9);
  assert.ok(deflatedSharpe(good, 100)! < psr);
  assert.equal(deflatedSharpe(good, 1), null);
});
