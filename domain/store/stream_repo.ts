/**
 * The KV side of live streams: the change markers writers set in the same commit as what changed (settled trades,
 * backtest jobs and their trades), and the two trade feeds — public settled trades (`trade_feed`) and users'
 * running-backtest trades (`user_trade_feed`, keyed by user so a bridge publishes each only to its owner's topic).
 * `jobs/stream_bridge.ts` reads them to feed the in-process hub.
 */
import { keys } from "./keys.ts";

/** The marker of backtest-job changes (set in every job commit by `backtest_job_repo.ts`). */
export const JOB_PROGRESS_STREAM = "backtest_jobs";
/** The marker of public settled trades (set with each trade-feed entry by `settlement_repo.ts`). */
export const SETTLED_TRADES_STREAM = "trades";
/** The marker of users' live backtest trades (set with each user-trade-feed entry by `backtest_job_repo.ts`). */
export const USER_TRADES_STREAM = "user_trades";
/** How long user-trade-feed entries stay readable for stream bridges. */
export const USER_TRADE_FEED_TTL_MS = 3_600_000;
/** Trade events per user-trade-feed entry (one KV value). */
export const USER_TRADE_FEED_CHUNK = 25;

/** The feeds: public settled trades, or users' running-backtest trades. */
export type TradeFeedName = typeof SETTLED_TRADES_STREAM | typeof USER_TRADES_STREAM;

/** One entry of a trade feed: when it was written, whose it is (user feed), and the trade events it holds. */
export interface TradeFeedEntry {
  /** A stable id of the entry (its key), for de-duplication. */
  id: string;
  atMs: number;
  /** The owner of a user-trade-feed entry; `null` on the public feed. */
  userId: string | null;
  events: unknown[];
}

/** Markers and the trade feeds. */
export interface StreamRepo {
  /**
   * A stream that yields once for the marker's current value, then once per change of it made by this process
   * (changes close together may be coalesced; another process's writes are not seen: poll `marker`). Cancel its
   * reader to stop watching.
   */
  watchMarker(topic: string): ReadableStream<unknown>;
  /** The marker's current versionstamp (`null` when never set) and value, read from the store (any process). */
  marker(topic: string): Promise<{ stamp: string | null; value: unknown }>;
  /** Entries of `feed` written at or after `fromMs` (by the writer's clock), oldest first. */
  feedSince(feed: TradeFeedName, fromMs: number): AsyncIterable<TradeFeedEntry>;
  /** Ids and times of every entry of `feed` (to mark what exists as already seen). */
  feedIds(feed: TradeFeedName): AsyncIterable<{ id: string; atMs: number }>;
}

const feedPrefix = (feed: TradeFeedName) =>
  feed === SETTLED_TRADES_STREAM ? keys.tradeFeedAll() : keys.userTradeFeedAll();

/** Creates the stream repository on `kv`. */
export function createStreamRepo(kv: Deno.Kv): StreamRepo {
  return {
    watchMarker: (topic) => kv.watch([keys.streamChanged(topic)]),
    async marker(topic) {
      const e = await kv.get(keys.streamChanged(topic));
      return { stamp: e.versionstamp, value: e.value };
    },
    async *feedSince(feed, fromMs) {
      const prefix = feedPrefix(feed);
      const iter = kv.list<unknown[]>({
        start: [...prefix, fromMs],
        end: [...prefix, Number.MAX_SAFE_INTEGER],
      });
      for await (const e of iter) {
        yield {
          id: JSON.stringify(e.key),
          atMs: e.key[1] as number,
          userId: feed === USER_TRADES_STREAM ? String(e.key[2]) : null,
          events: e.value,
        };
      }
    },
    async *feedIds(feed) {
      for await (const e of kv.list({ prefix: feedPrefix(feed) })) {
        yield { id: JSON.stringify(e.key), atMs: e.key[1] as number };
      }
    },
  };
}
