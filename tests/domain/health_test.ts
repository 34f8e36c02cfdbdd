import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { checkHealth, type HealthDeps, QUEUE_STALL_MS } from "../../domain/health.ts";
import type { Mailer } from "../../domain/mail/mailer.ts";
import { createHealthRepo } from "../../domain/store/health_repo.ts";
import { openTestWorld } from "../_helpers/test_app.ts";

const T0 = Date.UTC(2026, 4, 14, 1, 0, 0);

function mailer(check: Mailer["check"]): Mailer {
  return { kind: "smtp", send: () => Promise.resolve(), check };
}

const okMailer = mailer(() => Promise.resolve({ ok: true, detail: "SMTP handshake ok" }));

interface Rig {
  deps: HealthDeps;
  clock: ReturnType<typeof fixedClock>;
  enqueued: number[];
  setListening(on: boolean): void;
}

async function withRig(overrides: Partial<HealthDeps>, fn: (rig: Rig) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  const clock = fixedClock(T0);
  const repo = createHealthRepo(kv);
  const enqueued: number[] = [];
  let listening = true;
  const deps: HealthDeps = {
    repo,
    clock,
    mailer: okMailer,
    version: "9.9.9",
    queueListening: () => listening,
    enqueueHeartbeat: async () => {
      enqueued.push(clock.now());
      await repo.markEnqueued(clock.now());
    },
    ...overrides,
  };
  try {
    await fn({ deps, clock, enqueued, setListening: (on) => (listening = on) });
  } finally {
    kv.close();
  }
}

Deno.test("checkHealth() is ok when KV, queue and mail all pass", async () => {
  await withRig({}, async ({ deps, enqueued }) => {
    const report = await checkHealth(deps);
    assert.equal(report.status, "ok");
    assert.equal(report.version, "9.9.9");
    assert.deepEqual(Object.keys(report.checks).sort(), ["kv", "mail", "queue"]);
    assert.equal(report.checks.kv.ok, true);
    assert.equal(typeof report.checks.kv.latency_ms, "number");
    assert.equal(report.checks.queue.ok, true);
    assert.deepEqual(report.checks.mail, { ok: true, detail: "SMTP handshake ok", transport: "smtp" });
    assert.deepEqual(enqueued, [T0], "the check puts a heartbeat on the queue");
  });
});

Deno.test("checkHealth() is degraded when the queue listener is not running", async () => {
  await withRig({}, async ({ deps, setListening, enqueued }) => {
    setListening(false);
    const report = await checkHealth(deps);
    assert.equal(report.status, "degraded");
    assert.deepEqual(report.checks.queue, { ok: false, detail: "queue listener not running" });
    assert.equal(report.checks.kv.ok, true);
    assert.deepEqual(enqueued, []);
  });
});

Deno.test("checkHealth() is degraded once a heartbeat sits unprocessed for more than 60 s", async (t) => {
  await withRig({}, async ({ deps, clock, enqueued }) => {
    await checkHealth(deps); // enqueues at T0; nobody processes it
    await t.step("still ok at exactly 60 s, without a second heartbeat", async () => {
      clock.set(T0 + QUEUE_STALL_MS);
      const report = await checkHealth(deps);
      assert.equal(report.status, "ok");
      assert.deepEqual(enqueued, [T0]);
    });
    await t.step("degraded after 60 s", async () => {
      clock.set(T0 + QUEUE_STALL_MS + 1);
      const report = await checkHealth(deps);
      assert.equal(report.status, "degraded");
      assert.equal(report.checks.queue.ok, false);
      assert.match(report.checks.queue.detail, /heartbeat enqueued 60 s ago, not processed/);
    });
    await t.step("ok again once the listener processes it", async () => {
      await deps.repo.markProcessed(clock.now());
      const report = await checkHealth(deps);
      assert.equal(report.status, "ok");
      assert.equal(report.checks.queue.last_heartbeat_at, new Date(T0 + QUEUE_STALL_MS + 1).toISOString());
      assert.equal(enqueued.length, 2, "a new heartbeat goes out after the old one was processed");
    });
  });
});

