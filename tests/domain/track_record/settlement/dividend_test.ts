import assert from "node:assert/strict";
import { impliedCashDividend } from "../../../../domain/track_record/settlement/settle.ts";
import { buildCatalog } from "../../../../domain/market/synthetic/catalog.ts";
import { createSyntheticMarket } from "../../../../domain/market/synthetic/generator.ts";

Deno.test("impliedCashDividend() is 0 without a step up of adj_factor and prev close × paid fraction with one", () => {
  assert.equal(impliedCashDividend(10, 1, 1), 0);
  assert.equal(impliedCashDividend(10, 1.2, 1.1), 0);
  // A 2% dividend: adj grows by 1 / 0.98, so the paid cash is 2% of the previous close, 0.2.
  assert.ok(Math.abs(impliedCashDividend(10, 1, 1 / 0.98) - 0.2) < 1e-12);
});

Deno.test("the dividend implied by synthetic bars is exactly the generator's yearly yield on the previous close", () => {
  const seed = 42;
  const market = createSyntheticMarket({ seed });
  const paying = buildCatalog(seed).filter((p) =>
    p.dividendYield > 0 && (p.info.exchange === "SSE" || p.info.exchange === "SZSE")
  ).slice(0, 5);
  assert.ok(paying.length > 0);
  let exDates = 0;
  for (const p of paying) {
    const b = market.bars(p.info.symbol, "2026-12-31");
    for (let i = 1; i < b.days.length; i++) {
      const d = impliedCashDividend(b.close[i - 1], b.adj_factor[i - 1], b.adj_factor[i]);
      if (d === 0) continue;
      exDates++;
      const month = new Date(b.days[i] * 86_400_000).toISOString().slice(5, 7);
      assert.ok(month === "07" || month === "08", `${p.info.symbol} ex-date in month ${month}`);
      assert.ok(
        Math.abs(d - p.dividendYield * b.close[i - 1]) <= 1e-12 * b.close[i - 1],
        `${p.info.symbol}: ${d} vs ${p.dividendYield * b.close[i - 1]}`,
      );
    }
  }
  assert.ok(exDates >= paying.length, `${exDates} ex-dates`);
});
