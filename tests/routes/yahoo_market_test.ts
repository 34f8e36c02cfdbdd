import assert from "node:assert/strict";
import { refreshExchange } from "../../domain/market/scheduled_refresh.ts";
import { startFakeYahoo } from "../_helpers/fake_yahoo.ts";
import { openTestWorld } from "../_helpers/test_app.ts";

Deno.test("with YAHOO_ENABLED, refreshed symbols are served from Yahoo and freshness reports them", async () => {
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
    const before =
      await (await w.request("GET", "/api/v1/data/bars/600519.SH?start=2026-05-01&end=2026-05-13")).json();
    assert.equal(before.source, "synthetic", "nothing refreshed yet");
    const result = await refreshExchange(w.deps.market, "SSE", "2026-05-13");
    assert.equal(result.yahoo[0].error, null);
    const after =
      await (await w.request("GET", "/api/v1/data/bars/600519.SH?start=2026-05-01&end=2026-05-13")).json();
    assert.equal(after.source, "yahoo");
    assert.deepEqual(after.bars.map((b: { date: string; close: number }) => [b.date, b.close]), [
      ["2026-05-12", 1405],
      ["2026-05-13", 1415],
    ]);
    const fresh = await (await w.request("GET", "/api/v1/data/freshness")).json();
    const entry = fresh.items.find((i: { source: string; scope: string }) =>
      i.source === "yahoo" && i.scope === "600519.SH"
    );
    assert.equal(entry.last_bar_date, "2026-05-13");
    assert.equal(entry.stale, false);
  } finally {
    await w.close();
    await fake.close();
  }
});
