import assert from "node:assert/strict";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

/** An SMA 10/30 crossover on the synthetic 000858.SZ, all-in, no costs. */
const tieSpec = (start: string) => ({
  name: "SMA 10/30",
  universe: { tickers: ["000858.SZ"] },
  entry: "crosses_above(sma(close, 10), sma(close, 30))",
  exit: "crosses_below(sma(close, 10), sma(close, 30))",
  sizing: { method: "percent_equity", percent: 100, max_positions: 1 },
  costs: { buy_fee_pct: 0, sell_fee_pct: 0, min_fee: 0, slippage_pct: 0 },
  fill: "next_open",
  capital: 150000,
  start,
  end: "2020-12-31",
  benchmarks: [],
});

Deno.test("An exact SMA tie (both 6.615 on 2020-06-02) is not a cross, whatever the start date", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "quant@example.com");
    for (const start of ["2018-01-01", "2019-01-01"]) {
      const res = await w.request("POST", "/api/v1/backtests/run", {
        json: { spec: tieSpec(start) },
        token: me.access_token,
      });
      assert.equal(res.status, 200);
      const trades: { date: string; action: string; price: number }[] = (await res.json()).trades;
      const june = trades.filter((t) => t.action === "SELL" && t.date.startsWith("2020-06"));
      assert.deepEqual(
        june.map((t) => [t.date, t.price]),
        [["2020-06-04", 6.49]],
        `start ${start}: the exit waits for the real cross on 2020-06-03 and fills at the next open`,
      );
    }
  } finally {
    await w.close();
  }
});

Deno.test("A suspension keeps its sessions in the daily series: 000858.SZ 2015–2016 has 488 rows, not 428", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "quant@example.com");
    const text = await Deno.readTextFile(new URL("../fixtures/market/cn/000858.SZ.csv", import.meta.url));
    const up = await w.request("POST", "/api/v1/data/import?symbol=000858.SZ", {
      body: text,
      token: me.access_token,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(up.status, 200);
    const spec = {
      name: "SMA 5/20",
      universe: { tickers: ["000858.SZ"] },
      entry: "crosses_above(sma(close, 5), sma(close, 20))",
      exit: "crosses_below(sma(close, 5), sma(close, 20))",
      start: "2015-01-01",
      end: "2016-12-31",
    };
    const res = await w.request("POST", "/api/v1/backtests/run", { json: { spec }, token: me.access_token });
    assert.equal(res.status, 200);
    const report = await res.json();
    assert.equal(report.source, "csv");
    const rows: { date: string; portfolioValue: number }[] = report.dailyPortfolio;
    const dates = rows.map((r) => r.date);
    assert.deepEqual(dates, getCalendar("SZSE").tradingDaysBetween("2015-01-05", "2016-12-30"));
    assert.equal(rows.length, 488);
    // The 60 suspended sessions (2015-07-30 .. 2015-10-30) are there, holdings valued at the last close.
    const suspended = rows.filter((r) => r.date >= "2015-07-30" && r.date <= "2015-10-30");
    assert.equal(suspended.length, 60);
    const before = rows[dates.indexOf("2015-07-29")].portfolioValue;
    for (const r of suspended) assert.equal(r.portfolioValue, before, r.date);
    // Annualised over 488 sessions (it read 9.94% over the 428 bar days).
    const s = report.summary;
    assert.equal(s.annualizedReturn, 8.6665);
    const expected = ((s.finalValue / s.initialCapital) ** (252 / 488) - 1) * 100;
    assert.ok(Math.abs(s.annualizedReturn - expected) < 1e-4, `${s.annualizedReturn} vs ${expected}`);
  } finally {
    await w.close();
  }
});

Deno.test("A report's source covers its benchmarks: a private 000300.SH import is named, not hidden", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "quant@example.com");
    const spec = { ...tieSpec("2019-01-01"), benchmarks: ["000300.SH"] };
    const run = async () => {
      const res = await w.request("POST", "/api/v1/backtests/run", {
        json: { spec },
        token: me.access_token,
      });
      assert.equal(res.status, 200);
      return await res.json();
    };
    const publicOnly = await run();
    assert.equal(publicOnly.source, "synthetic");
    assert.deepEqual(publicOnly.conventions.benchmark_sources, { "000300.SH": "synthetic" });
    const text = await Deno.readTextFile(new URL("../fixtures/market/cn/000300.SH.csv", import.meta.url));
    const up = await w.request("POST", "/api/v1/data/import?symbol=000300.SH", {
      body: text,
      token: me.access_token,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(up.status, 200);
    const withImport = await run();
    assert.equal(withImport.source, "csv+synthetic");
    assert.deepEqual(withImport.conventions.benchmark_sources, { "000300.SH": "csv" });
    for (const key of ["day_axis", "order_sizing", "holding_days", "rolling_windows"]) {
      assert.equal(typeof withImport.conventions[key], "string", key);
    }
  } finally {
    await w.close();
  }
});
