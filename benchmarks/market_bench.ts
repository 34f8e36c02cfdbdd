/**
 * Market data speed: synthetic generation (one stock, the hs300 universe, the hs300 index) and reading
 * 10 years × 300 symbols of daily bars from KV into typed arrays (cold: straight from KV through the bar repository,
 * or through `MarketData` with the LRU off; warm: `MarketData` with LRU hits), and the same for one symbol.
 */
import { toDayNumber } from "../domain/calendar/dates.ts";
import { fixedClock } from "../domain/clock.ts";
import { buildMarketServices } from "../app/market_services.ts";
import { createSyntheticMarket } from "../domain/market/synthetic/generator.ts";
import { createBarRepo } from "../domain/store/bar_repo.ts";

const THROUGH = "2024-12-31";
const market = createSyntheticMarket({ seed: 42 });
const hs300 = market.universe("hs300");

Deno.bench("synthetic: one stock, 2015-2024 (2,430 bars)", { group: "generate" }, () => {
  market.bars("600519.SH", THROUGH);
});
Deno.bench("synthetic: hs300 universe, 2015-2024 (300 stocks, ~720k bars)", {
  group: "generate",
  n: 5,
  warmup: 1,
}, () => {
  for (const s of hs300) market.bars(s, THROUGH);
});
Deno.bench("synthetic: hs300 index from its 300 constituents", { group: "generate", n: 5, warmup: 1 }, () => {
  market.bars("000300.SH", THROUGH);
});

// 300 series of 10 years stored through the real bar repository in a temp-file KV.
const dir = await Deno.makeTempDir();
const kv = await Deno.openKv(`${dir}/bench.sqlite`);
const repo = createBarRepo(kv);
const ns = { source: "synthetic" as const, owner: "bench" };
let stored = 0;
for (const s of hs300) stored += (await repo.replaceSeries(ns, market.bars(s, THROUGH), 0)).rows;
const start = toDayNumber("2015-01-01"), end = toDayNumber(THROUGH);
console.log(`stored ${stored} bars of ${hs300.length} symbols for the KV read benchmarks`);

Deno.bench(`KV cold read: 300 symbols × 10 years into Float64Arrays (${stored} bars)`, {
  group: "kv",
  n: 10,
  warmup: 1,
}, async () => {
  for (const s of hs300) await repo.getBars(ns, s, start, end);
});
Deno.bench("KV cold read: one symbol, 10 years", { group: "kv" }, async () => {
  await repo.getBars(ns, "600519.SH", start, end);
});

const deps = buildMarketServices(kv, fixedClock(Date.UTC(2025, 0, 2, 12)), {
  seed: 42,
  cacheBytes: 256 * 1024 * 1024,
});
for (const s of hs300) await deps.synthetic.ensure(s);
Deno.bench(
  "MarketData warm read (LRU): 300 symbols × 10 years",
  { group: "kv", n: 20, warmup: 2 },
  async () => {
    for (const s of hs300) await deps.data.getBars(s, "2015-01-01", THROUGH);
  },
);

// The same reads through MarketData with the LRU off: each read checks the generation mark and loads from KV.
const cold = buildMarketServices(kv, fixedClock(Date.UTC(2025, 0, 2, 12)), { seed: 42, cacheBytes: 0 });
Deno.bench(
  "MarketData cold read (LRU off): 300 symbols × 10 years",
  { group: "kv", n: 10, warmup: 1 },
  async () => {
    for (const s of hs300) await cold.data.getBars(s, "2015-01-01", THROUGH);
  },
);
Deno.bench("MarketData cold read (LRU off): one symbol, 10 years", { group: "kv" }, async () => {
  await cold.data.getBars("600519.SH", "2015-01-01", THROUGH);
});
Deno.bench("MarketData warm read (LRU): one symbol, 10 years", { group: "kv" }, async () => {
  await deps.data.getBars("600519.SH", "2015-01-01", THROUGH);
});

globalThis.addEventListener("unload", () => {
  kv.close();
  Deno.removeSync(dir, { recursive: true });
});
