import assert from "node:assert/strict";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { toDayNumber } from "../../../domain/calendar/dates.ts";
import { fixedClock } from "../../../domain/clock.ts";
import { BadRequestError } from "../../../domain/errors.ts";
import { loadMarketPanel } from "../../../domain/factors/market_panel.ts";
import { createBarCache } from "../../../domain/market/bar_cache.ts";
import { createMarketData } from "../../../domain/market/market_service.ts";
import { createSyntheticProvider } from "../../../domain/market/synthetic_provider.ts";
import type { BarSeries, MarketData, SymbolInfo } from "../../../domain/market/types.ts";
import { emptySeries } from "../../../domain/store/bar_codec.ts";
import { createBarRepo } from "../../../domain/store/bar_repo.ts";
import { createImportedSymbolRepo } from "../../../domain/store/imported_symbol_repo.ts";
import { createMarketFreshnessRepo } from "../../../domain/store/market_freshness_repo.ts";
import { createSyntheticCacheRepo } from "../../../domain/store/synthetic_cache_repo.ts";
import {
  createFakeSyntheticMarket,
  FAKE_START,
  isFakeSuspension,
} from "../../_helpers/fake_synthetic_market.ts";

const SSE = getCalendar("SSE");

const info = (symbol: string, kind: SymbolInfo["kind"], sector: string | null): SymbolInfo => ({
  symbol,
  name: symbol,
  exchange: "SSE",
  currency: "CNY",
  kind,
  sector,
  market_cap_class: null,
  lot_size: 100,
  price_limit: 0.1,
  syariah: null,
  universes: ["hs300"],
  source: "synthetic",
});

/** Bars on every SSE day from 2024-01-02 through `LAST`, except the skipped ones; a dividend on `EX`. */
const LAST = "2024-03-29";
const EX = "2024-02-20";
const DAYS = SSE.tradingDaysBetween("2024-01-02", LAST);
const SUSPENDED = new Set(["2024-01-10", "2024-01-11", "2024-03-01"]);
const GROWTH = 1.02, DIVIDEND = 0.05;

function hand(symbol: string): BarSeries {
  const days = DAYS.filter((d) => !(symbol === "B.SH" && SUSPENDED.has(d)));
  const s = emptySeries(symbol, "synthetic", days.length);
  let close = 10, adj = symbol === "A.SH" ? 1.25 : 1;
  days.forEach((d, i) => {
    if (i > 0) {
      // On the ex-date the raw close drops by the dividend and the adjustment factor steps up to make up for it:
      // the total return that day is GROWTH.
      const dividend = symbol === "A.SH" && d === EX ? DIVIDEND : 0;
      close = close * GROWTH * (1 - dividend);
      adj = adj / (1 - dividend);
    }
    s.days[i] = toDayNumber(d);
    s.open[i] = close - 0.1;
    s.high[i] = close + 0.3;
    s.low[i] = close - 0.2;
    s.close[i] = close;
    s.volume[i] = 1000 + i;
    s.adj_factor[i] = adj;
  });
  return s;
}

/** A hand-made market: three stocks and an index in hs300 (out of order), with a log of the calls. */
function handMarket() {
  const symbols = [
    info("B.SH", "stock", "Energy"),
    info("A.SH", "stock", "Financials"),
    info("I.SH", "index", null),
    info("C.SH", "stock", null),
  ];
  const calls: string[] = [];
  const series = new Map(["A.SH", "B.SH", "C.SH", "I.SH"].map((s) => [s, hand(s)]));
  const market: MarketData = {
    listSymbols(filter) {
      calls.push(`listSymbols:${filter?.universe}`);
      return Promise.resolve(
        symbols.filter((s) => !filter?.universe || s.universes.includes(filter.universe)),
      );
    },
    getSymbol(symbol) {
      calls.push(`getSymbol:${symbol}`);
      return Promise.resolve(symbols.find((s) => s.symbol === symbol) ?? null);
    },
    getBars(symbol, start, end) {
      calls.push(`getBars:${symbol}:${start}:${end}`);
      const s = series.get(symbol);
      if (!s) return Promise.resolve(null);
      const lo = toDayNumber(start), hi = toDayNumber(end);
      const keep = Array.from(s.days.keys()).filter((i) => s.days[i] >= lo && s.days[i] <= hi);
      const out = emptySeries(symbol, "synthetic", keep.length);
      for (const col of ["days", "open", "high", "low", "close", "volume", "adj_factor"] as const) {
        keep.forEach((i, k) => (out[col][k] = s[col][i]));
      }
      return Promise.resolve(out);
    },
    getUniverse: () => Promise.resolve(["B.SH", "I.SH", "A.SH", "C.SH"]),
    getFundamentals: () => Promise.resolve([]),
    freshness: () => Promise.resolve([]),
    dataVersion: () => Promise.resolve("v"),
  };
  return { market, calls, series };
}

