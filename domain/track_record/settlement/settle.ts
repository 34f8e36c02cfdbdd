/**
 * Settlement of tracked strategies: for a date, every active (and paused) strategy is settled day by day, in
 * order, from its last settled day (or its start date) through that date. Each strategy-day is one atomic commit
 * guarded by the head and the day key, so running twice or after a crash writes each day exactly once, and a
 * settled day never changes. Paused strategies are settled as hold days: pausing stops new signals, it does not
 * hide the record.
 *
 * Each new day carries its link of the day-record hash chain (`record_chain.ts`): `prev_record_hash` (the previous
 * day's `record_hash`, genesis on the first day, computed over the legacy days when the previous day predates the
 * chain) and `record_hash`, stored in the day's commit with a "record to log" marker; right after the commit the
 * hash is appended to the strategy's transparency log (`record_log.ts`; a failure there leaves the marker for
 * `attestPending` and does not fail the settlement).
 */
import { getCalendar } from "../../calendar/calendar.ts";
import { addDays, isIsoDate, toDayNumber } from "../../calendar/dates.ts";
import { newId } from "../../tokens_and_hashes.ts";
import { BadRequestError, NotFoundError } from "../../errors.ts";
import { logOf, type SignalLogPort, type TrackRecordServices } from "../services.ts";
import { cosignHead } from "../../attestation/witness_collector.ts";
import { TRACKED_BENCHMARKS } from "../signals/tracked_strategies.ts";
import type {
  DividendConvention,
  RecordedTrade,
  SettledDayRecord,
  SettledPosition,
} from "../../store/settlement_repo.ts";
import type { TrackedStrategyRecord } from "../../store/tracked_strategy_repo.ts";
import { type DayBar, type PortfolioState, settleDay } from "./rebalance.ts";
import {
  chainDayRecord,
  chainHashThrough,
  type DayRecordParameters,
  GENESIS_RECORD_HASH,
} from "./record_chain.ts";
import { logDayRecord } from "./record_log.ts";

/** Board lot of A-shares and A-share ETFs. */
export const A_SHARE_LOT = 100;

/** The settlement parameters of a strategy as its day records carry them (fixed once the strategy exists). */
export function dayRecordParameters(s: TrackedStrategyRecord): DayRecordParameters {
  return {
    commission_rate: s.commission_rate,
    execution_price: s.execution_price,
    holding_period: s.holding_period,
    initial_capital: s.initial_capital,
    lot_size: A_SHARE_LOT,
    slippage_rate: s.slippage_rate,
  };
}

/** `prev_record_hash` of the day after `prevDay`: its stored hash, genesis without one, computed for a legacy day. */
function prevRecordHashOf(
  deps: TrackRecordServices,
  s: TrackedStrategyRecord,
  prevDay: SettledDayRecord | null,
): Promise<string> | string {
  if (!prevDay) return GENESIS_RECORD_HASH;
  if (prevDay.record_hash) return prevDay.record_hash;
  return chainHashThrough(deps.settlements, s.slug, dayRecordParameters(s), prevDay.date);
}

/** Local time after which a day's bars are final and it may be settled. */
export const SETTLE_AFTER = "15:00";

const sse = getCalendar("SSE");

/** What happened to one strategy in a settlement run. */
export interface SettleOutcome {
  slug: string;
  status: "settled" | "already_settled" | "not_started" | "not_tracked" | "failed";
  /** Days written by this run. */
  days: string[];
  error?: string;
}

/** The dividend convention of every day settled from now on (days already settled keep theirs). */
export const DIVIDEND_CONVENTION: DividendConvention = "cash_on_ex_date_no_tax";

/** Calendar days looked back for a held symbol's previous bar (further, to its entry date, when none is found). */
const DIVIDEND_LOOKBACK_DAYS = 60;

/**
 * Cash dividend per share implied by a step up of the total-return factor between a symbol's previous bar and
 * the ex-date's: `previous close × (1 − adj_prev / adj_today)`. This is exactly how the synthetic market pays a
 * dividend (the close drops by the paid fraction of the previous close and `adj_factor` grows by its inverse);
 * 0 when the factor did not grow.
 */
export function impliedCashDividend(prevClose: number, prevAdj: number, adj: number): number {
  if (!(adj > prevAdj) || !(prevAdj > 0)) return 0;
  return prevClose * (1 - prevAdj / adj);
}

