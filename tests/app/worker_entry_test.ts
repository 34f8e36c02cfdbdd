/**
 * `worker.ts` alone (no HTTP server) runs a queued backtest to completion and registers every cron of
 * `jobs/cron.ts`. The job is submitted by this test through the same house (`app/services.ts`) an HTTP process
 * would build, over a shared KV file; the child process is the real entry point.
 */
import assert from "node:assert/strict";
import { CRON_JOBS } from "../../jobs/cron.ts";
import { openQueuedJobWorld, readLogLine } from "../_helpers/entry_points.ts";

for (const mode of ["queue", "poll"] as const) {
  Deno.test(`worker.ts (${mode}) runs a queued backtest with no HTTP server and registers every cron`, async () => {
    const w = await openQueuedJobWorld(mode, {
      prefix: `qe_worker_${mode}_`,
      owner: "usr_worker",
      tickers: ["600519.SH", "600036.SH"],
      end: "2024-12-31",
    });
    // Submitted before the worker exists: in queue mode the message waits in KV, in poll mode the job table.
    assert.equal(w.job.status, "queued");
    const child = w.spawn("worker.ts");
    let rest: Promise<string> = Promise.resolve("");
    try {
      const started = await readLogLine(child.stdout, (e) => e.msg === "worker started");
      rest = started.rest;
      assert.deepEqual(started.entry.crons, CRON_JOBS.map((j) => j.name), "every cron is registered");
      assert.equal(started.entry.http, false);
      assert.equal(await w.waitForEnd(), "completed");
      const report = await w.services.backtests.jobs.getReport(w.job.id);
      assert.ok(report, "the worker stored the report");
    } finally {
      child.kill("SIGTERM");
      await child.status;
      assert.ok(!(await rest).includes('"msg":"listening"'), "the worker never starts an HTTP server");
      await w.close();
    }
  });
}
