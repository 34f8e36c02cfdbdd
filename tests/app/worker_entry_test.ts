/**
 * `worker.ts` alone (no HTTP server) runs a queued backtest to completion and registers every cron of
 * `jobs/cron.ts`. The job is submitted by this test through the same house (`app/services.ts`) an HTTP process
 * would build, over a shared KV file; the child process is the real entry point.
 */
import assert from "node:assert/strict";
import { buildServices } from "../../app/services.ts";
import { submitBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { systemClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";
import { CRON_JOBS } from "../../jobs/cron.ts";
import { captureMailer } from "../_helpers/test_app.ts";

const REPO = new URL("../../", import.meta.url).pathname;

/** Reads JSON log lines of `stream` until `done(entry)` holds; the rest drains in the background. */
async function readUntil(
  stream: ReadableStream<Uint8Array>,
  done: (entry: Record<string, unknown>) => boolean,
): Promise<{ lines: Record<string, unknown>[]; drained: Promise<string> }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const lines: Record<string, unknown>[] = [];
  while (true) {
    const { value, done: ended } = await reader.read();
    if (ended) throw new Error(`the worker exited early:\n${buffer}`);
    buffer += value;
    const parts = buffer.split("\n");
    buffer = parts.pop()!;
    for (const line of parts) {
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line);
      lines.push(entry);
      if (done(entry)) {
        const drained = (async () => {
          let rest = buffer;
          while (true) {
            const next = await reader.read();
            if (next.done) return rest;
            rest += next.value;
          }
        })();
        return { lines, drained };
      }
    }
  }
}

for (const mode of ["queue", "poll"] as const) {
  Deno.test(`worker.ts (${mode}) runs a queued backtest with no HTTP server and registers every cron`, async () => {
    const dir = await Deno.makeTempDir({ prefix: `qe_worker_${mode}_` });
    const path = `${dir}/kv.sqlite`;
    const env = {
      DENO_ENV: "development",
      KV_PATH: path,
      JOB_QUEUE: mode,
      LOG_REQUESTS: "false",
      PORT: "0",
      HOST: "127.0.0.1",
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
      universe: { tickers: ["600519.SH", "600036.SH"] },
      entry: "crosses_above(sma(close, 10), sma(close, 30))",
      exit: "crosses_below(sma(close, 10), sma(close, 30))",
      start: "2024-01-01",
      end: "2024-12-31",
    });
    // Submitted before the worker exists: in queue mode the message waits in KV, in poll mode the job table.
    const job = await submitBacktestJob(services.backtests, "usr_worker", spec);
    assert.equal(job.status, "queued");
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "worker.ts"],
      cwd: REPO,
      env,
      stdout: "piped",
      stderr: "null",
    }).spawn();
    let drained: Promise<string> = Promise.resolve("");
    try {
      const started = await readUntil(child.stdout, (e) => e.msg === "worker started");
      drained = started.drained;
      const banner = started.lines.at(-1)!;
      assert.deepEqual(banner.crons, CRON_JOBS.map((j) => j.name), "every cron is registered");
      assert.equal(banner.http, false);
      const deadline = Date.now() + 60_000;
      let status = "queued";
      while (Date.now() < deadline) {
        status = (await services.backtests.jobs.get(job.id))?.status ?? "missing";
        if (status === "completed" || status === "failed") break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(status, "completed");
      const report = await services.backtests.jobs.getReport(job.id);
      assert.ok(report, "the worker stored the report");
    } finally {
      child.kill("SIGTERM");
      await child.status;
      const rest = await drained.catch(() => "");
      assert.ok(!rest.includes('"msg":"listening"'), "the worker never starts an HTTP server");
      kv.close();
      await Deno.remove(dir, { recursive: true });
    }
  });
}