/** Raised when prices for a day are not available yet; nothing is written. */
class MarketDataNotReadyError extends Error {}

/** Checks that `date` is an SSE trading day whose session has closed at `nowMs`. */
function assertSettleable(date: string, nowMs: number): void {
  if (!isIsoDate(date)) throw new BadRequestError(`Invalid date "${date}"`);
  if (!sse.isTradingDay(date)) throw new BadRequestError(`${date} is not an SSE trading day`);
  if (nowMs < sse.instantAt(date, SETTLE_AFTER)) {
    throw new BadRequestError(`${date} cannot be settled before its close (${SETTLE_AFTER} Asia/Shanghai)`);
  }
}

function barOn(
  series: { days: Int32Array; open: Float64Array; close: Float64Array } | null,
  day: number,
): DayBar {
  if (!series) return null;
  for (let i = series.days.length - 1; i >= 0; i--) {
    if (series.days[i] === day) return { open: series.open[i], close: series.close[i] };
    if (series.days[i] < day) break;
  }
  return null;
}

/** The day's bar with its implied cash dividend; `undefined` when the series has no bar before the day. */
function barWithDividend(series: BarSeriesLike | null, day: number): DayBar | undefined {
  if (!series) return null;
  for (let i = series.days.length - 1; i >= 0; i--) {
    if (series.days[i] === day) {
      if (i === 0) return undefined;
      const dividend = impliedCashDividend(
        series.close[i - 1],
        series.adj_factor[i - 1],
        series.adj_factor[i],
      );
      return { open: series.open[i], close: series.close[i], dividend };
    }
    if (series.days[i] < day) break;
  }
  return null;
}

type BarSeriesLike = {
  days: Int32Array;
  open: Float64Array;
  close: Float64Array;
  adj_factor: Float64Array;
};

/** Human text for a trade's reason, sent on the `/ws` stream. */
function reasoningOf(reason: RecordedTrade["reason"], date: string): string {
  switch (reason) {
    case "rebalance":
      return `Rebalance to the signal of ${date}`;
    case "exit_not_in_signal":
      return `Not in the signal of ${date}: position closed`;
    case "holding_period_expired":
      return "Holding period expired without a fresh signal";
  }
}

/**
 * Market reads shared by the strategies of one settlement run: each symbol's bars for a day (and the benchmark's)
 * are read once per run instead of once per strategy. A failed read is not kept (the next strategy tries again).
 */
export interface DayBarCache {
  get<T>(key: string, load: () => Promise<T>): Promise<T>;
}

/** A fresh cache for one run. */
export function createDayBarCache(): DayBarCache {
  const held = new Map<string, Promise<unknown>>();
  return {
    get<T>(key: string, load: () => Promise<T>): Promise<T> {
      let p = held.get(key) as Promise<T> | undefined;
      if (!p) {
        p = load();
        held.set(key, p);
        p.catch(() => held.delete(key));
      }
      return p;
    },
  };
}

