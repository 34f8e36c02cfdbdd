/**
 * The real `yahoo-finance2` library driven against recorded-format chart responses on a loopback server
 * (tests/fixtures/yahoo/: hand-written in the structure Yahoo's v8 chart API returns).
 */
import assert from "node:assert/strict";
import { ServiceUnavailableError } from "../../../../domain/errors.ts";
import { YahooFetchError } from "../../../../domain/market/yahoo/yahoo_client.ts";
import { createYahooFinanceClient } from "../../../../domain/market/yahoo/yahoo_finance_client.ts";
import { closedPort, serveYahooRecordings } from "../../../_helpers/yahoo_recordings.ts";

Deno.test("dailyQuotes() returns every recorded row with its instant, nulls kept, through yahoo-finance2", async () => {
  const rec = serveYahooRecordings({ "600519.SS": { file: "600519_ss_2024_01.json" } });
  try {
    const client = createYahooFinanceClient({ baseUrl: rec.baseUrl, timeoutMs: 2000 });
    const quotes = await client.dailyQuotes("600519.SS", "2024-01-01", "2024-01-05");
    assert.deepEqual(quotes, [
      {
        time: Date.UTC(2024, 0, 2, 1, 30), // 09:30 CST
        open: 1715.0,
        high: 1718.18994140625,
        low: 1678.0999755859375,
        close: 1685.010009765625,
        volume: 3215644,
        adjclose: 1640.6300048828125,
      },
      {
        time: Date.UTC(2024, 0, 3, 1, 30),
        open: 1681.1099853515625,
        high: 1695.219970703125,
        low: 1676.3299560546875,
        close: 1694.0,
        volume: 2022929,
        adjclose: 1649.3800048828125,
      },
      {
        time: Date.UTC(2024, 0, 4, 1, 30),
        open: null,
        high: null,
        low: null,
        close: null,
        volume: null,
        adjclose: null,
      },
      {
        time: Date.UTC(2024, 0, 5, 5, 0), // the live session: stamped with the last trade time
        open: 1661.3299560546875,
        high: 1678.6600341796875,
        low: 1652.1099853515625,
        close: 1664.800048828125,
        volume: 1843120,
        adjclose: 1620.949951171875,
      },
    ]);
  } finally {
    await rec.close();
  }
});

Deno.test("dailyQuotes() asks the chart API for daily bars from start 00:00 UTC to the day after end, no crumb", async () => {
  const rec = serveYahooRecordings({ "^GSPC": { file: "gspc_2024_03.json" } });
  try {
    const client = createYahooFinanceClient({ baseUrl: `${rec.baseUrl}/`, timeoutMs: 2000 });
    await client.dailyQuotes("^GSPC", "2024-03-07", "2024-03-12");
    assert.equal(rec.requests.length, 1, "one request: chart() needs no cookie or crumb");
    const url = rec.requests[0];
    assert.equal(decodeURIComponent(url.pathname), "/v8/finance/chart/^GSPC");
    assert.equal(url.searchParams.get("interval"), "1d");
    assert.equal(url.searchParams.get("period1"), String(Date.UTC(2024, 2, 7) / 1000));
    assert.equal(url.searchParams.get("period2"), String(Date.UTC(2024, 2, 13) / 1000));
  } finally {
    await rec.close();
  }
});

Deno.test("dailyQuotes() returns no rows for a recorded empty range (Spring Festival week)", async () => {
  const rec = serveYahooRecordings({ "600519.SS": { file: "600519_ss_empty.json" } });
  try {
    const client = createYahooFinanceClient({ baseUrl: rec.baseUrl, timeoutMs: 2000 });
    assert.deepEqual(await client.dailyQuotes("600519.SS", "2024-02-10", "2024-02-18"), []);
  } finally {
    await rec.close();
  }
});

