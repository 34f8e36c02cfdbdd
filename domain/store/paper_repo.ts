/**
 * Paper-trading instances: the instance record (status, pinned spec and symbols, the engine state carried from
 * one bar to the next, the latest figures), a per-owner index, a per-strategy index, the running index the
 * advance job walks, and the instance's event log.
 *
 * Every change of an instance is one atomic commit checked against the versionstamp of the record it was
 * computed from (`commit`): the new record, its indexes, the log events it adds and their trade-feed messages
 * (the owner's user trade feed always, the public trade feed when the instance is public, each with its stream
 * marker, as `backtest_job_repo.ts` and `settlement_repo.ts` write theirs). Two advancers (two processes, a cron
 * and an admin run) computing from the same record cannot both land: the second commit fails its check and its
 * caller re-reads, so no bar and no event is written twice and the log's `seq` stays gapless.
 *
 * The event log is packed: the events of one commit go in entries `["paper_events", id, firstSeq]` of at most
 * `MAX_CHUNK_BYTES` each (`{at, events}`), with one time index `["paper_events_at", id, at, firstSeq]` per
 * commit (all events of a commit share its instant), so reading after a `seq` or from an instant reads only
 * the entries it returns.
 */
import type { EngineState } from "../backtest/engine.ts";
import type { StrategySpec } from "../strategy/spec.ts";
import { ConflictError } from "../errors.ts";
import { keys } from "./keys.ts";
import { getManyValues, MAX_CHUNK_BYTES, type Page, pageIndex, type PageRequest } from "./kv.ts";
import { USER_TRADE_FEED_CHUNK, USER_TRADE_FEED_TTL_MS, USER_TRADES_STREAM } from "./stream_repo.ts";
import { SETTLED_TRADES_STREAM } from "./stream_repo.ts";

/** running → stopped (by its owner) | failed (the runner refused its data); both are final. */
export type PaperStatus = "running" | "stopped" | "failed";

/** The kinds of log events. */
export type PaperEventType =
  | "started"
  | "order"
  | "fill"
  | "order_lapsed"
  | "order_cancelled"
  | "daily_summary"
  | "error"
  | "stopped";

/** A fill's data (the engine's trade; SELLs add their P&L and holding days). */
export interface PaperFillData {
  symbol: string;
  action: "BUY" | "SELL";
  quantity: number;
  price: number;
  value: number;
  fees: number;
  reason: string;
  confidence: number | null;
  /** Equity at the close of the fill's day, at the engine's precision (a report trade's `portfolioValue`). */
  portfolio_value: number;
  profit_loss?: number;
  holding_days?: number;
}

/** What each kind of event carries. */
export type PaperEventData =
  | PaperFillData
  | { symbol: string; action: "BUY" | "SELL"; quantity: number; reason: string; confidence?: number | null }
  | { equity: number; cash: number; holdings_value: number; positions: number; trades: number }
  | {
    strategy_id: string;
    version: number;
    start_date: string;
    symbols: string[];
    exchanges: string[];
    initial_capital: number;
  }
  | { error: string }
  | { liquidate: boolean; equity: number };

/** One event of an instance's log. `seq` is 1-based and gapless; `at` is the instant of its commit (epoch ms). */
export interface PaperEventRecord {
  seq: number;
  at: number;
  /** The bar date the event belongs to (`null` for started/stopped/error outside a bar). */
  date: string | null;
  type: PaperEventType;
  message: string;
  data: PaperEventData;
}

