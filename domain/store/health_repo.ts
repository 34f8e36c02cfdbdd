/** KV round-trip probe and the queue heartbeat record, for `/health`. */
import { monotonicMs } from "../clock.ts";
import { keys } from "./keys.ts";
import { withRetry } from "./kv.ts";

/** When the last heartbeat was put on the queue and when the listener processed it (epoch ms). */
export interface QueueHeartbeat {
  enqueued_at: number | null;
  processed_at: number | null;
}

/** Persistence behind the health checks. */
export interface HealthRepo {
  /** Writes, reads back and deletes a probe value; resolves to the measured milliseconds, throws on failure. */
  probeKv(nowMs: number): Promise<number>;
  /** The last heartbeat's times; both `null` before the first one. */
  getHeartbeat(): Promise<QueueHeartbeat>;
  /** Records that a heartbeat was put on the queue at `nowMs`. */
  markEnqueued(nowMs: number): Promise<void>;
  /** Records that the listener processed a heartbeat at `nowMs`. */
  markProcessed(nowMs: number): Promise<void>;
}

/** Creates the KV-backed health repository. */
export function createHealthRepo(kv: Deno.Kv): HealthRepo {
  const update = (what: string, change: (h: QueueHeartbeat) => QueueHeartbeat) =>
    withRetry(what, async () => {
      const entry = await kv.get<QueueHeartbeat>(keys.queueHeartbeat());
      const next = change(entry.value ?? { enqueued_at: null, processed_at: null });
      const res = await kv.atomic().check(entry).set(keys.queueHeartbeat(), next).commit();
      return res.ok ? { committed: true as const, value: undefined } : { committed: false as const };
    });
  // Times only move forward, so deliveries and health checks racing each other cannot hide a heartbeat.
  const later = (a: number | null, b: number) => (a === null ? b : Math.max(a, b));
  return {
    async probeKv(nowMs) {
      const started = monotonicMs();
      // A key per probe: concurrent health checks must not read each other's value.
      const id = crypto.randomUUID();
      const key = [...keys.healthProbe(), id];
      const value = `probe-${nowMs}-${id}`;
      await kv.set(key, value, { expireIn: 60_000 });
      const read = await kv.get<string>(key);
      await kv.delete(key);
      if (read.value !== value) throw new Error("KV read-back returned a different value");
      return Math.round((monotonicMs() - started) * 10) / 10;
    },
    async getHeartbeat() {
      return (await kv.get<QueueHeartbeat>(keys.queueHeartbeat())).value ??
        { enqueued_at: null, processed_at: null };
    },
    markEnqueued: (nowMs) =>
      update("record a queue heartbeat", (h) => ({ ...h, enqueued_at: later(h.enqueued_at, nowMs) })),
    markProcessed: (nowMs) =>
      update("record a processed heartbeat", (h) => ({ ...h, processed_at: later(h.processed_at, nowMs) })),
  };
}
