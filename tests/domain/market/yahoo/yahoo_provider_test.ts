import assert from "node:assert/strict";
import { fromDayNumber } from "../../../../domain/calendar/dates.ts";
import { fixedClock } from "../../../../domain/clock.ts";
import { exchangeOfSymbol } from "../../../../domain/market/symbol_exchange.ts";
import { createYahooFinanceClient } from "../../../../domain/market/yahoo/yahoo_finance_client.ts";
import { refreshYahooSymbols, YAHOO_NAMESPACE } from "../../../../domain/market/yahoo/yahoo_provider.ts";
import { fromYahooSymbol, toYahooSymbol } from "../../../../domain/market/yahoo/yahoo_symbols.ts";
import { createBarRepo } from "../../../../domain/store/bar_repo.ts";
import { createMarketFreshnessRepo } from "../../../../domain/store/market_freshness_repo.ts";
import { type FixtureSeries, startFakeYahoo } from "../../../_helpers/fake_yahoo.ts";

const bar = (date: string, close: number | null, adj = close) => ({
  date,
  open: close === null ? null : close - 1,
  high: close === null ? null : close + 2,
  low: close === null ? null : close - 2,
  close,
  volume: close === null ? null : 1000,
  adjclose: adj,
});

const FIXTURES: Record<string, FixtureSeries> = {
  "600519.SS": {
    timeZone: "Asia/Shanghai",
    gmtoffset: 28800,
    currency: "CNY",
    sessionOpen: "09:30",
    bars: [
      bar("2024-01-02", 1685.0, 1600.0),
      bar("2024-01-03", 1690.5, 1605.0),
      bar("2024-01-04", null),
      bar("2024-01-05", 1700.0, 1614.5),
    ],
  },
  "BTC-USD": {
    timeZone: "UTC",
    gmtoffset: 0,
    currency: "USD",
    sessionOpen: "00:00",
    bars: [bar("2024-01-01", 42000), bar("2024-01-02", 43000), bar("2024-01-03", 42500)],
  },
  "AAPL": {
    timeZone: "America/New_York",
    gmtoffset: -18000,
    currency: "USD",
    sessionOpen: "09:30",
    bars: [bar("2024-01-02", 185.6), bar("2024-01-03", 184.25)],
  },
};

async function world(nowMs: number) {
  const kv = await Deno.openKv(":memory:");
  const fake = startFakeYahoo(FIXTURES);
  const deps = {
    client: createYahooFinanceClient({ baseUrl: fake.baseUrl, timeoutMs: 1000 }),
    bars: createBarRepo(kv),
    freshness: createMarketFreshnessRepo(kv),
    clock: fixedClock(nowMs),
    exchangeOf: exchangeOfSymbol,
  };
  return { kv, fake, deps, close: async () => (await fake.close(), kv.close()) };
}

Deno.test("toYahooSymbol()/fromYahooSymbol() map Shanghai's suffix and leave others alone", () => {
  assert.equal(toYahooSymbol("600519.SH"), "600519.SS");
  assert.equal(toYahooSymbol("000001.SZ"), "000001.SZ");
  assert.equal(toYahooSymbol("RELIANCE.NS"), "RELIANCE.NS");
  assert.equal(toYahooSymbol("^JKSE"), "^JKSE");
  assert.equal(fromYahooSymbol("000300.SS"), "000300.SH");
});

Deno.test("refreshYahooSymbols() stores bars on local exchange dates through the real yahoo-finance2 library", async () => {
  const w = await world(Date.UTC(2024, 0, 5, 12)); // after the Shanghai close on 2024-01-05
  try {
    const [moutai, btc, aapl] = await refreshYahooSymbols(w.deps, ["600519.SH", "BTC-USD", "AAPL"]);
    assert.equal(moutai.error, null);
    assert.deepEqual(moutai.dropped, ["2024-01-04"], "the null row");
    const bars = await w.deps.bars.getBars(YAHOO_NAMESPACE, "600519.SH", 0, 1e6);
    assert.deepEqual(Array.from(bars!.days, fromDayNumber), ["2024-01-02", "2024-01-03", "2024-01-05"]);
    assert.deepEqual(Array.from(bars!.close), [1685, 1690.5, 1700]);
    assert.equal(bars!.adj_factor[0], 1600 / 1685);
    assert.ok(w.fake.requests.some((r) => r.startsWith("/v8/finance/chart/600519.SS")));
    assert.equal(btc.last_bar_date, "2024-01-03");
    // New York's 2024-01-03 session has not closed at 12:00 UTC on 2024-01-05? It has: both AAPL days are stored.
    assert.equal(aapl.last_bar_date, "2024-01-03");
    const fresh = await w.deps.freshness.list();
    assert.equal(fresh.find((f) => f.scope === "600519.SH")?.stale, false);
  } finally {
    await w.close();
  }
});

Deno.test("refreshYahooSymbols() appends only new days on the next run", async () => {
  const w = await world(Date.UTC(2024, 0, 3, 12));
  try {
    await refreshYahooSymbols(w.deps, ["600519.SH"]);
    assert.equal((await w.deps.bars.getMeta(YAHOO_NAMESPACE, "600519.SH"))?.rows, 2);
    w.deps.clock.set(Date.UTC(2024, 0, 5, 12));
    const [r] = await refreshYahooSymbols(w.deps, ["600519.SH"]);
    assert.equal(r.added, 1);
    const last = w.fake.requests.at(-1)!;
    assert.match(
      last,
      /period1=1704153600/,
      "asks from 2024-01-02: the stored last day 2024-01-03, one day early",
    );
    assert.equal((await w.deps.bars.getMeta(YAHOO_NAMESPACE, "600519.SH"))?.rows, 3);
  } finally {
    await w.close();
  }
});

Deno.test("refreshYahooSymbols() records failures (500, garbage, timeout, refused, unknown) without throwing", async (t) => {
  const w = await world(Date.UTC(2024, 0, 5, 12));
  try {
    for (const mode of ["error500", "garbage", "hang"] as const) {
      await t.step(mode, async () => {
        w.fake.mode = mode;
        const [r] = await refreshYahooSymbols(w.deps, ["600519.SH"]);
        assert.ok(r.error, `${mode} is recorded`);
        const f = (await w.deps.freshness.list()).find((e) => e.scope === "600519.SH");
        assert.equal(f?.error, r.error);
        assert.equal(f?.stale, true);
      });
    }
    w.fake.mode = "ok";
    const [unknown] = await refreshYahooSymbols(w.deps, ["NOPE.NS"]);
    assert.ok(unknown.error);
    const refused = {
      ...w.deps,
      client: createYahooFinanceClient({ baseUrl: "http://127.0.0.1:9", timeoutMs: 500 }),
    };
    const [r] = await refreshYahooSymbols(refused, ["AAPL"]);
    assert.ok(r.error);
  } finally {
    await w.close();
  }
});
