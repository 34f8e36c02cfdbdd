/**
 * The trading-dashboard document's REST paths, at the paths it writes (no `/api/v1`): `GET /api/backtests` (a bare
 * array of the caller's executed backtests: completed queued jobs and recorded synchronous runs) and
 * `GET /api/backtests/{id}` (one of them by its integer id: metrics, equity curve with the reference asset's
 * close, trades with reasoning and confidence). The document's dashboard sends no token: an anonymous caller
 * gets an empty list (and 404 for any id); a bearer token shows the caller's own runs (an invalid one is 401).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { AuthDeps } from "../domain/auth/auth_deps.ts";
import {
  dashboardBacktestDetail,
  type DashboardDeps,
  listDashboardBacktests,
  MAX_DASHBOARD_OFFSET,
} from "../domain/backtest/dashboard_views.ts";
import { newRouter } from "./app_env.ts";
import { fromInput } from "./errors.ts";
import { optionalAuth } from "./middleware/auth.ts";
import { errorResponses, jsonResponse } from "./schemas/common.ts";

const tags = ["dashboard"];

const Summary = z.object({
  id: z.number().int().openapi({ description: "Stable integer id of the run", example: 1 }),
  start_date: z.string().openapi({ example: "2023-01-01T00:00:00" }),
  end_date: z.string().openapi({ example: "2023-12-31T23:59:59" }),
  initial_capital: z.number().openapi({ example: 10000 }),
  final_value: z.number().nullable().openapi({ example: 12500 }),
  total_return_pct: z.number().nullable().openapi({ example: 25 }),
  total_trades: z.number().int().openapi({ example: 42 }),
  backend: z.string().openapi({
    description:
      "What built the strategy: `rules` (spec, strategy text, blueprint, agent config) or an LLM " +
      "provider",
    example: "rules",
  }),
  run_id: z.string().openapi({ description: "The job id (`bt_…`) or synchronous run id (`run_…`)" }),
  kind: z.enum(["queued", "synchronous"]),
  name: z.string(),
  created_at: z.string().openapi({ description: "When it was run (submitted, for a queued job), ISO 8601" }),
}).openapi("DashboardBacktestSummary");

const num = z.number().nullable();

const Detail = Summary.extend({
  reference_symbol: z.string().nullable().openapi({
    description: "The asset whose close `btc_price` holds: the run's first ticker, else its first benchmark",
  }),
  metrics: z.object({
    total_return_pct: num,
    buy_and_hold_return_pct: num,
    alpha_vs_hold: num.openapi({
      description: "total_return_pct − buy_and_hold_return_pct (percentage points)",
    }),
    sharpe_ratio: num,
    sortino_ratio: num,
    max_drawdown: num.openapi({ description: "Percent, ≤ 0" }),
    win_rate: num.openapi({ description: "Percent of closed trades with a profit" }),
    profit_factor: num,
    alpha: num,
    beta: num,
    annualized_return: num,
    volatility: num,
    closed_trades: z.number().int(),
    total_fees: num,
  }).openapi("DashboardMetrics"),
  equity_curve: z.array(
    z.object({
      timestamp: z.string(),
      portfolio_value: num,
      btc_price: num.openapi({ description: "The reference asset's close that day" }),
    }).openapi("DashboardEquityPoint"),
  ),
  trades: z.array(
    z.object({
      id: z.number().int(),
      timestamp: z.string(),
      asset: z.string(),
      action: z.enum(["BUY", "SELL", "HOLD"]),
      price: z.number(),
      quantity: z.number(),
      reasoning: z.string(),
      confidence: z.number().int().min(0).max(100).nullable().openapi({
        description: "How decisively the rule fired on the decision bar (0–100; 100 for forced exits)",
      }),
    }).openapi("DashboardTrade"),
  ),
  conventions: z.record(z.string(), z.string()),
}).openapi("DashboardBacktestDetail");

const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(100).openapi({ example: 100 }),
  offset: z.coerce.number().int().min(0).max(MAX_DASHBOARD_OFFSET).default(0).openapi({
    type: "integer",
    minimum: 0,
    maximum: MAX_DASHBOARD_OFFSET,
    default: 0,
    example: 0,
  }),
});

const IdParam = z.object({
  id: z.coerce.number().int().min(1).openapi({
    param: { name: "id", in: "path" },
    type: "integer",
    example: 1,
  }),
});

/** Builds the dashboard router (mounted at the root). */
export function dashboardRoutes(auth: AuthDeps, deps: DashboardDeps) {
  const app = newRouter();
  const maybeUser = optionalAuth(auth);

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/backtests",
      tags,
      summary: "Every executed backtest of the caller (queued and synchronous), newest first — a bare array",
      description: "Optional `Authorization: Bearer` (token or API key): without one the list is empty.",
      middleware: [maybeUser],
      request: { query: ListQuery },
      responses: { 200: jsonResponse(z.array(Summary), "Backtests"), ...errorResponses(401, 403, 422) },
    }),
    async (c) => {
      const me = c.get("principal")?.user.id ?? null;
      return c.json(
        await fromInput("query", () => listDashboardBacktests(deps, me, c.req.valid("query"))),
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: "get",
      path: "/api/backtests/{id}",
      tags,
      summary: "One executed backtest: metrics, equity curve with the reference asset's close, trades",
      description: "Optional `Authorization: Bearer`: only the caller's own runs are found (others: 404).",
      middleware: [maybeUser],
      request: { params: IdParam },
      responses: { 200: jsonResponse(Detail, "Backtest"), ...errorResponses(401, 403, 404, 422) },
    }),
    async (c) => {
      const me = c.get("principal")?.user.id ?? null;
      const { id } = c.req.valid("param");
      return c.json(await fromInput("path", () => dashboardBacktestDetail(deps, me, id)), 200);
    },
  );

  return app;
}
