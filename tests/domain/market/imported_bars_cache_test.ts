import assert from "node:assert/strict";
import { toDayNumber } from "../../../domain/calendar/dates.ts";
import { fixedClock } from "../../../domain/clock.ts";
import { createBarCache } from "../../../domain/market/bar_cache.ts";
import { emptySeries } from "../../../domain/store/bar_codec.ts";
import { createMarketData } from "../../../domain/market/market_service.ts";
import { createSyntheticProvider } from "../../../domain/market/synthetic_provider.ts";
import type { BarSeries } from "../../../domain/market/types.ts";
import { type BarRepo, createBarRepo } from "../../../domain/store/bar_repo.ts";
import { createImportedSymbolRepo } from "../../../domain/store/imported_symbol_repo.ts";
import { createMarketFreshnessRepo } from "../../../domain/store/market_freshness_repo.ts";
import { createSyntheticCacheRepo } from "../../../domain/store/synthetic_cache_repo.ts";
import { createFakeSyntheticMarket } from "../../_helpers/fake_synthetic_market.ts";

const T0 = Date.UTC(2026, 4, 14, 1);
const NS = { source: "csv" as const, owner: "alice" };

/** 600 weekdays from 2023-01-02 whose closes are `base + i / 100`. */
function series(base: number): BarSeries {
  const days: number[] = [];
  for (let d = toDayNumber("2023-01-02"); days.length < 600; d++) {
    const wd = new Date(d * 86_400_000).getUTCDay();
    if (wd !== 0 && wd !== 6) days.push(d);
  }
  const s = emptySeries("IMP.SH", "csv", days.length);
  days.forEach((d, i) => {
    s.days[i] = d;
    s.open[i] =
      s.high[i] =
      s.low[i] =
      s.close[i] =
        base + i / 100;
    s.volume[i] = 1000 + i;
    s.adj_factor[i] = 1;
  });
  return s;
}

Deno.test("imported bars are read from KV once, served from memory after, and read afresh once replaced", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const real = createBarRepo(kv);
    let chunkReads = 0;
    const bars: BarRepo = {
      ...real,
      getBars: (...args) => (chunkReads++, real.getBars(...args)),
    };
    const market = createFakeSyntheticMarket();
    const clock = fixedClock(T0);
    const marks = createSyntheticCacheRepo(kv);
    const imports = createImportedSymbolRepo(kv);
    const data = createMarketData({
      market,
      synthetic: createSyntheticProvider({ market, bars, marks, cache: createBarCache(1 << 20), clock }),
      bars,
      imports,
      marks,
      freshness: createMarketFreshnessRepo(kv),
      yahooEnabled: false,
      clock,
    });
    await real.replaceSeries(NS, series(10), T0);
    await imports.put({
      symbol: "IMP.SH",
      name: "IMP.SH",
      exchange: "SSE",
      currency: "CNY",
      kind: "stock",
      sector: null,
      market_cap_class: null,
      lot_size: 100,
      price_limit: null,
      syariah: null,
      universes: [],
      source: "csv",
      owner_id: "alice",
      published: false,
      rows: 600,
      start: "2023-01-02",
      end: "2025-04-18",
      imported_at: T0,
    });
    const ranges: [string, string][] = [["2023-03-01", "2024-06-30"], ["2020-01-01", "2030-01-01"], [
      "2024-02-10",
      "2024-02-11",
    ]];
    const direct = (r: [string, string]) => real.getBars(NS, "IMP.SH", toDayNumber(r[0]), toDayNumber(r[1]));
    for (const r of ranges) assert.deepEqual(await data.getBars("IMP.SH", ...r, "alice"), await direct(r));
    assert.equal(chunkReads, 1, "one whole read, then memory");
    assert.equal((await data.getBars("IMP.SH", ...ranges[0], "alice"))!.close[0], 10 + 42 / 100);

    // A re-import (a new generation) is read afresh, even at the same instant.
    await real.replaceSeries(NS, series(50), T0);
    for (const r of ranges) assert.deepEqual(await data.getBars("IMP.SH", ...r, "alice"), await direct(r));
    assert.equal(chunkReads, 2);
    assert.equal((await data.getBars("IMP.SH", ...ranges[0], "alice"))!.close[0], 50 + 42 / 100);

    // Answers are copies: changing one does not change the next.
    const got = (await data.getBars("IMP.SH", ...ranges[1], "alice"))!;
    got.close.fill(0);
    assert.equal((await data.getBars("IMP.SH", ...ranges[1], "alice"))!.close[5], 50.05);
  } finally {
    kv.close();
  }
});
