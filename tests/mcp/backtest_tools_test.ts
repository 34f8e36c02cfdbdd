/** The backtest tools over `/mcp` with the SDK client: the same answers as the HTTP routes for the same state. */
import assert from "node:assert/strict";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { connectMcp, hintsOf, type McpTestClient, serveWorld } from "../_helpers/mcp_client.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";
import { RELIANCE_SMA } from "../_helpers/backtrader_samples.ts";

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

const TEXT =
  'universe: {"tickers":["600519.SH"]}\nentry: close > sma(close, 100)\nexit: close < sma(close, 100)\n' +
  'start: "2018-01-01"\nend: "2019-12-31"';

interface Ctx {
  w: TestWorld;
  token: string;
  mcp: McpTestClient;
  other: McpTestClient;
}

/** A world served on loopback, the owner's MCP client and a second user's. */
async function withTools(fn: (c: Ctx) => Promise<void>, env: Record<string, string> = {}) {
  const w = await openTestWorld(env);
  const served = serveWorld(w);
  try {
    const token = (await signInWithOtp(w, "tools@example.com")).access_token;
    const otherToken = (await signInWithOtp(w, "other@example.com", "10.0.0.9")).access_token;
    const mcp = await connectMcp(served.url, token);
    const other = await connectMcp(served.url, otherToken);
    try {
      await fn({ w, token, mcp, other });
    } finally {
      await mcp.close();
      await other.close();
    }
  } finally {
    await served.close();
    await w.close();
  }
}

/** `answer` without its wall-clock stage timings (documented as differing between calls). */
const withoutTiming = ({ timing: _t, ...rest }: Record<string, unknown>) => rest;

Deno.test("run_backtest answers the report POST /backtests/run answers (timings aside)", () =>
  withTools(async ({ w, token, mcp }) => {
    const tool = await mcp.callTool("run_backtest", { spec: SPEC });
    assert.equal(tool.isError, false, tool.text);
    const http = await w.request("POST", "/api/v1/backtests/run", { json: { spec: SPEC }, token });
    assert.equal(http.status, 200);
    const body = await http.json();
    assert.deepEqual(withoutTiming(tool.body), withoutTiming(body));
    assert.equal(typeof tool.body.timing.simulate_ms, "number");
    assert.equal(tool.body.conventions.periods_per_year, 252);
  }));

Deno.test("run_backtest takes strategy text as strategy_code, as the route does", () =>
  withTools(async ({ w, token, mcp }) => {
    const tool = await mcp.callTool("run_backtest", { strategy_code: TEXT });
    assert.equal(tool.isError, false, tool.text);
    const http = await (await w.request("POST", "/api/v1/backtests/run", {
      json: { strategy_code: TEXT },
      token,
    })).json();
    assert.deepEqual(withoutTiming(tool.body), withoutTiming(http));
    assert.match(tool.body.generated_code, /entry: close > sma\(close, 100\)/);
  }));

Deno.test("run_backtest takes backtrader Python as strategy_code, as the route does", () =>
  withTools(async ({ w, token, mcp }) => {
    const tool = await mcp.callTool("run_backtest", { strategy_code: RELIANCE_SMA });
    assert.equal(tool.isError, false, tool.text);
    const http = await (await w.request("POST", "/api/v1/backtests/run", {
      json: { strategy_code: RELIANCE_SMA },
      token,
    })).json();
    assert.deepEqual(withoutTiming(tool.body), withoutTiming(http));
    assert.deepEqual(tool.body.spec.universe.tickers, ["RELIANCE.NS"]);
  }));

Deno.test("run_backtest refuses bad input with a 422 naming the field", () =>
  withTools(async ({ mcp }) => {
    const badFill = await mcp.callTool("run_backtest", { spec: { ...SPEC, fill: "tomorrow" } });
    assert.equal(badFill.isError, true);
    assert.equal(badFill.body.error.status, 422);
    assert.deepEqual(badFill.body.error.detail[0].loc, ["spec", "fill"]);
    const badCode = await mcp.callTool("run_backtest", { strategy_code: "entry: close >" });
    assert.equal(badCode.body.error.status, 422);
    assert.equal(badCode.body.error.detail[0].loc[0], "strategy_code");
    const two = await mcp.callTool("run_backtest", { spec: SPEC, strategy_code: TEXT });
    assert.equal(two.body.error.status, 422);
    assert.match(two.text, /exactly one of spec/);
    const extra = await mcp.callTool("run_backtest", { spec: SPEC, speed: "fast" });
    assert.deepEqual(extra.body.error.detail[0], {
      type: "extra_forbidden",
      loc: ["speed"],
      msg: "Extra inputs are not permitted",
    });
  }));

Deno.test("run_backtest: a run over the synchronous size limit is 413 pointing at submit_backtest", () =>
  withTools(async ({ mcp }) => {
    const big = await mcp.callTool("run_backtest", { spec: SPEC });
    assert.equal(big.isError, true);
    assert.equal(big.body.error.status, 413);
    assert.match(big.body.error.recovery, /submit_backtest/);
  }, { MAX_SYNC_SYMBOL_BARS: "100" }));

