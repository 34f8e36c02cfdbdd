import assert from "node:assert/strict";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { toDayNumber } from "../../../domain/calendar/dates.ts";
import { fixedClock } from "../../../domain/clock.ts";
import { createBarCache } from "../../../domain/market/bar_cache.ts";
import { emptySeries } from "../../../domain/store/bar_codec.ts";
import type { MarketDeps } from "../../../domain/market/market_service.ts";
import { marketHealth } from "../../../domain/market/market_health.ts";
import { createMarketData, type MarketServiceDeps } from "../../../domain/market/market_service.ts";
import { createSyntheticProvider } from "../../../domain/market/synthetic_provider.ts";
import type { BarSeries, DataSource } from "../../../domain/market/types.ts";
import { YAHOO_NAMESPACE } from "../../../domain/market/yahoo/yahoo_provider.ts";
import { createBarRepo } from "../../../domain/store/bar_repo.ts";
import { createImportedSymbolRepo } from "../../../domain/store/imported_symbol_repo.ts";
import { createMarketFreshnessRepo } from "../../../domain/store/market_freshness_repo.ts";
import { createSyntheticCacheRepo } from "../../../domain/store/synthetic_cache_repo.ts";
import { createFakeSyntheticMarket, FAKE_START } from "../../_helpers/fake_synthetic_market.ts";

/** 2026-05-14 09:00 CST: the latest completed SSE day is 2026-05-13. */
const T0 = Date.UTC(2026, 4, 14, 1);
const DAY = 86_400_000;

/** A service over a fresh in-memory KV and the fake market. */
async function world(yahooEnabled = false) {
  const kv = await Deno.openKv(":memory:");
  const market = createFakeSyntheticMarket();
  const clock = fixedClock(T0);
  const bars = createBarRepo(kv);
  const marks = createSyntheticCacheRepo(kv);
  const synthetic = createSyntheticProvider({ market, bars, marks, cache: createBarCache(1 << 20), clock });
  market.calls.length = 0;
  const deps: MarketServiceDeps = {
    market,
    synthetic,
    bars,
    imports: createImportedSymbolRepo(kv),
    marks,
    freshness: createMarketFreshnessRepo(kv),
    yahooEnabled,
    clock,
  };
  const data = createMarketData(deps);
  const health: MarketDeps = { ...deps, data, yahoo: null };
  return { kv, market, clock, deps, data, health, close: () => kv.close() };
}

/** Three bars in early May 2026 whose every close is `close` (so the test can tell which store served them). */
function flatSeries(symbol: string, source: DataSource, close: number): BarSeries {
  const days = ["2026-05-06", "2026-05-07", "2026-05-08"];
  const s = emptySeries(symbol, source, days.length);
  days.forEach((d, i) => {
    s.days[i] = toDayNumber(d);
    s.open[i] =
      s.high[i] =
      s.low[i] =
      s.close[i] =
        close;
    s.volume[i] = 100;
    s.adj_factor[i] = 1;
  });
  return s;
}

/** Stores `owner`'s CSV import of `symbol` (bars with every close = `close`), optionally published. */
async function importCsv(
  w: Awaited<ReturnType<typeof world>>,
  owner: string,
  symbol: string,
  close: number,
  published = false,
) {
  await w.deps.bars.replaceSeries({ source: "csv", owner }, flatSeries(symbol, "csv", close), T0);
  await w.deps.imports.put({
    symbol,
    name: symbol,
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
    owner_id: owner,
    published: false,
    rows: 3,
    start: "2026-05-06",
    end: "2026-05-08",
    imported_at: T0,
  });
  if (published) await w.deps.imports.publish(owner, symbol, true, Date.now());
}

const MAY = ["2026-05-01", "2026-05-31"] as const;

Deno.test("getBars() serves the caller's own import, then a published import, then Yahoo, then synthetic", async () => {
  const w = await world(true);
  try {
    await importCsv(w, "alice", "AAA.SH", 1);
    await importCsv(w, "bob", "AAA.SH", 2, true);
    await w.deps.bars.replaceSeries(YAHOO_NAMESPACE, flatSeries("AAA.SH", "yahoo", 3), T0);
    await w.deps.bars.replaceSeries(YAHOO_NAMESPACE, flatSeries("BBB.SZ", "yahoo", 3), T0);
    const read = async (symbol: string, owner: string | null) => {
      const s = await w.data.getBars(symbol, ...MAY, owner);
      return s && [s.source, s.close[0]];
    };
    assert.deepEqual(await read("AAA.SH", "alice"), ["csv", 1]);
    assert.deepEqual(await read("AAA.SH", "carol"), ["csv", 2]);
    assert.deepEqual(await read("AAA.SH", null), ["csv", 2]);
    assert.deepEqual(await read("BBB.SZ", null), ["yahoo", 3]);
    const coin = await w.data.getBars("COIN-USD", ...MAY);
    assert.equal(coin?.source, "synthetic");
    assert.equal(coin?.days.length, 13, "1–13 May, every day, for a 24/7 market");
    assert.equal(await w.data.getBars("NOPE.SH", ...MAY), null);
    assert.equal((await w.data.getSymbol("BBB.SZ"))?.source, "yahoo");
  } finally {
    w.close();
  }
});

