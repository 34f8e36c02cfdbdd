/**
 * `GET /catalog/strategies/{name}/compare` is anonymous: it is rate-limited per client IP and its runs are cached
 * by (canonical spec, data version), so a repeat on unchanged data does no backtest work.
 */
import assert from "node:assert/strict";
import type { MarketData } from "../../domain/market/types.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const SPEC = {
  universe: { tickers: ["600519.SH", "000001.SZ"] },
  entry: "crosses_above(sma(close, 10), sma(close, 30))",
  exit: "crosses_below(sma(close, 10), sma(close, 30))",
  start: "2024-01-01",
  end: "2026-12-31", // beyond the clock's date: the data grows each trading day
};

/** Promotes and publishes `spec` as "Cached cross" and returns a counter of the bar reads backtests make from now on. */
async function promoted(w: TestWorld, spec: unknown = SPEC) {
  const t = (await signInWithOtp(w, "author@example.com")).access_token;
  const saved = await (await w.request("POST", "/api/v1/library", {
    json: { name: "Cached cross", spec },
    token: t,
  })).json();
  await w.request("POST", `/api/v1/library/${saved.strategy_id}/stage`, { json: { version: 1 }, token: t });
  assert.equal(
    (await w.request("POST", `/api/v1/library/${saved.strategy_id}/promote`, { token: t })).status,
    200,
  );
  const published = await w.request("PATCH", `/api/v1/library/${saved.strategy_id}`, {
    json: { is_public: true },
    token: t,
  });
  assert.equal(published.status, 200);
  const reads = { bars: 0 };
  const market = w.deps.catalogCompare.runs.market;
  const counting: MarketData = {
    ...market,
    getBars: (...args) => {
      reads.bars++;
      return market.getBars(...args);
    },
  };
  w.deps.catalogCompare.runs.market = counting;
  return reads;
}

const compare = (w: TestWorld, ip = "203.0.113.7") =>
  w.request("GET", "/api/v1/catalog/strategies/Cached%20cross/compare", {
    headers: { "x-forwarded-for": ip },
  });

Deno.test("catalog compare: a repeat on the same data is served from the cache with no backtest work", async () => {
  const w = await openTestWorld();
  try {
    const reads = await promoted(w);
    const first = await compare(w);
    assert.equal(first.status, 200);
    const a = await first.json();
    assert.equal(a.strategies[0].cached, false);
    assert.ok(reads.bars >= 2, "the first call runs the backtest");
    const before = reads.bars;
    const second = await compare(w);
    assert.equal(second.status, 200);
    const b = await second.json();
    assert.equal(reads.bars, before, "the second call reads no bars: no engine work");
    assert.equal(b.strategies[0].cached, true);
    assert.deepEqual(b.strategies[0].metrics, a.strategies[0].metrics);
  } finally {
    await w.close();
  }
});

Deno.test("catalog compare: a new trading day's bars change the data version and miss the cache", async () => {
  const w = await openTestWorld();
  try {
    const reads = await promoted(w);
    assert.equal((await (await compare(w)).json()).strategies[0].cached, false);
    w.clock.advance(86_400_000); // Friday 2026-05-15: Thursday's bars are now complete
    const before = reads.bars;
    const again = await (await compare(w)).json();
    assert.equal(again.strategies[0].cached, false);
    assert.ok(reads.bars > before, "the run was made again on the new data");
    assert.equal((await (await compare(w)).json()).strategies[0].cached, true);
  } finally {
    await w.close();
  }
});

Deno.test("catalog compare: an import published for a symbol of the spec changes the data version", async () => {
  const w = await openTestWorld();
  try {
    const reads = await promoted(w, { ...SPEC, end: "2025-12-31" });
    assert.equal((await (await compare(w)).json()).strategies[0].cached, false);
    assert.equal((await (await compare(w)).json()).strategies[0].cached, true);
    // An admin imports and publishes a CSV of 600519.SH: public runs now read those bars.
    const rows = ["Date,Open,High,Low,Close,Volume"];
    for (
      const d = new Date("2023-01-02T00:00:00Z");
      d <= new Date("2025-12-31T00:00:00Z");
      d.setUTCDate(d.getUTCDate() + 1)
    ) {
      if (d.getUTCDay() === 0 || d.getUTCDay() === 6) continue;
      const p = 100 + Math.sin(d.getTime() / 1e9) * 10;
      rows.push(`${d.toISOString().slice(0, 10)},${p},${p + 1},${p - 1},${p},1000000`);
    }
    const admin = await signInWithOtp(w, "admin@example.com", "10.9.9.9");
    const imported = await w.request("POST", "/api/v1/data/import?symbol=600519.SH&exchange=SSE", {
      body: rows.join("\n"),
      headers: { "content-type": "text/csv" },
      token: admin.access_token,
    });
    assert.equal(imported.status, 200, await imported.clone().text());
    const published = await w.request(
      "POST",
      `/api/v1/admin/data/imports/${admin.user.id}/600519.SH/publish`,
      { json: { published: true }, token: admin.access_token },
    );
    assert.equal(published.status, 200, await published.clone().text());
    const before = reads.bars;
    const after = await (await compare(w)).json();
    assert.equal(after.strategies[0].cached, false);
    assert.ok(reads.bars > before);
  } finally {
    await w.close();
  }
});

Deno.test("catalog compare is rate-limited per client IP (429 with Retry-After), other IPs unaffected", async () => {
  const w = await openTestWorld({ RATE_LIMIT_CATALOG_COMPARE: "3/1h" });
  try {
    await promoted(w);
    for (let i = 0; i < 3; i++) assert.equal((await compare(w, "198.51.100.1")).status, 200);
    const limited = await compare(w, "198.51.100.1");
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get("retry-after")) > 0);
    assert.match((await limited.json()).detail, /Rate limit exceeded: 3 per 1 hour/);
    assert.equal((await compare(w, "198.51.100.2")).status, 200);
  } finally {
    await w.close();
  }
});