Deno.test("dailyQuotes() turns Yahoo's 404 body into a YahooFetchError carrying its description", async () => {
  const rec = serveYahooRecordings({});
  try {
    const client = createYahooFinanceClient({ baseUrl: rec.baseUrl, timeoutMs: 2000 });
    const err = await client.dailyQuotes("NOPE.NS", "2024-01-01", "2024-01-05").then(
      () => assert.fail("expected a rejection"),
      (e) => e,
    );
    assert.ok(err instanceof YahooFetchError);
    assert.ok(err instanceof ServiceUnavailableError, "a 503 if it ever reached a route");
    assert.equal(err.name, "YahooFetchError");
    assert.equal(err.message, "Yahoo chart NOPE.NS: HTTP 404: No data found, symbol may be delisted");
  } finally {
    await rec.close();
  }
});

Deno.test("dailyQuotes() rejects every kind of failure with a YahooFetchError, quietly and only on loopback", async (t) => {
  const rec = serveYahooRecordings({});
  const outside: string[] = [];
  const printed: unknown[][] = [];
  const realFetch = globalThis.fetch;
  const realConsole = { log: console.log, warn: console.warn, error: console.error, info: console.info };
  globalThis.fetch = ((input: string | URL | Request, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    if (!url.startsWith("http://127.0.0.1:")) outside.push(url);
    return realFetch(input, init);
  }) as typeof fetch;
  for (const k of ["log", "warn", "error", "info"] as const) {
    console[k] = (...args: unknown[]) => printed.push(args);
  }
  const timeoutMs = 250;
  const client = createYahooFinanceClient({ baseUrl: rec.baseUrl, timeoutMs });
  const cases: [string, () => Promise<unknown>, RegExp][] = [
    ["HTTP 500 with a text body", () => {
      rec.answers["X.NS"] = { status: 500, body: "upstream error", contentType: "text/plain" };
      return client.dailyQuotes("X.NS", "2024-01-01", "2024-01-05");
    }, /^Yahoo chart X\.NS: HTTP 500: upstream error$/],
    ["HTTP 200 with garbage", () => {
      rec.answers["X.NS"] = { body: '{"chart": {"result": [', contentType: "text/html" };
      return client.dailyQuotes("X.NS", "2024-01-01", "2024-01-05");
    }, /not parsable/],
    ["HTTP 200 JSON of another shape", () => {
      rec.answers["X.NS"] = { body: JSON.stringify({ chart: { result: [{ meta: {} }], error: null } }) };
      return client.dailyQuotes("X.NS", "2024-01-01", "2024-01-05");
    }, /^Yahoo chart X\.NS: /],
    ["HTTP 200 chart JSON failing the library's schema", () => {
      const quote = { open: [1], high: [1], low: [1], close: [1], volume: [1] };
      const body = {
        chart: {
          result: [{ meta: { currency: 5 }, timestamp: [1704159000], indicators: { quote: [quote] } }],
        },
      };
      rec.answers["X.NS"] = { body: JSON.stringify(body) };
      return client.dailyQuotes("X.NS", "2024-01-01", "2024-01-05");
    }, /Failed Yahoo Schema validation/],
    ["a server slower than the timeout", () => {
      rec.answers["X.NS"] = { file: "reliance_ns_2024_01.json", delayMs: 5000 };
      return client.dailyQuotes("X.NS", "2024-01-01", "2024-01-05");
    }, /aborted due to timeout/],
    ["connection refused", () => {
      const refused = createYahooFinanceClient({ baseUrl: `http://127.0.0.1:${closedPort()}`, timeoutMs });
      return refused.dailyQuotes("X.NS", "2024-01-01", "2024-01-05");
    }, /^Yahoo chart X\.NS: /],
  ];
  try {
    for (const [name, call, message] of cases) {
      await t.step(name, async () => {
        const started = performance.now();
        await assert.rejects(call(), (e: unknown) => {
          assert.ok(e instanceof YahooFetchError, `${name}: ${e}`);
          assert.match(e.message, message);
          return true;
        });
        assert.ok(performance.now() - started < timeoutMs + 1500, `${name} fails within the timeout`);
      });
    }
    // The library's version check (on a schema mismatch) would have fetched registry.npmjs.org by itself.
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(outside, [], "no request leaves the loopback");
    assert.deepEqual(printed, [], "nothing printed to the console");
  } finally {
    globalThis.fetch = realFetch;
    Object.assign(console, realConsole);
    await rec.close();
  }
});
