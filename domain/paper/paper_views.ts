/**
 * What the paper routes answer: the instance view (`PaperInstance`), log events (`PaperEvent`), and how a
 * processed day becomes log events and live trade messages.
 *
 * Conventions: dates are `YYYY-MM-DD` bar dates, instants ISO-8601 UTC; money is in the spec's currency;
 * `total_return` is a fraction (equity / initial capital − 1); a position's `unrealized_pnl` is
 * (last close − entry price) × quantity, fees not included (as a backtest's trade P&L).
 */
import { fromDayNumber } from "../calendar/dates.ts";
import type { Trade } from "../backtest/engine.ts";
import { iso, isoOrNull } from "../iso_time.ts";
import type {
  PaperEventData,
  PaperEventRecord,
  PaperFillData,
  PaperInstanceRecord,
  PaperStatus,
} from "../store/paper_repo.ts";

/** A held position as the instance view shows it. */
export interface PaperPositionView {
  symbol: string;
  quantity: number;
  entry_price: number;
  entry_date: string;
  last_close: number;
  market_value: number;
  unrealized_pnl: number;
}

/** An order decided at the last processed close, waiting for the next open. */
export interface PaperPendingOrderView {
  symbol: string;
  action: "BUY" | "SELL";
  quantity: number;
  reason: string;
  placed_on: string;
}

/** A paper-trading instance (document 003's "instance", contract A3). */
export interface PaperInstanceView {
  id: string;
  strategy_id: string;
  strategy_name: string;
  version: number;
  status: PaperStatus;
  is_public: boolean;
  start_date: string;
  started_at: string;
  stopped_at: string | null;
  stop_reason: string | null;
  last_bar_date: string | null;
  bars_processed: number;
  initial_capital: number;
  equity: number;
  cash: number;
  holdings_value: number;
  total_return: number;
  positions: PaperPositionView[];
  pending_orders: PaperPendingOrderView[];
  trades_count: number;
  symbols: string[];
  exchanges: string[];
  error: string | null;
  conventions: { fills: string; costs: string; schedule: string; parity: string };
}

/** One log event as answered. */
export interface PaperEventView {
  seq: number;
  at: string;
  date: string | null;
  type: PaperEventRecord["type"];
  message: string;
  data: PaperEventData;
}

const CONVENTIONS: PaperInstanceView["conventions"] = {
  fills:
    "The backtest engine's execution model on the spec: `next_open` orders are decided at a bar's close " +
    "and filled at the next bar's open (an order whose symbol has no bar that day lapses); `close` fills at the " +
    "decision bar's close; stops and targets on the bar's range; whole lots; cash never negative.",
  costs:
    "The spec's costs as in a backtest: buy and sell fees in percent of the value with its minimum fee, " +
    "slippage in percent of the price.",
  schedule: "Advanced after each market's close (paper-advance crons, UTC: SSE/SZSE 08:30, IDX 10:00, NSE " +
    "11:00, NYSE 22:30 Mon–Fri, crypto 00:30 daily) through the latest session every exchange of the instance " +
    "has closed and whose bars have arrived; missed sessions are processed in order, none twice.",
  parity:
    "Started on D and advanced through E, the fills and daily equity are those of a backtest of the same " +
    "spec from D to E with close_at_end false.",
};

const round = (x: number) => Math.round(x * 1e8) / 1e8;

/** The view of an instance record. */
export function instanceView(r: PaperInstanceRecord): PaperInstanceView {
  const positions = (r.state?.positions ?? []).map((p) => {
    const last = r.last_close[p.symbol] ?? p.entry_price;
    return {
      symbol: p.symbol,
      quantity: p.quantity,
      entry_price: p.entry_price,
      entry_date: fromDayNumber(p.entry_day),
      last_close: last,
      market_value: round(last * p.quantity),
      unrealized_pnl: round((last - p.entry_price) * p.quantity),
    };
  });
  const placedOn = r.last_bar_date ?? r.start_date;
  return {
    id: r.id,
    strategy_id: r.strategy_id,
    strategy_name: r.strategy_name,
    version: r.version,
    status: r.status,
    is_public: r.is_public,
    start_date: r.start_date,
    started_at: iso(r.started_at),
    stopped_at: isoOrNull(r.stopped_at),
    stop_reason: r.stop_reason,
    last_bar_date: r.last_bar_date,
    bars_processed: r.bars_processed,
    initial_capital: r.initial_capital,
    equity: r.equity,
    cash: r.cash,
    holdings_value: r.holdings_value,
    total_return: round(r.equity / r.initial_capital - 1),
    positions,
    pending_orders: (r.state?.pending ?? []).map((o) => ({
      symbol: o.symbol,
      action: o.action,
      quantity: o.quantity,
      reason: o.reason,
      placed_on: placedOn,
    })),
    trades_count: r.trades_count,
    symbols: r.symbols,
    exchanges: r.exchanges,
    error: r.error,
    conventions: CONVENTIONS,
  };
}