Deno.test("getBars() ignores Yahoo bars while Yahoo is disabled", async () => {
  const w = await world(false);
  try {
    await w.deps.bars.replaceSeries(YAHOO_NAMESPACE, flatSeries("BBB.SZ", "yahoo", 3), T0);
    const s = await w.data.getBars("BBB.SZ", ...MAY);
    assert.equal(s?.source, "synthetic");
    assert.equal(s?.days.length, getCalendar("SSE").countTradingDays("2026-05-01", "2026-05-13"));
    assert.equal((await w.data.getSymbol("BBB.SZ"))?.source, "synthetic");
  } finally {
    w.close();
  }
});

Deno.test("listSymbols() shows a private import only to its owner, one entry per symbol", async () => {
  const w = await world();
  try {
    await importCsv(w, "alice", "PRIV.SH", 1);
    await importCsv(w, "alice", "AAA.SH", 1);
    const entries = async (ownerId: string | null) =>
      (await w.data.listSymbols({ ownerId })).map((s) => `${s.symbol}:${s.source}`);
    assert.deepEqual(await entries("alice"), [
      "AAA.SH:csv",
      "PRIV.SH:csv",
      "BBB.SZ:synthetic",
      "000300.SH:synthetic",
      "COIN-USD:synthetic",
    ]);
    const others = ["AAA.SH:synthetic", "BBB.SZ:synthetic", "000300.SH:synthetic", "COIN-USD:synthetic"];
    assert.deepEqual(await entries("bob"), others);
    assert.deepEqual(await entries(null), others);
    assert.equal(await w.data.getSymbol("PRIV.SH", "bob"), null);
    assert.equal(await w.data.getBars("PRIV.SH", ...MAY, "bob"), null);
    assert.equal((await w.data.getSymbol("PRIV.SH", "alice"))?.source, "csv");
  } finally {
    w.close();
  }
});

Deno.test("listSymbols() shows a published import to everyone, and filters by universe, exchange and text", async () => {
  const w = await world();
  try {
    await importCsv(w, "bob", "PUB.SH", 2, true);
    const anyone = await w.data.listSymbols({ ownerId: "carol" });
    assert.equal(anyone.find((s) => s.symbol === "PUB.SH")?.source, "csv");
    assert.deepEqual((await w.data.listSymbols({ universe: "hs300" })).map((s) => s.symbol), [
      "AAA.SH",
      "BBB.SZ",
    ]);
    assert.deepEqual((await w.data.listSymbols({ exchange: "SZSE" })).map((s) => s.symbol), ["BBB.SZ"]);
    assert.deepEqual((await w.data.listSymbols({ q: "motor" })).map((s) => s.symbol), ["BBB.SZ"]);
    assert.deepEqual((await w.data.listSymbols({ q: "pub" })).map((s) => s.symbol), ["PUB.SH"]);
  } finally {
    w.close();
  }
});

Deno.test("listSymbols() labels Yahoo-served symbols and adds Yahoo-only ones when Yahoo is enabled", async () => {
  const w = await world(true);
  try {
    await w.deps.bars.replaceSeries(YAHOO_NAMESPACE, flatSeries("BBB.SZ", "yahoo", 3), T0);
    await w.deps.bars.replaceSeries(YAHOO_NAMESPACE, flatSeries("RELIANCE.NS", "yahoo", 3), T0);
    const all = await w.data.listSymbols();
    assert.deepEqual(all.map((s) => `${s.symbol}:${s.source}`), [
      "AAA.SH:synthetic",
      "BBB.SZ:yahoo",
      "000300.SH:synthetic",
      "COIN-USD:synthetic",
      "RELIANCE.NS:yahoo",
    ]);
    const reliance = all.at(-1)!;
    assert.equal(reliance.exchange, "NSE");
    assert.equal(reliance.currency, "INR");
  } finally {
    w.close();
  }
});

