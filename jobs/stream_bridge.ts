/**
 * Bridges changes written to KV by any process to this process's sockets, through the hub:
 * - public settled trades: the `["stream_changed", "trades"]` marker; on each change it reads the trade-feed
 *   entries not seen yet and publishes each trade once to `TRADES_TOPIC`;
 * - users' live backtest trades: the `["stream_changed", "user_trades"]` marker, the same way from the user trade
 *   feed, each entry to its owner's topic (`userTradesTopic`) only;
 * - backtest jobs: the `["stream_changed", "backtest_jobs"]` marker (set in the same commit as every job change);
 *   on each change it re-reads the jobs that sockets of this process follow and publishes each one whose record
 *   changed to its job topic. A coalesced run of changes still ends with the latest state;
 * - public answers: the `["stream_changed", "public_reads"]` marker (set with every bump of a public scope, see
 *   `public_versions_repo.ts`); each marker value names the scopes that changed, and their entries are dropped
 *   from the in-process response cache. (The cache never serves a superseded answer even before this is heard:
 *   each read checks its scopes' versions; this frees their memory and keeps several isolates in step.)
 *
 * A marker change is noticed two ways: `kv.watch` (immediate, but it only hears writes of this process on a local
 * SQLite file) and a poll of the marker's versionstamp every `pollMs` (default `MARKER_POLL_MS`), which hears
 * every process sharing the store — the worker process, or `deno task demo` replaying into the server's file.
 * Feeds are read from the earliest writer time among the markers noticed since the last read (and the newest
 * entry seen), minus `FEED_LOOKBACK_MS`: a writer on a simulated clock (the demo settles past days) is read
 * where it writes, not only near this process's now. Entries seen are remembered (by id) for `SEEN_TTL_MS`, longer
 * than feed entries live, so none is published twice.
 */
import type { BacktestJobRepo } from "../domain/store/backtest_job_repo.ts";
import {
  SETTLED_TRADES_STREAM,
  type StreamRepo,
  type TradeFeedEntry,
  type TradeFeedName,
  USER_TRADES_STREAM,
} from "../domain/store/stream_repo.ts";
import type { ResponseCache } from "../domain/public_reads/response_cache.ts";
import { PUBLIC_READS_STREAM, type PublicReadsMarker } from "../domain/public_reads/scopes.ts";
import {
  JOB_PROGRESS_STREAM,
  jobProgressTopic,
  type TopicHub,
  TRADES_TOPIC,
  userTradesTopic,
} from "../domain/stream/hub.ts";

/** How far behind the earliest noticed marker a late writer's entry is still picked up. */
const FEED_LOOKBACK_MS = 60_000;
/** How long an entry id stays remembered as published (feed entries expire after an hour). */
const SEEN_TTL_MS = 3 * 3_600_000;
/** Default period of the marker poll that hears other processes' writes. */
const MARKER_POLL_MS = 1_000;

/** A running bridge. */
export interface StreamBridge {
  stop(): void;
  /** Resolves once the first watch snapshots have been handled (events before them are not replayed). */
  ready: Promise<void>;
}

/** Where the bridge reads: the markers and trade feeds, and the job records. */
export interface StreamBridgeSources {
  streams: StreamRepo;
  jobs: Pick<BacktestJobRepo, "get">;
  /** The public answers cache whose stale entries the `public_reads` marker drops. */
  publicCache?: Pick<ResponseCache, "evictScopes">;
}

/** What the followers share: stop flag, watch readers and poll timers to end. */
interface Control {
  stopped: boolean;
  readers: ReadableStreamDefaultReader<unknown>[];
  timers: ReturnType<typeof setInterval>[];
  pollMs: number;
}

/** Starts the bridge reading `sources` and publishing into `hub`; `pollMs` sets the cross-process poll. */
export function startStreamBridge(
  sources: StreamBridgeSources,
  hub: TopicHub,
  nowMs: () => number,
  opts: { pollMs?: number } = {},
): StreamBridge {
  const ctl: Control = { stopped: false, readers: [], timers: [], pollMs: opts.pollMs ?? MARKER_POLL_MS };
  const settled = bridgeFeed(sources.streams, SETTLED_TRADES_STREAM, nowMs, ctl, (_, event) => {
    hub.publish(TRADES_TOPIC, event);
  });
  const live = bridgeFeed(sources.streams, USER_TRADES_STREAM, nowMs, ctl, (entry, event) => {
    if (entry.userId) hub.publish(userTradesTopic(entry.userId), event);
  });
  const jobs = bridgeJobs(sources.streams, hub, sources.jobs, ctl);
  const reads = sources.publicCache ? bridgePublicReads(sources.streams, sources.publicCache, ctl) : null;
  return {
    ready: Promise.all([settled, live, jobs, reads]).then(() => {}),
    stop() {
      ctl.stopped = true;
      for (const r of ctl.readers) r.cancel().catch(() => {});
      for (const t of ctl.timers) clearInterval(t);
    },
  };
}

