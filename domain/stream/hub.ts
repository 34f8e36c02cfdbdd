/** An in-process topic hub: sockets subscribe to a topic, bridges publish events to every subscriber. */

/** Topic of settled trades (`WS /ws`). */
export const TRADES_TOPIC = "trades";

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
  };
}
