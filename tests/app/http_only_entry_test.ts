/**
 * `main.ts` with `RUN_WORKER=false` serves HTTP but runs no queued backtest: the job it finds waiting stays
 * queued while it serves, its `/health` sends heartbeats for a worker process to answer, and once it is gone `worker.ts` over
 * the same KV file runs the job — without opening the HTTP port it was given. Both are the real entry points in
 * child processes, in both job modes.
 */
import assert from "node:assert/strict";
import { openQueuedJobWorld, readLogLine } from "../_helpers/entry_points.ts";

/** A loopback port nobody listens on right now. */
function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

for (const mode of ["queue", "poll"] as const) {
  Deno.test(`main.ts with RUN_WORKER=false (${mode}) leaves a queued backtest to worker.ts, which serves no HTTP`, async () => {
    const w = await openQueuedJobWorld(mode, {
      prefix: `qe_http_only_${mode}_`,
      owner: "usr_http_only",
      tickers: ["600519.SH"],
      end: "2024-06-30",
    });
    const drains: Promise<string>[] = [];
    let child: Deno.ChildProcess | null = null;
    try {
      // 1. The HTTP-only process: it serves, says the worker is elsewhere, and leaves the job alone.
      child = w.spawn("main.ts", { RUN_WORKER: "false" });
      const listening = await readLogLine(child.stdout, (e) => e.msg === "listening");
      drains.push(listening.rest);
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
        assert.equal(await w.status(), "queued", "the HTTP-only process ran no job");
        await new Promise((r) => setTimeout(r, 200));
      }
      child.kill("SIGTERM");
      await child.status;
      child = null;
      assert.equal(await w.status(), "queued");

      // 2. The worker-only process over the same KV runs it, and the port it was given stays closed.
      const port = freePort();
      child = w.spawn("worker.ts", { PORT: String(port) });
      const started = await readLogLine(child.stdout, (e) => e.msg === "worker started");
      drains.push(started.rest);
      await assert.rejects(
        fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(5_000) }),
        "worker.ts listens on no port",
      );
      assert.equal(await w.waitForEnd(), "completed");
      assert.ok(await w.services.backtests.jobs.getReport(w.job.id), "the worker stored the report");
    } finally {
      if (child) {
        child.kill("SIGTERM");
        await child.status;
      }
      await Promise.all(drains);
      await w.close();
    }
  });
}
