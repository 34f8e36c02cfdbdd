/**
 * Persistence of settled days. Each strategy-day is written in ONE atomic commit (summary with positions, trade
 * list, NAV point, head, audit entry, trade-feed event, the signal's settled flag, the day record's hash chain
 * link and its "record to log" marker, and the bump of the strategy's and the public list's public scopes) guarded
 * by the head's versionstamp and the day key being absent, so a day is written once and never changes, a crash
 * leaves a strategy either settled for the day or not at all, and no public answer outlives the commit.
 *
 * Storage: a day's summary and its trade list are one KV value each while small (JSON ≤ `INLINE_JSON_CHARS`:
 * about 100 positions, 100 trades); a larger day (a 500-symbol portfolio: ~90 KiB of positions, up to ~190 KiB
 * of trades) keeps a head in that value and its `positions`/`suspended`/`dividends` (or its trades) in
 * compressed chunks written in the same commit (`record_parts.ts`). The trade-feed events go in entries of at
 * most `FEED_EVENTS_PER_ENTRY`. Readers accept both forms, so days settled before chunking read unchanged.
 */
import type { AuditEntry } from "./audit_repo.ts";
import { keys } from "./keys.ts";
import { LIST_SCOPE, strategyScope } from "./public_scopes.ts";
import { bumpPublicScopes } from "./public_versions_repo.ts";
import { type PartsOwner, type PartsRef, readParts, splitParts } from "./record_parts.ts";
import { SETTLED_TRADES_STREAM } from "./stream_repo.ts";
import { signalHeadOf, type SignalRecord } from "./signal_repo.ts";
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
  /**
   * The previous settled day's `record_hash` (64 zeros on the first day); with `record_hash`, absent on days
   * settled before the chain existed (see `domain/track_record/settlement/record_chain.ts`).
   */
  prev_record_hash?: string;
  /** SHA-256 (hex) of the day's canonical record (`record_chain.ts`); absent on legacy days. */
  record_hash?: string;
}

/** A day record hash waiting to be appended to its strategy's transparency log. */
export interface DayRecordToLog {
  strategy_slug: string;
  date: string;
  record_hash: string;
  /** Whether the strategy is a demo one (its log is the demo log). */
  is_demo: boolean;
}

/** One point of the NAV series. */
export interface NavPointRecord {
  date: string;
  nav: number;
  daily_return: number;
  cumulative_return: number;
  benchmark_return: number | null;
  /** The day's record hash (absent on legacy days), so a whole series' hashes read without the days. */
  record_hash?: string;
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
  /** The "record to log" marker of the day's record hash, written in the same commit. */
  record_to_log?: DayRecordToLog | null;
}

/** Access to settlement records. */
export interface SettlementRepo {
  head(slug: string): Promise<SettlementHead | null>;
  headEntry(slug: string): Promise<Deno.KvEntryMaybe<SettlementHead>>;
  /** Commits a day; `false` when the head moved or the day exists (someone else settled it). */
  commitDay(expectedHead: Deno.KvEntryMaybe<SettlementHead>, commit: DayCommit): Promise<boolean>;
  getDay(slug: string, date: string): Promise<SettledDayRecord | null>;
  /** A settled day's NAV point (one small value: no positions to read). */
  navPoint(slug: string, date: string): Promise<NavPointRecord | null>;
  getTrades(slug: string, date: string): Promise<RecordedTrade[]>;
  /** The NAV series, oldest first. */
  navSeries(slug: string): Promise<NavPointRecord[]>;
  /** Settled days in `[start, end]` with positions, oldest first. */
  days(slug: string, start?: string, end?: string): Promise<SettledDayRecord[]>;
  /** Day record hashes waiting for their transparency log, by strategy then date. */
  listRecordsToLog(): Promise<DayRecordToLog[]>;
  /** Clears the "record to log" marker of `item` (nothing when it is gone already). */
  clearRecordToLog(item: DayRecordToLog): Promise<void>;
}

/** How long trade-feed events stay readable for stream bridges. */
const TRADE_FEED_TTL_MS = 3_600_000;
/** Trade events per trade-feed entry (an event is at most ~330 bytes, so an entry stays under ~33 KiB). */
export const FEED_EVENTS_PER_ENTRY = 100;

/** The fields of a settled day a large day stores in chunks. */
type DayBody = Pick<SettledDayRecord, "positions" | "suspended" | "dividends">;
/** What is stored under a day's key: the whole summary, or (with `parts`) its head without `DayBody`. */
type StoredDay = Omit<SettledDayRecord, keyof DayBody> & Partial<DayBody> & { parts?: PartsRef };
/** What is stored under a day's trades key: the list, or where its chunks are. */
type StoredTrades = RecordedTrade[] | { parts: PartsRef };

const dayOwner = (slug: string, date: string): PartsOwner => ({ kind: "settled_day", slug, date });
const tradesOwner = (slug: string, date: string): PartsOwner => ({ kind: "settled_trades", slug, date });

