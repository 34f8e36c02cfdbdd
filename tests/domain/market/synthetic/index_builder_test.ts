import assert from "node:assert/strict";
import { emptySeries } from "../../../../domain/store/bar_codec.ts";
import { createIndexAccumulator } from "../../../../domain/market/synthetic/index_builder.ts";

function bars(symbol: string, days: number[], closes: number[]) {
  const s = emptySeries(symbol, "synthetic", days.length);
  days.forEach((d, i) => {
    s.days[i] = d;
    s.open[i] =
      s.high[i] =
      s.low[i] =
      s.close[i] =
        closes[i];
    s.volume[i] = 100;
  });
  return s;
}

Deno.test("createIndexAccumulator() chains cap-weighted returns and gives a suspended name weight 0", () => {
  // A: 10 → 11 → 11.55 (+10%, +5%), 1000 shares. B: 20 → (suspended) → 19, 500 shares.
  const acc = createIndexAccumulator(Int32Array.from([1, 2, 3]));
  acc.add(bars("A", [1, 2, 3], [10, 11, 11.55]), 1000);
  acc.add(bars("B", [1, 3], [20, 19]), 500);
  const index = acc.finish("IDX", 1000);
  // Day 1: base, no returns → 1000. Day 2: only A traded on both days: weights A 10×1000 → +10% → 1100.
  // Day 3: A (w = 11×1000 = 11000, r = +5%); B did not trade on day 2 → weight 0. → 1100 × 1.05 = 1155.
  assert.deepEqual(Array.from(index.close), [1000, 1100, 1155]);
  assert.deepEqual(Array.from(index.volume), [200, 100, 200]);
});

Deno.test("createIndexAccumulator() weights two traded names by previous close × shares", () => {
  const acc = createIndexAccumulator(Int32Array.from([1, 2]));
  acc.add(bars("A", [1, 2], [10, 11]), 1000); // w 10000, r +10%
  acc.add(bars("B", [1, 2], [20, 18]), 1500); // w 30000, r −10%
  const index = acc.finish("IDX", 100);
  // (10000×0.1 + 30000×(−0.1)) / 40000 = −0.05
  assert.ok(Math.abs(index.close[1] - 95) < 1e-12);
});
