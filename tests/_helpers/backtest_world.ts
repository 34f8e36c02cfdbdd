/**
 * A domain-level world for backtest, library and catalog operations, built by the production wiring
 * (`buildServices`) on a `:memory:` KV with a fixed clock; no HTTP app.
 */
import { buildServices } from "../../app/services.ts";
import { createRunGate } from "../../domain/backtest/run_gate.ts";
import { fixedClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import type { UserRecord } from "../../domain/store/user_repo.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";
import { captureMailer } from "./test_app.ts";
import { userRecord } from "./user_record.ts";

/** 2026-05-14T01:00:00Z. */
export const WORLD_T0 = Date.UTC(2026, 4, 14, 1);

/** Opens the world; close it with `close()`. */
export async function openBacktestWorld() {
  const kv = await Deno.openKv(":memory:");
  const clock = fixedClock(WORLD_T0);
  const services = await buildServices({
    config: parseConfig({
      DENO_ENV: "test",
      KV_PATH: ":memory:",
      JWT_SECRET: "backtest-world-secret-0123456789abcdef",
    }),
    kv,
    clock,
    mailer: captureMailer(),
    log: () => {},
    queue: { listening: () => true, enqueueHeartbeat: () => Promise.resolve() },
  });
  const users = services.auth.users;
  return {
    kv,
    clock,
    market: services.market,
    jobs: services.backtests,
    library: services.library,
    users,
    cache: services.runCache,
    /** A run gate wider than the configured one, so tests that run in parallel never meet it by accident. */
    gate: createRunGate(4),
    /** Stores a user with `nickname` and `tier`. */
    async addUser(id: string, nickname: string | null, tier: UserRecord["tier"] = "free") {
      await users.create(userRecord(id, { tier, nickname, atMs: WORLD_T0 }));
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