/** A stored day as a record (its chunks already read into `body` when it has parts). */
function dayRecord(stored: StoredDay, body: DayBody | null): SettledDayRecord {
  const { parts, ...head } = stored;
  if (!parts) return stored as SettledDayRecord;
  if (!body) throw new Error(`Settled day ${stored.strategy_slug} ${stored.date}: its chunks are missing`);
  return { ...head, ...body };
}

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
      if (day.record_hash !== undefined) nav.record_hash = day.record_hash;
      const { positions, suspended, dividends, ...dayHead } = day;
      const dayParts = await splitParts(dayOwner(slug, day.date), { positions, suspended, dividends });
      const tradeParts = await splitParts(tradesOwner(slug, day.date), c.trades);
      const storedDay: StoredDay = dayParts ? { ...dayHead, parts: dayParts.ref } : day;
      const storedTrades: StoredTrades = tradeParts ? { parts: tradeParts.ref } : c.trades;
      const op = kv.atomic()
        .check(expectedHead)
        .check({ key: keys.settledDay(slug, day.date), versionstamp: null })
        .set(keys.settledDay(slug, day.date), storedDay)
        .set(keys.settledTrades(slug, day.date), storedTrades)
        .set(keys.settledNav(slug, day.date), nav)
        .set(keys.settlementHead(slug), head)
        .set(keys.auditEntry(slug, c.audit.id), c.audit);
      for (const chunk of [...(dayParts?.sets ?? []), ...(tradeParts?.sets ?? [])]) {
        op.set(chunk.key, chunk.value);
      }
      if (c.record_to_log) op.set(keys.dayRecordToLog(slug, day.date), c.record_to_log);
      if (c.signal) {
        op.check(c.signal).set(c.signal.key, signalHeadOf({ ...c.signal.value, is_settled: true }));
      }
      if (c.feed && c.feed.length > 0) {
        for (let i = 0; i * FEED_EVENTS_PER_ENTRY < c.feed.length; i++) {
          const key = i === 0
            ? keys.tradeFeed(day.settled_at, slug, day.date)
            : keys.tradeFeedPart(day.settled_at, slug, day.date, i);
          const events = c.feed.slice(i * FEED_EVENTS_PER_ENTRY, (i + 1) * FEED_EVENTS_PER_ENTRY);
          op.set(key, events, { expireIn: TRADE_FEED_TTL_MS });
        }
        op.set(keys.streamChanged(SETTLED_TRADES_STREAM), { at: day.settled_at, slug, date: day.date });
      }
      // The strategy's pages and its list row (trading days, NAV, returns) change with the day.
      bumpPublicScopes(op, [strategyScope(slug), LIST_SCOPE], day.settled_at);
      return (await op.commit()).ok;
    },
    async getDay(slug, date) {
      const stored = (await kv.get<StoredDay>(keys.settledDay(slug, date))).value;
      if (!stored) return null;
      if (!stored.parts) return stored as SettledDayRecord;
      const [body] = await readParts<DayBody>(kv, [{ owner: dayOwner(slug, date), ref: stored.parts }]);
      return dayRecord(stored, body);
    },
    async navPoint(slug, date) {
      return (await kv.get<NavPointRecord>(keys.settledNav(slug, date))).value;
    },
    async getTrades(slug, date) {
      const stored = (await kv.get<StoredTrades>(keys.settledTrades(slug, date))).value;
      if (!stored) return [];
      if (Array.isArray(stored)) return stored;
      const [trades] = await readParts<RecordedTrade[]>(kv, [{
        owner: tradesOwner(slug, date),
        ref: stored.parts,
      }]);
      if (!trades) throw new Error(`Trades of ${slug} on ${date}: their chunks are missing`);
      return trades;
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
      const prefix = keys.settledDays(slug);
      const selector = {
        start: start ? [...prefix, start] : [...prefix, ""],
        end: end ? [...prefix, end + "\u0000"] : [...prefix, "\uffff"],
      };
      const stored: StoredDay[] = [];
      for await (const e of kv.list<StoredDay>(selector)) stored.push(e.value);
      const chunked = stored.filter((d) => d.parts);
      if (chunked.length === 0) return stored as SettledDayRecord[];
      const bodies = await readParts<DayBody>(
        kv,
        chunked.map((d) => ({ owner: dayOwner(slug, d.date), ref: d.parts! })),
      );
      const bodyOf = new Map(chunked.map((d, i) => [d, bodies[i]]));
      return stored.map((d) => dayRecord(d, bodyOf.get(d) ?? null));
    },
    async listRecordsToLog() {
      const out: DayRecordToLog[] = [];
      for await (const e of kv.list<DayRecordToLog>({ prefix: keys.dayRecordsToLog() })) out.push(e.value);
      return out;
    },
    async clearRecordToLog(item) {
      await kv.delete(keys.dayRecordToLog(item.strategy_slug, item.date));
    },
  };
}
