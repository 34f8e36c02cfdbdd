/** Every message that travels on the queue, as one zod discriminated union. */
import { z } from "zod";
import { isSupportedCalendarDate } from "../domain/calendar/calendar.ts";

/** A liveness ping: the listener records when it processed it. */
const HeartbeatMessage = z.object({
  type: z.literal("system.heartbeat"),
  id: z.string(),
  sent_at: z.number(),
});

/** Refresh one exchange's market data after its close; `id` is `refresh:<exchange>:<date>`. */
const MarketRefreshMessage = z.object({
  type: z.literal("market.refresh"),
  id: z.string(),
  exchange: z.enum(["SSE", "SZSE", "NSE", "IDX", "NYSE", "CRYPTO"]),
  date: z.string().refine(isSupportedCalendarDate, "Expected a real date"),
});

/** Run a queued backtest; `id` is `run:<job id>`. */
const BacktestRunMessage = z.object({
  type: z.literal("backtest.run"),
  id: z.string(),
  job_id: z.string().min(1).max(64),
});

/** Union of all queue messages; other areas add their types here. */
export const QueueMessage = z.discriminatedUnion("type", [
  HeartbeatMessage,
  MarketRefreshMessage,
  BacktestRunMessage,
]);

/** A parsed queue message. */
export type QueueMessage = z.infer<typeof QueueMessage>;