Deno.test("checkHealth() with the worker in another process: heartbeats sent here, a stalled one degrades", async () => {
  await withRig({ workerElsewhere: true }, async ({ deps, clock, enqueued, setListening }) => {
    setListening(false); // no listener in this process
    const first = await checkHealth(deps);
    assert.equal(first.status, "ok");
    assert.deepEqual(first.checks.queue, {
      ok: true,
      detail: "worker in another process; no heartbeat answered yet",
      last_heartbeat_at: null,
    });
    assert.deepEqual(enqueued, [T0], "the HTTP-only process still sends the heartbeat");
    clock.set(T0 + QUEUE_STALL_MS + 1);
    const stalled = await checkHealth(deps);
    assert.equal(stalled.status, "degraded", "a worker that answers no heartbeat for 60 s is down");
    assert.match(stalled.checks.queue.detail, /not processed/);
    await deps.repo.markProcessed(clock.now()); // the worker process answered
    const answered = await checkHealth(deps);
    assert.equal(answered.status, "ok");
    assert.equal(answered.checks.queue.detail, "worker in another process; heartbeats answered");
  });
});

Deno.test("checkHealth() is degraded when the mail check fails", async () => {
  const failing = mailer(() => Promise.resolve({ ok: false, detail: "SMTP connection refused" }));
  await withRig({ mailer: failing }, async ({ deps }) => {
    const report = await checkHealth(deps);
    assert.equal(report.status, "degraded");
    assert.deepEqual(report.checks.mail, { ok: false, detail: "SMTP connection refused", transport: "smtp" });
    assert.equal(report.checks.kv.ok, true);
  });
});

Deno.test("checkHealth() reports a throwing mail check as failed instead of rejecting", async () => {
  const throwing = mailer(() => Promise.reject(new Error("ECONNRESET")));
  await withRig({ mailer: throwing }, async ({ deps }) => {
    const report = await checkHealth(deps);
    assert.equal(report.status, "degraded");
    assert.equal(report.checks.mail.ok, false);
    assert.match(report.checks.mail.detail, /ECONNRESET/);
  });
});

Deno.test("checkHealth() fails a check that does not answer in time", async () => {
  const hanging = mailer(() => new Promise(() => {}));
  await withRig({ mailer: hanging, checkTimeoutMs: 20 }, async ({ deps }) => {
    const report = await checkHealth(deps);
    assert.equal(report.status, "degraded");
    assert.deepEqual(report.checks.mail, { ok: false, detail: "no answer within 20 ms" });
    assert.equal(report.checks.kv.ok, true);
  });
});

Deno.test("checkHealth() is degraded when KV fails or the heartbeat cannot be enqueued", async () => {
  await withRig({}, async ({ deps }) => {
    const broken: HealthDeps = {
      ...deps,
      repo: { ...deps.repo, probeKv: () => Promise.reject(new Error("database is locked")) },
      enqueueHeartbeat: () => Promise.reject(new Error("queue full")),
    };
    const report = await checkHealth(broken);
    assert.equal(report.status, "degraded");
    assert.deepEqual(report.checks.kv, { ok: false, detail: "KV read/write failed: database is locked" });
    assert.equal(report.checks.queue.ok, false);
    assert.match(report.checks.queue.detail, /queue full/);
  });
});

Deno.test("checkHealth() includes extra checks; a failing or throwing one degrades", async () => {
  await withRig({
    extraChecks: {
      market_data: () => Promise.resolve({ ok: true, detail: "synthetic", rows: 10 }),
      attestation: () => Promise.reject(new Error("no signing key")),
    },
  }, async ({ deps }) => {
    const report = await checkHealth(deps);
    assert.equal(report.status, "degraded");
    assert.deepEqual(report.checks.market_data, { ok: true, detail: "synthetic", rows: 10 });
    assert.equal(report.checks.attestation?.ok, false);
    assert.match(report.checks.attestation?.detail ?? "", /no signing key/);
  });
});

Deno.test("checkHealth() KV probes do not interfere when run concurrently", async () => {
  await withRig({}, async ({ deps }) => {
    const reports = await Promise.all(Array.from({ length: 20 }, () => checkHealth(deps)));
    assert.deepEqual(reports.map((r) => r.checks.kv.ok), Array(20).fill(true));
  });
});

Deno.test("GET /health answers 200 'degraded' (not 500) when the mailer throws", async () => {
  const w = await openTestWorld({}, { mailer: mailer(() => Promise.reject(new Error("boom"))) });
  try {
    for (const path of ["/health", "/api/v1/health"]) {
      const res = await w.request("GET", path);
      assert.equal(res.status, 200);
      assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
      const body = await res.json();
      assert.equal(body.status, "degraded");
      assert.equal(body.checks.mail.ok, false);
      assert.equal(body.checks.kv.ok, true);
    }
  } finally {
    await w.close();
  }
});