/** The writer time a marker value carries (`at`), or `null`. */
function markerAt(value: unknown): number | null {
  const at = (value as { at?: unknown } | null)?.at;
  return typeof at === "number" && Number.isFinite(at) ? at : null;
}

/**
 * Runs `onChange` (one at a time; changes during a run make one more run) on every change of the marker `topic`
 * after its first snapshot, noticed by the watch or the poll; `onMarker` sees each noticed marker value first.
 * Resolves once the first snapshot is handled.
 */
function followMarker(
  streams: StreamRepo,
  topic: string,
  ctl: Control,
  onFirst: () => Promise<void>,
  onChange: () => Promise<void>,
  onMarker: (value: unknown) => void = () => {},
): Promise<void> {
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => (markReady = r));
  let stamp: string | null | undefined; // undefined until the first snapshot is handled
  let running = false, again = false;
  const run = async () => {
    if (running) return void (again = true);
    running = true;
    try {
      do {
        again = false;
        await onChange();
      } while (again && !ctl.stopped);
    } catch {
      // The KV handle closed: the bridge ends with it.
    } finally {
      running = false;
    }
  };
  const noticed = (versionstamp: string | null, value: unknown) => {
    if (stamp === undefined || versionstamp === stamp) return;
    stamp = versionstamp;
    onMarker(value);
    run();
  };
  const reader = streams.watchMarker(topic).getReader();
  ctl.readers.push(reader);
  (async () => {
    try {
      const first = await reader.read();
      if (first.done || ctl.stopped) return;
      const entry = (first.value as Deno.KvEntryMaybe<unknown>[])[0];
      await onFirst();
      stamp = entry?.versionstamp ?? null;
      markReady();
      while (!ctl.stopped) {
        const { done, value } = await reader.read();
        if (done) break;
        const e = (value as Deno.KvEntryMaybe<unknown>[])[0];
        noticed(e?.versionstamp ?? null, e?.value ?? null);
      }
    } catch {
      // The KV handle closed: the bridge ends with it.
    } finally {
      markReady();
    }
  })();
  let polling = false;
  ctl.timers.push(setInterval(async () => {
    if (polling || ctl.stopped || stamp === undefined) return;
    polling = true;
    try {
      const m = await streams.marker(topic);
      noticed(m.stamp, m.value);
    } catch {
      // The KV handle closed: nothing more to hear.
    } finally {
      polling = false;
    }
  }, ctl.pollMs));
  return ready;
}

function bridgeFeed(
  streams: StreamRepo,
  feed: TradeFeedName,
  nowMs: () => number,
  ctl: Control,
  publish: (entry: TradeFeedEntry, event: unknown) => void,
): Promise<void> {
  const seen = new Map<string, number>(); // entry id → when it was seen
  let cursor = nowMs(); // the newest entry time seen
  let lastFrom = cursor; // the earliest marker time of the last read
  let noticedMin = Infinity; // the earliest marker time noticed since the last read
  const drain = async () => {
    const from = Math.min(cursor, lastFrom, noticedMin) - FEED_LOOKBACK_MS;
    lastFrom = Number.isFinite(noticedMin) ? noticedMin : cursor;
    noticedMin = Infinity;
    for await (const e of streams.feedSince(feed, from)) {
      if (seen.has(e.id)) continue;
      seen.set(e.id, nowMs());
      cursor = Math.max(cursor, e.atMs);
      for (const event of e.events) publish(e, event);
    }
    const forgetBefore = nowMs() - SEEN_TTL_MS;
    for (const [id, at] of seen) if (at < forgetBefore) seen.delete(id);
  };
  // Mark what already exists as seen: a new socket hears trades from now on, not a replay.
  const markExisting = async () => {
    const now = nowMs();
    for await (const e of streams.feedIds(feed)) seen.set(e.id, now);
  };
  const onMarker = (value: unknown) => {
    const at = markerAt(value);
    if (at !== null) noticedMin = Math.min(noticedMin, at);
  };
  return followMarker(streams, feed, ctl, markExisting, drain, onMarker);
}

function bridgeJobs(
  streams: StreamRepo,
  hub: TopicHub,
  jobs: Pick<BacktestJobRepo, "get">,
  ctl: Control,
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
  return followMarker(streams, JOB_PROGRESS_STREAM, ctl, publishWatched, publishWatched);
}

function bridgePublicReads(
  streams: StreamRepo,
  cache: Pick<ResponseCache, "evictScopes">,
  ctl: Control,
): Promise<void> {
  let changed = new Set<string>();
  const onMarker = (value: unknown) => {
    const scopes = (value as Partial<PublicReadsMarker> | null)?.scopes;
    if (Array.isArray(scopes)) { for (const s of scopes) if (typeof s === "string") changed.add(s); }
  };
  const evict = () => {
    const scopes = [...changed];
    changed = new Set();
    if (scopes.length > 0) cache.evictScopes(scopes);
    return Promise.resolve();
  };
  return followMarker(streams, PUBLIC_READS_STREAM, ctl, () => Promise.resolve(), evict, onMarker);
}
