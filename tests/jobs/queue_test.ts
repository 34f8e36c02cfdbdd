import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { buildMarketServices } from "../../app/market_services.ts";
import type { LogFn } from "../../domain/log.ts";
import { createHealthRepo, type HealthRepo } from "../../domain/store/health_repo.ts";
import { createQueueRepo } from "../../domain/store/queue_repo.ts";
import { type QueueWorker, startQueueWorker } from "../../jobs/queue.ts";

const T0 = Date.UTC(2026, 4, 14, 1, 0, 0);

type LogLine = { level: string; msg: string; fields?: Record<string, unknown> };

interface Rig {
  kv: Deno.Kv;
  worker: QueueWorker;
  health: HealthRepo;
  logs: LogLine[];
}

/** Polls `condition` every 5 ms until it holds; fails after `timeoutMs`. */
async function eventually(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 5_000) {
  const deadline = performance.now() + timeoutMs;
  while (!(await condition())) {
    if (performance.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A worker listening on a KV file of its own; the KV is closed and the file removed afterwards. */
async function withWorker(
  wrapHealth: (repo: HealthRepo) => HealthRepo,
  fn: (rig: Rig) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "qe_queue_test_" });
  const kv = await Deno.openKv(`${dir}/kv.sqlite`);
  const logs: LogLine[] = [];
  const log: LogFn = (level, msg, fields) => logs.push({ level, msg, fields });
  const health = wrapHealth(createHealthRepo(kv));
  const clock = fixedClock(T0);
  const market = buildMarketServices(kv, clock, { seed: 42, cacheBytes: 0 });
  const worker = startQueueWorker({ messages: createQueueRepo(kv), clock, health, log, market });
  try {
    await fn({ kv, worker, health, logs });
  } finally {
    kv.close();
    await eventually("the listener stops when KV closes", () => !worker.listening());
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("startQueueWorker() marks a heartbeat processed through a real kv.listenQueue", async () => {
  await withWorker((r) => r, async ({ worker, health, logs }) => {
    assert.equal(worker.listening(), true);
    await worker.enqueueHeartbeat();
    assert.equal((await health.getHeartbeat()).enqueued_at, T0);
    await eventually(
      "the heartbeat is processed",
      async () => (await health.getHeartbeat()).processed_at === T0,
    );
    assert.deepEqual(logs.filter((l) => l.level !== "info"), []);
  });
});

Deno.test("startQueueWorker() drops malformed messages without throwing and keeps listening", async () => {
  await withWorker((r) => r, async ({ kv, worker, health, logs }) => {
    await worker.handle({ type: "no.such.message", id: "x" });
    await worker.handle(null);
    assert.equal(logs.filter((l) => l.msg === "queue: dropped malformed message").length, 2);

    await kv.enqueue({ type: "system.heartbeat" }); // missing id and sent_at
    await kv.enqueue("not even an object");
    await eventually(
      "both malformed deliveries are dropped",
      () => logs.filter((l) => l.msg === "queue: dropped malformed message").length === 4,
    );
    assert.deepEqual(logs.filter((l) => l.level === "error"), []);
    assert.equal((await health.getHeartbeat()).processed_at, null);

    await worker.enqueueHeartbeat();
    await eventually(
      "a later heartbeat is still processed",
      async () => (await health.getHeartbeat()).processed_at === T0,
    );
    assert.equal(worker.listening(), true);
  });
});

Deno.test("startQueueWorker() logs a failing handler and lets KV deliver the message again", async () => {
  let failures = 1;
  const flaky = (repo: HealthRepo): HealthRepo => ({
    ...repo,
    markProcessed(now) {
      if (failures > 0) {
        failures--;
        return Promise.reject(new Error("transient KV error"));
      }
      return repo.markProcessed(now);
    },
  });
  await withWorker(flaky, async ({ kv, health, logs }) => {
    await kv.enqueue({ type: "system.heartbeat", id: "heartbeat:retry", sent_at: T0 }, {
      backoffSchedule: [10, 10],
    });
    await eventually(
      "the redelivered heartbeat is processed",
      async () => (await health.getHeartbeat()).processed_at === T0,
    );
    const errors = logs.filter((l) => l.level === "error");
    assert.equal(errors.length, 1);
    assert.equal(errors[0].msg, "queue: handler failed");
    assert.match(String(errors[0].fields?.error), /transient KV error/);
  });
});

Deno.test("a market.refresh message extends the warm universes once, however often it is delivered", async () => {
  await withWorker((r) => r, async ({ kv, worker, logs }) => {
    const message = {
      type: "market.refresh" as const,
      id: "refresh:NSE:2026-05-13",
      exchange: "NSE" as const,
      date: "2026-05-13",
    };
    await worker.handle(message);
    await worker.handle(message);
    const refreshed = logs.filter((l) => l.msg === "market refreshed");
    assert.equal(refreshed.length, 1);
    assert.equal(refreshed[0].fields?.synthetic, 11, "10 NSE names and ^NSEI");
    assert.ok((await kv.get(["synthetic_through", 42, "RELIANCE.NS"])).value);
  });
});
