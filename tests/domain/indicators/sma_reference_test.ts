import assert from "node:assert/strict";
import { sma } from "../../../domain/indicators/moving.ts";

/** The simple moving average as it was written before its window sums scaled each value once (a ring). */
function referenceSma(x: Float64Array, n: number): Float64Array {
  const r = new Float64Array(x.length).fill(NaN);
  let k = 0, scale = 1, largest = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (Number.isNaN(v)) continue;
    let m = Math.round(v * scale);
    while (m / scale !== v) {
      if (++k > 8 || !Number.isFinite(v)) {
        scale = 0;
        break;
      }
      scale *= 10;
      m = Math.round(v * scale);
    }
    if (scale === 0) break;
    if (Math.abs(v) > largest) largest = Math.abs(v);
  }
  if (scale > 0 && !(Math.round(largest * scale) * n <= Number.MAX_SAFE_INTEGER)) scale = 0;
  let valid = 0;
  if (scale > 0) {
    let sum = 0;
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (Number.isNaN(v)) {
        sum = 0;
        valid = 0;
        continue;
      }
      valid++;
      if (valid > n) sum -= Math.round(x[i - n] * scale);
      sum += Math.round(v * scale);
      if (valid >= n) r[i] = sum / (n * scale);
    }
    return r;
  }
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i])) {
      valid = 0;
      continue;
    }
    valid++;
    if (valid < n) continue;
    let sum = 0;
    for (let j = i - n + 1; j <= i; j++) sum += x[j];
    r[i] = sum / n;
  }
  return r;
}

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("sma() equals the earlier two-pass version bit for bit on random decimal, mixed and awkward series", () => {
  const r = rng(77);
  let exactWindows = 0;
  for (let c = 0; c < 3_000; c++) {
    const len = 1 + Math.floor(r() * 300);
    const kind = Math.floor(r() * 7);
    const x = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      const u = r();
      x[i] = kind === 0
        ? Math.round(u * 1e5) / 100 // prices to the cent
        : kind === 1
        ? (i > len / 2 ? Math.round(u * 1e7) / 1e4 : Math.round(u * 1e3) / 10) // decimals grow late
        : kind === 2
        ? u * 100 // not decimal
        : kind === 3
        ? Math.floor(u * 1e6) // volumes
        : kind === 4
        ? (u < 0.1 ? NaN : Math.round(u * 1e4) / 100) // gaps
        : kind === 5
        ? [1e15, -3.5, Infinity, 0, -0, 2 ** 52, 1e-9][Math.floor(u * 7)] // awkward
        : (u < 0.08 ? NaN : u * 37); // not decimal, with gaps
    }
    const n = 1 + Math.floor(r() * 40);
    const got = sma(x, n), want = referenceSma(x, n);
    for (let i = 0; i < len; i++) {
      assert.ok(
        Object.is(got[i], want[i]),
        `case ${c} (kind ${kind}, n ${n}) bar ${i}: ${got[i]} !== ${want[i]}`,
      );
      if (kind === 0 && Number.isFinite(got[i])) exactWindows++;
    }
  }
  assert.ok(exactWindows > 10_000);
  // One-bar windows of the largest exact integers, alternating in sign: each mean is the value itself.
  const big = Float64Array.from([2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53 - 1, NaN, -(2 ** 53 - 1)]);
  assert.deepEqual(sma(big, 1), referenceSma(big, 1));
  assert.deepEqual(Array.from(sma(big, 1)), [2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53 - 1, NaN, -(2 ** 53 - 1)]);
});
