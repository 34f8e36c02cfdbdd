/**
 * Persistence of settled days. Each strategy-day is written in ONE atomic commit (summary with positions, trade
 * list, NAV point, head, audit entry, trade-feed event, the signal's settled flag) guarded by the head's
 * versionstamp and the day key being absent, so a day is written once and never changes, and a crash leaves a
 * strategy either settled for the day or not at all.
 */
import type { AuditEntry } from "./audit_repo.ts";
import { keys } from "./keys.ts";
import { SETTLED_TRADES_STREAM } from "./stream_repo.ts";
import type { SignalRecord } from "./signal_repo.ts";
import type { DividendCredit, Position, SettledTrade } from "../track_record/settlement/rebalance.ts";

/** A position as recorded at the close of a settled day. */
export interface SettledPosition extends Position {
  /** Valuation price (the close, or the last price when suspended). */
  price: number;
  market_value: number;
  /** market_value / nav. */
  weight: number;
  suspended: boolean;
}

/** A trade as recorded, with its stable id. */
export interface RecordedTrade extends SettledTrade {
  id: string;
}

/**
 * How a settled day treated cash dividends: `none` (days settled before dividends were credited; stored days
 * without the field read as `none`) or `cash_on_ex_date_no_tax` (see `domain/track_record/settlement/rebalance.ts`).
 */
export type DividendConvention = "none" | "cash_on_ex_date_no_tax";

/** The convention a stored day used (`none` when it predates the field). */
export function dividendConventionOf(day: Pick<SettledDayRecord, "dividend_convention">): DividendConvention {
  return day.dividend_convention ?? "none";
}

/** The summary of one settled strategy-day. */
export interface SettledDayRecord {
  strategy_slug: string;
  date: string;
  action: "REBALANCE" | "HOLD";
  detail: string;
  nav: number;
  cash: number;
  prev_nav: number;
  daily_return: number;
  cumulative_return: number;
  benchmark_symbol: string;
  benchmark_close: number | null;
  benchmark_return: number | null;
  positions: SettledPosition[];
  trade_count: number;
  signal_hash: string | null;
  suspended: string[];
  data_source: string;
  settled_at: number;
  /** Absent on days settled before the field existed (read them with `dividendConventionOf`). */
  dividend_convention?: DividendConvention;
  /** Dividends credited that day (present with `cash_on_ex_date_no_tax`). */
  dividends?: DividendCredit[];
}

/** One point of the NAV series. */
export interface NavPointRecord {
  date: string;
  nav: number;
  daily_return: number;
  cumulative_return: number;
  benchmark_return: number | null;
}

/** The last settled day of a strategy. */
export interface SettlementHead {
  date: string;
  nav: number;
  trading_days: number;
}

/** A day ready to be committed. */
export interface DayCommit {
  day: SettledDayRecord;
  trades: RecordedTrade[];
  audit: AuditEntry;
  /** The day's signal, to flag as settled (checked against its versionstamp). */
  signal: Deno.KvEntry<SignalRecord> | null;
  /** Trade-feed event for `/ws` (omitted for private strategies or days without trades). */
  feed: unknown[] | null;
}

/** Access to settlement records. */
export interface SettlementRepo {
  head(slug: string): Promise<SettlementHead | null>;
  headEntry(slug: string): Promise<Deno.KvEntryMaybe<SettlementHead>>;
  /** Commits a day; `false` when the head moved or the day exists (someone else settled it). */
  commitDay(expectedHead: Deno.KvEntryMaybe<SettlementHead>, commit: DayCommit): Promise<boolean>;
  getDay(slug: string, date: string): Promise<SettledDayRecord | null>;
  getTrades(slug: string, date: string): Promise<RecordedTrade[]>;
  /** The NAV series, oldest first. */
  navSeries(slug: string): Promise<NavPointRecord[]>;
  /** Settled days in `[start, end]` with positions, oldest first. */
  days(slug: string, start?: string, end?: string): Promise<SettledDayRecord[]>;
}

/** How long trade-feed events stay readable for stream bridges. */
const TRADE_FEED_TTL_MS = 3_600_000;

/** Creates the KV-backed repository. */
export function createSettlementRepo(kv: Deno.Kv): SettlementRepo {
  return {
    async head(slug) {
      return (await kv.get<SettlementHead>(keys.settlementHead(slug))).value;
    },
    headEntry(slug) {
      return kv.get<SettlementHead>(keys.settlementHead(slug));
    },
    async commitDay(expectedHead, c) {
      const { day } = c;
      const slug = day.strategy_slug;
      const head: SettlementHead = {
        date: day.date,
        nav: day.nav,
        trading_days: (expectedHead.value?.trading_days ?? 0) + 1,
      };
      const nav: NavPointRecord = {
        date: day.date,
        nav: day.nav,
        daily_return: day.daily_return,
        cumulative_return: day.cumulative_return,
        benchmark_return: day.benchmark_return,
      };
      const op = kv.atomic()
        .check(expectedHead)
        .check({ key: keys.settledDay(slug, day.date), versionstamp: null })
        .set(keys.settledDay(slug, day.date), day)
        .set(keys.settledTrades(slug, day.date), c.trades)
        .set(keys.settledNav(slug, day.date), nav)
        .set(keys.settlementHead(slug), head)
        .set(keys.auditEntry(slug, c.audit.id), c.audit);
      if (c.signal) op.check(c.signal).set(c.signal.key, { ...c.signal.value, is_settled: true });
      if (c.feed && c.feed.length > 0) {
        op.set(keys.tradeFeed(day.settled_at, slug, day.date), c.feed, { expireIn: TRADE_FEED_TTL_MS })
          .set(keys.streamChanged(SETTLED_TRADES_STREAM), { at: day.settled_at, slug, date: day.date });
      }
      return (await op.commit()).ok;
    },
    async getDay(slug, date) {
      return (await kv.get<SettledDayRecord>(keys.settledDay(slug, date))).value;
    },
    async getTrades(slug, date) {
      return (await kv.get<RecordedTrade[]>(keys.settledTrades(slug, date))).value ?? [];
    },
    async navSeries(slug) {
      const out: NavPointRecord[] = [];
      for await (
        const e of kv.list<NavPointRecord>({ prefix: keys.settledNavs(slug) }, { batchSize: 1000 })
      ) {
        out.push(e.value);
      }
      return out;
    },
    async days(slug, start, end) {
      const out: SettledDayRecord[] = [];
      const prefix = keys.settledDays(slug);
      const selector = {
        start: start ? [...prefix, start] : [...prefix, ""],
        end: end ? [...prefix, end + "\u0000"] : [...prefix, "\uffff"],
      };
      for await (const e of kv.list<SettledDayRecord>(selector)) out.push(e.value);
      return out;
    },
  };
}
