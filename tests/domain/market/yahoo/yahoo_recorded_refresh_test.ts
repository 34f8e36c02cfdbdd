/**
 * `refreshYahooSymbols()` through the real yahoo-finance2 client against recorded-format responses
 * (tests/fixtures/yahoo/), served verbatim on a loopback server: local exchange dates, null rows, unfinished
 * sessions, appending across runs, Yahoo's re-based history after a dividend, and failures in freshness.
 */
import assert from "node:assert/strict";
import { getCalendar } from "../../../../domain/calendar/calendar.ts";
import { fromDayNumber, toDayNumber } from "../../../../domain/calendar/dates.ts";
import { fixedClock } from "../../../../domain/clock.ts";
import type { FreshnessEntry } from "../../../../domain/market/types.ts";
import { createYahooFinanceClient } from "../../../../domain/market/yahoo/yahoo_finance_client.ts";
import {
  quotesToSeries,
  refreshYahooSymbols,
  YAHOO_NAMESPACE,
} from "../../../../domain/market/yahoo/yahoo_provider.ts";
import { yahooExchangeOf } from "../../../../domain/market/yahoo/yahoo_symbols.ts";
import { createBarRepo } from "../../../../domain/store/bar_repo.ts";
import { createMarketFreshnessRepo } from "../../../../domain/store/market_freshness_repo.ts";
import { startFakeYahoo } from "../../../_helpers/fake_yahoo.ts";
import {
  readYahooFixture,
  type RecordedAnswer,
  serveYahooRecordings,
} from "../../../_helpers/yahoo_recordings.ts";

const RECORDINGS: Record<string, RecordedAnswer> = {
  "600519.SS": { file: "600519_ss_2024_01.json" },
  "RELIANCE.NS": { file: "reliance_ns_2024_01.json" },
  "BBCA.JK": { file: "bbca_jk_2024_01.json" },
  "BTC-USD": { file: "btc_usd_2024_01.json" },
  "^GSPC": { file: "gspc_2024_03.json" },
};

/** A fresh KV, the recordings server and refresh deps standing at `nowMs`. */
async function world(nowMs: number, answers: Record<string, RecordedAnswer> = { ...RECORDINGS }) {
  const kv = await Deno.openKv(":memory:");
  const rec = serveYahooRecordings(answers);
  const clock = fixedClock(nowMs);
  const deps = {
    client: createYahooFinanceClient({ baseUrl: rec.baseUrl, timeoutMs: 2000 }),
    bars: createBarRepo(kv),
    freshness: createMarketFreshnessRepo(kv),
    clock,
    exchangeOf: yahooExchangeOf,
  };
  const stored = async (symbol: string) => {
    const s = await deps.bars.getBars(YAHOO_NAMESPACE, symbol, 0, 100_000);
    return s && {
      dates: Array.from(s.days, fromDayNumber),
      close: Array.from(s.close),
      adj: Array.from(s.adj_factor),
      high: Array.from(s.high),
      low: Array.from(s.low),
      volume: Array.from(s.volume),
    };
  };
  const freshness = async (symbol: string): Promise<FreshnessEntry | undefined> =>
    (await deps.freshness.list()).find((f) => f.source === "yahoo" && f.scope === symbol);
  return { rec, clock, deps, stored, freshness, close: async () => (await rec.close(), kv.close()) };
}

Deno.test("quotesToSeries() dates each quote in the exchange's zone, not in UTC", async (t) => {
  const at = Date.UTC(2024, 0, 2, 16, 0); // 2024-01-02 16:00 UTC
  const q = { time: at, open: 10, high: 11, low: 9, close: 10.5, volume: 100, adjclose: 10.5 };
  for (
    const [zone, date] of [
      ["Asia/Shanghai", "2024-01-03"], // 00:00 CST
      ["Asia/Jakarta", "2024-01-02"], // 23:00 WIB
      ["Asia/Kolkata", "2024-01-02"], // 21:30 IST
      ["UTC", "2024-01-02"],
      ["America/New_York", "2024-01-02"], // 11:00 EST
    ]
  ) {
    await t.step(zone, () => {
      const { series } = quotesToSeries("X", [q], zone);
      assert.deepEqual(Array.from(series.days, fromDayNumber), [date]);
    });
  }
});