async function settleOneDay(
  deps: TrackRecordServices,
  s: TrackedStrategyRecord,
  date: string,
  cache: DayBarCache,
): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const headEntry = await deps.settlements.headEntry(s.slug);
    const head = headEntry.value;
    if (head && head.date >= date) return false;
    // Settlement only reads signals: logging and attestation happen in `attestPending` (run before settling).
    const signalEntry = await deps.signals.getEntry(s.slug, date);
    const signal = signalEntry.value;
    const prevDay = head ? await deps.settlements.getDay(s.slug, head.date) : null;
    if (head && !prevDay) {
      throw new Error(`Settlement head of "${s.slug}" points at a missing day ${head.date}`);
    }
    const state: PortfolioState = prevDay
      ? {
        cash: prevDay.cash,
        positions: prevDay.positions.map((p) => ({
          symbol: p.symbol,
          quantity: p.quantity,
          last_price: p.last_price,
          entry_date: p.entry_date,
          last_signal_date: p.last_signal_date,
        })),
      }
      : { cash: s.initial_capital, positions: [] };
    const prevNav = head?.nav ?? s.initial_capital;
    const day = toDayNumber(date);
    const benchmark = TRACKED_BENCHMARKS[s.universe];
    const prevDate = sse.previousTradingDay(date);
    const bench = await cache.get(
      `bench\u0000${benchmark}\u0000${prevDate}\u0000${date}`,
      () => deps.market.getBars(benchmark, prevDate, date),
    );
    const benchToday = barOn(bench, day);
    if (!benchToday) {
      throw new MarketDataNotReadyError(
        `Cannot settle "${s.slug}" on ${date}: no ${benchmark} bar for that day yet`,
      );
    }
    const benchPrev = barOn(bench, toDayNumber(prevDate));
    const symbols = new Set([
      ...state.positions.map((p) => p.symbol),
      ...(signal?.signals ?? []).map((x) => x.symbol),
    ]);
    const bars = new Map<string, DayBar>();
    const entryOf = new Map(state.positions.map((p) => [p.symbol, p.entry_date]));
    const dayBar = (symbol: string) =>
      cache.get(
        `day\u0000${symbol}\u0000${date}`,
        async () => barOn(await deps.market.getBars(symbol, date, date), day),
      );
    await Promise.all([...symbols].map(async (symbol) => {
      const entry = entryOf.get(symbol);
      if (entry === undefined) {
        bars.set(symbol, await dayBar(symbol));
        return;
      }
      // A held symbol: its previous bar tells whether today is an ex-date.
      const lookback = addDays(date, -DIVIDEND_LOOKBACK_DAYS);
      let bar = await cache.get(
        `dividend\u0000${symbol}\u0000${date}`,
        async () => barWithDividend(await deps.market.getBars(symbol, lookback, date), day),
      );
      if (bar === undefined && entry < lookback) {
        bar = barWithDividend(await deps.market.getBars(symbol, entry, date), day);
      }
      bars.set(symbol, bar === undefined ? await dayBar(symbol) : bar);
    }));
    const result = settleDay({
      date,
      state,
      signal: signal?.signals ?? null,
      bar: (symbol) => bars.get(symbol) ?? null,
      execution: s.execution_price,
      commission_rate: s.commission_rate,
      slippage_rate: s.slippage_rate,
      holding_period: s.holding_period,
      tradingAge: (from) => Math.max(0, sse.countTradingDays(from, date) - 1),
      lot_size: A_SHARE_LOT,
    });
    const now = deps.clock.now();
    const positions: SettledPosition[] = result.state.positions.map((p) => {
      const market_value = p.quantity * p.last_price;
      return {
        ...p,
        price: p.last_price,
        market_value,
        weight: result.nav > 0 ? market_value / result.nav : 0,
        suspended: result.suspended.includes(p.symbol),
      };
    });
    const trades: RecordedTrade[] = result.trades.map((t, i) => ({ id: `${s.slug}:${date}:${i + 1}`, ...t }));
    const record: SettledDayRecord = {
      strategy_slug: s.slug,
      date,
      action: result.action,
      detail: result.detail,
      nav: result.nav,
      cash: result.state.cash,
      prev_nav: prevNav,
      daily_return: result.nav / prevNav - 1,
      cumulative_return: result.nav / s.initial_capital - 1,
      benchmark_symbol: benchmark,
      benchmark_close: benchToday.close,
      benchmark_return: benchPrev ? benchToday.close / benchPrev.close - 1 : null,
      positions,
      trade_count: trades.length,
      signal_hash: signal?.signal_hash ?? null,
      suspended: result.suspended,
      data_source: bench?.source ?? "unknown",
      settled_at: now,
      dividend_convention: DIVIDEND_CONVENTION,
      dividends: result.dividends,
    };
    record.prev_record_hash = await prevRecordHashOf(deps, s, prevDay);
    record.record_hash =
      (await chainDayRecord(record, trades, dayRecordParameters(s), record.prev_record_hash)).record_hash;
    const recordToLog = { strategy_slug: s.slug, date, record_hash: record.record_hash, is_demo: s.is_demo };
    const feed = s.is_public
      ? trades.map((t) => ({
        type: "trade",
        data: {
          id: t.id,
          strategy: s.slug,
          asset: t.symbol,
          action: t.action,
          price: t.fill_price,
          quantity: t.quantity,
          reasoning: reasoningOf(t.reason, date),
        },
      }))
      : null;
    const ok = await deps.settlements.commitDay(headEntry, {
      day: record,
      trades,
      audit: {
        id: newId("aud", now),
        at: now,
        date,
        event: result.action,
        detail: `${result.detail}; NAV ${result.nav.toFixed(2)}`,
        data: {
          nav: result.nav,
          cash: result.state.cash,
          trades: trades.length,
          signal_hash: record.signal_hash,
        },
      },
      signal: signal ? signalEntry as Deno.KvEntry<typeof signal> : null,
      feed,
      record_to_log: recordToLog,
    });
    if (ok) {
      try {
        await logDayRecord(deps, recordToLog);
      } catch (e) {
        deps.log("error", "day record log append failed", { slug: s.slug, date, error: String(e) });
      }
      return true;
    }
  }
  const head = await deps.settlements.head(s.slug);
  if (head && head.date >= date) return false;
  throw new Error(`Cannot settle "${s.slug}" on ${date}: too many concurrent changes`);
}

