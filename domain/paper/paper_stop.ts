/**
 * The one commit that stops a running instance (by its owner, or because its strategy was deleted): pending
 * orders cancelled (logged), positions kept or sold at their last processed close ("liquidated on stop"), a
 * `stopped` event, status `stopped` (final).
 */
import type { PaperInstanceRecord } from "../store/paper_repo.ts";
import { liquidatePaper } from "./paper_runner.ts";
import { fillEvent, type NewPaperEvent, numbered, orderEvent, tradeMessages } from "./paper_views.ts";

/** The stopped record of running instance `r`, its new log events and their live trade messages. */
export function stopCommit(
  r: PaperInstanceRecord,
  opts: { liquidate: boolean; reason: string; message: string; now: number },
) {
  const events: NewPaperEvent[] = (r.state?.pending ?? []).map((o) =>
    orderEvent("order_cancelled", r.last_bar_date, o)
  );
  let next: PaperInstanceRecord = { ...r };
  if (opts.liquidate && r.state && r.last_bar_date && r.state.positions.length > 0) {
    const sold = liquidatePaper(r.state, r.last_close, r.spec, r.last_bar_date, r.lot_sizes);
    events.push(...sold.fills.map(fillEvent));
    next = {
      ...next,
      state: sold.state,
      equity: Math.round(sold.equity * 1e4) / 1e4,
      cash: Math.round(sold.state.money * 1e4) / 1e4,
      holdings_value: 0,
      trades_count: r.trades_count + sold.fills.length,
    };
  }
  if (next.state) next.state = { ...next.state, pending: [] };
  events.push({
    date: r.last_bar_date,
    type: "stopped",
    message: opts.message,
    data: { liquidate: opts.liquidate, equity: next.equity },
  });
  const numberedEvents = numbered(events, r.last_seq, opts.now);
  next = {
    ...next,
    status: "stopped",
    stopped_at: opts.now,
    stop_reason: opts.reason,
    last_seq: r.last_seq + numberedEvents.length,
    updated_at: opts.now,
  };
  return {
    next,
    events: numberedEvents,
    trades: tradeMessages(next, numberedEvents),
    publicTrades: tradeMessages(next, numberedEvents, "public"),
  };
}
