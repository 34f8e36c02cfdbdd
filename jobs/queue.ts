/** The one `kv.listenQueue` of the process: parses messages, dispatches by type, logs failures. */
import type { LogFn } from "../domain/log.ts";
import type { Clock } from "../domain/clock.ts";
import type { HealthRepo } from "../domain/store/health_repo.ts";
import { QueueMessage } from "./messages.ts";

/** What the queue handlers need. */
export interface QueueDeps {
  kv: Deno.Kv;
  clock: Clock;
  health: HealthRepo;
  log: LogFn;
}

/** The running listener. */
export interface QueueWorker {
  /** `true` while the listener loop is running. */
  listening(): boolean;
  /** Enqueues a heartbeat and records it. */
  enqueueHeartbeat(): Promise<void>;
  /** Handles one raw message exactly as the listener would (for tests and the polled fallback). */
  handle(raw: unknown): Promise<void>;
}

/** Starts listening on `deps.kv`; the returned worker reports whether the loop is alive. */
export function startQueueWorker(deps: QueueDeps): QueueWorker {
  let running = true;
  const handle = async (raw: unknown) => {
    const parsed = QueueMessage.safeParse(raw);
    if (!parsed.success) {
      deps.log("warn", "queue: dropped malformed message", { issues: parsed.error.issues.length });
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case "system.heartbeat":
        await deps.health.markProcessed(deps.clock.now());
        return;
    }
  };
  deps.kv.listenQueue(async (raw) => {
    try {
      await handle(raw);
    } catch (e) {
      deps.log("error", "queue: handler failed", { error: e instanceof Error ? e.message : String(e) });
      throw e; // let KV redeliver with backoff
    }
  }).catch((e) => deps.log("error", "queue: listener stopped", { error: String(e) })).finally(() => {
    running = false;
  });
  return {
    listening: () => running,
    async enqueueHeartbeat() {
      const now = deps.clock.now();
      await deps.health.markEnqueued(now);
      await deps.kv.enqueue({ type: "system.heartbeat", id: `heartbeat:${now}`, sent_at: now });
    },
    handle,
  };
}
