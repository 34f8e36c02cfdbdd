/** The one `kv.listenQueue` of the process: parses messages, dispatches by type, logs failures. */
import type { LogFn } from "../domain/log.ts";
import type { Clock } from "../domain/clock.ts";
import type { HealthRepo } from "../domain/store/health_repo.ts";
import type { QueueRepo } from "../domain/store/queue_repo.ts";
import type { MarketDeps } from "../domain/market/market_service.ts";
import { refreshExchange } from "../domain/market/scheduled_refresh.ts";
import { type BacktestJobDeps, runBacktestJob } from "../domain/backtest/queued_runs.ts";
import { QueueMessage } from "./messages.ts";

/** How long a processed message id is remembered, so a redelivery does nothing. */
const CLAIM_TTL_MS = 3 * 86_400_000;

/** What the queue handlers need. */
export interface QueueDeps {
  /** The KV message queue (`domain/store/queue_repo.ts`). */
  messages: QueueRepo;
  clock: Clock;
  health: HealthRepo;
  log: LogFn;
  /** Market services, for `market.refresh` messages. */
  market: MarketDeps;
  /** Backtest jobs, for `backtest.run` messages (absent: such messages are dropped with a warning). */
  backtests?: BacktestJobDeps;
}

/** The running listener. */
export interface QueueWorker {
  /** `true` while the listener loop is running. */
  listening(): boolean;
  /** Enqueues a heartbeat and records it. */
  enqueueHeartbeat(): Promise<void>;
  /** Handles one raw message exactly as the listener would (for tests and the polled fallback). */
  handle(raw: unknown): Promise<void>;
  /** Puts a message on the queue. */
  enqueue(message: QueueMessage): Promise<void>;
}

/**
 * Records a heartbeat as enqueued and puts it on the queue; whichever process listens marks it processed. An
 * HTTP-only process sends them too, so its health sees a stopped worker as a heartbeat nobody answers.
 */
export async function sendHeartbeat(deps: Pick<QueueDeps, "messages" | "health" | "clock">): Promise<void> {
  const now = deps.clock.now();
  await deps.health.markEnqueued(now);
  await deps.messages.enqueue({ type: "system.heartbeat", id: `heartbeat:${now}`, sent_at: now });
}

/** Starts listening on `deps.messages`; the returned worker reports whether the loop is alive. */
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
      case "backtest.run": {
        if (!deps.backtests) {
          deps.log("warn", "queue: backtest.run without a backtest service", { id: message.id });
          return;
        }
        const outcome = await runBacktestJob(deps.backtests, message.job_id);
        deps.log("info", "backtest job", { id: message.id, outcome });
        // Held by another worker's live lease: throw so KV delivers it again (a dead worker's lease runs out).
        if (outcome === "busy") {
          throw new Error(`backtest ${message.job_id} is running elsewhere; retry later`);
        }
        return;
      }
      case "market.refresh": {
        // Claim the id first: deliveries can repeat, the work should not.
        if (!(await deps.messages.claim(message.id, deps.clock.now(), CLAIM_TTL_MS))) return;
        try {
          const result = await refreshExchange(deps.market, message.exchange, message.date);
          deps.log("info", "market refreshed", {
            id: message.id,
            skipped: result.skipped,
            synthetic: result.synthetic,
            yahoo_ok: result.yahoo.filter((y) => !y.error).length,
            yahoo_failed: result.yahoo.filter((y) => y.error).length,
          });
        } catch (e) {
          await deps.messages.release(message.id); // let a redelivery try again
          throw e;
        }
        return;
      }
    }
  };
  deps.messages.listen(async (raw) => {
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
    enqueueHeartbeat: () => sendHeartbeat(deps),
    handle,
    enqueue: (message) => deps.messages.enqueue(message),
  };
}
