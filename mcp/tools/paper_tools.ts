/**
 * Paper-trading tools (document 003 "Strategy Operations"): the same operations as
 * `/api/v1/strategies/{strategy_id}/run|instances…` and `/api/v1/library/{id}/…`. The strategy is named as the
 * routes name it: my library strategy's id or the name of exactly one of my library strategies. Another user's
 * strategy or instance is "not found" (404). Starting is not idempotent (confirm with list_paper_instances);
 * stopping is final.
 */
import { z } from "zod";
import {
  getInstance,
  instanceLogs,
  listInstances,
  startInstance,
  stopInstance,
} from "../../domain/paper/paper_instances.ts";
import {
  InstanceListQuery,
  InstanceLogsQuery,
  StartInstanceBody,
  StopInstanceBody,
} from "../../routes/schemas/paper.ts";
import { defineTool, READ_ONLY, type ToolDef } from "../tool_kit.ts";
import { pageArgs } from "../tool_schemas.ts";

const StrategyRef = z.string().min(1).max(200).describe(
  'My library strategy\'s id ("strat_…") or the name of exactly one of my library strategies ' +
    "(case-insensitive; two of one name answer 409 listing their ids). List them with list_library.",
);
const InstanceId = z.string().min(1).max(100).describe(
  'The paper instance\'s id, "pi_…" (list them with list_paper_instances)',
);

/** How fills and the schedule work (the instance view's `conventions` say the same, in full). */
const FILLS = "Fills follow the backtest engine exactly: orders decided at a bar's close fill at the next " +
  "bar's open (an order whose symbol has no bar that day lapses), `close` orders at the decision bar's close, " +
  "stops and targets on the bar's range, whole lots, the spec's fees and slippage; so an instance started on " +
  "D and advanced through E has the trades and daily equity of a backtest of the spec from D to E " +
  "(close_at_end false). Instances advance after each market's close (paper-advance: SSE/SZSE at 08:30 UTC, after their close).";

/** The paper-trading tools. */
export const paperTools: ToolDef[] = [
  defineTool({
    name: "start_paper_instance",
    title: "Start paper trading a library strategy",
    description: "Starts a paper-trading instance of my library strategy: its production version (or " +
      "`version`) runs forward from `start_date` on new bars; a past start_date is processed through the " +
      "latest closed session before the answer. Capital, costs and universe come from the spec. " + FILLS +
      " Running instances per tier: free 2, licensed 20 (403 past it); rate-limited like synchronous " +
      "backtests. Answers the instance (201 over HTTP). Not idempotent: each call starts another instance; " +
      "after a timeout check list_paper_instances before retrying.",
    input: z.strictObject({
      strategy_id: StrategyRef,
      version: StartInstanceBody.shape.version.describe(
        "The library version to run, ≥ 1 (default: the production version; without one the call answers 409)",
      ),
      start_date: StartInstanceBody.shape.start_date.describe(
        "First bar date YYYY-MM-DD (default: the next session not yet closed); at most 5 years back and 31 " +
          "days ahead",
      ),
      is_public: StartInstanceBody.shape.is_public.describe(
        "Stream this instance's trades to everyone on WS /ws (default false; the owner always gets them)",
      ),
    }),
    access: "user",
    hints: { readOnly: false, destructive: false, idempotent: false },
    run: (ctx, { strategy_id, ...input }) => startInstance(ctx.deps.paper, ctx.user().id, strategy_id, input),
  }),
  defineTool({
    name: "list_paper_instances",
    title: "List a strategy's paper instances",
    description:
      "My paper instances of one library strategy, newest first (`instances`, `total`), each with " +
      "status, equity, cash, positions, pending orders and last_bar_date. A deleted strategy's instances are " +
      "still listed by its id.",
    input: z.strictObject({
      strategy_id: StrategyRef,
      status: InstanceListQuery.shape.status.describe("running, stopped or failed (default: all)"),
      ...pageArgs(50),
    }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { strategy_id, ...query }) => listInstances(ctx.deps.paper, ctx.user().id, strategy_id, query),
  }),
  defineTool({
    name: "get_paper_instance",
    title: "One paper instance",
    description: "One of my paper instances: status, last_bar_date, bars_processed, equity, cash, " +
      "total_return (a fraction), positions with unrealized P&L, orders pending for the next open, " +
      "trades_count, the pinned symbols, and `conventions` (fills, costs, schedule, parity with backtests).",
    input: z.strictObject({ strategy_id: StrategyRef, instance_id: InstanceId }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { strategy_id, instance_id }) =>
      getInstance(ctx.deps.paper, ctx.user().id, strategy_id, instance_id),
  }),
  defineTool({
    name: "stop_paper_instance",
    title: "Stop a paper instance (final)",
    description: "Stops my running instance for good: pending orders are cancelled; positions are kept, or " +
      "sold at the last processed close with `liquidate: true` (default: the spec's close_at_end). Answers " +
      "the stopped instance. Destructive and final; a second call answers 409 (already stopped).",
    input: z.strictObject({
      strategy_id: StrategyRef,
      instance_id: InstanceId,
      liquidate: StopInstanceBody.shape.liquidate.describe(
        "true: sell every position at its last processed close; false: keep them (default: the spec's " +
          "close_at_end)",
      ),
    }),
    access: "user",
    hints: { readOnly: false, destructive: true, idempotent: true },
    run: (ctx, { strategy_id, instance_id, ...input }) =>
      stopInstance(ctx.deps.paper, ctx.user().id, strategy_id, instance_id, input),
  }),
  defineTool({
    name: "get_paper_logs",
    title: "A paper instance's event log",
    description:
      "The event log of my instance in seq order (1-based, gapless): started, order, fill (price, " +
      "fees, reason, P&L), order_lapsed, order_cancelled, daily_summary, error, stopped. Paging: pass the " +
      "answer's `next_since` as `since` while `has_more` is true; `since` may also be a date or instant " +
      "(events written at or after it). Answers {instance_id, events, next_since, has_more}.",
    input: z.strictObject({
      strategy_id: StrategyRef,
      instance_id: InstanceId,
      since: z.union([
        z.number().int().min(0).max(999_999_999_999_999),
        InstanceLogsQuery.shape.since.unwrap(),
      ]).optional()
        .describe(
          "The seq of the last event seen (events after it; an integer, or its digits), or a date YYYY-MM-DD " +
            "(from its 00:00 UTC) or an ISO-8601 instant (events written at or after it). Default: from the " +
            "first event",
        ),
      limit: z.number().int().min(1).max(1000).default(100).describe(
        "Events to return, 1–1000 (default 100)",
      ),
    }),
    access: "user",
    hints: READ_ONLY,
    run: (ctx, { strategy_id, instance_id, since, limit }) =>
      instanceLogs(ctx.deps.paper, ctx.user().id, strategy_id, instance_id, {
        since: since === undefined ? undefined : String(since),
        limit,
      }),
  }),
];