/**
 * Settles one strategy through `date` (an SSE trading day whose session has closed), filling any gap since its
 * last settled day first. Retired and pending strategies are not settled. Once all its days are settled (and
 * their record hashes logged) the strategy's log head is pushed to the witnesses once, skipping those in their
 * backoff window (`cosignHead`, `backoff: true`), so catching up many days never waits a timeout per day.
 */
export async function settleStrategy(
  deps: TrackRecordServices,
  slug: string,
  date: string,
  cache: DayBarCache = createDayBarCache(),
): Promise<SettleOutcome> {
  const outcome = await settleStrategyDays(deps, slug, date, cache);
  if (outcome.days.length > 0) {
    await cosignLogsOf(deps, [slug]);
    deps.onSettled?.([slug]);
  }
  return outcome;
}

/** Pushes the head of each log the given strategies write to, once per log, in request-path mode. */
async function cosignLogsOf(deps: TrackRecordServices, slugs: string[]): Promise<void> {
  const logs = new Set<SignalLogPort>();
  for (const slug of slugs) {
    const s = await deps.strategies.get(slug);
    if (s) logs.add(logOf(deps, s));
  }
  for (const log of logs) await cosignHead(deps, log, { backoff: true });
}

async function settleStrategyDays(
  deps: TrackRecordServices,
  slug: string,
  date: string,
  cache: DayBarCache,
): Promise<SettleOutcome> {
  assertSettleable(date, deps.clock.now());
  const s = await deps.strategies.get(slug);
  if (!s) throw new NotFoundError(`Strategy "${slug}" not found`);
  if (s.status !== "active" && s.status !== "paused") return { slug, status: "not_tracked", days: [] };
  if (!s.start_date || s.start_date > date) return { slug, status: "not_started", days: [] };
  const head = await deps.settlements.head(slug);
  if (head && head.date >= date) return { slug, status: "already_settled", days: [] };
  const from = head ? sse.nextTradingDay(head.date) : sse.tradingDayOnOrAfter(s.start_date);
  const written: string[] = [];
  try {
    for (const d of sse.tradingDaysBetween(from, date)) {
      if (await settleOneDay(deps, s, d, cache)) written.push(d);
    }
  } catch (e) {
    return { slug, status: "failed", days: written, error: e instanceof Error ? e.message : String(e) };
  }
  return { slug, status: written.length > 0 ? "settled" : "already_settled", days: written };
}

/**
 * Settles every strategy through `date`; one strategy's failure does not stop the others. The strategies share
 * one `DayBarCache`, so a symbol's bars for a day are read once per run. The witnesses are asked to cosign once
 * per log after all strategies (not per strategy or day; `backoff: true`).
 */
export async function settleAll(
  deps: TrackRecordServices,
  date: string,
): Promise<{ date: string; outcomes: SettleOutcome[] }> {
  assertSettleable(date, deps.clock.now());
  const outcomes: SettleOutcome[] = [];
  const cache = createDayBarCache();
  for (const s of await deps.strategies.listAll()) {
    if (s.status !== "active" && s.status !== "paused") continue;
    const outcome = await settleStrategyDays(deps, s.slug, date, cache);
    if (outcome.status === "failed") deps.log("error", "settlement failed", { ...outcome });
    outcomes.push(outcome);
  }
  const settled = outcomes.filter((o) => o.days.length > 0).map((o) => o.slug);
  await cosignLogsOf(deps, settled);
  if (settled.length > 0) deps.onSettled?.(settled);
  return { date, outcomes };
}
