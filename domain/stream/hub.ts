/** An in-process topic hub: sockets subscribe to a topic, bridges publish events to every subscriber. */

/** Topic of settled trades (`WS /ws`). */
export const TRADES_TOPIC = "trades";

/** Name of the KV stream marker set by every change of a backtest job (`["stream_changed", name]`). */
export { JOB_PROGRESS_STREAM } from "../store/stream_repo.ts";

/** Topic of one backtest job's states (`WS /ws/backtests/{id}`): the bridge publishes the job record. */
export const jobProgressTopic = (jobId: string) => `backtest_job:${jobId}`;

/**
 * Topic of one user's live trades (`WS /ws` with the user's token): the trades of their running backtests (and,
 * with issue 16, their paper instances — whose fills publish here too). Only that user's sockets subscribe.
 */
export const userTradesTopic = (userId: string) => `user_trades:${userId}`;

/** Receives events of a topic. */
export type Sink = (event: unknown) => void;

/** The hub. */
export interface TopicHub {
  /** Adds `sink` to `topic`; returns the unsubscribe function. */
  subscribe(topic: string, sink: Sink): () => void;
  /** Sends `event` to every subscriber of `topic`; a throwing sink is dropped, the others still receive it. */
  publish(topic: string, event: unknown): void;
  /** Subscribers of `topic`. */
  count(topic: string): number;
  /** Topics starting with `prefix` that have at least one subscriber. */
  topics(prefix: string): string[];
}

/** Creates an empty hub. */
export function createTopicHub(): TopicHub {
  const topics = new Map<string, Set<Sink>>();
  return {
    subscribe(topic, sink) {
      let sinks = topics.get(topic);
      if (!sinks) topics.set(topic, sinks = new Set());
      sinks.add(sink);
      return () => {
        sinks!.delete(sink);
      };
    },
    publish(topic, event) {
      for (const sink of [...(topics.get(topic) ?? [])]) {
        try {
          sink(event);
        } catch {
          topics.get(topic)?.delete(sink);
        }
      }
    },
    count: (topic) => topics.get(topic)?.size ?? 0,
    topics: (prefix) =>
      [...topics].filter(([t, sinks]) => t.startsWith(prefix) && sinks.size > 0).map(([t]) => t),
  };
}