/** A stored paper-trading instance. Times are epoch ms. */
export interface PaperInstanceRecord {
  id: string;
  user_id: string;
  strategy_id: string;
  strategy_name: string;
  version: number;
  status: PaperStatus;
  is_public: boolean;
  /** The library version's spec with `start` = `start_date` (`end` is not used: an instance has no end). */
  spec: StrategySpec;
  /** Symbols pinned at start (tickers and resolved universe members, upper-case) and their exchanges. */
  symbols: string[];
  exchanges: string[];
  start_date: string;
  started_at: number;
  stopped_at: number | null;
  stop_reason: string | null;
  /** The last bar date processed (`null` before the first). */
  last_bar_date: string | null;
  bars_processed: number;
  initial_capital: number;
  equity: number;
  cash: number;
  holdings_value: number;
  /** The engine's state after `last_bar_date` (`null` before the first bar). */
  state: EngineState | null;
  /** Last close of each held symbol (position values, liquidation prices). */
  last_close: Record<string, number>;
  /** Lot size of each pinned symbol (liquidation sells whole lots). */
  lot_sizes: Record<string, number>;
  trades_count: number;
  /** The `seq` of the last log event written. */
  last_seq: number;
  error: string | null;
  updated_at: number;
}

/** A record as read, with the versionstamp a commit must check. */
export interface PaperInstanceEntry {
  record: PaperInstanceRecord;
  versionstamp: string;
}

/** What a commit adds beside the new record: log events (seq already assigned) and their live trade messages. */
export interface PaperCommitExtras {
  events: readonly PaperEventRecord[];
  /** `{type: "trade", data}` messages of the commit's fills, for the owner's topic (and everyone's when public). */
  trades: readonly unknown[];
  /** The same messages for everyone (public instances), as they may be shown there; default `trades`. */
  publicTrades?: readonly unknown[];
}

/** KV's limits for one commit, with headroom: mutations and bytes (keys and values). */
export const PAPER_COMMIT_LIMITS = { mutations: 900, bytes: 700 * 1024 } as const;

/** Public trade-feed events per entry (one KV value), as settlement writes them. */
const PUBLIC_FEED_CHUNK = 100;

const instanceKey = (id: string) => ["paper_instances", id] as const;
const byUserKey = (userId: string, id: string) => ["paper_instances_by_user", userId, id] as const;
const byStrategyKey = (strategyId: string, id: string) =>
  ["paper_instances_by_strategy", strategyId, id] as const;
/** Written by every start of an owner, so concurrent starts are serialised against the tier cap. */
const startTokenKey = (userId: string) => ["paper_start_token", userId] as const;
/** Starts of one owner retried after losing to a concurrent start. */
const MAX_START_ATTEMPTS = 10;
const runningKey = (id: string) => ["paper_instances_running", id] as const;
const runningByUserKey = (userId: string, id: string) =>
  ["paper_instances_running_by_user", userId, id] as const;
const eventsKey = (id: string, firstSeq: number) => ["paper_events", id, firstSeq] as const;
const eventsAtKey = (id: string, at: number, firstSeq: number) =>
  ["paper_events_at", id, at, firstSeq] as const;

const encoder = new TextEncoder();
const bytesOf = (value: unknown) => encoder.encode(JSON.stringify(value)).length;

/** Splits `events` into entries of at most `MAX_CHUNK_BYTES` (an event is far smaller than that). */
function packEvents(events: readonly PaperEventRecord[]): PaperEventRecord[][] {
  const out: PaperEventRecord[][] = [];
  let chunk: PaperEventRecord[] = [];
  let size = 0;
  for (const e of events) {
    const n = bytesOf(e) + 1;
    if (chunk.length > 0 && size + n > MAX_CHUNK_BYTES - 256) {
      out.push(chunk);
      chunk = [];
      size = 0;
    }
    chunk.push(e);
    size += n;
  }
  if (chunk.length > 0) out.push(chunk);
  return out;
}

/**
 * What a commit of `extras` (plus the record, its indexes and markers) costs: KV mutations and bytes, counted
 * the way they are written (a public instance writes its trades twice). The advance batches days while under
 * `PAPER_COMMIT_LIMITS`.
 */
export function paperCommitCost(
  record: PaperInstanceRecord,
  extras: PaperCommitExtras,
): { mutations: number; bytes: number } {
  const tradeBytes = bytesOf(extras.trades);
  const feeds = record.is_public ? 2 : 1;
  const mutations = 8 + packEvents(extras.events).length +
    Math.ceil(extras.trades.length / USER_TRADE_FEED_CHUNK) +
    (record.is_public ? Math.ceil(extras.trades.length / PUBLIC_FEED_CHUNK) : 0);
  return {
    mutations,
    bytes: bytesOf(record) + bytesOf(extras.events) + feeds * tradeBytes + 2_048 + mutations * 96,
  };
}

