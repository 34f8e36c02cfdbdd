/** A domain-level world for backtest, library and catalog operations: `:memory:` KV, fixed clock, real repos. */
import { type BacktestJobDeps, createSemaphore } from "../../domain/backtest/queued_runs.ts";
import { createRunGate } from "../../domain/backtest/run_gate.ts";
import { fixedClock } from "../../domain/clock.ts";
import { buildMarketServices } from "../../app/market_services.ts";
import { createBacktestJobRepo } from "../../domain/store/backtest_job_repo.ts";
import { createLibraryRepo } from "../../domain/store/library_repo.ts";
import { createRunCacheRepo } from "../../domain/store/run_cache_repo.ts";
import { createUserRepo, type UserRecord } from "../../domain/store/user_repo.ts";
import type { LibraryDeps } from "../../domain/strategy/library.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";

/** 2026-05-14T01:00:00Z. */
export const WORLD_T0 = Date.UTC(2026, 4, 14, 1);

/** Opens the world; close it with `close()`. */
export async function openBacktestWorld() {
  const kv = await Deno.openKv(":memory:");
  const clock = fixedClock(WORLD_T0);
  const market = buildMarketServices(kv, clock, { seed: 42, cacheBytes: 64 * 1024 * 1024 });
  const jobs: BacktestJobDeps = {
    jobs: createBacktestJobRepo(kv),
    market: market.data,
    clock,
    maxJobSymbolBars: 20_000_000,
    semaphore: createSemaphore(2),
  };
  const library: LibraryDeps = { library: createLibraryRepo(kv), clock };
  const users = createUserRepo(kv);
  return {
    kv,
    clock,
    market,
    jobs,
    library,
    users,
    cache: createRunCacheRepo(kv),
    gate: createRunGate(4),
    /** Stores a user with `nickname` and `tier`. */
    async addUser(id: string, nickname: string | null, tier: UserRecord["tier"] = "free") {
      await users.create({
        id,
        email: `${id}@example.com`,
        nickname,
        password_hash: null,
        tier,
        disabled: false,
        email_verified: true,
        github_id: null,
        github_login: null,
        created_at: WORLD_T0,
        updated_at: WORLD_T0,
        last_login_at: null,
      });
      return { id, tier };
    },
    close: () => kv.close(),
  };
}

/** An RSI spec on `tickers`, 2016–2018, with `extra` fields over it. */
export const rsiSpec = (tickers: string[], extra: Record<string, unknown> = {}) =>
  StrategySpecSchema.parse({
    name: "RSI",
    universe: { tickers },
    entry: "rsi(close, 14) < 35",
    exit: "rsi(close, 14) > 60",
    sizing: { method: "percent_equity", percent: 20, max_positions: 5 },
    start: "2016-01-01",
    end: "2018-12-31",
    ...extra,
  });
