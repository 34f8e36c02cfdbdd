import assert from "node:assert/strict";
import { ValidationError } from "../../../domain/errors.ts";
import { barsOf, freshnessOf, symbolPage } from "../../../domain/market/market_views.ts";
import { openBacktestWorld } from "../../_helpers/backtest_world.ts";

Deno.test("barsOf(): default range is the year to the exchange's today; bad ranges name `start`", async () => {
  const w = await openBacktestWorld();
  try {
    const deps = { data: w.market.data, clock: w.clock };
    const year = await barsOf(deps, null, "600519.SH", {});
    assert.equal(year.end, "2026-05-14");
    assert.equal(year.start, "2025-05-14");
    assert.equal(year.count, year.bars.length);
    assert.ok(year.bars.every((b) => b.date >= year.start && b.date <= year.end));
    assert.equal(year.source, "synthetic");
    for (
      const [range, type] of [
        [{ start: "2020-02-01", end: "2020-01-01" }, "value_error"],
        [{ start: "1990-01-01", end: "2020-01-01" }, "range_too_long"],
      ] as const
    ) {
      await assert.rejects(barsOf(deps, null, "600519.SH", range), (e) => {
        assert.ok(e instanceof ValidationError);
        assert.deepEqual(e.loc, ["start"]);
        assert.equal(e.type, type);
        return true;
      });
    }
    await assert.rejects(barsOf(deps, null, "NOPE.XX", {}), /Unknown symbol "NOPE.XX"/);
  } finally {
    w.close();
  }
});

Deno.test("symbolPage() pages the filtered list; freshnessOf() answers ISO check times", async () => {
  const w = await openBacktestWorld();
  try {
    const deps = { data: w.market.data, clock: w.clock };
    const all = await w.market.data.listSymbols({ universe: "hs300", ownerId: null });
    const page = await symbolPage(deps, null, { universe: "hs300", limit: 5, offset: 3 });
    assert.equal(page.total, all.length);
    assert.deepEqual(page.items.map((s) => s.symbol), all.slice(3, 8).map((s) => s.symbol));
    const fresh = await freshnessOf(deps, null);
    for (const e of fresh.items) assert.match(e.checked_at, /^\d{4}-\d\d-\d\dT.*Z$/);
  } finally {
    w.close();
  }
});
