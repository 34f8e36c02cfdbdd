/** KV round-trip probe and the queue heartbeat record, for `/health`. */
import { keys } from "./keys.ts";

/** When the last heartbeat was put on the queue and when the listener processed it (epoch ms). */
export interface QueueHeartbeat {
  enqueued_at: number | null;
  processed_at: number | null;
}

/** Persistence behind the health checks. */
export interface HealthRepo {
  /** Writes, reads back and deletes a probe value; resolves to the measured milliseconds, throws on failure. */
  probeKv(nowMs: number): Promise<number>;
  getHeartbeat(): Promise<QueueHeartbeat>;
  markEnqueued(nowMs: number): Promise<void>;
  markProcessed(nowMs: number): Promise<void>;
}

/** Creates the KV-backed health repository. */
export function createHealthRepo(kv: Deno.Kv): HealthRepo {
  const update = async (change: (h: QueueHeartbeat) => QueueHeartbeat) => {
    for (let i = 0; i < 5; i++) {
      const entry = await kv.get<QueueHeartbeat>(keys.queueHeartbeat());
      const next = change(entry.value ?? { enqueued_at: null, processed_at: null });
      if ((await kv.atomic().check(entry).set(keys.queueHeartbeat(), next).commit()).ok) return;
    }
  };
  return {
    async probeKv(nowMs) {
      const started = performance.now();
      const value = `probe-${nowMs}-${Math.random()}`;
      await kv.set(keys.healthProbe(), value, { expireIn: 60_000 });
      const read = await kv.get<string>(keys.healthProbe());
      if (read.value !== value) throw new Error("KV read-back returned a different value");
      return Math.round((performance.now() - started) * 10) / 10;
    },
    async getHeartbeat() {
      return (await kv.get<QueueHeartbeat>(keys.queueHeartbeat())).value ?? { enqueued_at: null, processed_at: null };
    },
    markEnqueued: (nowMs) => update((h) => ({ ...h, enqueued_at: nowMs })),
    markProcessed: (nowMs) => update((h) => ({ ...h, processed_at: nowMs })),
  };
}
