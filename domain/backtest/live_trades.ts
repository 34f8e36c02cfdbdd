/**
 * The live trade messages of a running queued backtest, as `WS /ws` sends them to the job's owner:
 * `{"type": "trade", "data": {id, backtest_id, job_id, timestamp, asset, action, price, quantity, reasoning,
 * confidence, source: "backtest"}}`. `id` is the trade's 1-based position in the run (the same `id` as in
 * `GET /api/backtests/{id}`'s trades), `backtest_id` the run's integer id there. One progress write streams at
 * most `MAX_LIVE_TRADES_PER_WRITE` trades; the rest of that write is counted in one
 * `{"type": "trades_omitted", "data": {job_id, backtest_id, omitted}}` message (the detail view has them all).
 */
import { fromDayNumber } from "../calendar/dates.ts";
import type { Trade } from "./engine.ts";
import type { ReportTrade } from "./report.ts";

/** The most trade messages one progress write of a job streams. */
const MAX_LIVE_TRADES_PER_WRITE = 200;

/** A trade as streamed, whichever side of the run it comes from (engine fill or report row). */
export interface LiveTrade {
  date: string;
  asset: string;
  action: "BUY" | "SELL";
  price: number;
  quantity: number;
  reasoning: string;
  confidence: number | null;
}

/** An engine fill as a live trade. */
export const liveFromEngine = (t: Trade): LiveTrade => ({
  date: fromDayNumber(t.day),
  asset: t.symbol,
  action: t.action,
  price: t.price,
  quantity: t.quantity,
  reasoning: t.reason,
  confidence: t.confidence,
});

/** A report row as a live trade. */
export const liveFromReport = (t: ReportTrade): LiveTrade => ({
  date: t.date,
  asset: t.ticker,
  action: t.action,
  price: t.price,
  quantity: t.quantity,
  reasoning: t.reason,
  confidence: t.confidence ?? null,
});

/** The messages of `trades`, the first being trade number `firstNumber` of job `jobId` (integer `backtestId`). */
export function liveTradeMessages(
  jobId: string,
  backtestId: number | null,
  firstNumber: number,
  trades: readonly LiveTrade[],
): unknown[] {
  const shown = trades.slice(0, MAX_LIVE_TRADES_PER_WRITE);
  const out: unknown[] = shown.map((t, i) => ({
    type: "trade",
    data: {
      id: firstNumber + i,
      backtest_id: backtestId,
      job_id: jobId,
      timestamp: t.date,
      asset: t.asset,
      action: t.action,
      price: t.price,
      quantity: t.quantity,
      reasoning: t.reasoning,
      confidence: t.confidence,
      source: "backtest",
    },
  }));
  if (trades.length > shown.length) {
    out.push({
      type: "trades_omitted",
      data: { job_id: jobId, backtest_id: backtestId, omitted: trades.length - shown.length },
    });
  }
  return out;
}
