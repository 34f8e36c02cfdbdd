import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { createHealthRepo } from "../../domain/store/health_repo.ts";
import { createQueueRepo } from "../../domain/store/queue_repo.ts";
import { startQueueWorker } from "../../jobs/queue.ts";
import { createApp } from "../../routes/app.ts";
import { buildServices } from "../../app/services.ts";
import { captureMailer, lastOtp } from "../_helpers/test_app.ts";

Deno.test("a job submitted over HTTP is run by the real kv.listenQueue worker to completed", async () => {
  const dir = await Deno.makeTempDir({ prefix: "qe_bt_queue_" });
  const kv = await Deno.openKv(`${dir}/kv.sqlite`);
  const clock = fixedClock(Date.UTC(2026, 4, 14, 1));
  const mailer = captureMailer();
  const log = () => {};
  const config = parseConfig({
    DENO_ENV: "test",
    JWT_SECRET: "x".repeat(40),
    LOG_REQUESTS: "false",
    TRUST_PROXY: "true",
  });
  let worker: ReturnType<typeof startQueueWorker> | null = null;
  const deps = await buildServices({
    config,
    kv,
    clock,
    mailer,
    log,
    queue: { listening: () => worker?.listening() ?? false, enqueueHeartbeat: () => Promise.resolve() },
  });
  worker = startQueueWorker({
    messages: createQueueRepo(kv),
    clock,
    health: createHealthRepo(kv),
    log,
    market: deps.market,
    backtests: deps.backtests,
  });
  const app = createApp(deps);
  const call = async (method: string, path: string, body?: unknown, token?: string) => {
    const res = await app.request(path, {
      method,
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json() };
  };
  try {
    await call("POST", "/api/v1/auth/request-otp", { email: "q@example.com" });
    const signIn = await call("POST", "/api/v1/auth/verify-otp", {
      email: "q@example.com",
      otp_code: lastOtp(mailer.sent, "q@example.com"),
    });
    const token = signIn.body.access_token;
    const submitted = await call("POST", "/api/v1/backtests", {
      spec: {
        universe: { tickers: ["600519.SH", "000858.SZ"] },
        entry: "crosses_above(sma(close, 10), sma(close, 30))",
        exit: "crosses_below(sma(close, 10), sma(close, 30))",
        start: "2018-01-01",
        end: "2020-12-31",
      },
    }, token);
    assert.equal(submitted.status, 202);
    const deadline = Date.now() + 30_000;
    let job = { status: "queued" } as { status: string; metrics?: unknown };
    while (job.status !== "completed" && job.status !== "failed" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      job = (await call("GET", `/api/v1/backtests/${submitted.body.job_id}`, undefined, token)).body;
    }
    assert.equal(job.status, "completed");
    assert.ok(job.metrics);
  } finally {
    kv.close();
    const stopBy = Date.now() + 5000;
    while (worker.listening() && Date.now() < stopBy) await new Promise((r) => setTimeout(r, 10));
    await Deno.remove(dir, { recursive: true });
  }
});
