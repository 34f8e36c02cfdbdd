import assert from "node:assert/strict";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const SPEC = {
  name: "RSI dip",
  universe: { tickers: ["600519.SH", "600036.SH"] },
  entry: "rsi(close, 14) < 35",
  exit: "rsi(close, 14) > 60",
  sizing: { method: "percent_equity", percent: 40, max_positions: 2 },
  start: "2017-01-01",
  end: "2019-12-31",
  benchmarks: ["000300.SH"],
};

async function withWorld(fn: (w: TestWorld) => Promise<void>, env?: Record<string, string>) {
  const w = await openTestWorld(env);
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** Signs in the owner and a second user; `submit` answers the owner's POST /backtests. */
async function owners(w: TestWorld) {
  const me = (await signInWithOtp(w, "jobs@example.com")).access_token;
  const other = (await signInWithOtp(w, "other@example.com", "10.0.0.7")).access_token;
  const submit = () =>
    w.request("POST", "/api/v1/backtests", { json: { spec: SPEC, experiment_name: "rsi-grid" }, token: me });
  return { me, other, submit };
}

/** The owner's job, queued and not yet run. */
async function queuedJob(w: TestWorld) {
  const o = await owners(w);
  const { job_id, links } = await (await o.submit()).json();
  return { ...o, job_id: job_id as string, links };
}

/** The owner's job, run to completion, with its GET answer. */
async function completedJob(w: TestWorld) {
  const q = await queuedJob(w);
  await runBacktestJob(w.deps.backtests, q.job_id);
  const done = await (await w.request("GET", q.links.self, { token: q.me })).json();
  return { ...q, done };
}

Deno.test("POST /backtests queues a job and answers 202 with a link to it", () =>
  withWorld(async (w) => {
    const { submit } = await owners(w);
    const res = await submit();
    assert.equal(res.status, 202);
    const { job_id, status, links } = await res.json();
    assert.equal(status, "queued");
    assert.equal(links.self, `/api/v1/backtests/${job_id}`);
  }));

Deno.test("GET /backtests/{id} shows a job not yet run as queued, with no metrics", () =>
  withWorld(async (w) => {
    const { links, me } = await queuedJob(w);
    const queued = await (await w.request("GET", links.self, { token: me })).json();
    assert.equal(queued.status, "queued");
    assert.equal(queued.metrics, null);
  }));

Deno.test("GET /backtests/{id}: another user's job is not found", () =>
  withWorld(async (w) => {
    const { links, other } = await queuedJob(w);
    assert.equal((await w.request("GET", links.self, { token: other })).status, 404);
  }));

Deno.test("the report of a job not yet run is not found", () =>
  withWorld(async (w) => {
    const { links, me } = await queuedJob(w);
    assert.equal((await w.request("GET", links.report, { token: me })).status, 404);
  }));

Deno.test("once run, GET /backtests/{id} shows the metrics, the equity curve and the trades with their reasons", () =>
  withWorld(async (w) => {
    const { job_id, links, me } = await queuedJob(w);
    assert.equal(await runBacktestJob(w.deps.backtests, job_id), "completed");
    const done = await (await w.request("GET", links.self, { token: me })).json();
    assert.equal(done.status, "completed");
    assert.equal(done.progress, 100);
    assert.equal(done.experiment_name, "rsi-grid");
    assert.ok(done.trades.length > 0 && done.trades[0].reasoning.startsWith("entry:"));
    assert.equal(done.equity_curve[0].benchmark_value, 100);
    assert.equal(typeof done.metrics.sharpeRatio, "number");
  }));

Deno.test("the trades CSV of a completed job downloads one row per trade", () =>
  withWorld(async (w) => {
    const { links, me, done } = await completedJob(w);
    const csv = await w.request("GET", links.trades_csv, { token: me });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type")!, /text\/csv/);
    assert.match(csv.headers.get("content-disposition")!, /attachment; filename="backtest-.*-trades\.csv"/);
    const rows = (await csv.text()).trim().split("\r\n");
    assert.equal(rows.length, done.trades.length + 1);
    assert.equal(rows[1].split(",")[1], done.trades[0].asset);
  }));

Deno.test("the trades CSV of another user's job is not found", () =>
  withWorld(async (w) => {
    const { links, other } = await completedJob(w);
    assert.equal((await w.request("GET", links.trades_csv, { token: other })).status, 404);
  }));

Deno.test("the plot of a completed job shows the most traded ticker, the benchmark and the drawdown", () =>
  withWorld(async (w) => {
    const { links, me } = await completedJob(w);
    const plot = await (await w.request("GET", `${links.self}/plot`, { token: me })).json();
    assert.ok(["600519.SH", "600036.SH"].includes(plot.data[0].name), "the most traded ticker by default");
    assert.equal(plot.data.at(-1).name, "Drawdown %");
    const bench = plot.data.find((d: { name: string }) => d.name === "000300.SH");
    assert.ok(bench, "benchmark line");
  }));

Deno.test("the equity route of a completed job gives the job's equity curve", () =>
  withWorld(async (w) => {
    const { links, me, done } = await completedJob(w);
    const equity = await (await w.request("GET", links.equity, { token: me })).json();
    assert.deepEqual(equity.equity_curve, done.equity_curve);
  }));

Deno.test("GET /backtests?status=completed lists the completed job with its trade count", () =>
  withWorld(async (w) => {
    const { me, done } = await completedJob(w);
    const list = await (await w.request("GET", "/api/v1/backtests?status=completed", { token: me })).json();
    assert.equal(list.total, 1);
    assert.equal(list.items[0].total_trades, done.trades.length);
  }));

Deno.test("GET /backtests lists none of another user's jobs", () =>
  withWorld(async (w) => {
    const { other } = await completedJob(w);
    assert.equal(
      (await (await w.request("GET", "/api/v1/backtests", { token: other })).json()).total,
      0,
    );
  }));

Deno.test("cancelling a completed job is refused", () =>
  withWorld(async (w) => {
    const { links, me } = await completedJob(w);
    const cancelDone = await w.request("POST", links.cancel, { token: me });
    assert.equal(cancelDone.status, 400);
  }));

/** POST /backtests for a fresh user in a world allowing 3 submissions a minute. */
async function busyUser(w: TestWorld) {
  const me = await signInWithOtp(w, "busy@example.com");
  const submit = () =>
    w.request("POST", "/api/v1/backtests", { json: { spec: SPEC }, token: me.access_token });
  return { token: me.access_token, submit };
}

Deno.test("POST /backtests queues a job beyond the tier's running cap: 202, waiting its turn with its place", () =>
  withWorld(async (w) => {
    const { submit, token } = await busyUser(w);
    const first = await (await submit()).json();
    assert.deepEqual(first.queue, {
      position: 1,
      running: 0,
      max_running: 2,
      reason: "waiting for a worker",
    });
    w.clock.advance(1); // turns go oldest first (by id within one millisecond)
    assert.equal((await submit()).status, 202);
    w.clock.advance(1);
    const third = await submit();
    assert.equal(
      third.status,
      202,
      "the free tier's cap of 2 running jobs queues the third, never refuses it",
    );
    const body = await third.json();
    assert.equal(body.status, "queued");
    assert.equal(body.queue.position, 3);
    assert.match(body.queue.reason, /at most 2 of your backtests run at once and 2 are ahead of it/);
    // It does not start before its turn; once an earlier job ends, it may.
    assert.equal(await runBacktestJob(w.deps.backtests, body.job_id), "busy");
    const status = await (await w.request("GET", `/api/v1/backtests/${body.job_id}`, { token })).json();
    assert.equal(status.status, "queued");
    assert.equal(status.queue.position, 3);
    assert.equal(await runBacktestJob(w.deps.backtests, first.job_id), "completed");
    const next = await (await w.request("GET", `/api/v1/backtests/${body.job_id}`, { token })).json();
    assert.deepEqual([next.queue.position, next.queue.reason], [2, "waiting for a worker"]);
    assert.equal(await runBacktestJob(w.deps.backtests, body.job_id), "completed");
    const done = await (await w.request("GET", `/api/v1/backtests/${body.job_id}`, { token })).json();
    assert.equal(done.queue, null);
  }, { RATE_LIMIT_BACKTEST: "3/1m" }));

Deno.test("POST /backtests applies the submission rate limit even once a job slot is free", () =>
  withWorld(async (w) => {
    const { submit, token } = await busyUser(w);
    const a = await (await submit()).json();
    await submit();
    await submit();
    await w.request("POST", `/api/v1/backtests/${a.job_id}/cancel`, { token });
    const limited = await submit();
    assert.equal(limited.status, 429);
    assert.equal((await limited.json()).detail, "Rate limit exceeded: 3 per 1 minute");
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  }, { RATE_LIMIT_BACKTEST: "3/1m" }));
