import assert from "node:assert/strict";
import {
  correlation,
  delay,
  delta,
  ema,
  highest,
  lowest,
  roc,
  sma,
  stdev,
  tsRank,
  zscore,
} from "../../../domain/indicators/moving.ts";
import { toDayNumber } from "../../../domain/calendar/dates.ts";
import { createSyntheticMarket } from "../../../domain/market/synthetic/generator.ts";
import { atr, bollinger, macd, obv, rsi, vpt, vwap } from "../../../domain/indicators/oscillators.ts";

const F = (xs: number[]) => Float64Array.from(xs);
/** Asserts equal arrays, NaN matching NaN, numbers to 1e-12 relative. */
function close(actual: Float64Array, expected: number[]) {
  assert.equal(actual.length, expected.length);
  expected.forEach((e, i) => {
    if (Number.isNaN(e)) assert.ok(Number.isNaN(actual[i]), `index ${i}: expected NaN, got ${actual[i]}`);
    else {assert.ok(
        Math.abs(actual[i] - e) <= 1e-12 * Math.max(1, Math.abs(e)),
        `index ${i}: ${actual[i]} vs ${e}`,
      );}
  });
}
const N = NaN;

Deno.test("sma() and ema() follow the hand calculation (EMA seeded with the first SMA, k = 2/(n+1))", () => {
  close(sma(F([1, 2, 3, 4, 5]), 3), [N, N, 2, 3, 4]);
  close(ema(F([1, 2, 3, 4, 5, 6]), 3), [N, N, 2, 3, 4, 5]);
  close(ema(F([2, 4, 6, 10]), 2), [N, 3, 3 + (2 / 3) * 3, 5 + (2 / 3) * 5]);
});

Deno.test("rsi() uses Wilder smoothing with the first value at bar n", () => {
  // changes +1 +1 −1 +1 +1; n = 3: gains 2/3, 7/9, 23/27; losses 1/3, 2/9, 4/27.
  close(rsi(F([1, 2, 3, 2, 3, 4]), 3), [N, N, N, 100 * (2 / 3), 100 * (7 / 9), 100 * (23 / 27)]);
  close(rsi(F([5, 5, 5, 5]), 2), [N, N, 0, 0]);
});

Deno.test("macd() seeds the fast EMA at the slow EMA's first bar (TA-Lib) and signals with an EMA of MACD", () => {
  const r = macd(F([1, 2, 4, 7, 11, 16]), 2, 3, 2);
  close(r.macd, [N, N, 2 / 3, 1, 25 / 18, 197 / 108]);
  close(r.signal, [N, N, N, 5 / 6, 65 / 54, 131 / 81]);
  close(r.hist, [N, N, N, 1 - 5 / 6, 25 / 18 - 65 / 54, 197 / 108 - 131 / 81]);
});

Deno.test("bollinger() uses the population standard deviation", () => {
  const b = bollinger(F([1, 2, 3, 4]), 3, 2);
  const sd = Math.sqrt(2 / 3);
  close(b.middle, [N, N, 2, 3]);
  close(b.upper, [N, N, 2 + 2 * sd, 3 + 2 * sd]);
  close(b.lower, [N, N, 2 - 2 * sd, 3 - 2 * sd]);
  close(stdev(F([2, 4, 4, 4, 5, 5, 7, 9]), 8), [N, N, N, N, N, N, N, 2]);
  close(zscore(F([1, 2, 3]), 3), [N, N, 1 / sd]);
});

Deno.test("atr() is Wilder-smoothed true range starting at bar n", () => {
  const h = F([10, 11, 12, 11]), l = F([9, 10, 10, 9]), c = F([9.5, 10.5, 11, 10]);
  // TR: 1.5, 2, 2 → ATR(2): (1.5+2)/2 = 1.75, then (1.75·1 + 2)/2 = 1.875
  close(atr(h, l, c, 2), [N, N, 1.75, 1.875]);
});

Deno.test("obv(), vpt() and vwap() follow their definitions", () => {
  close(obv(F([10, 11, 10, 10, 12]), F([100, 200, 300, 400, 500])), [100, 300, 0, 0, 500]);
  close(vpt(F([10, 11, 9.9]), F([100, 200, 300])), [0, 20, -10]);
  const tp = [(3 + 1 + 2) / 3, (6 + 2 + 4) / 3, (9 + 3 + 6) / 3];
  close(vwap(F([3, 6, 9]), F([1, 2, 3]), F([2, 4, 6]), F([10, 20, 30]), 2), [
    N,
    (tp[0] * 10 + tp[1] * 20) / 30,
    (tp[1] * 20 + tp[2] * 30) / 50,
  ]);
});

Deno.test("window helpers: highest, lowest, roc, delay, delta, tsRank, correlation", () => {
  const x = F([3, 1, 4, 1, 5]);
  close(highest(x, 3), [N, N, 4, 4, 5]);
  close(lowest(x, 3), [N, N, 1, 1, 1]);
  close(roc(F([10, 11, 12.1]), 1), [N, 10.000000000000009, 10.000000000000009]);
  close(delay(x, 2), [N, N, 3, 1, 4]);
  close(delta(x, 1), [N, -2, 3, -3, 4]);
  close(tsRank(x, 3), [N, N, 1, 0.25, 1]);
  close(correlation(F([1, 2, 3, 4]), F([2, 4, 6, 9]), 3), [N, N, 1, 0.9933992677987828]);
});

