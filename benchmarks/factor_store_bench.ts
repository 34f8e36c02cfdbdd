/**
 * Factor store (issue 15): one upload of 500 dates × 1,000 symbols (`putValues`) and reading it back
 * (`readValues`), on an in-memory KV and on a temp-file KV (SQLite, as in production); and the market panel a
 * validation reads (`loadMarketPanel`, hs300 × ~750 trading days, bars already generated).
 *
 * `deno run -A benchmarks/factor_store_bench.ts --median` prints medians instead (Deno.bench reports averages),
 * with the market panels of hs300 and csi1000 first generated (cold) and then read again (warm).
 */
import { fixedClock } from "../domain/clock.ts";
import { loadMarketPanel } from "../domain/factors/market_panel.ts";
import { createBarCache } from "../domain/market/bar_cache.ts";
import { createMarketData } from "../domain/market/market_service.ts";
import { createSyntheticMarket } from "../domain/market/synthetic/generator.ts";
import { createSyntheticProvider } from "../domain/market/synthetic_provider.ts";
import type { MarketData } from "../domain/market/types.ts";
import { createBarRepo } from "../domain/store/bar_repo.ts";
import { createFactorRepo, type FactorRecord, type FactorValuesRow } from "../domain/store/factor_repo.ts";
import { createImportedSymbolRepo } from "../domain/store/imported_symbol_repo.ts";
import { createMarketFreshnessRepo } from "../domain/store/market_freshness_repo.ts";
import { createSyntheticCacheRepo } from "../domain/store/synthetic_cache_repo.ts";
import { factorRecord } from "../tests/_helpers/factor_record.ts";

const DATES = Array.from(
  { length: 500 },
  (_, i) => new Date(Date.UTC(2022, 0, 3 + i)).toISOString().slice(0, 10),
);
const SYMBOLS = Array.from({ length: 1000 }, (_, i) => `${String(600000 + i)}.SH`);
let seed = 42;
const ROWS: FactorValuesRow[] = DATES.map((date) => ({
  date,
  symbols: SYMBOLS,
  values: Float64Array.from(SYMBOLS, () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647 - 0.5;
  }),
}));

const record = (id: string): FactorRecord => factorRecord(id, "usr_bench", { universe: "csi1000" });

const dir = Deno.makeTempDirSync({ prefix: "factor_store_bench_" });
const stores = [
  { name: ":memory:", kv: await Deno.openKv(":memory:") },
  { name: "temp file", kv: await Deno.openKv(`${dir}/kv.sqlite`) },
];

/** The market service over the real synthetic market (seed 42) on `kv`, its cache at the default 64 MiB. */
function syntheticMarket(kv: Deno.Kv): MarketData {
  const clock = fixedClock(Date.UTC(2026, 4, 14, 1));
  const market = createSyntheticMarket({ seed: 42 });
  const bars = createBarRepo(kv), marks = createSyntheticCacheRepo(kv);
  const synthetic = createSyntheticProvider({ market, bars, marks, cache: createBarCache(64 << 20), clock });
  return createMarketData({
    market,
    synthetic,
    bars,
    imports: createImportedSymbolRepo(kv),
    marks,
    freshness: createMarketFreshnessRepo(kv),
    yahooEnabled: false,
    clock,
  });
}

/** About 750 trading days: 2023–2025 plus 30 warm-up and 5 forward days. */
const PANEL_SPAN = { start: "2023-01-03", end: "2025-12-31", before: 30, after: 5 };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return median(times);
}

if (Deno.args.includes("--median")) {
  for (const { name, kv } of stores) {
    const repo = createFactorRepo(kv);
    let n = 0;
    const put: number[] = [];
    for (let i = 0; i < 11; i++) {
      const id = `fac_median_${n++}`;
      await repo.create(record(id));
      const t = performance.now();
      await repo.putValues(id, ROWS, (r, s) => ({ ...r, values: s }));
      put.push(performance.now() - t);
      if (i < 10) await repo.delete(id);
    }
    const read = await timeIt(11, () => repo.readValues(`fac_median_${n - 1}`, DATES, SYMBOLS));
    console.log(
      `${name}: putValues 500 × 1,000 median ${median(put).toFixed(1)} ms, readValues ${read.toFixed(1)} ms`,
    );
  }
  const market = syntheticMarket(stores[1].kv);
  for (const universe of ["hs300", "csi1000"] as const) {
    const cold = await timeIt(1, () => loadMarketPanel(market, universe, PANEL_SPAN));
    const warm = await timeIt(5, () => loadMarketPanel(market, universe, PANEL_SPAN));
    const p = await loadMarketPanel(market, universe, PANEL_SPAN);
    console.log(
      `loadMarketPanel ${universe} (${p.symbols.length} × ${p.dates.length}): first ${cold.toFixed(0)} ms ` +
        `(generates), then median ${warm.toFixed(0)} ms`,
    );
  }
} else {
  const market = syntheticMarket(stores[1].kv);
  await loadMarketPanel(market, "hs300", PANEL_SPAN); // generate once, outside the measurement
  Deno.bench("loadMarketPanel hs300 × ~750 days (generated, temp file)", { group: "panel" }, async () => {
    await loadMarketPanel(market, "hs300", PANEL_SPAN);
  });
}

for (const { name, kv } of stores) {
  const repo = createFactorRepo(kv);
  let n = 0;
  Deno.bench(`putValues 500 dates × 1,000 symbols (${name})`, { group: `put ${name}` }, async (b) => {
    const id = `fac_put_${n++}`;
    await repo.create(record(id));
    b.start();
    await repo.putValues(id, ROWS, (r, s) => ({ ...r, values: s }));
    b.end();
    await repo.delete(id);
  });

  const readId = "fac_read";
  await repo.create(record(readId));
  await repo.putValues(readId, ROWS, (r, s) => ({ ...r, values: s }));
  Deno.bench(`readValues 500 dates × 1,000 symbols (${name})`, { group: `read ${name}` }, async () => {
    await repo.readValues(readId, DATES, SYMBOLS);
  });
}

globalThis.addEventListener("unload", () => {
  for (const { kv } of stores) kv.close();
  Deno.removeSync(dir, { recursive: true });
});