const at = (p: { dates: string[]; symbols: string[] }, date: string, symbol: string) =>
  p.dates.indexOf(date) * p.symbols.length + p.symbols.indexOf(symbol);

Deno.test("market panel: shapes, symbols sorted (stocks only), sectors, one listing call", async () => {
  const { market, calls } = handMarket();
  const p = await loadMarketPanel(market, "hs300", {
    start: "2024-01-15",
    end: "2024-02-29",
    before: 5,
    after: 3,
  });
  assert.deepEqual(p.symbols, ["A.SH", "B.SH", "C.SH"]);
  assert.deepEqual(p.sectors, ["Financials", "Energy", null]);
  const core = SSE.tradingDaysBetween("2024-01-15", "2024-02-29");
  assert.equal(p.dates.length, core.length + 8);
  assert.equal(p.dates[5], "2024-01-15");
  assert.equal(p.dates[4], SSE.previousTradingDay("2024-01-15"));
  assert.equal(p.dates[0], SSE.tradingDayOffset("2024-01-15", -5));
  assert.equal(p.dates.at(-4), "2024-02-29");
  assert.equal(p.dates.at(-1), SSE.tradingDayOffset("2024-02-29", 3));
  for (const col of [p.open, p.high, p.low, p.close, p.volume, p.vwap]) {
    assert.equal(col.length, p.dates.length * 3);
  }
  assert.equal(calls.filter((c) => c.startsWith("listSymbols")).length, 1);
  assert.equal(calls.filter((c) => c.startsWith("getSymbol")).length, 0);
  // Bars are read once per stock, for the whole span; the index is never read.
  assert.deepEqual(
    calls.filter((c) => c.startsWith("getBars")).sort(),
    ["A.SH", "B.SH", "C.SH"].map((s) => `getBars:${s}:${p.dates[0]}:${p.dates.at(-1)}`),
  );
});

Deno.test("market panel: prices adjusted (the ex-date's adjusted close return is the total return), raw volume, vwap", async () => {
  const { market, series } = handMarket();
  const p = await loadMarketPanel(market, "hs300", { start: "2024-02-01", end: "2024-02-29" });
  const prev = SSE.previousTradingDay(EX);
  const ret = (s: string, d: string) => p.close[at(p, d, s)] / p.close[at(p, prev, s)];
  assert.ok(Math.abs(ret("A.SH", EX) - GROWTH) < 1e-12, `A.SH ex-date return ${ret("A.SH", EX)}`);
  assert.ok(Math.abs(ret("C.SH", EX) - GROWTH) < 1e-12);
  // The raw close fell: the adjustment is what restores the return.
  const raw = series.get("A.SH")!;
  const i = raw.days.indexOf(toDayNumber(EX));
  assert.ok(raw.close[i] / raw.close[i - 1] < 1);
  const k = at(p, EX, "A.SH");
  const adj = raw.adj_factor[i];
  assert.equal(p.open[k], raw.open[i] * adj);
  assert.equal(p.high[k], raw.high[i] * adj);
  assert.equal(p.low[k], raw.low[i] * adj);
  assert.equal(p.close[k], raw.close[i] * adj);
  assert.equal(p.volume[k], raw.volume[i]);
  assert.equal(p.vwap[k], (raw.high[i] * adj + raw.low[i] * adj + raw.close[i] * adj) / 3);
});

Deno.test("market panel: NaN on suspension days in every column; dates stop at the last bar", async () => {
  const { market } = handMarket();
  const p = await loadMarketPanel(market, "hs300", { start: "2024-01-02", end: "2024-06-28", after: 10 });
  assert.equal(p.dates[0], "2024-01-02");
  assert.equal(p.dates.at(-1), LAST);
  assert.deepEqual(p.dates, DAYS);
  for (const d of SUSPENDED) {
    const k = at(p, d, "B.SH");
    for (const col of [p.open, p.high, p.low, p.close, p.volume, p.vwap]) assert.ok(Number.isNaN(col[k]), d);
    assert.ok(Number.isFinite(p.close[at(p, d, "A.SH")]));
  }
  const missing = p.close.filter(Number.isNaN).length;
  assert.equal(missing, SUSPENDED.size);
});

