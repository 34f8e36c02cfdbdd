/**
 * The KV message queue as the queue listener uses it: put a message, listen for deliveries, and claim a
 * message id once so a redelivered message does no work twice.
 */
import { keys } from "./keys.ts";

/** Queue access for `jobs/queue.ts`. */
export interface QueueRepo {
  /** Puts `message` on the queue. */
  enqueue(message: unknown): Promise<void>;
  /**
   * Hands every delivery to `handler`; a throw makes KV deliver the message again with backoff. Resolves when
   * the listener stops (the KV handle closed).
   */
  listen(handler: (raw: unknown) => Promise<void>): Promise<void>;
  /** Claims `id` for `ttlMs`: `true` for the first caller, `false` when it was already claimed. */
  claim(id: string, nowMs: number, ttlMs: number): Promise<boolean>;
  /** Gives a claim back, so a redelivery may try the work again. */
  release(id: string): Promise<void>;
}

/** Creates the queue repository on `kv`. */
export function createQueueRepo(kv: Deno.Kv): QueueRepo {
  return {
    async enqueue(message) {
      await kv.enqueue(message);
    },
    listen: (handler) => kv.listenQueue(handler),
    async claim(id, nowMs, ttlMs) {
      const key = keys.queueClaim(id);
      const res = await kv.atomic().check({ key, versionstamp: null }).set(key, nowMs, { expireIn: ttlMs })
        .commit();
      return res.ok;
    },
    async release(id) {
      await kv.delete(keys.queueClaim(id));
    },
  };
}
