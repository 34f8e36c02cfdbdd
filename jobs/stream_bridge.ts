/**
 * Bridges trade events written to KV by any isolate's settlement to this isolate's `/ws` sockets: watches the
 * `["stream_changed", "trades"]` marker and, on each change, reads the trade-feed entries newer than the last
 * seen (with a short look-back for writers whose clocks lag) and publishes each trade once.
 */
import { keys } from "../domain/store/keys.ts";
import { type TopicHub, TRADES_TOPIC } from "../domain/stream/hub.ts";

/** How far behind the newest seen event a late writer's event is still picked up. */
export const FEED_LOOKBACK_MS = 60_000;

/** A running bridge. */
export interface StreamBridge {
  stop(): void;
  /** Resolves once the first watch snapshot has been handled (events before it are not replayed). */
  ready: Promise<void>;
}

/** Starts the bridge on `kv` publishing into `hub`. */
export function startStreamBridge(kv: Deno.Kv, hub: TopicHub, nowMs: () => number): StreamBridge {
  const seen = new Map<string, number>();
  let cursor = nowMs();
  let stopped = false;
  let markReady: () => void = () => {};
  const ready = new Promise<void>((r) => (markReady = r));
  const stream = kv.watch([keys.streamChanged(TRADES_TOPIC)]);
  const reader = stream.getReader();
  const drain = async () => {
    const from = cursor - FEED_LOOKBACK_MS;
    for await (
      const e of kv.list<unknown[]>({
        start: [...keys.tradeFeedAll(), from],
        end: [...keys.tradeFeedAll(), Number.MAX_SAFE_INTEGER],
      })
    ) {
      const id = JSON.stringify(e.key);
      if (seen.has(id)) continue;
      const at = e.key[1] as number;
      seen.set(id, at);
      cursor = Math.max(cursor, at);
      for (const event of e.value) hub.publish(TRADES_TOPIC, event);
    }
    for (const [id, at] of seen) if (at < cursor - 2 * FEED_LOOKBACK_MS) seen.delete(id);
  };
  (async () => {
    let first = true;
    try {
      while (!stopped) {
        const { done } = await reader.read();
        if (done) break;
        if (first) {
          first = false;
          // Mark what already exists as seen: a new socket hears trades from now on, not a replay.
          for await (const e of kv.list({ prefix: keys.tradeFeedAll() })) {
            seen.set(JSON.stringify(e.key), e.key[1] as number);
          }
          markReady();
          continue;
        }
        await drain();
      }
    } catch {
      // The KV handle closed: the bridge ends with it.
    } finally {
      markReady();
    }
  })();
  return {
    ready,
    stop() {
      stopped = true;
      reader.cancel().catch(() => {});
    },
  };
}