Deno.test("quotesToSeries() keeps its window, drops incomplete and repeated days, and widens high/low", () => {
  const day = (d: number, h = 1) => Date.UTC(2024, 0, d, h);
  const row = (time: number, close: number | null, over: Record<string, number | null> = {}) => ({
    time,
    open: close,
    high: close,
    low: close,
    close,
    volume: 5,
    adjclose: close,
    ...over,
  });
  const { series, dropped } = quotesToSeries(
    "X",
    [
      row(day(1), 10), // before the window: skipped, not reported
      row(day(2), 11, { high: 10.5, low: 11.5, volume: null, adjclose: null }), // inconsistent high/low
      row(day(3), null),
      row(day(4), 0), // non-positive price
      row(day(5), 12, { adjclose: 9 }),
      row(day(5, 7), 12.5), // the same local day again
      row(day(8), 13), // after the window
    ],
    "Asia/Shanghai",
    { startDay: toDayNumber("2024-01-02"), endDay: toDayNumber("2024-01-05") },
  );
  assert.deepEqual(Array.from(series.days, fromDayNumber), ["2024-01-02", "2024-01-05"]);
  assert.deepEqual(dropped, ["2024-01-03", "2024-01-04", "2024-01-05"]);
  assert.deepEqual(Array.from(series.high), [11, 12]);
  assert.deepEqual(Array.from(series.low), [11, 12]);
  assert.deepEqual(Array.from(series.volume), [0, 5]);
  assert.deepEqual(Array.from(series.adj_factor), [1, 9 / 12]);
  assert.equal(series.source, "yahoo");
});

Deno.test("refreshYahooSymbols() stores each recorded market on its local session dates", async (t) => {
  // symbol, clock (after that market's last recorded close), expected stored dates, closes, adjcloses, dropped
  const cases: [string, number, string[], number[], number[], string[]][] = [
    [
      "600519.SH",
      Date.UTC(2024, 0, 5, 8), // 16:00 CST
      ["2024-01-02", "2024-01-03", "2024-01-05"],
      [1685.010009765625, 1694.0, 1664.800048828125],
      [1640.6300048828125, 1649.3800048828125, 1620.949951171875],
      ["2024-01-04"],
    ],
    [
      "RELIANCE.NS",
      Date.UTC(2024, 0, 3, 12), // 17:30 IST
      ["2024-01-01", "2024-01-02", "2024-01-03"],
      [2596.0, 2606.5, 2587.449951171875],
      [2586.93994140625, 2597.4052734375, 2578.427001953125],
      [],
    ],
    [
      "BBCA.JK",
      Date.UTC(2024, 0, 4, 10), // 17:00 WIB
      ["2024-01-02", "2024-01-04"],
      [9450.0, 9500.0],
      [9195.716796875, 9244.3701171875],
      ["2024-01-03"],
    ],
    [
      "BTC-USD",
      Date.UTC(2024, 0, 4, 0, 15), // the 2024-01-04 row is still open
      ["2024-01-01", "2024-01-02", "2024-01-03"],
      [44167.33203125, 44957.96875, 42848.17578125],
      [44167.33203125, 44957.96875, 42848.17578125],
      [],
    ],
    [
      "^GSPC",
      Date.UTC(2024, 2, 12, 21, 30), // 17:30 EDT, two days after the switch to summer time
      ["2024-03-07", "2024-03-08", "2024-03-11", "2024-03-12"],
      [5157.35986328125, 5123.68994140625, 5117.93994140625, 5175.27001953125],
      [5157.35986328125, 5123.68994140625, 5117.93994140625, 5175.27001953125],
      [],
    ],
  ];
  const w = await world(0);
  try {
    for (const [symbol, now, dates, closes, adjcloses, dropped] of cases) {
      await t.step(symbol, async () => {
        w.clock.set(now);
        const [r] = await refreshYahooSymbols(w.deps, [symbol]);
        assert.equal(r.error, null);
        assert.deepEqual(r.dropped, dropped);
        assert.equal(r.added, dates.length);
        const s = (await w.stored(symbol))!;
        assert.deepEqual(s.dates, dates);
        assert.deepEqual(s.close, closes);
        assert.deepEqual(s.adj, adjcloses.map((a, i) => a / closes[i]));
        for (const d of dates) assert.ok(getCalendar(yahooExchangeOf(symbol)).isTradingDay(d), d);
        const f = (await w.freshness(symbol))!;
        assert.deepEqual(
          [f.last_bar_date, f.expected_date, f.stale, f.rows, f.first_bar_date, f.checked_at, f.error],
          [dates.at(-1), dates.at(-1), false, dates.length, dates[0], now, null],
        );
      });
    }
  } finally {
    await w.close();
  }
});

Deno.test("the recorded session stamps are each market's 09:xx open, across the US DST switch", () => {
  const opens: [string, string, string][] = [
    ["600519_ss_2024_01.json", "Asia/Shanghai", "09:30"],
    ["reliance_ns_2024_01.json", "Asia/Kolkata", "09:15"],
    ["bbca_jk_2024_01.json", "Asia/Jakarta", "09:00"],
    ["gspc_2024_03.json", "America/New_York", "09:30"],
  ];
  for (const [file, zone, open] of opens) {
    const result = JSON.parse(readYahooFixture(file)).chart.result[0];
    assert.equal(result.meta.exchangeTimezoneName, zone);
    const stamps: number[] = result.timestamp;
    // A session still open is stamped with its last trade time instead.
    const complete = stamps.filter((t) => t !== result.meta.regularMarketTime);
    assert.ok(complete.length >= 2, file);
    for (const t of complete) {
      const local = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit" })
        .format(new Date(t * 1000));
      assert.equal(local, open, `${file} ${t}`);
    }
  }
});