Deno.test("rsi() equals the 100 − 100/(1+RS) form on a real price series", async () => {
  const text = await Deno.readTextFile(new URL("../../fixtures/market/cn/600519.SH.csv", import.meta.url));
  const closes = F(
    text.replace(/^\uFEFF/, "").trim().split(/\r?\n/).slice(1).map((l) => Number(l.split(",")[4])),
  );
  const ours = rsi(closes, 14);
  // Independent formulation: Wilder averages via the recursive definition, then RS.
  let g = 0, l = 0;
  for (let i = 1; i <= 14; i++) {
    const d = closes[i] - closes[i - 1];
    (g += Math.max(d, 0)), (l += Math.max(-d, 0));
  }
  (g /= 14), (l /= 14);
  for (let i = 14; i < closes.length; i++) {
    if (i > 14) {
      const d = closes[i] - closes[i - 1];
      g = (13 * g + Math.max(d, 0)) / 14;
      l = (13 * l + Math.max(-d, 0)) / 14;
    }
    const expected = 100 - 100 / (1 + g / l);
    assert.ok(Math.abs(ours[i] - expected) <= 1e-9 * expected, `bar ${i}`);
  }
});

Deno.test("sma() does not drift: equal windows give equal means wherever the series starts", () => {
  // Mathematically 6.615 both: the 10 and 30 closes before 2020-06-02 of the synthetic 000858.SZ are alike.
  const ten = [6.6, 6.62, 6.61, 6.63, 6.6, 6.61, 6.62, 6.6, 6.63, 6.63];
  const thirty = [...ten, ...ten, ...ten];
  const lead = Array.from({ length: 777 }, (_, i) => (500 + ((i * 37) % 300)) / 100); // prices in cents
  for (const prefix of [[], lead.slice(0, 1), lead.slice(0, 250), lead]) {
    const s10 = sma(F([...prefix, ...thirty]), 10).at(-1)!, s30 = sma(F([...prefix, ...thirty]), 30).at(-1)!;
    assert.equal(s10, 6.615, `prefix ${prefix.length}`);
    assert.equal(s30, 6.615, `prefix ${prefix.length}`);
  }
});

Deno.test("sma() equals a direct per-window recomputation on random decimal and non-decimal series", () => {
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 40; round++) {
    const len = 50 + Math.floor(rand() * 400);
    const decimals = round % 3 === 0 ? -1 : Math.floor(rand() * 5); // −1: arbitrary doubles
    const x = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      const v = 1 + rand() * 500;
      x[i] = decimals < 0 ? v : Math.round(v * 10 ** decimals) / 10 ** decimals;
      if (rand() < 0.01) x[i] = NaN;
    }
    const n = 1 + Math.floor(rand() * 40);
    const got = sma(x, n);
    for (let i = 0; i < len; i++) {
      const w = x.subarray(Math.max(0, i - n + 1), i + 1);
      if (i < n - 1 || w.some(Number.isNaN)) {
        assert.ok(Number.isNaN(got[i]), `round ${round} index ${i}`);
        continue;
      }
      if (decimals >= 0) {
        // Exact: the decimal window sum, divided once.
        const scale = 10 ** decimals;
        const exact = w.reduce((s, v) => s + Math.round(v * scale), 0) / (n * scale);
        assert.equal(got[i], exact, `round ${round} index ${i}`);
      } else {
        let s = 0;
        for (const v of w) s += v;
        assert.equal(got[i], s / n, `round ${round} index ${i}`);
      }
    }
  }
});

Deno.test("vwap() of a window does not depend on the bars before it", () => {
  let seed = 99;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const len = 3000;
  const c = Float64Array.from({ length: len }, () => 1 + rand() * 1000);
  const h = c.map((x) => x * (1 + rand() / 50)), l = c.map((x) => x * (1 - rand() / 50));
  const v = Float64Array.from({ length: len }, () => Math.floor(rand() * 1e9));
  const whole = vwap(h, l, c, v, 20);
  for (const skip of [1, 7, 500, 2900]) {
    const part = vwap(h.subarray(skip), l.subarray(skip), c.subarray(skip), v.subarray(skip), 20);
    for (let i = 19; i < part.length; i++) assert.equal(part[i], whole[i + skip], `skip ${skip} index ${i}`);
  }
});

Deno.test("sma(10) and sma(30) of the synthetic 000858.SZ are both exactly 6.615 on 2020-06-02, from any start", () => {
  const bars = createSyntheticMarket({ seed: 42 }).bars("000858.SZ", "2020-12-31");
  const at = bars.days.indexOf(toDayNumber("2020-06-02"));
  assert.ok(at > 1000);
  // Every start from 2016 on (the run's warm-up begins 400 calendar days before its start).
  for (let from = at - 1000; from <= at - 30; from++) {
    const close = bars.close.subarray(from, at + 1);
    const s10 = sma(close, 10).at(-1)!, s30 = sma(close, 30).at(-1)!;
    assert.ok(s10 === 6.615 && s30 === 6.615, `from bar ${from}: ${s10} vs ${s30}`);
  }
});