/** Persistence of paper-trading instances and their logs. */
export interface PaperRepo {
  /**
   * Stores a new running instance with its indexes and first events, unless its owner already runs `cap`
   * instances: then nothing is written and the answer is `false`. Starts of one owner are serialised by a
   * token key checked in the commit, so two starts at once cannot both take the last free place.
   */
  create(record: PaperInstanceRecord, extras: PaperCommitExtras, cap: number): Promise<boolean>;
  get(id: string): Promise<PaperInstanceEntry | null>;
  /**
   * Writes `next` (and `extras`) if the record is still at `versionstamp`; `false` when it changed meanwhile
   * (the caller re-reads and recomputes). The running indexes follow `next.status`.
   */
  commit(versionstamp: string, next: PaperInstanceRecord, extras: PaperCommitExtras): Promise<boolean>;
  /** Instances of `userId`, newest first, optionally of one strategy and one status. */
  listByUser(
    userId: string,
    page: PageRequest,
    filter: { strategyId?: string; status?: PaperStatus },
  ): Promise<Page<PaperInstanceRecord>>;
  /** Ids of running instances, oldest first, at most `limit`. */
  listRunning(limit: number): Promise<string[]>;
  /** Up to `limit` events of instance `id` with `seq > afterSeq`, in order; `has_more` when more follow. */
  eventsAfter(
    id: string,
    afterSeq: number,
    limit: number,
  ): Promise<{ events: PaperEventRecord[]; has_more: boolean }>;
  /** The `seq` of the first event written at or after `atMs`, or `null` when none was. */
  firstSeqFrom(id: string, atMs: number): Promise<number | null>;
}

