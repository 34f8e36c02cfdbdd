/**
 * The two health answers: `/api/v1/health` (QuantGPT / TradAI: `status` "ok" with the dependency checks) and
 * `/health` (the Backtester v2 document's shape as a superset: `healthy`, `database`, `cache`, beside the checks).
 */
import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { checkServiceHealth, FIGURES_TTL_MS, type HealthDeps } from "../../domain/health.ts";
import { createBarCache } from "../../domain/market/bar_cache.ts";
import { barCacheFigures } from "../../domain/market/market_figures.ts";
import type { HealthRepo } from "../../domain/store/health_repo.ts";
import { createHealthRepo } from "../../domain/store/health_repo.ts";
import { DEEP_CHECK_TTL_MS, healthMonitor } from "../../domain/health_monitor.ts";
import { openTestWorld } from "../_helpers/test_app.ts";

Deno.test("GET /health answers the Backtester v2 shape; its market figures are read at most once a minute", async () => {
  const w = await openTestWorld();
  try {
    const fresh = await (await w.request("GET", "/health")).json();
    assert.equal(fresh.status, "healthy");
    assert.deepEqual(fresh.database, {
      connected: true,
      info: { total_records: 0, date_range: { min_date: null, max_date: null }, unique_tickers: 0 },
    });
    assert.deepEqual(fresh.cache, { loaded: false, rows: 0, years: 0, size_mb: 0 });
    assert.ok(fresh.checks.kv.ok && typeof fresh.version === "string");

    const bars = await (await w.request("GET", "/api/v1/data/bars/BTC-USD?start=2015-01-01")).json();
    // The checks ran a moment ago: the same report until DEEP_CHECK_TTL_MS passes.
    assert.deepEqual(await (await w.request("GET", "/health")).json(), fresh);
    w.clock.advance(DEEP_CHECK_TTL_MS);
    // The first request after that still gets the last report and starts the next run.
    assert.deepEqual(await (await w.request("GET", "/health")).json(), fresh);
    await healthMonitor(w.deps.health).refresh();
    // The cache is live; the stored figures are the minute-old ones until the minute passes.
    const soon = await (await w.request("GET", "/health")).json();
    assert.equal(soon.database.info.total_records, 0);
    assert.equal(soon.cache.loaded, true);
    assert.ok(soon.cache.rows >= bars.bars.length, `${soon.cache.rows} cached rows`);
    assert.equal(soon.cache.years, Number(bars.bars.at(-1).date.slice(0, 4)) - 2015 + 1);
    w.clock.advance(FIGURES_TTL_MS);
    await healthMonitor(w.deps.health).refresh();
    const later = await (await w.request("GET", "/health")).json();
    assert.equal(later.database.info.unique_tickers, 1);
    assert.ok(later.database.info.total_records >= bars.bars.length);
    assert.equal(later.database.info.date_range.min_date, "2015-01-01");
    assert.equal(later.database.info.date_range.max_date, bars.bars.at(-1).date);

    const api = await (await w.request("GET", "/api/v1/health")).json();
    assert.equal(api.status, "ok");
    assert.deepEqual(Object.keys(api).sort(), ["checks", "status", "version"]);
    for (const name of ["kv", "queue", "mail", "market_data"]) assert.equal(api.checks[name].ok, true, name);
  } finally {
    await w.close();
  }
});

Deno.test("checkServiceHealth() is unhealthy when KV fails, degraded when another check fails", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createHealthRepo(kv);
    const base: HealthDeps = {
      repo,
      clock: fixedClock(Date.UTC(2026, 4, 14)),
      mailer: {
        kind: "log",
        send: () => Promise.resolve(),
        check: () => Promise.resolve({ ok: true, detail: "ok" }),
      },
      version: "1",
      queueListening: () => true,
      enqueueHeartbeat: () => Promise.resolve(),
      databaseFigures: () => Promise.reject(new Error("metadata unreadable")),
    };
    const brokenKv: HealthRepo = { ...repo, probeKv: () => Promise.reject(new Error("disk full")) };
    const down = await checkServiceHealth({ ...base, repo: brokenKv });
    assert.equal(down.status, "unhealthy");
    assert.deepEqual(down.database, { connected: false, info: null });
    const noMail = await checkServiceHealth({
      ...base,
      mailer: { ...base.mailer, check: () => Promise.resolve({ ok: false, detail: "refused" }) },
    });
    assert.equal(noMail.status, "degraded");
    assert.equal(noMail.database.connected, true);
  } finally {
    kv.close();
  }
});

Deno.test("barCacheFigures() counts the bars held, the years they touch and the MiB, by hand", () => {
  const cache = createBarCache(10 * 1024 * 1024);
  assert.deepEqual(barCacheFigures(cache), { loaded: false, rows: 0, years: 0, size_mb: 0 });
  const series = (days: number[]) => {
    const n = days.length, col = () => new Float64Array(n).fill(1);
    return {
      symbol: "X",
      source: "synthetic" as const,
      days: Int32Array.from(days),
      open: col(),
      high: col(),
      low: col(),
      close: col(),
      volume: col(),
      adj_factor: col(),
    };
  };
  // 2019-12-31 is day 18261, 2021-01-04 day 18631; 52 bytes per bar.
  cache.set("a", series([18261, 18262]));
  cache.set("b", series(Array.from({ length: 20_000 }, (_, i) => 18631 - 19_999 + i)));
  const f = barCacheFigures(cache);
  assert.equal(f.rows, 20_002);
  assert.equal(f.loaded, true);
  // Days from 18631 − 19999 (1966) to 18631 (2021): 56 calendar years.
  assert.equal(f.years, 2021 - 1966 + 1);
  assert.equal(f.size_mb, Math.round((20_002 * 52) / 1048576 * 10) / 10);
  assert.equal(f.size_mb, 1);
});
