/**
 * `main.ts` with `RUN_WORKER=false` serves HTTP but runs no queued backtest: the job it finds waiting stays
 * queued while it serves, its `/health` sends heartbeats for a worker process to answer, and once it is gone `worker.ts` over
 * the same KV file runs the job — without opening the HTTP port it was given. Both are the real entry points in
 * child processes, in both job modes.
 */
import assert from "node:assert/strict";
import { buildServices, type Services } from "../../app/services.ts";
import { submitBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { systemClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";
import { captureMailer } from "../_helpers/test_app.ts";

const REPO = new URL("../../", import.meta.url).pathname;

/** Reads JSON log lines of `stream` until one satisfies `done`, returns it; the rest drains in the background. */
async function logLine(
  stream: ReadableStream<Uint8Array>,
  done: (entry: Record<string, unknown>) => boolean,
): Promise<{ entry: Record<string, unknown>; drained: Promise<void> }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (true) {
    const { value, done: ended } = await reader.read();
    if (ended) throw new Error(`the process exited early:\n${buffer}`);
    buffer += value;
    const lines = buffer.split("\n");
    buffer = lines.pop()!;
    for (const line of lines) {
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line);
      if (done(entry)) {
        const drained = (async () => {
          while (!(await reader.read()).done) { /* discard */ }
        })().catch(() => {});
        return { entry, drained };
      }
    }
  }
}

/** A loopback port nobody listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

async function statusOf(services: Services, id: string): Promise<string> {
  return (await services.backtests.jobs.get(id))?.status ?? "missing";
}

for (const mode of ["queue", "poll"] as const) {
  Deno.test(`main.ts with RUN_WORKER=false (${mode}) leaves a queued backtest to worker.ts, which serves no HTTP`, async () => {
    const dir = await Deno.makeTempDir({ prefix: `qe_http_only_${mode}_` });
    const path = `${dir}/kv.sqlite`;
    const env = {
      DENO_ENV: "development",
      KV_PATH: path,
      JOB_QUEUE: mode,
      LOG_REQUESTS: "false",
      HOST: "127.0.0.1",
      PORT: "0",
      NO_COLOR: "1",
    };
    const kv = await Deno.openKv(path);
    const services = await buildServices({
      config: parseConfig(env),
      kv,
      clock: systemClock,
      mailer: captureMailer(),
      log: () => {},
      queue: { listening: () => false, enqueueHeartbeat: () => Promise.resolve() },
    });
    const spec = StrategySpecSchema.parse({
      universe: { tickers: ["600519.SH"] },
      entry: "crosses_above(sma(close, 10), sma(close, 30))",
      exit: "crosses_below(sma(close, 10), sma(close, 30))",
      start: "2024-01-01",
      end: "2024-06-30",
    });
    const job = await submitBacktestJob(services.backtests, "usr_http_only", spec);
    const spawn = (script: string, extra: Record<string, string>) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script],
        cwd: REPO,
        env: { ...env, ...extra },
        stdout: "piped",
        stderr: "null",
      }).spawn();
    const drains: Promise<void>[] = [];
    let child: Deno.ChildProcess | null = null;
    try {
      // 1. The HTTP-only process: it serves, says the worker is elsewhere, and leaves the job alone.
      child = spawn("main.ts", { RUN_WORKER: "false" });
      const listening = await logLine(child.stdout, (e) => e.msg === "listening");
      drains.push(listening.drained);
      assert.equal(listening.entry.worker, "separate process");
      const url = listening.entry.url as string;
      // A worker in this process would have taken the job at start (a queue listener at once, the poller on
      // its first sweep); the job is still queued after several requests answered over a few seconds.
      const until = Date.now() + 3_000;
      let answered = 0;
      while (Date.now() < until || answered < 3) {
        const health = await (await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) })).json();
        // No listener here: the check sends heartbeats for the worker process to answer (none runs yet).
        assert.equal(health.checks.queue.ok, true);
        assert.equal(health.checks.queue.detail, "worker in another process; no heartbeat answered yet");
        answered++;
        assert.equal(await statusOf(services, job.id), "queued", "the HTTP-only process ran no job");
        await new Promise((r) => setTimeout(r, 200));
      }
      child.kill("SIGTERM");
      await child.status;
      child = null;
      assert.equal(await statusOf(services, job.id), "queued");

      // 2. The worker-only process over the same KV runs it, and the port it was given stays closed.
      const port = freePort();
      child = spawn("worker.ts", { PORT: String(port) });
      const started = await logLine(child.stdout, (e) => e.msg === "worker started");
      drains.push(started.drained);
      await assert.rejects(
        fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(5_000) }),
        "worker.ts listens on no port",
      );
      const deadline = Date.now() + 60_000;
      let status = "queued";
      while (Date.now() < deadline) {
        status = await statusOf(services, job.id);
        if (status === "completed" || status === "failed") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, "completed");
      assert.ok(await services.backtests.jobs.getReport(job.id), "the worker stored the report");
    } finally {
      if (child) {
        child.kill("SIGTERM");
        await child.status;
      }
      await Promise.all(drains);
      kv.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
