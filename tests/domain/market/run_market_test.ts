import assert from "node:assert/strict";
import { toDayNumber } from "../../../domain/calendar/dates.ts";
import { fixedClock } from "../../../domain/clock.ts";
import { createBarCache } from "../../../domain/market/bar_cache.ts";
import { importMany, publishImport } from "../../../domain/market/csv/import_bars.ts";
import { createMarketData, openRunMarket } from "../../../domain/market/market_service.ts";
import { createSyntheticProvider } from "../../../domain/market/synthetic_provider.ts";
import type { BarSeries, MarketData } from "../../../domain/market/types.ts";
import { emptySeries } from "../../../domain/store/bar_codec.ts";
import { type BarRepo, createBarRepo } from "../../../domain/store/bar_repo.ts";
import {
  createImportedSymbolRepo,
  type ImportedSymbolRepo,
} from "../../../domain/store/imported_symbol_repo.ts";
import { createMarketFreshnessRepo } from "../../../domain/store/market_freshness_repo.ts";
import { createSyntheticCacheRepo } from "../../../domain/store/synthetic_cache_repo.ts";
import { createFakeSyntheticMarket } from "../../_helpers/fake_synthetic_market.ts";

const T0 = Date.UTC(2026, 4, 14, 1);

/** 300 weekdays from 2023-01-02 named `symbol`, whose closes are `base + i / 100`. */
function series(symbol: string, base: number): BarSeries {
  const days: number[] = [];
  for (let d = toDayNumber("2023-01-02"); days.length < 300; d++) {
    const wd = new Date(d * 86_400_000).getUTCDay();
    if (wd !== 0 && wd !== 6) days.push(d);
  }
  const s = emptySeries(symbol, "csv", days.length);
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

/** A market service over a fresh in-memory KV, with the import repository's batch reads counted. */
async function openWorld() {
  const kv = await Deno.openKv(":memory:");
  const realBars = createBarRepo(kv);
  const real = createImportedSymbolRepo(kv);
  const counts = { getEach: 0, get: 0, getMetaEach: 0, getMeta: 0 };
  const bars: BarRepo = {
    ...realBars,
    getMetaEach: (...args) => (counts.getMetaEach++, realBars.getMetaEach(...args)),
    getMeta: (...args) => (counts.getMeta++, realBars.getMeta(...args)),
  };
  const imports: ImportedSymbolRepo = {
    ...real,
    getEach: (...args) => (counts.getEach++, real.getEach(...args)),
    get: (...args) => (counts.get++, real.get(...args)),
  };
  const market = createFakeSyntheticMarket();
  const clock = fixedClock(T0);
  const marks = createSyntheticCacheRepo(kv);
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
  const importAs = (ownerId: string, entries: [string, number][], nowMs = T0) =>
    importMany({ bars, imports }, {
      ownerId,
      entries: entries.map(([symbol, base]) => ({ symbol, series: series(symbol, base), skipped: [] })),
      nowMs,
    });
  return { kv, data, imports, bars, counts, importAs };
}

/** Plain copies of a series' columns, so views and copies compare equal when their values do. */
const plain = (s: BarSeries | null) =>
  s && {
    symbol: s.symbol,
    source: s.source,
    days: Array.from(s.days),
    open: Array.from(s.open),
    high: Array.from(s.high),
    low: Array.from(s.low),
    close: Array.from(s.close),
    volume: Array.from(s.volume),
    adj_factor: Array.from(s.adj_factor),
  };

const RANGE = ["2023-03-01", "2023-12-29"] as const;

Deno.test("a run's reads answer what the service answers: own import, published import, synthetic, unknown", async () => {
  const w = await openWorld();
  try {
    await w.importAs("alice", [["OWN.SH", 10], ["BOTH.SH", 20]]);
    await w.importAs("bob", [["PUB.SH", 30], ["BOTH.SH", 40]]);
    await publishImport(w, "bob", "PUB.SH", true, Date.now());
    await publishImport(w, "bob", "BOTH.SH", true, Date.now());
    const symbols = ["OWN.SH", "BOTH.SH", "PUB.SH", "AAA.SH", "NOPE.SH"];
    for (const owner of ["alice", "carol", null]) {
      const run = openRunMarket(w.data, symbols, owner);
      // Also a symbol the run did not name up front.
      for (const symbol of [...symbols, "BBB.SH"]) {
        assert.deepEqual(
          await run.getSymbol(symbol),
          await w.data.getSymbol(symbol, owner),
          `${symbol} ${owner}`,
        );
        assert.deepEqual(
          plain(await run.getBars(symbol, ...RANGE)),
          plain(await w.data.getBars(symbol, ...RANGE, owner)),
          `${symbol} bars for ${owner}`,
        );
      }
    }
    // Alice's own import wins over Bob's published one; others see Bob's.
    const alice = openRunMarket(w.data, symbols, "alice");
    assert.equal((await alice.getBars("BOTH.SH", ...RANGE))!.close[0], 20 + 42 / 100);
    assert.equal(
      (await openRunMarket(w.data, symbols, "carol").getBars("BOTH.SH", ...RANGE))!.close[0],
      40.42,
    );
  } finally {
    w.kv.close();
  }
});

Deno.test("a run reads the caller's import records and their metas once, in batches, for all its symbols", async () => {
  const w = await openWorld();
  try {
    const names = Array.from({ length: 25 }, (_, i) => `R${String(i).padStart(2, "0")}.SH`);
    await w.importAs("alice", names.map((s, i) => [s, 10 + i]));
    // Warm the decoded cache, so what is counted below is the run's own reads.
    for (const s of names) await w.data.getBars(s, ...RANGE, "alice");
    w.counts.getEach =
      w.counts.get =
      w.counts.getMetaEach =
      w.counts.getMeta =
        0;
    const run = openRunMarket(w.data, names, "alice");
    for (const s of names) {
      assert.equal((await run.getSymbol(s))!.symbol, s);
      assert.equal((await run.getBars(s, ...RANGE))!.symbol, s);
    }
    assert.deepEqual(w.counts, { getEach: 1, get: 0, getMetaEach: 1, getMeta: 0 });
    // The metas' batch read answers in the order asked too.
    const metas = await w.bars.getMetaEach({ source: "csv", owner: "alice" }, [
      "R03.SH",
      "NONE.SH",
      "R01.SH",
    ]);
    assert.deepEqual(metas.map((m) => m?.symbol ?? null), ["R03.SH", null, "R01.SH"]);
    assert.deepEqual(metas[0], await w.bars.getMeta({ source: "csv", owner: "alice" }, "R03.SH"));
    // The batch read answers in the order asked, with null where the caller has no import.
    const got = await w.imports.getEach("alice", ["R24.SH", "NONE.SH", "R00.SH"]);
    assert.deepEqual(got.map((r) => r?.symbol ?? null), ["R24.SH", null, "R00.SH"]);
  } finally {
    w.kv.close();
  }
});

Deno.test("a re-import between two runs is seen by the second (records and bars)", async () => {
  const w = await openWorld();
  try {
    await w.importAs("alice", [["RE.SH", 10]]);
    const first = openRunMarket(w.data, ["RE.SH"], "alice");
    assert.equal((await first.getBars("RE.SH", ...RANGE))!.close[0], 10.42);
    assert.equal((await first.getSymbol("RE.SH"))!.exchange, "SSE");
    await w.importAs("alice", [["RE.SH", 70]], T0 + 1);
    const second = openRunMarket(w.data, ["RE.SH"], "alice");
    assert.equal((await second.getBars("RE.SH", ...RANGE))!.close[0], 70.42);
    assert.deepEqual(
      plain(await second.getBars("RE.SH", ...RANGE)),
      plain(await w.data.getBars("RE.SH", ...RANGE, "alice")),
    );
    // A deleted import is gone for the next run.
    await w.imports.delete("alice", "RE.SH", Date.now());
    const third = openRunMarket(w.data, ["RE.SH"], "alice");
    assert.equal(await third.getSymbol("RE.SH"), null);
    assert.equal(await third.getBars("RE.SH", ...RANGE), null);
  } finally {
    w.kv.close();
  }
});

Deno.test("a wrapped market is read through its own methods", async () => {
  const w = await openWorld();
  try {
    await w.importAs("alice", [["WR.SH", 10]]);
    const calls: string[] = [];
    const wrapped: MarketData = {
      ...w.data,
      getSymbol: (s, o) => (calls.push(`symbol ${s}`), w.data.getSymbol(s, o)),
      getBars: (s, a, b, o) => (calls.push(`bars ${s}`), w.data.getBars(s, a, b, o)),
    };
    const run = openRunMarket(wrapped, ["WR.SH"], "alice");
    assert.equal((await run.getSymbol("WR.SH"))!.symbol, "WR.SH");
    assert.equal((await run.getBars("WR.SH", ...RANGE))!.close[0], 10.42);
    assert.deepEqual(calls, ["symbol WR.SH", "bars WR.SH"]);
  } finally {
    w.kv.close();
  }
});