/** Creates the KV-backed paper repository. */
export function createPaperRepo(kv: Deno.Kv): PaperRepo {
  const addExtras = (op: Deno.AtomicOperation, r: PaperInstanceRecord, x: PaperCommitExtras, at: number) => {
    const chunks = packEvents(x.events);
    if (chunks.length > 0) op.set(eventsAtKey(r.id, at, chunks[0][0].seq), chunks[0][0].seq);
    for (const chunk of chunks) op.set(eventsKey(r.id, chunk[0].seq), { at, events: chunk });
    if (x.trades.length === 0) return;
    const entry = `${r.id}:${x.events[0]?.seq ?? r.last_seq}`;
    const everyone = x.publicTrades ?? x.trades;
    for (let k = 0; k * USER_TRADE_FEED_CHUNK < x.trades.length; k++) {
      const part = x.trades.slice(k * USER_TRADE_FEED_CHUNK, (k + 1) * USER_TRADE_FEED_CHUNK);
      op.set(keys.userTradeFeed(at, r.user_id, `${entry}:${k}`), part, { expireIn: USER_TRADE_FEED_TTL_MS });
    }
    op.set(keys.streamChanged(USER_TRADES_STREAM), { at, user_id: r.user_id });
    if (!r.is_public) return;
    for (let k = 0; k * PUBLIC_FEED_CHUNK < everyone.length; k++) {
      const part = everyone.slice(k * PUBLIC_FEED_CHUNK, (k + 1) * PUBLIC_FEED_CHUNK);
      op.set(keys.tradeFeedPart(at, r.id, entry, k), part, { expireIn: USER_TRADE_FEED_TTL_MS });
    }
    op.set(keys.streamChanged(SETTLED_TRADES_STREAM), { at, instance_id: r.id });
  };
  const withIndexes = (op: Deno.AtomicOperation, r: PaperInstanceRecord) =>
    r.status === "running"
      ? op.set(runningKey(r.id), r.id).set(runningByUserKey(r.user_id, r.id), r.id)
      : op.delete(runningKey(r.id)).delete(runningByUserKey(r.user_id, r.id));

  /** How many instances of `userId` are running (counting at most `cap + 1`). */
  const countRunningByUser = async (userId: string, cap: number) => {
    const ids: string[] = [];
    for await (
      const e of kv.list<string>({ prefix: ["paper_instances_running_by_user", userId] }, { limit: cap + 1 })
    ) ids.push(e.value);
    const records = await getManyValues<PaperInstanceRecord>(kv, ids.map(instanceKey));
    return records.filter((r) => r?.status === "running").length;
  };

  return {
    async create(record, extras, cap) {
      for (let attempt = 0; attempt < MAX_START_ATTEMPTS; attempt++) {
        const token = await kv.get(startTokenKey(record.user_id));
        if (await countRunningByUser(record.user_id, cap) >= cap) return false;
        const op = kv.atomic()
          .check({ key: instanceKey(record.id), versionstamp: null })
          .check({ key: startTokenKey(record.user_id), versionstamp: token.versionstamp })
          .set(startTokenKey(record.user_id), record.id)
          .set(instanceKey(record.id), record)
          .set(byUserKey(record.user_id, record.id), record.id)
          .set(byStrategyKey(record.strategy_id, record.id), record.id);
        withIndexes(op, record);
        addExtras(op, record, extras, record.updated_at);
        if ((await op.commit()).ok) return true;
        if ((await kv.get(instanceKey(record.id))).versionstamp !== null) {
          throw new Error(`Paper instance "${record.id}" already exists`);
        }
      }
      throw new ConflictError(
        "Too many paper instances are being started at once for this account: try again",
      );
    },
    async get(id) {
      const e = await kv.get<PaperInstanceRecord>(instanceKey(id));
      return e.value && e.versionstamp ? { record: e.value, versionstamp: e.versionstamp } : null;
    },
    async commit(versionstamp, next, extras) {
      const op = kv.atomic().check({ key: instanceKey(next.id), versionstamp }).set(
        instanceKey(next.id),
        next,
      );
      withIndexes(op, next);
      addExtras(op, next, extras, next.updated_at);
      return (await op.commit()).ok;
    },
    listByUser(userId, page, filter) {
      const prefix = filter.strategyId
        ? ["paper_instances_by_strategy", filter.strategyId]
        : ["paper_instances_by_user", userId];
      return pageIndex<PaperInstanceRecord>(kv, prefix, instanceKey, page, {
        filter: (r) => r.user_id === userId && (!filter.status || r.status === filter.status),
      });
    },
    async listRunning(limit) {
      const ids: string[] = [];
      for await (const e of kv.list<string>({ prefix: ["paper_instances_running"] }, { limit })) {
        ids.push(e.value);
      }
      return ids;
    },
    async eventsAfter(id, afterSeq, limit) {
      // The entry holding seq afterSeq + 1 is the last one starting at or before it.
      let start: Deno.KvKey = eventsKey(id, afterSeq + 1);
      for await (
        const e of kv.list({ start: eventsKey(id, 0), end: eventsKey(id, afterSeq + 2) }, {
          reverse: true,
          limit: 1,
        })
      ) start = e.key;
      const events: PaperEventRecord[] = [];
      let hasMore = false;
      for await (
        const e of kv.list<{ at: number; events: PaperEventRecord[] }>(
          { start, end: eventsKey(id, Number.MAX_SAFE_INTEGER) },
          { batchSize: 16 },
        )
      ) {
        for (const ev of e.value.events) {
          if (ev.seq <= afterSeq) continue;
          if (events.length === limit) {
            hasMore = true;
            break;
          }
          events.push(ev);
        }
        if (hasMore) break;
      }
      return { events, has_more: hasMore };
    },
    async firstSeqFrom(id, atMs) {
      for await (
        const e of kv.list<number>({
          start: eventsAtKey(id, atMs, 0),
          end: ["paper_events_at", id, Number.MAX_SAFE_INTEGER],
        }, {
          limit: 1,
        })
      ) return e.value;
      return null;
    },
  };
}
