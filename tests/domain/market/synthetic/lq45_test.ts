import assert from "node:assert/strict";
import {
  buildCatalog,
  IDX_CAP_CLASS_SIZES,
  IDX_EXTRA_STOCKS,
  LQ45_SIZE,
} from "../../../../domain/market/synthetic/catalog.ts";
import { createSyntheticMarket } from "../../../../domain/market/synthetic/generator.ts";

const SEED = 42;
const THROUGH = "2017-06-30";
const market = createSyntheticMarket({ seed: SEED });

Deno.test("the synthetic IDX: every stock in idx (^JKSE), 45 large or mid names in lq45 (LQ45)", () => {
  const idx = market.universe("idx");
  const lq45 = market.universe("lq45");
  assert.equal(idx.length, 10 + IDX_EXTRA_STOCKS);
  assert.equal(lq45.length, LQ45_SIZE);
  assert.ok(lq45.every((s) => idx.includes(s)));
  const classes = { large: 0, mid: 0, small: 0 };
  for (const s of idx) {
    const info = market.symbol(s)!;
    assert.equal(info.exchange, "IDX");
    assert.equal(info.lot_size, 100);
    assert.equal(typeof info.syariah, "boolean");
    classes[info.market_cap_class!]++;
  }
  assert.deepEqual(classes, {
    large: IDX_CAP_CLASS_SIZES.large,
    mid: IDX_CAP_CLASS_SIZES.mid,
    small: idx.length - IDX_CAP_CLASS_SIZES.large - IDX_CAP_CLASS_SIZES.mid,
  });
  for (const s of lq45) assert.notEqual(market.symbol(s)!.market_cap_class, "small", s);
  assert.equal(market.indexOf("idx"), "^JKSE");
  assert.equal(market.indexOf("lq45"), "LQ45");
  // Deterministic from the seed.
  assert.deepEqual(createSyntheticMarket({ seed: SEED }).universe("lq45"), lq45);
});

Deno.test("LQ45 is its own index: it differs from the composite (^JKSE) on most days", () => {
  const jkse = market.bars("^JKSE", THROUGH), lq = market.bars("LQ45", THROUGH);
  assert.deepEqual(lq.days, jkse.days);
  let differ = 0;
  for (let i = 1; i < lq.days.length; i++) {
    const a = lq.close[i] / lq.close[i - 1], b = jkse.close[i] / jkse.close[i - 1];
    if (Math.abs(a - b) > 1e-9) differ++;
  }
  assert.ok(differ > 0.9 * (lq.days.length - 1), `${differ} of ${lq.days.length - 1} daily returns differ`);
});

Deno.test("LQ45 is reproduced from its 45 constituents by a plain cap-weighted computation", () => {
  const catalog = buildCatalog(SEED);
  const index = catalog.find((p) => p.info.symbol === "LQ45")!;
  assert.equal(index.constituents!.length, LQ45_SIZE);
  assert.deepEqual([...index.constituents!].sort(), [...market.universe("lq45")].sort());
  const lq = market.bars("LQ45", THROUGH);
  // Close of every constituent by day number.
  const members = index.constituents!.map((s) => {
    const bars = market.bars(s, THROUGH);
    const close = new Map<number, number>();
    bars.days.forEach((d, k) => close.set(d, bars.close[k]));
    return { shares: catalog.find((p) => p.info.symbol === s)!.shares, close };
  });
  let level = index.baseLevel;
  for (let i = 0; i < lq.days.length; i++) {
    if (i > 0) {
      let weighted = 0, weights = 0;
      for (const m of members) {
        const prev = m.close.get(lq.days[i - 1]), now = m.close.get(lq.days[i]);
        if (prev === undefined || now === undefined) continue;
        weighted += prev * m.shares * (now / prev - 1);
        weights += prev * m.shares;
      }
      level *= 1 + weighted / weights;
    }
    assert.ok(Math.abs(lq.close[i] / level - 1) < 1e-9, `day ${i}: ${lq.close[i]} vs ${level}`);
  }
});
