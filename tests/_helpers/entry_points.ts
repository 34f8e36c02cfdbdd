/**
 * For tests that run the real entry points (`main.ts`, `worker.ts`) as child processes over a KV file: a
 * queued backtest seeded through the production wiring, the child started with the same environment, its JSON
 * log read line by line, and the job's status polled until it ends.
 */
import { buildServices, type Services } from "../../app/services.ts";
import { submitBacktestJob } from "../../domain/backtest/queued_runs.ts";
import type { BacktestJobRecord } from "../../domain/store/backtest_job_repo.ts";
import { systemClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { StrategySpecSchema } from "../../domain/strategy/spec.ts";
import { captureMailer } from "./test_app.ts";

const REPO = new URL("../../", import.meta.url).pathname;

/** A KV file holding one queued SMA 10/30 backtest of `tickers`, and the services over it. */
export interface QueuedJobWorld {
  dir: string;
  env: Record<string, string>;
  kv: Deno.Kv;
  services: Services;
  job: BacktestJobRecord;
  /** Starts `script` (`main.ts` or `worker.ts`) with the world's environment plus `extra`. */
  spawn(script: string, extra?: Record<string, string>): Deno.ChildProcess;
  /** The job's status now (`missing` when gone). */
  status(): Promise<string>;
  /** Polls until the job ends (or `timeoutMs` passes) and returns its last status. */
  waitForEnd(timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/** Seeds the KV file and submits the job before any worker exists (it waits in the queue or the job table). */
export async function openQueuedJobWorld(
  mode: "queue" | "poll",
  opts: { prefix: string; owner: string; tickers: string[]; end: string },
): Promise<QueuedJobWorld> {
  const dir = await Deno.makeTempDir({ prefix: opts.prefix });
  const env = {
    DENO_ENV: "development",
    KV_PATH: `${dir}/kv.sqlite`,
    JOB_QUEUE: mode,
    LOG_REQUESTS: "false",
    HOST: "127.0.0.1",
    PORT: "0",
    NO_COLOR: "1",
  };
  const kv = await Deno.openKv(env.KV_PATH);
  const services = await buildServices({
    config: parseConfig(env),
    kv,
    clock: systemClock,
    mailer: captureMailer(),
    log: () => {},
    queue: { listening: () => false, enqueueHeartbeat: () => Promise.resolve() },
  });
  const spec = StrategySpecSchema.parse({
    universe: { tickers: opts.tickers },
    entry: "crosses_above(sma(close, 10), sma(close, 30))",
    exit: "crosses_below(sma(close, 10), sma(close, 30))",
    start: "2024-01-01",
    end: opts.end,
  });
  const job = await submitBacktestJob(services.backtests, opts.owner, spec);
  const status = async () => (await services.backtests.jobs.get(job.id))?.status ?? "missing";
  return {
    dir,
    env,
    kv,
    services,
    job,
    spawn: (script, extra = {}) =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", script],
        cwd: REPO,
        env: { ...env, ...extra },
        stdout: "piped",
        stderr: "null",
      }).spawn(),
    status,
    async waitForEnd(timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      let last = await status();
      while (Date.now() < deadline && last !== "completed" && last !== "failed") {
        await new Promise((r) => setTimeout(r, 100));
        last = await status();
      }
      return last;
    },
    async close() {
      kv.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/**
 * Reads JSON log lines of `stream` until one satisfies `done` and returns it; the rest of the output is read in
 * the background (so the child never blocks on a full pipe) and `rest` resolves with it once the child ends.
 */
export async function readLogLine(
  stream: ReadableStream<Uint8Array>,
  done: (entry: Record<string, unknown>) => boolean,
): Promise<{ entry: Record<string, unknown>; rest: Promise<string> }> {
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
      if (!done(entry)) continue;
      const rest = (async () => {
        let text = buffer;
        while (true) {
          const next = await reader.read();
          if (next.done) return text;
          text += next.value;
        }
      })().catch(() => "");
      return { entry, rest };
    }
  }
}
