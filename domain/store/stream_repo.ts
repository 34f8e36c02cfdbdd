/**
 * The KV side of live streams: the change markers writers set in the same commit as what changed (trades,
 * backtest jobs), and the trade feed. `jobs/stream_bridge.ts` reads them to feed the in-process hub.
 */
import { keys } from "./keys.ts";

/** The marker of backtest-job changes (set in every job commit by `backtest_job_repo.ts`). */
export const JOB_PROGRESS_STREAM = "backtest_jobs";

/** One entry of the trade feed: when it was written, and the trade events it holds. */
export interface TradeFeedEntry {
  /** A stable id of the entry (its key), for de-duplication. */
  id: string;
  atMs: number;
  events: unknown[];
}

/** Markers and the trade feed. */
export interface StreamRepo {
  /**
   * A stream that yields once for the marker's current value, then once per change of it (changes close
   * together may be coalesced). Cancel its reader to stop watching.
   */
  watchMarker(topic: string): ReadableStream<unknown>;
  /** Trade-feed entries written at or after `fromMs`, oldest first. */
  tradeFeedSince(fromMs: number): AsyncIterable<TradeFeedEntry>;
  /** Ids and times of every trade-feed entry (to mark what exists as already seen). */
  tradeFeedIds(): AsyncIterable<{ id: string; atMs: number }>;
}

/** Creates the stream repository on `kv`. */
export function createStreamRepo(kv: Deno.Kv): StreamRepo {
  return {
    watchMarker: (topic) => kv.watch([keys.streamChanged(topic)]),
    async *tradeFeedSince(fromMs) {
      const iter = kv.list<unknown[]>({
        start: [...keys.tradeFeedAll(), fromMs],
        end: [...keys.tradeFeedAll(), Number.MAX_SAFE_INTEGER],
      });
      for await (const e of iter) {
        yield { id: JSON.stringify(e.key), atMs: e.key[1] as number, events: e.value };
      }
    },
    async *tradeFeedIds() {
      for await (const e of kv.list({ prefix: keys.tradeFeedAll() })) {
        yield { id: JSON.stringify(e.key), atMs: e.key[1] as number };
      }
    },
  };
}