Deno.test("submit_backtest → get_backtest_status → report, equity and CSV equal the HTTP answers", () =>
  withTools(async ({ w, token, mcp }) => {
    const queued = await mcp.callTool("submit_backtest", { spec: SPEC, experiment_name: "rsi-grid" });
    assert.equal(queued.isError, false, queued.text);
    assert.equal(queued.body.status, "queued");
    assert.equal(queued.body.queue.position, 1);
    const id = queued.body.job_id as string;

    const waiting = await mcp.callTool("get_backtest_status", { job_id: id });
    assert.equal(waiting.body.status, "queued");
    assert.equal(waiting.body.metrics, null);
    assert.equal(waiting.body.queue.position, 1);

    assert.equal(await runBacktestJob(w.deps.backtests, id), "completed");
    const done = await mcp.callTool("get_backtest_status", { job_id: id });
    const { links: _links, ...httpDone } =
      await (await w.request("GET", `/api/v1/backtests/${id}`, { token }))
        .json();
    assert.deepEqual(done.body, httpDone);
    assert.equal(done.body.status, "completed");
    assert.equal(done.body.experiment_name, "rsi-grid");

    const report = await mcp.callTool("get_backtest_report", { job_id: id });
    const httpReport = await (await w.request("GET", `/api/v1/backtests/${id}/report-data`, { token }))
      .json();
    assert.deepEqual(report.body, httpReport);

    const equity = await mcp.callTool("get_backtest_equity", { job_id: id });
    assert.deepEqual(
      equity.body,
      await (await w.request("GET", `/api/v1/backtests/${id}/equity`, { token })).json(),
    );

    const csv = await mcp.callTool("get_backtest_trades_csv", { job_id: id });
    const httpCsv = await w.request("GET", `/api/v1/backtests/${id}/trades.csv`, { token });
    assert.equal(csv.body.csv, await httpCsv.text());
    assert.equal(csv.body.content_type, httpCsv.headers.get("content-type"));
    assert.match(httpCsv.headers.get("content-disposition")!, new RegExp(`filename="${csv.body.filename}"`));
    assert.equal(csv.body.csv.trim().split("\r\n").length, done.body.trades.length + 1);

    const list = await mcp.callTool("list_backtests", { status: "completed" });
    assert.deepEqual(
      list.body,
      await (await w.request("GET", "/api/v1/backtests?status=completed", { token })).json(),
    );
    assert.equal(list.body.total, 1);
  }));

Deno.test("get_backtest_report of a job not yet run is 404 telling to poll get_backtest_status", () =>
  withTools(async ({ mcp }) => {
    const { body } = await mcp.callTool("submit_backtest", { spec: SPEC });
    const early = await mcp.callTool("get_backtest_report", { job_id: body.job_id });
    assert.equal(early.isError, true);
    assert.equal(early.body.error.status, 404);
    assert.match(early.body.error.recovery, /get_backtest_status/);
  }));

Deno.test("cancel_backtest cancels a queued job; a second cancel is refused", () =>
  withTools(async ({ mcp }) => {
    const { body } = await mcp.callTool("submit_backtest", { strategy_code: TEXT, priority: 3 });
    const cancelled = await mcp.callTool("cancel_backtest", { job_id: body.job_id });
    assert.equal(cancelled.isError, false, cancelled.text);
    assert.equal(cancelled.body.status, "cancelled");
    const again = await mcp.callTool("cancel_backtest", { job_id: body.job_id });
    assert.equal(again.body.error.status, 400);
    assert.match(again.body.error.detail, /already cancelled/);
  }));

Deno.test("another user's job is not found by any job tool", () =>
  withTools(async ({ w, mcp, other }) => {
    const { body } = await mcp.callTool("submit_backtest", { spec: SPEC });
    await runBacktestJob(w.deps.backtests, body.job_id);
    for (
      const tool of [
        "get_backtest_status",
        "get_backtest_report",
        "get_backtest_equity",
        "get_backtest_trades_csv",
        "cancel_backtest",
      ]
    ) {
      const r = await other.callTool(tool, { job_id: body.job_id });
      assert.equal(r.isError, true, tool);
      assert.equal(r.body.error.status, 404, tool);
    }
    assert.equal((await other.callTool("list_backtests")).body.total, 0);
  }));

Deno.test("submit_backtest refuses bad input with a 422 naming the field", () =>
  withTools(async ({ mcp }) => {
    const r = await mcp.callTool("submit_backtest", { spec: SPEC, priority: 11 });
    assert.equal(r.body.error.status, 422);
    assert.deepEqual(r.body.error.detail[0].loc, ["priority"]);
    const both = await mcp.callTool("submit_backtest", { spec: SPEC, library_id: "strat_x" });
    assert.equal(both.body.error.status, 422);
    assert.match(both.text, /library_id/);
  }));

Deno.test("the backtest tools are annotated: run neither read-only nor idempotent (it records a run), cancel destructive", () =>
  withTools(async ({ mcp }) => {
    const { tools } = await mcp.client.listTools();
    const hints = hintsOf(tools);
    assert.deepEqual(
      [hints("run_backtest").readOnlyHint, hints("run_backtest").idempotentHint],
      [false, false],
    );
    assert.equal(hints("cancel_backtest").destructiveHint, true);
    assert.equal(hints("submit_backtest").idempotentHint, false);
    assert.equal(hints("get_backtest_status").readOnlyHint, true);
  }));
