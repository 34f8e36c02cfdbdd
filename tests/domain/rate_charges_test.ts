/**
 * The rates an operation charges its caller are the operation's own rule, not its router's: each operation
 * counts the call (before any other check) in its bucket, so every front end that calls it is limited alike.
 * The bundles come from the production wiring (`app/services.ts`) with a limit of one call per window.
 */
import assert from "node:assert/strict";
import { buildServices, type Services } from "../../app/services.ts";
import { queueBacktest } from "../../domain/backtest/job_submission.ts";
import { compareCatalogStrategies, compareVersions } from "../../domain/backtest/strategy_compare.ts";
import { plotOnTicker, runOnTicker, runReport, type SyncRunDeps } from "../../domain/backtest/sync_runs.ts";
import { fixedClock, monotonicMs } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { NotFoundError, RateLimitError } from "../../domain/errors.ts";
import { submitEntry } from "../../domain/leaderboard/leaderboard_views.ts";
import { submitSignalView } from "../../domain/track_record/operations.ts";
import { captureMailer, T0 } from "../_helpers/test_app.ts";

const ONE_PER_MINUTE = {
  RATE_LIMIT_BACKTEST: "1/1m",
  RATE_LIMIT_CATALOG_COMPARE: "1/1m",
  RATE_LIMIT_SIGNAL: "1/1m",
};

async function withHouse(run: (s: Services) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    const config = parseConfig({ DENO_ENV: "development", LOG_REQUESTS: "false", ...ONE_PER_MINUTE });
    const s = await buildServices({
      config,
      kv,
      clock: fixedClock(T0),
      mailer: captureMailer(),
      log: () => {},
      queue: { listening: () => true, enqueueHeartbeat: () => Promise.resolve() },
    });
    await run(s);
  } finally {
    kv.close();
  }
}

const refusedByRate = (e: unknown) => e instanceof RateLimitError;
const notRateLimited = (e: unknown) => !(e instanceof RateLimitError);

function syncRuns(s: Services): SyncRunDeps {
  return {
    market: s.market.data,
    maxSymbolBars: s.config.maxSyncSymbolBars,
    maxExpressionCost: s.config.maxExpressionCost,
    now: monotonicMs,
    rate: { limiter: s.auth.limiter, rule: s.config.backtestRate },
  };
}

Deno.test("synchronous runs, version compares and leaderboard submissions share the caller's one bucket", async () => {
  await withHouse(async (s) => {
    const runs = syncRuns(s);
    // The first call is counted even though it is refused for its input.
    await assert.rejects(runReport(runs, "usr_a", { strategy_code: "not a strategy" }), notRateLimited);
    await assert.rejects(runReport(runs, "usr_a", { strategy_code: "not a strategy" }), refusedByRate);
    const ticker = { strategy_code: "not a strategy", ticker: "600519.SH" };
    await assert.rejects(runOnTicker(runs, "usr_a", ticker), refusedByRate);
    await assert.rejects(plotOnTicker(runs, "usr_a", ticker), refusedByRate);
    const compare = { library: s.library, runs };
    await assert.rejects(compareVersions(compare, "usr_a", "strat_x", { a: 1, b: 2 }), refusedByRate);
    const entry = { strategy_id: "strat_x", dataset: "default" };
    await assert.rejects(submitEntry(s.leaderboard, "usr_a", entry), refusedByRate);
    // Another user has a bucket of their own.
    await assert.rejects(compareVersions(compare, "usr_b", "strat_x", { a: 1, b: 2 }), NotFoundError);
    await assert.rejects(submitEntry(s.leaderboard, "usr_b", entry), refusedByRate);
  });
});

Deno.test("queueBacktest() charges the user and, apart, the client address", async () => {
  await withHouse(async (s) => {
    const deps = {
      jobs: s.backtests,
      library: s.library,
      maxExpressionCost: s.config.maxJobExpressionCost,
      rate: { limiter: s.auth.limiter, rule: s.config.backtestRate },
    };
    const a = { id: "usr_a", tier: "free" as const }, b = { id: "usr_b", tier: "free" as const };
    const bad = { strategy_code: "not a strategy" };
    await assert.rejects(queueBacktest(deps, a, bad, "10.0.0.1"), notRateLimited);
    await assert.rejects(queueBacktest(deps, b, bad, "10.0.0.1"), refusedByRate, "same address");
    await assert.rejects(queueBacktest(deps, a, bad, "10.0.0.2"), refusedByRate, "same user");
    await assert.rejects(queueBacktest(deps, { id: "usr_c", tier: "free" }, bad, "10.0.0.3"), notRateLimited);
  });
});

Deno.test("compareCatalogStrategies() charges each client address; submitSignalView() each user", async () => {
  await withHouse(async (s) => {
    const catalog = {
      library: s.library,
      runs: syncRuns(s),
      cache: s.runCache,
      clock: s.clock,
      nicknameOf: s.catalog.nicknameOf,
      perIp: { limiter: s.auth.limiter, rule: s.config.catalogCompareRate },
    };
    await assert.rejects(compareCatalogStrategies(catalog, "nothing", "10.0.0.1"), NotFoundError);
    await assert.rejects(compareCatalogStrategies(catalog, "nothing", "10.0.0.1"), refusedByRate);
    await assert.rejects(compareCatalogStrategies(catalog, "nothing", "10.0.0.2"), NotFoundError);

    const day = { trade_date: "2026-05-14", signals: [{ symbol: "600519.SH", weight: 0.5 }] };
    await assert.rejects(submitSignalView(s.track, "usr_a", "no-such", day), NotFoundError);
    await assert.rejects(submitSignalView(s.track, "usr_a", "no-such", day), refusedByRate);
    await assert.rejects(submitSignalView(s.track, "usr_b", "no-such", day), NotFoundError);
  });
});
