/**
 * Bridges changes written to KV by any isolate to this isolate's sockets, through the hub:
 * - trades: watches the `["stream_changed", "trades"]` marker and, on each change, reads the trade-feed entries
 *   newer than the last seen (with a short look-back for writers whose clocks lag) and publishes each trade once;
 * - backtest jobs: watches the `["stream_changed", "backtest_jobs"]` marker (set in the same commit as every job
 *   change) and, on each change, re-reads the jobs that sockets of this isolate follow and publishes each one
 *   whose record changed to its job topic. A coalesced run of changes still ends with the latest state.
 */
import type { BacktestJobRepo } from "../domain/store/backtest_job_repo.ts";
import type { StreamRepo } from "../domain/store/stream_repo.ts";
import { JOB_PROGRESS_STREAM, jobProgressTopic, type TopicHub, TRADES_TOPIC } from "../domain/stream/hub.ts";

/** How far behind the newest seen event a late writer's event is still picked up. */
const FEED_LOOKBACK_MS = 60_000;

/** A running bridge. */
export interface StreamBridge {
  stop(): void;
  /** Resolves once the first watch snapshots have been handled (events before them are not replayed). */
  ready: Promise<void>;
}

/** Where the bridge reads: the markers and trade feed, and the job records. */
export interface StreamBridgeSources {
  streams: StreamRepo;
  jobs: Pick<BacktestJobRepo, "get">;
}

/** Starts the bridge reading `sources` and publishing into `hub`. */
export function startStreamBridge(
  sources: StreamBridgeSources,
  hub: TopicHub,
  nowMs: () => number,
): StreamBridge {
  let stopped = false;
  const readers: ReadableStreamDefaultReader<unknown>[] = [];
  const trades = bridgeTrades(sources.streams, hub, nowMs, readers, () => stopped);
  const jobs = bridgeJobs(sources.streams, hub, sources.jobs, readers, () => stopped);
  return {
    ready: Promise.all([trades, jobs]).then(() => {}),
    stop() {
      stopped = true;
      for (const r of readers) r.cancel().catch(() => {});
    },
  };
}

/** Runs `onChange` on every change of the marker `topic` after its first snapshot; resolves after that one. */
function followMarker(
  streams: StreamRepo,
  topic: string,
  readers: ReadableStreamDefaultReader<unknown>[],
  stopped: () => boolean,
  onFirst: () => Promise<void>,
  onChange: () => Promise<void>,
): Promise<void> {
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => (markReady = r));
  const reader = streams.watchMarker(topic).getReader();
  readers.push(reader);
  (async () => {
    let first = true;
    try {
      while (!stopped()) {
        const { done } = await reader.read();
        if (done) break;
        if (first) {
          first = false;
          await onFirst();
          markReady();
          continue;
        }
        await onChange();
      }
    } catch {
      // The KV handle closed: the bridge ends with it.
    } finally {
      markReady();
    }
  })();
  return ready;
}

function bridgeTrades(
  streams: StreamRepo,
  hub: TopicHub,
  nowMs: () => number,
  readers: ReadableStreamDefaultReader<unknown>[],
  stopped: () => boolean,
): Promise<void> {
  const seen = new Map<string, number>();
  let cursor = nowMs();
  const drain = async () => {
    const from = cursor - FEED_LOOKBACK_MS;
    for await (const e of streams.tradeFeedSince(from)) {
      if (seen.has(e.id)) continue;
      seen.set(e.id, e.atMs);
      cursor = Math.max(cursor, e.atMs);
      for (const event of e.events) hub.publish(TRADES_TOPIC, event);
    }
    for (const [id, at] of seen) if (at < cursor - 2 * FEED_LOOKBACK_MS) seen.delete(id);
  };
  // Mark what already exists as seen: a new socket hears trades from now on, not a replay.
  const markExisting = async () => {
    for await (const e of streams.tradeFeedIds()) seen.set(e.id, e.atMs);
  };
  return followMarker(streams, TRADES_TOPIC, readers, stopped, markExisting, drain);
}

function bridgeJobs(
  streams: StreamRepo,
  hub: TopicHub,
  jobs: Pick<BacktestJobRepo, "get">,
  readers: ReadableStreamDefaultReader<unknown>[],
  stopped: () => boolean,
): Promise<void> {
  const prefix = jobProgressTopic("");
  /** The last record published per topic, so an unchanged job is not sent again. */
  const last = new Map<string, string>();
  const publishWatched = async () => {
    const topics = hub.topics(prefix);
    for (const t of last.keys()) if (!topics.includes(t)) last.delete(t);
    for (const topic of topics) {
      const job = await jobs.get(topic.slice(prefix.length));
      if (!job) continue;
      const text = JSON.stringify(job);
      if (last.get(topic) === text) continue;
      last.set(topic, text);
      hub.publish(topic, job);
    }
  };
  return followMarker(streams, JOB_PROGRESS_STREAM, readers, stopped, publishWatched, publishWatched);
}