Deno.test("refreshYahooSymbols() extends a series across runs without duplicates or unfinished sessions", async () => {
  const w = await world(Date.UTC(2024, 0, 3, 8)); // after the 2024-01-03 close
  try {
    const [first] = await refreshYahooSymbols(w.deps, ["600519.SH"]);
    assert.deepEqual([first.added, first.last_bar_date, first.dropped], [2, "2024-01-03", []]);

    w.clock.set(Date.UTC(2024, 0, 5, 5)); // 13:00 CST on 2024-01-05: that session is still open
    const [second] = await refreshYahooSymbols(w.deps, ["600519.SH"]);
    assert.deepEqual([second.added, second.last_bar_date, second.dropped], [0, "2024-01-03", ["2024-01-04"]]);
    const f = (await w.freshness("600519.SH"))!;
    assert.deepEqual(
      [f.expected_date, f.stale, f.error],
      ["2024-01-04", true, null],
      "Yahoo's 01-04 row is null",
    );
    assert.deepEqual((await w.stored("600519.SH"))!.dates, ["2024-01-02", "2024-01-03"]);

    w.clock.set(Date.UTC(2024, 0, 5, 8)); // after the 2024-01-05 close
    const [third] = await refreshYahooSymbols(w.deps, ["600519.SH"]);
    assert.deepEqual([third.added, third.rebased], [1, false]);
    const s = (await w.stored("600519.SH"))!;
    assert.deepEqual(s.dates, ["2024-01-02", "2024-01-03", "2024-01-05"]);
    assert.deepEqual(s.close, [1685.010009765625, 1694.0, 1664.800048828125]);
    assert.equal(w.rec.requests.length, 3, "one request per run");

    w.clock.set(Date.UTC(2024, 0, 5, 9));
    await refreshYahooSymbols(w.deps, ["600519.SH"]);
    assert.equal(w.rec.requests.length, 3, "nothing to ask for once the last session is stored");
    assert.equal((await w.freshness("600519.SH"))!.checked_at, Date.UTC(2024, 0, 5, 9));
  } finally {
    await w.close();
  }
});

Deno.test("refreshYahooSymbols() replaces the series when Yahoo re-based its history after a dividend", async () => {
  const w = await world(Date.UTC(2024, 0, 3, 8));
  try {
    await refreshYahooSymbols(w.deps, ["600519.SH"]);
    // A 2% dividend going ex on 2024-01-05: Yahoo scales every earlier adjusted close by 0.98.
    const body = JSON.parse(readYahooFixture("600519_ss_2024_01.json"));
    const adj: (number | null)[] = body.chart.result[0].indicators.adjclose[0].adjclose;
    body.chart.result[0].indicators.adjclose[0].adjclose = adj.map((
      a,
      i,
    ) => (a !== null && i < 3 ? a * 0.98 : a));
    w.rec.answers["600519.SS"] = { body: JSON.stringify(body) };
    w.clock.set(Date.UTC(2024, 0, 5, 8));
    const [r] = await refreshYahooSymbols(w.deps, ["600519.SH"]);
    assert.deepEqual([r.error, r.rebased, r.added], [null, true, 1]);
    const s = (await w.stored("600519.SH"))!;
    assert.deepEqual(s.dates, ["2024-01-02", "2024-01-03", "2024-01-05"]);
    assert.deepEqual(s.adj, [
      (1640.6300048828125 * 0.98) / 1685.010009765625,
      (1649.3800048828125 * 0.98) / 1694.0,
      1620.949951171875 / 1664.800048828125,
    ]);
    const asked = w.rec.requests.slice(1).map((u) => u.searchParams.get("period1"));
    assert.deepEqual(asked, [
      String(Date.UTC(2024, 0, 2) / 1000), // from the stored last day 01-03, one day early
      String(Date.UTC(2024, 0, 1) / 1000), // the whole series again: from its first day 01-02, one day early
    ]);
  } finally {
    await w.close();
  }
});