/** The view of a stored event. */
export const eventView = (e: PaperEventRecord): PaperEventView => ({
  seq: e.seq,
  at: iso(e.at),
  date: e.date,
  type: e.type,
  message: e.message,
  data: e.data,
});

/** An event before its seq and instant are assigned. */
export type NewPaperEvent = Omit<PaperEventRecord, "seq" | "at">;

/** A fill as a log event. */
export function fillEvent(t: Trade): NewPaperEvent {
  const data: PaperFillData = {
    symbol: t.symbol,
    action: t.action,
    quantity: t.quantity,
    price: t.price,
    value: t.value,
    fees: t.fees,
    reason: t.reason,
    confidence: t.confidence,
    portfolio_value: t.portfolioValue,
  };
  if (t.profitLoss !== undefined) data.profit_loss = t.profitLoss;
  if (t.holdingDays !== undefined) data.holding_days = t.holdingDays;
  return {
    date: fromDayNumber(t.day),
    type: "fill",
    message: `${t.action} ${t.quantity} ${t.symbol} at ${t.price}: ${t.reason}`,
    data,
  };
}

/** An order as a log event (`order`, `order_lapsed` or `order_cancelled`). */
export function orderEvent(
  type: "order" | "order_lapsed" | "order_cancelled",
  date: string | null,
  o: { symbol: string; action: "BUY" | "SELL"; quantity: number; reason: string; confidence?: number | null },
): NewPaperEvent {
  const what = `${o.action} ${o.quantity} ${o.symbol}`;
  const message = type === "order"
    ? `Order ${what} for the next open: ${o.reason}`
    : type === "order_lapsed"
    ? `Order ${what} lapsed: ${o.symbol} had no bar on ${date}`
    : `Order ${what} cancelled: the instance stopped`;
  return {
    date,
    type,
    message,
    data: {
      symbol: o.symbol,
      action: o.action,
      quantity: o.quantity,
      reason: o.reason,
      ...(o.confidence !== undefined ? { confidence: o.confidence } : {}),
    },
  };
}

/** Assigns seqs after `lastSeq` and the commit instant to `events`. */
export const numbered = (events: readonly NewPaperEvent[], lastSeq: number, at: number): PaperEventRecord[] =>
  events.map((e, i) => ({ seq: lastSeq + 1 + i, at, ...e }));

/**
 * What a fill's reason says on the public feed: a rule's text is the owner's (the library keeps unpublished
 * rules private), so `entry: …` and `exit: …` become "entry rule" and "exit rule"; stops, targets, holding limits
 * and liquidation keep their words.
 */
function publicReason(reason: string): string {
  if (reason.startsWith("entry: ")) return "entry rule";
  if (reason.startsWith("exit: ")) return "exit rule";
  return reason;
}

/**
 * The live trade messages of the `fill` events among `events` (document 001's `{"type": "trade", data}`, with
 * `id` `<instance_id>:<seq>` and `source: "paper"`). With `audience` "public", rule texts are left out of
 * `reasoning` (`publicReason`).
 */
export function tradeMessages(
  r: PaperInstanceRecord,
  events: readonly PaperEventRecord[],
  audience: "owner" | "public" = "owner",
): unknown[] {
  return events.filter((e) => e.type === "fill").map((e) => ({ e, f: e.data as PaperFillData })).map((
    { e, f },
  ) => ({
    type: "trade",
    data: {
      id: `${r.id}:${e.seq}`,
      instance_id: r.id,
      strategy_id: r.strategy_id,
      timestamp: e.date,
      asset: f.symbol,
      action: f.action,
      price: f.price,
      quantity: f.quantity,
      reasoning: audience === "public" ? publicReason(f.reason) : f.reason,
      confidence: f.confidence,
      source: "paper",
    },
  }));
}
