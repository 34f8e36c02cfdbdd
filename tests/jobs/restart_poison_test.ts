/**
 * The server restarted over a KV whose queue holds poison jobs (the old engine spun forever on them, so every
 * restart hung again once the lease ran out): it keeps answering `/health` and the jobs end `failed`. Runs the
 * real `main.ts` in a child process on a loopback port, in both job modes.
 */
import assert from "node:assert/strict";
import {
  type BacktestJobDeps,
  createSemaphore,
  JOB_BACKOFF_MS,
  runMessage,
  submitBacktestJob,
} from "../../domain/backtest/queued_runs.ts";
import { systemClock } from "../../domain/clock.ts";
import { toDayNumber } from "../../domain/calendar/dates.ts";
import { emptySeries } from "../../domain/store/bar_codec.ts";
import { importedSymbolInfo } from "../../domain/market/csv/import_bars.ts";
import { buildMarketServices } from "../../app/market_services.ts";
import { type BacktestJobRecord, createBacktestJobRepo } from "../../domain/store/backtest_job_repo.ts";
import { createBarRepo } from "../../domain/store/bar_repo.ts";
import { createImportedSymbolRepo } from "../../domain/store/imported_symbol_repo.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";

const REPO = new URL("../../", import.meta.url).pathname;
const OWNER = "usr_poison";

/** Writes a 1e-305 series for `OWNER`'s import `POISON` and two jobs a dead worker left behind. */
async function seed(path: string, mode: "queue" | "poll") {
  const kv = await Deno.openKv(path);
  try {
    const n = 60;
    const series = emptySeries("POISON", "csv", n);
    for (let k = 0; k < n; k++) {
      series.days[k] = toDayNumber("2024-01-02") + k;
      series.open[k] =
        series.high[k] =
        series.low[k] =
        series.close[k] =
          1e-305;
      series.volume[k] = 100;
      series.adj_factor[k] = 1;
    }
    const now = Date.now();
    await createBarRepo(kv).replaceSeries({ source: "csv", owner: OWNER }, series, now);
    await createImportedSymbolRepo(kv).put({
      ...importedSymbolInfo("POISON", "NYSE"),
      owner_id: OWNER,
      published: false,
      rows: n,
      start: "2024-01-02",
      end: "2024-03-01",
      imported_at: now,
    });
    const jobs = createBacktestJobRepo(kv);
    const deps: BacktestJobDeps = {
      jobs,
      market: buildMarketServices(kv, systemClock, { seed: 42, cacheBytes: 0 }).data,
      clock: systemClock,
      maxJobSymbolBars: 1e8,
      semaphore: createSemaphore(1),
      mode: "poll", // the messages are enqueued below, after the records look as the dead worker left them
    };
    const spec = StrategySpecSchema.parse({
      universe: { tickers: ["POISON"] },
      entry: "close > 0",
      exit: "close < 0",
      start: "2024-01-01",
      end: "2024-03-31",
    });
    // The worker that claimed the poison job hung and was restarted: running, lease gone.
    const poison = await submitBacktestJob(deps, OWNER, spec);
    const dead = await submitBacktestJob(deps, OWNER, spec);
    const orphan = (j: BacktestJobRecord, attempt: number) => ({
      ...j,
      status: "running" as const,
      attempt,
      lease_until: now - 1,
      started_at: now - 120_000,
    });
    await jobs.update(poison.id, (j) => orphan(j, 1));
    // One that already hung the server three times.
    await jobs.update(dead.id, (j) => orphan(j, 3));
    if (mode === "queue") {
      // Their messages come back after the restart (KV redelivers what the hung worker never acknowledged).
      for (const id of [poison.id, dead.id]) {
        await kv.enqueue(runMessage(id), { backoffSchedule: JOB_BACKOFF_MS });
      }
    }
    return { poison: poison.id, dead: dead.id };
  } finally {
    kv.close();
  }
}

/**
 * Reads lines of `stream` until one is the `listening` log line and returns its URL; the rest of the stream is
 * drained in the background (so the child never blocks on a full pipe) until `drained` settles.
 */
async function listen(stream: ReadableStream<Uint8Array>): Promise<{ url: string; drained: Promise<void> }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  while (true) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the server exited before listening:\n${buffer}`);
    buffer += value;
    for (const line of buffer.split("\n")) {
      if (!line.startsWith("{")) continue;
      try {
        const entry = JSON.parse(line);
        if (entry.msg === "listening") {
          const drained = (async () => {
            while (!(await reader.read()).done) { /* discard */ }
          })().catch(() => {});
          return { url: entry.url, drained };
        }
      } catch { /* a partial line */ }
    }
  }
}

for (const mode of ["queue", "poll"] as const) {
  Deno.test(`restart (${mode}): with poison jobs in KV the server answers /health and the jobs end failed`, async () => {
    const dir = await Deno.makeTempDir({ prefix: `qe_restart_${mode}_` });
    const path = `${dir}/kv.sqlite`;
    const ids = await seed(path, mode);
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts"],
      cwd: REPO,
      env: {
        DENO_ENV: "development",
        KV_PATH: path,
        HOST: "127.0.0.1",
        PORT: "0",
        JOB_QUEUE: mode,
        LOG_REQUESTS: "false",
        NO_COLOR: "1",
      },
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const kv = await Deno.openKv(path);
    let drained = Promise.resolve();
    try {
      const server = await listen(child.stdout);
      drained = server.drained;
      const url = server.url;
      const jobs = createBacktestJobRepo(kv);
      let answered = 0;
      const deadline = Date.now() + 60_000;
      let poison: BacktestJobRecord | null = null, dead: BacktestJobRecord | null = null;
      while (Date.now() < deadline) {
        const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
        assert.equal(res.status, 200);
        assert.ok(["healthy", "degraded"].includes((await res.json()).status)); // /health: the Backtester v2 shape
        answered++;
        poison = await jobs.get(ids.poison);
        dead = await jobs.get(ids.dead);
        if (poison?.status === "failed" && dead?.status === "failed" && answered >= 3) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(poison?.status, "failed", "the poison job failed");
      assert.match(poison?.error ?? "", /Unusable market data for POISON on 2024-01-02/);
      assert.equal(poison?.attempt, 2);
      assert.equal(dead?.status, "failed", "the job that hung three times failed");
      assert.match(dead?.error ?? "", /Gave up after 3 attempts/);
      assert.equal(dead?.attempt, 3);
      assert.deepEqual(await jobs.listActive(10), []);
      // Still serving after the jobs ended.
      const last = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
      assert.equal(last.status, 200);
      await last.body?.cancel();
    } finally {
      kv.close();
      child.kill("SIGTERM");
      await child.status;
      await drained;
      await Deno.remove(dir, { recursive: true });
    }
  });
}
