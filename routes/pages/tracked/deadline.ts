/**
 * Today's signal window for the tracked-strategy page: which SSE trading day a signal submitted now goes to and
 * its deadline (the domain's `signalDeadline`: 09:15 Asia/Shanghai for open execution, 15:00 for close), plus
 * the server-rendered countdown text. The page script only counts down from these instants.
 */
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { DEADLINES, signalDeadline } from "../../../domain/track_record/signals/signals.ts";

const sse = getCalendar("SSE");

/** Where a signal submitted at `nowMs` goes, and by when. */
export interface SignalWindow {
  nowMs: number;
  /** Today's date in Asia/Shanghai. */
  today: string;
  todayIsTradingDay: boolean;
  /** `true` when today is a trading day whose deadline has passed. */
  todayPassed: boolean;
  /** The trading day a signal submitted now is for. */
  tradeDate: string;
  /** Its deadline (epoch ms). */
  deadlineMs: number;
  /** The local deadline time (`"09:15"` or `"15:00"`). */
  deadlineTime: string;
  /** The trading day after `tradeDate` (where signals go once this deadline passes) and its deadline. */
  nextTradeDate: string;
  nextDeadlineMs: number;
}

/** The signal window at `nowMs` for a strategy executed at `execution`. */
export function signalWindow(nowMs: number, execution: "open" | "close"): SignalWindow {
  const today = sse.today(nowMs);
  const todayIsTradingDay = sse.isTradingDay(today);
  const todayPassed = todayIsTradingDay && nowMs >= signalDeadline(today, execution);
  const tradeDate = todayIsTradingDay && !todayPassed ? today : sse.nextTradingDay(today);
  const nextTradeDate = sse.nextTradingDay(tradeDate);
  return {
    nowMs,
    today,
    todayIsTradingDay,
    todayPassed,
    tradeDate,
    deadlineMs: signalDeadline(tradeDate, execution),
    deadlineTime: DEADLINES[execution],
    nextTradeDate,
    nextDeadlineMs: signalDeadline(nextTradeDate, execution),
  };
}

/** A duration as `2 d 03 h 04 min 05 s` (days only when there are some); negative durations are 0. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(total / 86400);
  const h = Math.floor((total % 86400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d > 0 ? `${d} d ` : ""}${two(h)} h ${two(m)} min ${two(s)} s`;
}

/**
 * The countdown's lead as the server first renders it, up to the remaining time (the page shows
 * `<lead> <remaining> left.`; the script then updates the remaining time every second).
 */
export function countdownLead(w: SignalWindow): string {
  const due = `due by ${w.deadlineTime} Asia/Shanghai (CST) on ${w.tradeDate}`;
  if (w.tradeDate === w.today) return `Today's signal (${w.tradeDate}) is ${due}:`;
  if (w.todayPassed) {
    return `Today's deadline (${w.deadlineTime} CST on ${w.today}) has passed: a signal now goes to the next ` +
      `trading day, ${w.tradeDate}, ${due}:`;
  }
  return `Today (${w.today}) is not an SSE trading day: a signal now goes to the next trading day, ` +
    `${w.tradeDate}, ${due}:`;
}