Deno.test("refreshYahooSymbols() keeps the stored series when the re-fetch after a revision comes back empty", async () => {
  const w = await world(Date.UTC(2024, 0, 3, 8));
  try {
    await refreshYahooSymbols(w.deps, ["600519.SH"]);
    const body = JSON.parse(readYahooFixture("600519_ss_2024_01.json"));
    body.chart.result[0].indicators.quote[0].close[1] = 1690.0; // Yahoo revised 2024-01-03
    w.rec.answers["600519.SS"] = { body: JSON.stringify(body), then: { file: "600519_ss_empty.json" } };
    w.clock.set(Date.UTC(2024, 0, 5, 8));
    const [r] = await refreshYahooSymbols(w.deps, ["600519.SH"]);
    assert.equal(r.error, "Yahoo chart 600519.SS: re-fetch returned no bars");
    assert.equal(r.last_bar_date, "2024-01-03");
    assert.deepEqual((await w.stored("600519.SH"))!.close, [1685.010009765625, 1694.0], "nothing replaced");
    assert.equal((await w.freshness("600519.SH"))!.error, r.error);
  } finally {
    await w.close();
  }
});

Deno.test("refreshYahooSymbols() keeps a bar stamped at local midnight, on the previous UTC date", async () => {
  // Not Yahoo's usual stamp for IDX (09:00 WIB), but some exchanges' daily bars are stamped 00:00 local.
  const bar = (date: string, close: number) => ({
    date,
    open: close,
    high: close + 10,
    low: close - 10,
    close,
    volume: 1000,
    adjclose: close,
  });
  const fake = startFakeYahoo({
    "BBCA.JK": {
      timeZone: "Asia/Jakarta",
      gmtoffset: 25200,
      currency: "IDR",
      sessionOpen: "00:00",
      bars: [bar("2024-01-02", 9450), bar("2024-01-03", 9475), bar("2024-01-04", 9500)],
    },
  });
  const kv = await Deno.openKv(":memory:");
  try {
    const clock = fixedClock(Date.UTC(2024, 0, 3, 10));
    const deps = {
      client: createYahooFinanceClient({ baseUrl: fake.baseUrl, timeoutMs: 2000 }),
      bars: createBarRepo(kv),
      freshness: createMarketFreshnessRepo(kv),
      clock,
      exchangeOf: yahooExchangeOf,
    };
    await refreshYahooSymbols(deps, ["BBCA.JK"]);
    clock.set(Date.UTC(2024, 0, 4, 10));
    const [r] = await refreshYahooSymbols(deps, ["BBCA.JK"]);
    assert.deepEqual(
      [r.added, r.last_bar_date],
      [1, "2024-01-04"],
      "2024-01-04 00:00 WIB is 2024-01-03 17:00 UTC",
    );
    const s = (await deps.bars.getBars(YAHOO_NAMESPACE, "BBCA.JK", 0, 100_000))!;
    assert.deepEqual(Array.from(s.days, fromDayNumber), ["2024-01-02", "2024-01-03", "2024-01-04"]);
    assert.deepEqual(Array.from(s.close), [9450, 9475, 9500]);
  } finally {
    await fake.close();
    kv.close();
  }
});

Deno.test("refreshYahooSymbols() records one symbol's failure, keeps its bars and goes on to the next", async () => {
  const w = await world(Date.UTC(2024, 0, 3, 8));
  try {
    await refreshYahooSymbols(w.deps, ["600519.SH"]);
    w.rec.answers["600519.SS"] = { status: 503, body: "Service Unavailable", contentType: "text/plain" };
    w.clock.set(Date.UTC(2024, 0, 5, 8));
    const results = await refreshYahooSymbols(w.deps, ["600519.SH", "NOPE.NS", "RELIANCE.NS"]);
    assert.deepEqual(results.map((r) => r.error), [
      "Yahoo chart 600519.SS: HTTP 503: Service Unavailable",
      "Yahoo chart NOPE.NS: HTTP 404: No data found, symbol may be delisted",
      null,
    ]);
    const failed = (await w.freshness("600519.SH"))!;
    assert.deepEqual(
      [failed.last_bar_date, failed.expected_date, failed.stale, failed.rows, failed.error],
      ["2024-01-03", "2024-01-05", true, 2, results[0].error],
    );
    const unknown = (await w.freshness("NOPE.NS"))!;
    assert.deepEqual([unknown.last_bar_date, unknown.rows, unknown.stale], [null, null, true]);
    assert.deepEqual(
      (await w.stored("600519.SH"))!.dates,
      ["2024-01-02", "2024-01-03"],
      "stored bars untouched",
    );
    assert.equal((await w.stored("RELIANCE.NS"))!.dates.length, 3);

    w.rec.answers["600519.SS"] = { file: "600519_ss_2024_01.json" };
    const [again] = await refreshYahooSymbols(w.deps, ["600519.SH"]);
    assert.deepEqual([again.error, again.added], [null, 1]);
    assert.equal((await w.freshness("600519.SH"))!.error, null, "the error clears once a refresh succeeds");
  } finally {
    await w.close();
  }
});
