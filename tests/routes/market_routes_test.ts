import assert from "node:assert/strict";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { fromDayNumber, toDayNumber } from "../../domain/calendar/dates.ts";
import { createSyntheticMarket } from "../../domain/market/synthetic/generator.ts";
import { startFakeYahoo } from "../_helpers/fake_yahoo.ts";
import { openTestWorld, signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

// T0 (2026-05-14 09:00 CST) — the latest completed SSE trading day is 2026-05-13.

Deno.test("GET /data/bars/600519.SH serves 2024 synthetic bars on exactly the SSE trading days it was not suspended", async () => {
  const w = await openTestWorld();
  try {
    const res = await w.request("GET", "/api/v1/data/bars/600519.SH?start=2024-01-01&end=2024-12-31");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json();
    assert.deepEqual(
      [body.symbol, body.source, body.exchange, body.currency, body.start, body.end],
      ["600519.SH", "synthetic", "SSE", "CNY", "2024-01-01", "2024-12-31"],
    );
    // The calendar is the independent truth; the generator decides only which of its days were suspensions.
    const sse = getCalendar("SSE").tradingDaysBetween("2024-01-01", "2024-12-31");
    assert.equal(sse.length, 242, "SSE traded 242 days in 2024");
    const generated = createSyntheticMarket({ seed: 42 }).bars("600519.SH", "2024-12-31");
    const present = new Set(Array.from(generated.days, fromDayNumber));
    const suspended = sse.filter((d) => !present.has(d));
    assert.ok(suspended.length < 10, `occasional suspensions only (${suspended.length})`);
    const dates = body.bars.map((b: { date: string }) => b.date);
    assert.deepEqual(dates, sse.filter((d) => present.has(d)));
    assert.equal(body.count, dates.length);
    const first = Array.from(generated.days).indexOf(toDayNumber(dates[0]));
    body.bars.forEach((bar: Record<string, number>, i: number) => {
      assert.deepEqual(
        [bar.open, bar.high, bar.low, bar.close, bar.volume, bar.adj_factor],
        [
          generated.open[first + i],
          generated.high[first + i],
          generated.low[first + i],
          generated.close[first + i],
          generated.volume[first + i],
          generated.adj_factor[first + i],
        ],
      );
      assert.ok(bar.low <= Math.min(bar.open, bar.close) && bar.high >= Math.max(bar.open, bar.close));
    });
  } finally {
    await w.close();
  }
});

Deno.test("synthetic history extends as the clock passes trading days, leaving earlier bars unchanged", async () => {
  const w = await openTestWorld();
  try {
    const url = "/api/v1/data/bars/000001.SZ?start=2026-04-01&end=2026-06-30";
    const before = await (await w.request("GET", url)).json();
    assert.equal(before.bars.at(-1).date <= "2026-05-13", true);
    w.clock.advance(7 * 86_400_000); // 2026-05-21 09:00 CST
    const after = await (await w.request("GET", url)).json();
    assert.ok(after.count > before.count);
    assert.equal(after.bars.at(-1).date <= "2026-05-20", true);
    assert.deepEqual(after.bars.slice(0, before.count), before.bars);
  } finally {
    await w.close();
  }
});

Deno.test("GET /data/symbols filters by universe, exchange and text", async () => {
  const w = await openTestWorld();
  try {
    const hs300 = await (await w.request("GET", "/api/v1/data/symbols?universe=hs300&limit=5000")).json();
    assert.equal(hs300.total, 300);
    assert.ok(hs300.items.every((s: { source: string }) => s.source === "synthetic"));
    const idx = await (await w.request("GET", "/api/v1/data/symbols?exchange=idx")).json();
    assert.ok(
      idx.items.some((s: { symbol: string; syariah: boolean }) =>
        s.symbol === "BBCA.JK" && s.syariah === false
      ),
    );
    const q = await (await w.request("GET", "/api/v1/data/symbols?q=moutai")).json();
    assert.deepEqual(q.items.map((s: { symbol: string }) => s.symbol), ["600519.SH"]);
  } finally {
    await w.close();
  }
});

Deno.test("GET /data/bars answers 404 for unknown symbols and 422 for bad ranges", async () => {
  const w = await openTestWorld();
  try {
    assert.equal((await w.request("GET", "/api/v1/data/bars/NOPE.XX")).status, 404);
    const bad = await w.request("GET", "/api/v1/data/bars/600519.SH?start=2024-05-01&end=2024-01-01");
    assert.equal(bad.status, 422);
    assert.equal((await bad.json()).detail[0].loc[0], "query");
    assert.equal((await w.request("GET", "/api/v1/data/bars/600519.SH?start=2024-02-30")).status, 422);
    assert.equal(
      (await w.request("GET", "/api/v1/data/bars/600519.SH?start=1990-01-01&end=2024-01-01")).status,
      422,
    );
  } finally {
    await w.close();
  }
});

/** Alice's import of the 600036.SH fixture as MYBANK.SH, with its answer and the file's text. */
async function aliceImportsMyBank(w: TestWorld) {
  const text = await Deno.readTextFile(new URL("../fixtures/market/cn/600036.SH.csv", import.meta.url));
  const alice = await signInWithOtp(w, "alice@example.com");
  const bob = await signInWithOtp(w, "bob@example.com", "10.0.0.2");
  const res = await w.request("POST", "/api/v1/data/import?symbol=MYBANK.SH", {
    body: text,
    token: alice.access_token,
    headers: { "content-type": "text/csv" },
  });
  return { text, alice: alice.access_token, bob: bob.access_token, res };
}

Deno.test("a 10-year CSV import reads back with identical numbers", async () => {
  const w = await openTestWorld();
  try {
    const { text, alice, res } = await aliceImportsMyBank(w);
    assert.equal(res.status, 200);
    const summary = await res.json();
    assert.equal(summary.rows, 3972);
    assert.equal(summary.exchange, "SSE");
    // Independent parse of the file in the test: the stock files are date,open,high,low,close,volume,amount.
    const rows = text.replace(/^\uFEFF/, "").trim().split(/\r?\n/).slice(1).map((l) => l.split(","))
      .filter((r) => r[0] >= "2015-01-01" && r[0] <= "2024-12-31");
    const got = await (await w.request("GET", "/api/v1/data/bars/MYBANK.SH?start=2015-01-01&end=2024-12-31", {
      token: alice,
    })).json();
    assert.equal(got.source, "csv");
    assert.equal(got.count, rows.length);
    got.bars.forEach((b: Record<string, number | string>, i: number) => {
      const r = rows[i];
      assert.deepEqual([b.date, b.open, b.high, b.low, b.close, b.volume], [
        r[0],
        Number(r[1]),
        Number(r[2]),
        Number(r[3]),
        Number(r[4]),
        Number(r[5]),
      ]);
    });
  } finally {
    await w.close();
  }
});

Deno.test("an import is private: another user can neither read nor delete it", async () => {
  const w = await openTestWorld();
  try {
    const { bob } = await aliceImportsMyBank(w);
    const asBob = await w.request("GET", "/api/v1/data/bars/MYBANK.SH", { token: bob });
    assert.equal(asBob.status, 404, "imports are private to the importer");
    assert.equal(
      (await w.request("DELETE", "/api/v1/data/imports/MYBANK.SH", { token: bob })).status,
      404,
    );
  } finally {
    await w.close();
  }
});

const GOOD_CSV =
  "Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,11,10,10.8,100\n";

/** Carol imports GOOD_CSV as XYZ on NSE through a multipart form. */
async function carolImportsXyz(w: TestWorld) {
  const me = await signInWithOtp(w, "carol@example.com");
  const form = new FormData();
  form.append("file", new Blob([GOOD_CSV], { type: "text/csv" }), "x.csv");
  const ok = await w.app.request("/api/v1/data/import?symbol=XYZ&exchange=NSE", {
    method: "POST",
    body: form,
    headers: { authorization: `Bearer ${me.access_token}` },
  });
  return { token: me.access_token, ok };
}

Deno.test("POST /data/import accepts a multipart file and keeps the given exchange", async () => {
  const w = await openTestWorld();
  try {
    const { ok } = await carolImportsXyz(w);
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).exchange, "NSE");
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import refuses a bad file row by row and leaves the earlier import untouched", async () => {
  const w = await openTestWorld();
  try {
    const { token } = await carolImportsXyz(w);
    const bad = GOOD_CSV + "2024-01-04,10,9,9.5,10,1\n2024-01-04,10,11,9,10,1\n";
    const res = await w.request("POST", "/api/v1/data/import?symbol=XYZ", {
      body: bad,
      token,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(res.status, 422);
    const detail = (await res.json()).detail as { loc: unknown[]; msg: string }[];
    assert.deepEqual(detail.map((i) => i.loc), [["body", "row", 4], ["body", "row", 5]]);
    assert.match(detail[0].msg, /high 9 is below/);
    assert.match(detail[1].msg, /duplicate date/);
    const still = await (await w.request("GET", "/api/v1/data/bars/XYZ?start=2024-01-01&end=2024-12-31", {
      token,
    })).json();
    assert.equal(still.count, 2, "the earlier import is untouched");
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import refuses a JSON body with 415", async () => {
  const w = await openTestWorld();
  try {
    const token = (await signInWithOtp(w, "carol@example.com")).access_token;
    const json = await w.request("POST", "/api/v1/data/import?symbol=XYZ", { json: {}, token });
    assert.equal(json.status, 415);
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import without a token answers 401", async () => {
  const w = await openTestWorld();
  try {
    assert.equal((await w.request("POST", "/api/v1/data/import?symbol=XYZ", { body: GOOD_CSV })).status, 401);
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import takes files over the 1 MiB API limit and refuses ones over MAX_IMPORT_BYTES", async () => {
  const w = await openTestWorld({ MAX_IMPORT_BYTES: String(3 * 1024 * 1024) });
  try {
    const me = await signInWithOtp(w, "dave@example.com");
    const lines = ["date,open,high,low,close,volume"];
    let day = Date.UTC(1950, 0, 1);
    while (lines.join("\n").length < 2 * 1024 * 1024) {
      for (let i = 0; i < 1000; i++, day += 86_400_000) {
        lines.push(
          `${new Date(day).toISOString().slice(0, 10)},10.000000,11.000000,9.000000,10.500000,123456789`,
        );
      }
    }
    const body = lines.join("\n");
    const ok = await w.request("POST", "/api/v1/data/import?symbol=BIG", {
      body,
      token: me.access_token,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(ok.status, 200);
    const tooBig = await w.request("POST", "/api/v1/data/import?symbol=HUGE", {
      body: body + "\n" + body,
      token: me.access_token,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(tooBig.status, 413);
    assert.equal((await w.request("GET", "/api/v1/data/bars/HUGE", { token: me.access_token })).status, 404);
  } finally {
    await w.close();
  }
});

Deno.test("/health reports the market_data check", async () => {
  const w = await openTestWorld();
  try {
    await w.request("GET", "/api/v1/data/bars/000300.SH?start=2026-01-01");
    const health = await (await w.request("GET", "/health")).json();
    const m = health.checks.market_data;
    assert.equal(m.ok, true);
    assert.equal(m.source, "synthetic");
    assert.ok(m.generated_series >= 1 && m.rows > 2000);
    assert.equal(m.date_range.start, "2015-01-05");
  } finally {
    await w.close();
  }
});

Deno.test("GET /data/freshness shows SSE's last bar as the latest completed session, not stale", async () => {
  const w = await openTestWorld();
  try {
    await w.request("GET", "/api/v1/data/bars/000300.SH?start=2026-01-01");
    const fresh = await (await w.request("GET", "/api/v1/data/freshness")).json();
    const sse = fresh.items.find((i: { scope: string }) => i.scope === "SSE");
    assert.equal(sse.last_bar_date, "2026-05-13");
    assert.equal(sse.stale, false);
  } finally {
    await w.close();
  }
});

Deno.test("GET /data/bars defaults to the year up to today in the exchange's zone", async () => {
  const w = await openTestWorld();
  try {
    const body = await (await w.request("GET", "/api/v1/data/bars/000001.SZ")).json();
    assert.deepEqual([body.start, body.end], ["2025-05-14", "2026-05-14"]);
    assert.equal(body.bars.at(-1).date <= "2026-05-13", true, "today's session has not closed at 09:00 CST");
  } finally {
    await w.close();
  }
});

Deno.test("GET /data/bars accepts ^ index symbols, escaped or not, on their exchange's calendar", async () => {
  const w = await openTestWorld();
  try {
    for (const path of ["/api/v1/data/bars/%5EGSPC", "/api/v1/data/bars/^GSPC"]) {
      const res = await w.request("GET", `${path}?start=2024-07-01&end=2024-07-08`);
      assert.equal(res.status, 200, path);
      const gspc = await res.json();
      assert.equal(gspc.symbol, "^GSPC");
      assert.equal(gspc.exchange, "NYSE");
      // 1–8 July 2024 on NYSE: the 4th is Independence Day, 6–7 a weekend.
      assert.deepEqual(gspc.bars.map((b: { date: string }) => b.date), [
        "2024-07-01",
        "2024-07-02",
        "2024-07-03",
        "2024-07-05",
        "2024-07-08",
      ]);
    }
  } finally {
    await w.close();
  }
});

Deno.test("GET /data/bars answers 422 with the {type, loc, msg} shape for bad dates and symbols", async () => {
  const w = await openTestWorld();
  try {
    for (
      const path of [
        "/api/v1/data/bars/600519.SH?start=2024-13-01",
        "/api/v1/data/bars/600519.SH?end=yesterday",
        "/api/v1/data/bars/600519.SH?start=2024-05-01&end=2024-04-30",
        "/api/v1/data/bars/bad%20symbol",
        "/api/v1/data/bars/600519.SH?start=2000-01-01&end=2024-12-31",
      ]
    ) {
      const res = await w.request("GET", path);
      assert.equal(res.status, 422, path);
      const detail = (await res.json()).detail;
      assert.ok(Array.isArray(detail) && detail.length >= 1, path);
      for (const d of detail) {
        assert.deepEqual(Object.keys(d).sort(), ["loc", "msg", "type"], path);
        assert.ok(Array.isArray(d.loc) && typeof d.msg === "string" && typeof d.type === "string", path);
      }
    }
    const unknown = await w.request("GET", "/api/v1/data/bars/ZZZZZZ.SH");
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { detail: 'Unknown symbol "ZZZZZZ.SH"' });
  } finally {
    await w.close();
  }
});

Deno.test("market reads refuse an invalid bearer token with 401 instead of reading anonymously", async () => {
  const w = await openTestWorld();
  try {
    for (const path of ["/api/v1/data/symbols", "/api/v1/data/bars/600519.SH", "/api/v1/data/freshness"]) {
      const res = await w.request("GET", path, { token: "not-a-token" });
      assert.equal(res.status, 401, path);
      assert.equal(typeof (await res.json()).detail, "string");
    }
  } finally {
    await w.close();
  }
});

Deno.test("GET /data/symbols pages with limit and offset, and lists a private import to its owner only", async () => {
  const w = await openTestWorld();
  try {
    const all = await (await w.request("GET", "/api/v1/data/symbols?limit=5000")).json();
    const page = await (await w.request("GET", "/api/v1/data/symbols?limit=3&offset=2")).json();
    assert.deepEqual([page.total, page.limit, page.offset], [all.total, 3, 2]);
    assert.deepEqual(page.items, all.items.slice(2, 5));
    assert.equal((await w.request("GET", "/api/v1/data/symbols?limit=0")).status, 422);
    assert.equal((await w.request("GET", "/api/v1/data/symbols?universe=nasdaq")).status, 422);

    const erin = await signInWithOtp(w, "erin@example.com");
    const frank = await signInWithOtp(w, "frank@example.com", "10.0.0.3");
    const csv =
      "date,open,high,low,close,volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,11,10,10.8,100\n";
    const imported = await w.request("POST", "/api/v1/data/import?symbol=ERIN.SH", {
      body: csv,
      token: erin.access_token,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(imported.status, 200);
    const find = async (token?: string) =>
      (await (await w.request("GET", "/api/v1/data/symbols?q=erin", { token })).json()).items;
    assert.deepEqual((await find(erin.access_token)).map((s: { source: string }) => s.source), ["csv"]);
    assert.deepEqual(await find(frank.access_token), []);
    assert.deepEqual(await find(), []);
    const fresh = async (token?: string) =>
      (await (await w.request("GET", "/api/v1/data/freshness", { token })).json()).items
        .filter((i: { source: string }) => i.source === "csv").map((i: { scope: string }) => i.scope);
    assert.deepEqual(await fresh(erin.access_token), ["ERIN.SH"]);
    assert.deepEqual(await fresh(frank.access_token), []);
  } finally {
    await w.close();
  }
});

Deno.test("GET /data/freshness reports each market's last generated bar against its last completed session", async () => {
  const w = await openTestWorld();
  try {
    await w.request("GET", "/api/v1/data/bars/600519.SH?start=2026-05-01");
    w.clock.advance(86_400_000); // 2026-05-15 09:00 CST: the 14th has closed
    const items = (await (await w.request("GET", "/api/v1/data/freshness")).json()).items;
    const sse = items.find((i: { source: string; scope: string }) =>
      i.source === "synthetic" && i.scope === "SSE"
    );
    assert.deepEqual(
      [sse.last_bar_date, sse.expected_date, sse.stale, sse.symbols, sse.checked_at],
      ["2026-05-13", "2026-05-14", true, 1, "2026-05-15T01:00:00.000Z"],
    );
    const nyse = items.find((i: { scope: string }) => i.scope === "NYSE");
    assert.deepEqual([nyse.last_bar_date, nyse.stale, nyse.symbols], [null, false, 0]);
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/refresh extends the named symbols for an admin and refuses everyone else", async () => {
  const w = await openTestWorld();
  try {
    const body = { universes: [], symbols: ["BTC-USD", "NOPE.SH"] };
    assert.equal((await w.request("POST", "/api/v1/data/refresh", { json: body })).status, 401);
    const user = await signInWithOtp(w, "gina@example.com");
    assert.equal(
      (await w.request("POST", "/api/v1/data/refresh", { json: body, token: user.access_token })).status,
      403,
    );
    const admin = await signInAdmin(w);
    const res = await w.request("POST", "/api/v1/data/refresh", { json: body, token: admin.access_token });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {
      refreshed: 1,
      through: { CRYPTO: "2026-05-13" },
      unknown: ["NOPE.SH"],
      yahoo: null,
    });
    const meta = await w.deps.market.bars.getMeta(w.deps.market.synthetic.namespace, "BTC-USD");
    assert.equal(meta && fromDayNumber(meta.last_day!), "2026-05-13");
    for (const bad of [{ universes: ["nope"] }, { symbols: ["a b"] }, { extra: 1 }]) {
      const r = await w.request("POST", "/api/v1/data/refresh", { json: bad, token: admin.access_token });
      assert.equal(r.status, 422, JSON.stringify(bad));
    }
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/refresh pulls the named symbols from Yahoo when it is enabled", async () => {
  const fake = startFakeYahoo({
    "600519.SS": {
      timeZone: "Asia/Shanghai",
      gmtoffset: 28800,
      currency: "CNY",
      sessionOpen: "09:30",
      bars: [
        { date: "2026-05-12", open: 1400, high: 1410, low: 1390, close: 1405, volume: 1e6, adjclose: 1405 },
        { date: "2026-05-13", open: 1405, high: 1420, low: 1400, close: 1415, volume: 1e6, adjclose: 1415 },
      ],
    },
  });
  const w = await openTestWorld({
    YAHOO_ENABLED: "true",
    YAHOO_SYMBOLS: "600519.SH",
    YAHOO_BASE_URL: fake.baseUrl,
  });
  try {
    const admin = await signInAdmin(w);
    const res = await w.request("POST", "/api/v1/data/refresh", {
      json: { universes: [], symbols: ["600519.SH"] },
      token: admin.access_token,
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(
      body.yahoo.map((r: { symbol: string; added: number; last_bar_date: string; error: null }) => [
        r.symbol,
        r.added,
        r.last_bar_date,
        r.error,
      ]),
      [["600519.SH", 2, "2026-05-13", null]],
    );
    const bars = await (await w.request("GET", "/api/v1/data/bars/600519.SH?start=2026-05-01")).json();
    assert.equal(bars.source, "yahoo");
    assert.deepEqual(bars.bars.map((b: { close: number }) => b.close), [1405, 1415]);
    const listed = await (await w.request("GET", "/api/v1/data/symbols?q=600519")).json();
    assert.deepEqual(listed.items.map((s: { source: string }) => s.source), ["yahoo"]);
  } finally {
    await w.close();
    await fake.close();
  }
});
