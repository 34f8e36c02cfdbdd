/**
 * The Backtester v2 document's root paths: `POST /run_backtest {config}` (the chat agent's config, run by the same
 * synchronous operation as `POST /api/v1/backtests/run`) and `POST /refresh_cache`. Both take an optional bearer
 * credential: the document's client sends none, so an anonymous caller is counted by address (`RATE_LIMIT_BACKTEST`
 * per IP, the same work budget as a signed-in run); with a credential the run is the user's (their imports visible,
 * their rate). Errors: `{"detail": "…"}` for 400/404/413/429/503, the house 422 shape for invalid bodies.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import { serverTiming } from "../domain/backtest/run_backtest.ts";
import { runReport, type SyncRunDeps } from "../domain/backtest/sync_runs.ts";
import type { MarketDeps } from "../domain/market/market_service.ts";
import { refreshPublicCache } from "../domain/market/refresh.ts";
import { AgentConfigSchema } from "../domain/strategy/blueprint_and_config.ts";
import { type AppEnv, newRouter } from "./app_env.ts";
import type { Context } from "hono";
import { fromInput } from "./errors.ts";
import { optionalAuth } from "./middleware/auth.ts";
import { BacktestReportSchema } from "./schemas/backtest.ts";
import { errorResponses, jsonBody, jsonResponse } from "./schemas/common.ts";

/** The document's example `config` (the `backtest_config` of its `/agent/invoke` "config ready" answer). */
const EXAMPLE_CONFIG = {
  backtestId: "agent_abc123",
  filters: { marketCap: ["large"] },
  fundamentalIndicators: [],
  technicalIndicators: [{ type: "RSI", period: 14, oversold: 30, overbought: 70 }],
  backtestConfig: {
    initialCapital: 100000000,
    startDate: "2024-01-01",
    endDate: "2024-12-31",
    tradingCosts: { brokerFee: 0.15, sellFee: 0.15, minimumFee: 1000 },
    portfolio: { positionSizePercent: 20, minPositionPercent: 5, maxPositions: 5 },
    riskManagement: { stopLossPercent: 5, takeProfitPercent: 10, maxHoldingDays: 30 },
  },
};

const RunBacktestBody = z.strictObject({
  config: AgentConfigSchema,
}).openapi("RunBacktestV2", {
  description:
    "`config` is the chat agent's config (the document's `backtest_config`); without tickers the run " +
    "covers the synthetic IDX universe after the filters",
  example: { config: EXAMPLE_CONFIG },
});

const RefreshAnswer = z.object({
  status: z.literal("refreshed"),
  source: z.literal("synthetic"),
  universes: z.array(z.string()),
  symbols: z.array(z.string()),
  refreshed: z.number().int().openapi({ description: "Series now generated through `through`" }),
  through: z.record(z.string(), z.string()).openapi({ description: "Latest session reached, by exchange" }),
  unknown: z.array(z.string()),
}).openapi("RefreshCacheResult");

/** Who is calling: the signed-in user's id, or `ip:<address>` for an anonymous caller. */
const caller = (c: Context<AppEnv>) => c.get("principal")?.user.id ?? `ip:${c.get("clientIp")}`;

/** Builds the router of the Backtester v2 root paths. */
export function backtesterV2Routes(auth: AuthDeps, runs: SyncRunDeps, market: MarketDeps) {
  const app = newRouter();
  const maybeUser = optionalAuth(auth);
  const tags = ["backtester v2"];

  app.openapi(
    createRoute({
      method: "post",
      path: "/run_backtest",
      tags,
      summary:
        "Backtester v2: run the chat agent's config synchronously (anonymous allowed, rate-limited per IP)",
      description:
        "The same run as `POST /api/v1/backtests/run` with `config`: the full report (`summary`, " +
        "`trades`, `dailyPortfolio` with `ihsgValue`/`lq45Value`, `monthlyPerformance`, `notes`, …). No " +
        "credential needed (counted per address); a bearer credential runs it as that user.",
      middleware: [maybeUser],
      request: { body: jsonBody(RunBacktestBody) },
      responses: {
        200: jsonResponse(BacktestReportSchema, "Report"),
        ...errorResponses(400, 401, 404, 422, 429),
        413: jsonResponse(z.object({ detail: z.string() }), "Too large for a synchronous run"),
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      // An anonymous run is answered but not kept: the run history belongs to accounts.
      const deps = c.get("principal") ? runs : { ...runs, history: undefined };
      const answer = await fromInput("body", () => runReport(deps, caller(c), body));
      c.header("Server-Timing", serverTiming(answer.timing));
      return c.json(answer, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: "/refresh_cache",
      tags,
      summary: "Backtester v2: bring the cached synthetic IDX series up to the latest session (rate-limited)",
      description:
        "Anyone may call it (counted per caller against `RATE_LIMIT_BACKTEST`); it only extends the " +
        "cached synthetic series of the `idx` universe, `^JKSE` and `LQ45`. Admins pull Yahoo with " +
        "`POST /api/v1/data/refresh`.",
      middleware: [maybeUser],
      responses: { 200: jsonResponse(RefreshAnswer, "What was refreshed"), ...errorResponses(401, 429) },
    }),
    async (c) => c.json(await refreshPublicCache(market, runs.rate, caller(c)), 200),
  );

  return app;
}
