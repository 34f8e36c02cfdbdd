import assert from "node:assert/strict";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

// T0 (2026-05-14 09:00 CST) — the latest completed SSE trading day is 2026-05-13.

Deno.test("GET /data/bars/600519.SH serves 2024 synthetic bars on SSE trading days only", async () => {
  const w = await openTestWorld();
  try {
    const res = await w.request("GET", "/api/v1/data/bars/600519.SH?start=2024-01-01&end=2024-12-31");
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.source, "synthetic");
    assert.equal(body.exchange, "SSE");
    const sse = new Set(getCalendar("SSE").tradingDaysBetween("2024-01-01", "2024-12-31"));
    assert.ok(body.count > 200 && body.count <= sse.size);
    for (const bar of body.bars) {
      assert.ok(sse.has(bar.date), bar.date);
      assert.ok(bar.low <= Math.min(bar.open, bar.close) && bar.high >= Math.max(bar.open, bar.close));
    }
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

Deno.test("a 10-year CSV import reads back with identical numbers, privately", async () => {
  const w = await openTestWorld();
  try {
    const text = await Deno.readTextFile(new URL("../../../shared/data/cn/600036.SH.csv", import.meta.url));
    const alice = await signInWithOtp(w, "alice@example.com");
    const bob = await signInWithOtp(w, "bob@example.com", "10.0.0.2");
    const res = await w.request("POST", "/api/v1/data/import?symbol=MYBANK.SH", {
      body: text,
      token: alice.access_token,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(res.status, 200);
    const summary = await res.json();
    assert.equal(summary.rows, 3972);
    assert.equal(summary.exchange, "SSE");
    // Independent parse of the file in the test: the stock files are date,open,high,low,close,volume,amount.
    const rows = text.replace(/^\uFEFF/, "").trim().split(/\r?\n/).slice(1).map((l) => l.split(","))
      .filter((r) => r[0] >= "2015-01-01" && r[0] <= "2024-12-31");
    const got = await (await w.request("GET", "/api/v1/data/bars/MYBANK.SH?start=2015-01-01&end=2024-12-31", {
      token: alice.access_token,
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
    const asBob = await w.request("GET", "/api/v1/data/bars/MYBANK.SH", { token: bob.access_token });
    assert.equal(asBob.status, 404, "imports are private to the importer");
    assert.equal(
      (await w.request("DELETE", "/api/v1/data/imports/MYBANK.SH", { token: bob.access_token })).status,
      404,
    );
  } finally {
    await w.close();
  }
});

Deno.test("POST /data/import accepts multipart, rejects a bad file atomically and refuses non-CSV", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "carol@example.com");
    const good =
      "Date,Open,High,Low,Close,Volume\n2024-01-02,10,11,9,10.5,100\n2024-01-03,10.5,11,10,10.8,100\n";
    const form = new FormData();
    form.append("file", new Blob([good], { type: "text/csv" }), "x.csv");
    const ok = await w.app.request("/api/v1/data/import?symbol=XYZ&exchange=NSE", {
      method: "POST",
      body: form,
      headers: { authorization: `Bearer ${me.access_token}` },
    });
    assert.equal(ok.status, 200);
    assert.equal((await ok.json()).exchange, "NSE");
    const bad = good + "2024-01-04,10,9,9.5,10,1\n2024-01-04,10,11,9,10,1\n";
    const res = await w.request("POST", "/api/v1/data/import?symbol=XYZ", {
      body: bad,
      token: me.access_token,
      headers: { "content-type": "text/csv" },
    });
    assert.equal(res.status, 422);
    const detail = (await res.json()).detail as { loc: unknown[]; msg: string }[];
    assert.deepEqual(detail.map((i) => i.loc), [["body", "row", 4], ["body", "row", 5]]);
    assert.match(detail[0].msg, /high 9 is below/);
    assert.match(detail[1].msg, /duplicate date/);
    const still = await (await w.request("GET", "/api/v1/data/bars/XYZ?start=2024-01-01&end=2024-12-31", {
      token: me.access_token,
    })).json();
    assert.equal(still.count, 2, "the earlier import is untouched");
    const json = await w.request("POST", "/api/v1/data/import?symbol=XYZ", {
      json: {},
      token: me.access_token,
    });
    assert.equal(json.status, 415);
    assert.equal((await w.request("POST", "/api/v1/data/import?symbol=XYZ", { body: good })).status, 401);
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
    const fresh = await (await w.request("GET", "/api/v1/data/freshness")).json();
    const sse = fresh.items.find((i: { scope: string }) => i.scope === "SSE");
    assert.equal(sse.last_bar_date, "2026-05-13");
    assert.equal(sse.stale, false);
  } finally {
    await w.close();
  }
});