Deno.test("market panel: spans are validated and bounded", async () => {
  const { market } = handMarket();
  const bad = [
    { start: "2024-02-01", end: "2024-01-01" },
    { start: "2024-1-01", end: "2024-02-01" },
    { start: "2024-02-30", end: "2024-03-01" },
    { start: "2024-01-01", end: "2024-02-01", before: -1 },
    { start: "2024-01-01", end: "2024-02-01", after: 1.5 },
    { start: "2000-01-01", end: "2015-01-01" },
    { start: "2020-01-01", end: "2024-01-01", before: 2500 },
  ];
  for (const span of bad) {
    await assert.rejects(() => loadMarketPanel(market, "hs300", span), BadRequestError, JSON.stringify(span));
  }
  await assert.rejects(
    () => loadMarketPanel(market, "hs300", { start: "2000-01-01", end: "2015-01-01" }),
    /at most 3000 trading days/,
  );
  // Just over the bound (counted), and a huge span refused without counting 300 years of holidays.
  const from = "2010-01-04", to = SSE.tradingDayOffset(from, 2999);
  await loadMarketPanel(market, "hs300", { start: from, end: to });
  await assert.rejects(() => loadMarketPanel(market, "hs300", { start: from, end: to, after: 1 }), /is 3001/);
  await assert.rejects(
    () => loadMarketPanel(market, "hs300", { start: from, end: to, before: 1 }),
    /is 3001/,
  );
  const t = performance.now();
  await assert.rejects(
    () => loadMarketPanel(market, "hs300", { start: "1900-01-01", end: "2199-12-31" }),
    /at most 3000 trading days/,
  );
  await assert.rejects(
    () =>
      loadMarketPanel(market, "hs300", { start: "2020-01-01", end: "2020-01-02", before: 2000, after: 1001 }),
    /at most 3000 trading days/,
  );
  assert.ok(performance.now() - t < 100);
  // A span with no bars at all: the dates stop before the span (no rows), nothing fails.
  const empty = await loadMarketPanel(market, "hs300", { start: "2030-01-02", end: "2030-01-31" });
  assert.deepEqual(empty.dates, []);
  assert.equal(empty.close.length, 0);
});

Deno.test("market panel: through the market service on the synthetic fake (suspensions, raw × adj)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const market = createFakeSyntheticMarket();
    const clock = fixedClock(Date.UTC(2026, 4, 14, 1));
    const bars = createBarRepo(kv), marks = createSyntheticCacheRepo(kv);
    const synthetic = createSyntheticProvider({ market, bars, marks, cache: createBarCache(1 << 20), clock });
    const data = createMarketData({
      market,
      synthetic,
      bars,
      imports: createImportedSymbolRepo(kv),
      marks,
      freshness: createMarketFreshnessRepo(kv),
      yahooEnabled: false,
      clock,
    });
    const p = await loadMarketPanel(data, "hs300", {
      start: "2026-01-05",
      end: "2026-06-30",
      before: 20,
      after: 5,
    });
    assert.deepEqual(p.symbols, ["AAA.SH", "BBB.SZ"]);
    assert.equal(p.dates.at(-1), "2026-05-13", "stops at the last completed day");
    assert.equal(p.dates[20], "2026-01-05");
    const all = SSE.tradingDaysBetween(FAKE_START, "2026-05-13");
    for (const [r, d] of p.dates.entries()) {
      const suspended = isFakeSuspension("AAA.SH", all.indexOf(d));
      assert.equal(Number.isNaN(p.close[r * 2]), suspended, d);
      assert.ok(Number.isFinite(p.close[r * 2 + 1]));
    }
    const raw = await data.getBars("BBB.SZ", "2026-03-02", "2026-03-02");
    const k = p.dates.indexOf("2026-03-02") * 2 + 1;
    assert.equal(p.close[k], raw!.close[0] * raw!.adj_factor[0]);
    assert.equal(p.volume[k], raw!.volume[0]);
  } finally {
    kv.close();
  }
});