Deno.test("freshness() flags a synthetic market stale once a session closes after its last generated bar", async () => {
  const w = await world();
  try {
    const sse = async () =>
      (await w.data.freshness()).find((f) => f.source === "synthetic" && f.scope === "SSE")!;
    const untouched = await sse();
    assert.deepEqual(
      [untouched.last_bar_date, untouched.expected_date, untouched.stale, untouched.symbols, untouched.rows],
      [null, "2026-05-13", false, 0, 0],
      "nothing generated yet is not stale: it is generated on first read",
    );
    await w.data.getBars("AAA.SH", ...MAY);
    await w.data.getBars("BBB.SZ", ...MAY);
    const fresh = await sse();
    const full = getCalendar("SSE").countTradingDays(FAKE_START, "2026-05-13");
    const aaa = (await w.deps.bars.getMeta(w.deps.synthetic.namespace, "AAA.SH"))!.rows;
    assert.ok(aaa < full, "AAA.SH has suspensions");
    assert.deepEqual(
      [fresh.last_bar_date, fresh.stale, fresh.symbols, fresh.rows, fresh.first_bar_date],
      ["2026-05-13", false, 2, full + aaa, "2015-01-05"],
    );
    w.clock.advance(DAY); // 2026-05-15 09:00 CST: the 14th has closed
    const behind = await sse();
    assert.deepEqual([behind.last_bar_date, behind.expected_date, behind.stale], [
      "2026-05-13",
      "2026-05-14",
      true,
    ]);
    await w.data.getBars("BBB.SZ", ...MAY);
    const caughtUp = await sse();
    assert.deepEqual([caughtUp.last_bar_date, caughtUp.stale], ["2026-05-14", false]);
    const scopes = (await w.data.freshness()).filter((f) => f.source === "synthetic").map((f) => f.scope);
    assert.deepEqual(scopes, ["SSE", "NSE", "IDX", "NYSE", "CRYPTO"]);
  } finally {
    w.close();
  }
});

Deno.test("freshness() lists the imports the caller may see and the entries Yahoo recorded", async () => {
  const w = await world(true);
  try {
    await importCsv(w, "alice", "PRIV.SH", 1);
    await importCsv(w, "bob", "PUB.SH", 2, true);
    await w.deps.freshness.put({
      source: "yahoo",
      scope: "BBB.SZ",
      last_bar_date: "2026-05-12",
      expected_date: "2026-05-13",
      stale: true,
      symbols: 1,
      rows: 10,
      first_bar_date: "2026-04-28",
      checked_at: T0,
      error: "Yahoo chart 000002.SZ: HTTP 500",
    });
    const csv = async (owner: string | null) =>
      (await w.data.freshness(owner)).filter((f) => f.source === "csv").map((f) => f.scope);
    assert.deepEqual(await csv("alice"), ["PRIV.SH", "PUB.SH"]);
    assert.deepEqual(await csv("bob"), ["PUB.SH"]);
    assert.deepEqual(await csv(null), ["PUB.SH"]);
    const priv = (await w.data.freshness("alice")).find((f) => f.scope === "PRIV.SH")!;
    assert.deepEqual(
      [priv.first_bar_date, priv.last_bar_date, priv.rows, priv.stale, priv.expected_date],
      ["2026-05-06", "2026-05-08", 3, false, null],
    );
    const yahoo = (await w.data.freshness()).filter((f) => f.source === "yahoo");
    assert.deepEqual(yahoo.map((f) => [f.scope, f.stale]), [["BBB.SZ", true]]);
  } finally {
    w.close();
  }
});

Deno.test("getUniverse() and getFundamentals() read the synthetic market", async () => {
  const w = await world();
  try {
    assert.deepEqual(await w.data.getUniverse("hs300"), ["AAA.SH", "BBB.SZ"]);
    const f = await w.data.getFundamentals("AAA.SH");
    assert.deepEqual(f.map((r) => r.period_end), ["2025-12-31", "2026-03-31"]);
    assert.deepEqual(await w.data.getFundamentals("000300.SH"), []);
    assert.deepEqual(await w.data.getFundamentals("NOPE.SH"), []);
  } finally {
    w.close();
  }
});

Deno.test("marketHealth() reports cached rows and date range from stored metadata without generating", async () => {
  const w = await world();
  try {
    const empty = await marketHealth(w.health);
    assert.equal(empty.ok, true);
    assert.deepEqual([empty.symbols, empty.generated_series, empty.rows, empty.date_range], [4, 0, 0, null]);
    await w.data.getBars("BBB.SZ", ...MAY);
    w.clock.advance(DAY);
    const calls = w.market.calls.length;
    const h = await marketHealth(w.health);
    assert.equal(w.market.calls.length, calls, "health never generates");
    assert.equal(h.rows, getCalendar("SSE").countTradingDays(FAKE_START, "2026-05-13"));
    assert.deepEqual(h.date_range, { start: "2015-01-05", end: "2026-05-13" });
    assert.match(String(h.detail), /behind for SSE/);
    const sse = (h.freshness as { source: string; scope: string; stale: boolean }[])
      .find((f) => f.source === "synthetic" && f.scope === "SSE");
    assert.equal(sse?.stale, true);
  } finally {
    w.close();
  }
});
