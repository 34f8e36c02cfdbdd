/** Request and response schemas of the paper-trading routes (document 003 "Strategy Operations"). */
import { z } from "@hono/zod-openapi";
import { isIsoDate } from "../../domain/calendar/dates.ts";

const date = (description: string) =>
  z.string().refine(isIsoDate, "Expected a date YYYY-MM-DD").openapi({ description, example: "2026-01-05" });

/** `POST …/run`: every field optional; unknown fields are refused. */
export const StartInstanceBody = z.strictObject({
  version: z.number().int().min(1).optional().openapi({
    description: "The library version to run (default: the production version)",
  }),
  start_date: date(
    "First bar date (default: the next session not yet closed); at most 5 years back and 31 days ahead. " +
      "A past date processes every closed session since then, in order, before the answer.",
  ).optional(),
  is_public: z.boolean().optional().openapi({
    description:
      "Stream this instance's trades to everyone on WS /ws (default false; the owner always gets them)",
  }),
}).openapi("StartPaperInstance");

/** `POST …/instances/{id}/stop`. */
export const StopInstanceBody = z.strictObject({
  liquidate: z.boolean().optional().openapi({
    description: "Sell every position at its last processed close (default: the spec's close_at_end)",
  }),
}).openapi("StopPaperInstance");

const Status = z.enum(["running", "stopped", "failed"]);
const Action = z.enum(["BUY", "SELL"]);

export const PaperInstanceSchema = z.object({
  id: z.string().openapi({ example: "pi_01JABCDEF0123456789ABCDEFG" }),
  strategy_id: z.string(),
  strategy_name: z.string(),
  version: z.number().int(),
  status: Status,
  is_public: z.boolean(),
  start_date: z.string(),
  started_at: z.string(),
  stopped_at: z.string().nullable(),
  stop_reason: z.string().nullable(),
  last_bar_date: z.string().nullable().openapi({ description: "The last bar processed" }),
  bars_processed: z.number().int().openapi({ description: "Trading days processed" }),
  initial_capital: z.number(),
  equity: z.number(),
  cash: z.number(),
  holdings_value: z.number(),
  total_return: z.number().openapi({ description: "equity / initial_capital − 1 (a fraction)" }),
  positions: z.array(z.object({
    symbol: z.string(),
    quantity: z.number(),
    entry_price: z.number(),
    entry_date: z.string(),
    last_close: z.number(),
    market_value: z.number(),
    unrealized_pnl: z.number().openapi({
      description: "(last_close − entry_price) × quantity, fees not included",
    }),
  })),
  pending_orders: z.array(z.object({
    symbol: z.string(),
    action: Action,
    quantity: z.number(),
    reason: z.string(),
    placed_on: z.string(),
  })).openapi({ description: "Orders decided at the last processed close, to fill at the next open" }),
  trades_count: z.number().int(),
  symbols: z.array(z.string()).openapi({ description: "Pinned at start" }),
  exchanges: z.array(z.string()),
  error: z.string().nullable().openapi({ description: "Why it failed (status failed)" }),
  conventions: z.object({ fills: z.string(), costs: z.string(), schedule: z.string(), parity: z.string() }),
}).openapi("PaperInstance");

export const PaperInstanceListSchema = z.object({
  instances: z.array(PaperInstanceSchema),
  total: z.number().int(),
}).openapi("PaperInstanceList");

export const InstanceListQuery = z.object({
  status: Status.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ example: 50 }),
  offset: z.coerce.number().int().min(0).default(0).openapi({ type: "integer", minimum: 0, default: 0 }),
});

export const InstanceLogsQuery = z.object({
  since: z.string().max(40).optional().openapi({
    description: "The seq of the last event seen (events after it), or a date YYYY-MM-DD / ISO instant " +
      "(events written at or after it)",
    example: "12",
  }),
  limit: z.coerce.number().int().min(1).max(1000).default(100).openapi({ example: 100 }),
});

const PaperEventSchema = z.object({
  seq: z.number().int().openapi({ description: "1-based, gapless" }),
  at: z.string().openapi({ description: "When the event was written (ISO-8601 UTC)" }),
  date: z.string().nullable().openapi({ description: "The bar date it belongs to" }),
  type: z.enum([
    "started",
    "order",
    "fill",
    "order_lapsed",
    "order_cancelled",
    "daily_summary",
    "error",
    "stopped",
  ]),
  message: z.string(),
  data: z.union([
    z.object({
      symbol: z.string(),
      action: Action,
      quantity: z.number(),
      price: z.number(),
      value: z.number(),
      fees: z.number(),
      reason: z.string(),
      confidence: z.number().nullable(),
      portfolio_value: z.number().openapi({
        description: "Equity at the fill's day close (engine precision)",
      }),
      profit_loss: z.number().optional().openapi({ description: "SELL: (price − entry price) × quantity" }),
      holding_days: z.number().int().optional(),
    }).openapi("PaperFillData"),
    z.object({
      symbol: z.string(),
      action: Action,
      quantity: z.number(),
      reason: z.string(),
      confidence: z.number().nullable().optional(),
    }).openapi("PaperOrderData"),
    z.object({
      equity: z.number(),
      cash: z.number(),
      holdings_value: z.number(),
      positions: z.number().int(),
      trades: z.number().int(),
    }).openapi("PaperDailySummaryData"),
    z.object({
      strategy_id: z.string(),
      version: z.number().int(),
      start_date: z.string(),
      symbols: z.array(z.string()),
      exchanges: z.array(z.string()),
      initial_capital: z.number(),
    }).openapi("PaperStartedData"),
    z.object({ error: z.string() }).openapi("PaperErrorData"),
    z.object({ liquidate: z.boolean(), equity: z.number() }).openapi("PaperStoppedData"),
  ]).openapi({
    description: "By type — fill: PaperFillData; order, order_lapsed, order_cancelled: PaperOrderData; " +
      "daily_summary: PaperDailySummaryData; started: PaperStartedData; error: PaperErrorData; stopped: " +
      "PaperStoppedData",
  }),
}).openapi("PaperEvent");

export const PaperLogPageSchema = z.object({
  instance_id: z.string(),
  events: z.array(PaperEventSchema),
  next_since: z.number().int().nullable().openapi({ description: "Pass as since to read on" }),
  has_more: z.boolean(),
}).openapi("PaperLogPage");

export const PaperAdvanceSummarySchema = z.object({
  date: z.string(),
  instances: z.number().int(),
  advanced: z.number().int(),
  bars: z.number().int(),
  fills: z.number().int(),
  failed: z.number().int(),
  errors: z.array(z.object({ instance_id: z.string(), error: z.string() })),
}).openapi("PaperAdvanceSummary");
