import assert from "node:assert/strict";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

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

Deno.test("POST /backtests queues a job; once run, GET shows metrics, equity and trades; CSV and report download", async () => {
  const w = await openTestWorld();
  try {
    const me = await signInWithOtp(w, "jobs@example.com");
    const other = await signInWithOtp(w, "other@example.com", "10.0.0.7");
    const res = await w.request("POST", "/api/v1/backtests", {
      json: { spec: SPEC, experiment_name: "rsi-grid" },
      token: me.access_token,
    });
    assert.equal(res.status, 202);
    const { job_id, status, links } = await res.json();
    assert.equal(status, "queued");
    assert.equal(links.self, `/api/v1/backtests/${job_id}`);
    const queued = await (await w.request("GET", links.self, { token: me.access_token })).json();
    assert.equal(queued.status, "queued");
    assert.equal(queued.metrics, null);
    assert.equal((await w.request("GET", links.self, { token: other.access_token })).status, 404);
    assert.equal((await w.request("GET", links.report, { token: me.access_token })).status, 404);

    assert.equal(await runBacktestJob(w.deps.backtests, job_id), "completed");
    const done = await (await w.request("GET", links.self, { token: me.access_token })).json();
    assert.equal(done.status, "completed");
    assert.equal(done.progress, 100);
    assert.equal(done.experiment_name, "rsi-grid");
    assert.ok(done.trades.length > 0 && done.trades[0].reasoning.startsWith("entry:"));
    assert.equal(done.equity_curve[0].benchmark_value, 100);
    assert.equal(typeof done.metrics.sharpeRatio, "number");

    const csv = await w.request("GET", links.trades_csv, { token: me.access_token });
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get("content-type")!, /text\/csv/);
    assert.match(csv.headers.get("content-disposition")!, /attachment; filename="backtest-.*-trades\.csv"/);
    const rows = (await csv.text()).trim().split("\r\n");
    assert.equal(rows.length, done.trades.length + 1);
    assert.equal(rows[1].split(",")[1], done.trades[0].asset);
    assert.equal((await w.request("GET", links.trades_csv, { token: other.access_token })).status, 404);
    const plot = await (await w.request("GET", `${links.self}/plot`, { token: me.access_token })).json();
    assert.ok(["600519.SH", "600036.SH"].includes(plot.data[0].name), "the most traded ticker by default");
    assert.equal(plot.data.at(-1).name, "Drawdown %");
    const bench = plot.data.find((d: { name: string }) => d.name === "000300.SH");
    assert.ok(bench, "benchmark line");
    const equity = await (await w.request("GET", links.equity, { token: me.access_token })).json();
    assert.deepEqual(equity.equity_curve, done.equity_curve);

    const list =
      await (await w.request("GET", "/api/v1/backtests?status=completed", { token: me.access_token })).json();
    assert.equal(list.total, 1);
    assert.equal(list.items[0].total_trades, done.trades.length);
    assert.equal(
      (await (await w.request("GET", "/api/v1/backtests", { token: other.access_token })).json()).total,
      0,
    );
    const cancelDone = await w.request("POST", links.cancel, { token: me.access_token });
    assert.equal(cancelDone.status, 400);
  } finally {
    await w.close();
  }
});

Deno.test("POST /backtests enforces the tier's active-job cap and the submission rate limit", async () => {
  const w = await openTestWorld({ RATE_LIMIT_BACKTEST: "3/1m" });
  try {
    const me = await signInWithOtp(w, "busy@example.com");
    const submit = () =>
      w.request("POST", "/api/v1/backtests", { json: { spec: SPEC }, token: me.access_token });
    const a = await (await submit()).json();
    assert.equal((await submit()).status, 202);
    const capped = await submit();
    assert.equal(capped.status, 429);
    assert.match((await capped.json()).detail, /free tier allows 2 at once/);
    await w.request("POST", `/api/v1/backtests/${a.job_id}/cancel`, { token: me.access_token });
    const limited = await submit();
    assert.equal(limited.status, 429);
    assert.equal((await limited.json()).detail, "Rate limit exceeded: 3 per 1 minute");
    assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  } finally {
    await w.close();
  }
});
