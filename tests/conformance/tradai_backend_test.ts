/**
 * Conformance with the TradAI backend document (`003_42a07368cc300c90.txt`): its endpoint tables replayed in
 * order at the paths written — health; backtests (the document's submit body as written, list, status, cancel,
 * equity, report data); strategy promotion (stage, promote, versions, rollback); the strategy catalog (list,
 * detail, compare, leaderboard); data symbols and freshness; the WebSocket progress message; the rate limit's
 * 429 body; `X-Correlation-ID` on every response; `/docs`, `/redoc`, `/openapi.json` — asserting each documented
 * field by name and JSON type. "Strategy Operations" (run, instances, stop, logs: paper trading) come with
 * their own issue. Where the document's "Strategy Proxy" list lives (`/api/v1/catalog/strategies`, since
 * `/api/v1/strategies` is the QuantGPT document's) is checked too.
 */
import assert from "node:assert/strict";
import { assertDocumentField, assertDocumentShape } from "../_helpers/document_shape.ts";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { startStreamBridge } from "../../jobs/stream_bridge.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

/** The document's "Submit backtest" body, as written in its Next.js example. */
const SUBMIT_BODY = {
  config: { strategy: "TrendFollowing", pairs: ["BTC/USDT:USDT"] },
  experiment_name: "test-run",
  priority: 0,
};

/** The document's WebSocket message, as written. */
const WS_MESSAGE = { progress: 45.5, current_date: "2024-01-15", trades_executed: 23, status: "running" };

/** Asserts `value[key]` exists with one of the JSON types `types` (`"string|null"`). */
const tradaiField = (value: Record<string, unknown>, key: string, types: string) =>
  assertDocumentField(value, key, types);

/** Asserts `actual` has every key of the document's `example` with the same JSON type (nulls allowed). */
const tradaiShape = (actual: Record<string, unknown>, example: Record<string, unknown>) =>
  assertDocumentShape(actual, example, { nullable: true });

/** Every response of a replay, for the `X-Correlation-ID` check. */
class Replay {
  seen: [string, Response][] = [];
  constructor(readonly w: TestWorld, readonly token: string) {}
  async send(method: string, path: string, opts: { json?: unknown; headers?: Record<string, string> } = {}) {
    const res = await this.w.request(method, path, { ...opts, token: this.token });
    this.seen.push([`${method} ${path}`, res]);
    return res;
  }
  async json(method: string, path: string, status: number, opts: { json?: unknown } = {}) {
    const res = await this.send(method, path, opts);
    const body = await res.json();
    assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(body).slice(0, 300)}`);
    return body;
  }
}

async function withClient(fn: (r: Replay) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(new Replay(w, (await signInWithOtp(w, "tradai@example.com")).access_token));
  } finally {
    await w.close();
  }
}

Deno.test("TradAI: health, the backtest endpoints with the document's submit body, and X-Correlation-ID", () =>
  withClient(async (r) => {
    // Health Check: "Service health with dependency checks".
    const health = await r.json("GET", "/api/v1/health", 200);
    tradaiField(health, "status", "string");
    assert.equal(health.status, "ok");
    tradaiField(health, "checks", "object");
    for (const check of Object.values(health.checks as Record<string, Record<string, unknown>>)) {
      tradaiField(check, "ok", "boolean");
    }

    // Submit new backtest job: the document's body as written, on a fresh server (TrendFollowing is a built-in).
    const submitted = await r.json("POST", "/api/v1/backtests", 202, { json: SUBMIT_BODY });
    tradaiField(submitted, "job_id", "string");
    tradaiField(submitted, "status", "string");
    assert.equal(submitted.status, "queued");
    assert.deepEqual(submitted.strategy, {
      kind: "builtin",
      name: "TrendFollowing",
      id: null,
      version: null,
    });
    const jobId: string = submitted.job_id;

    // Get status: the document's next call, `GET /api/v1/backtests/{job_id}`.
    const queued = await r.json("GET", `/api/v1/backtests/${jobId}`, 200);
    tradaiShape(queued, WS_MESSAGE);
    assert.equal(queued.id, jobId);
    assert.equal(queued.experiment_name, "test-run");
    tradaiField(queued.queue, "position", "number");

    // List backtest jobs (paginated).
    const list = await r.json("GET", "/api/v1/backtests?limit=10&offset=0", 200);
    tradaiField(list, "items", "array");
    for (const k of ["total", "limit", "offset"]) tradaiField(list, k, "number");
    assert.equal(list.items[0].id, jobId);

    // The job runs on BTC-USD (BTC/USDT:USDT) and completes.
    assert.equal(await runBacktestJob(r.w.deps.backtests, jobId), "completed");
    const done = await r.json("GET", `/api/v1/backtests/${jobId}`, 200);
    tradaiShape(done, WS_MESSAGE);
    assert.equal(done.status, "completed");
    assert.equal(done.progress, 100);
    assert.ok(done.trades.length > 0 && done.trades.every((t: { asset: string }) => t.asset === "BTC-USD"));

    // Get equity curve data; get complete report data.
    const equity = await r.json("GET", `/api/v1/backtests/${jobId}/equity`, 200);
    tradaiField(equity, "equity_curve", "array");
    tradaiShape(equity.equity_curve[0], { timestamp: "", portfolio_value: 0 });
    const report = await r.json("GET", `/api/v1/backtests/${jobId}/report-data`, 200);
    for (const k of ["summary", "trades", "dailyPortfolio"]) assert.ok(k in report, k);
    assert.deepEqual(report.spec.universe.tickers, ["BTC-USD"]);

    // Cancel backtest job: a second submission, cancelled while queued.
    const second = await r.json("POST", "/api/v1/backtests", 202, { json: SUBMIT_BODY });
    const cancelled = await r.json("POST", `/api/v1/backtests/${second.job_id}/cancel`, 200);
    assert.equal(cancelled.status, "cancelled");

    // Error responses carry {"detail": ...}.
    const missing = await r.json("GET", "/api/v1/backtests/bt_none", 404);
    tradaiField(missing, "detail", "string");
    const anonymous = await r.w.request("POST", "/api/v1/backtests", { json: SUBMIT_BODY });
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await anonymous.json(), { detail: "Not authenticated" });
    r.seen.push(["POST /api/v1/backtests (anonymous)", anonymous]);

    // Response headers: every response carries X-Correlation-ID; a client's own id is echoed.
    for (const [what, res] of r.seen) assert.ok(res.headers.get("x-correlation-id"), what);
    const traced = await r.send("GET", "/api/v1/health", {
      headers: { "X-Correlation-ID": "trace-abc-123" },
    });
    await traced.body?.cancel();
    assert.equal(traced.headers.get("x-correlation-id"), "trace-abc-123");
  }));

Deno.test("TradAI: pairs map to symbols; an unknown pair or strategy is a 422 that says what is accepted", () =>
  withClient(async (r) => {
    const eth = await r.json("POST", "/api/v1/backtests", 202, {
      json: { config: { strategy: "MeanReversion", pairs: ["ETH/USDT", "BTC/USD"] } },
    });
    const job = await r.json("GET", `/api/v1/backtests/${eth.job_id}`, 200);
    assert.equal(job.name, "MeanReversion");
    const bad = await r.json("POST", "/api/v1/backtests", 422, {
      json: { config: { strategy: "TrendFollowing", pairs: ["BTC/EUR"] } },
    });
    assert.deepEqual(bad.detail[0].loc, ["body", "config", "pairs", 0]);
    assert.match(bad.detail[0].msg, /accepted: BASE\/USDT, BASE\/USDT:USDT/);
    const unlisted = await r.json("POST", "/api/v1/backtests", 422, {
      json: { config: { strategy: "TrendFollowing", pairs: ["DOGE/USDT"] } },
    });
    assert.match(unlisted.detail[0].msg, /DOGE-USD is not in the market data/);
    const unknown = await r.json("POST", "/api/v1/backtests", 422, {
      json: { config: { strategy: "NoSuchStrategy", pairs: ["BTC/USDT"] } },
    });
    assert.deepEqual(unknown.detail[0].loc, ["body", "config", "strategy"]);
    assert.match(
      unknown.detail[0].msg,
      /a built-in \(TrendFollowing, MeanReversion, Breakout, MACDMomentum\)/,
    );
  }));

Deno.test("TradAI: strategy promotion by name, then the catalog (list, detail, compare, leaderboard)", () =>
  withClient(async (r) => {
    const spec = {
      universe: { tickers: ["BTC-USD"] },
      entry: "crosses_above(sma(close, 10), sma(close, 40))",
      exit: "crosses_below(sma(close, 10), sma(close, 40))",
      start: "2021-01-01",
      end: "2022-12-31",
    };
    const saved = await r.json("POST", "/api/v1/library", 201, { json: { name: "TrendFollowing", spec } });
    await r.json("POST", "/api/v1/library", 201, {
      json: {
        name: "TrendFollowing",
        spec: { ...spec, exit: "close < sma(close, 40)" },
        strategy_id: saved.strategy_id,
      },
    });

    // Strategy Promotion: stage (the latest version), promote, stage v1 and promote, versions, rollback.
    const staged = await r.json("POST", "/api/v1/strategies/TrendFollowing/stage", 200);
    assert.equal(staged.staging_version, 2);
    const promoted = await r.json("POST", "/api/v1/strategies/TrendFollowing/promote", 200);
    assert.equal(promoted.production_version, 2);
    await r.json("POST", "/api/v1/strategies/TrendFollowing/stage?version=1", 200);
    await r.json("POST", "/api/v1/strategies/TrendFollowing/promote", 200);
    const versions = await r.json("GET", "/api/v1/models/TrendFollowing/versions", 200);
    tradaiField(versions, "items", "array");
    for (const v of versions.items) {
      tradaiField(v, "version", "number");
      tradaiField(v, "current_stage", "string");
    }
    const rolled = await r.json("POST", "/api/v1/models/TrendFollowing/rollback", 200);
    assert.equal(rolled.production_version, 2);

    // A library strategy of that name now wins over the built-in in a submission.
    const mine = await r.json("POST", "/api/v1/backtests", 202, { json: SUBMIT_BODY });
    assert.deepEqual(mine.strategy, {
      kind: "library",
      name: "TrendFollowing",
      id: saved.strategy_id,
      version: 2,
    });

    // Published, it is in the catalog: the document's "available strategies" list and detail.
    await r.json("PATCH", `/api/v1/library/${saved.strategy_id}`, 200, { json: { is_public: true } });
    const catalog = await r.json("GET", "/api/v1/catalog/strategies", 200);
    tradaiField(catalog, "items", "array");
    assert.equal(catalog.items[0].name, "TrendFollowing");
    // The built-ins a fresh server runs by name are listed beside the catalog.
    assert.deepEqual(
      catalog.builtins.map((b: { name: string }) => b.name),
      ["TrendFollowing", "MeanReversion", "Breakout", "MACDMomentum"],
    );
    const detail = await r.json("GET", "/api/v1/catalog/strategies/TrendFollowing", 200);
    tradaiField(detail.items[0], "generated_code", "string");
    const compare = await r.json("GET", "/api/v1/catalog/strategies/TrendFollowing/compare", 200);
    tradaiField(compare, "strategies", "array");
    tradaiField(compare.strategies[0], "metrics", "object");
    const board = await r.json("GET", "/api/v1/catalog/leaderboard", 200);
    tradaiField(board, "top", "array");

    // Data Proxy: symbols and freshness.
    const symbols = await r.json("GET", "/api/v1/data/symbols?q=BTC", 200);
    assert.ok(JSON.stringify(symbols).includes("BTC-USD"));
    const freshness = await r.json("GET", "/api/v1/data/freshness", 200);
    tradaiField(freshness, "items", "array");
    for (const [what, res] of r.seen) assert.ok(res.headers.get("x-correlation-id"), what);
  }));

Deno.test("TradAI: 12 quick submissions — 10 accepted (queued, in turn), the 11th 429 with the documented body", () =>
  withClient(async (r) => {
    const answers: Response[] = [];
    for (let i = 0; i < 12; i++) {
      answers.push(await r.send("POST", "/api/v1/backtests", { json: SUBMIT_BODY }));
    }
    assert.deepEqual(answers.map((a) => a.status), [
      202,
      202,
      202,
      202,
      202,
      202,
      202,
      202,
      202,
      202,
      429,
      429,
    ]);
    const accepted = await Promise.all(answers.slice(0, 10).map((a) => a.json()));
    assert.ok(accepted.every((a) => a.status === "queued"));
    assert.deepEqual(await answers[10].json(), { detail: "Rate limit exceeded: 10 per 1 minute" });
    assert.ok(Number(answers[10].headers.get("retry-after")) >= 1);
    assert.ok(answers[10].headers.get("x-correlation-id"));
    await answers[11].body?.cancel();
  }));

Deno.test("TradAI: WS /ws/backtests/{job_id} messages carry progress, current_date, trades_executed, status", async () => {
  const w = await openTestWorld();
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    w.app.fetch,
  );
  const bridge = startStreamBridge(
    { streams: w.deps.streams, jobs: w.deps.backtests.jobs },
    w.deps.hub,
    () => w.clock.now(),
  );
  try {
    await bridge.ready;
    const token = (await signInWithOtp(w, "ws-tradai@example.com")).access_token;
    const res = await w.request("POST", "/api/v1/backtests", { json: SUBMIT_BODY, token });
    const { job_id } = await res.json();
    // The document's JavaScript example, with the token as a query parameter.
    const messages: Record<string, unknown>[] = [];
    const closed = new Promise<void>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/ws/backtests/${job_id}?token=${token}`);
      ws.onmessage = (event) => messages.push(JSON.parse(event.data));
      ws.onclose = () => resolve();
      ws.onerror = () => {};
    });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await runBacktestJob(w.deps.backtests, job_id), "completed");
    await closed;
    assert.ok(messages.length >= 2);
    for (const m of messages) tradaiShape(m, WS_MESSAGE);
    assert.equal(messages.at(-1)!.status, "completed");
    assert.equal(messages.at(-1)!.progress, 100);
    assert.ok(messages.some((m) => typeof m.current_date === "string"));
  } finally {
    bridge.stop();
    ac.abort();
    await server.finished;
    await w.close();
  }
});

Deno.test("TradAI: /docs, /redoc and /openapi.json are served; the client example's path parameter is job_id", async () => {
  const w = await openTestWorld();
  try {
    for (const path of ["/docs", "/redoc"]) {
      const res = await w.request("GET", path);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-type") ?? "", /^text\/html/);
      assert.ok(res.headers.get("x-correlation-id"), path);
      await res.body?.cancel();
    }
    const doc = await (await w.request("GET", "/openapi.json")).json();
    const op = doc.paths["/api/v1/backtests/{job_id}"]?.get;
    assert.ok(op, "GET /api/v1/backtests/{job_id}");
    assert.deepEqual(op.parameters.map((p: { name: string; in: string }) => [p.name, p.in]), [[
      "job_id",
      "path",
    ]]);
    for (
      const path of [
        "/api/v1/health",
        "/api/v1/backtests",
        "/api/v1/backtests/{job_id}/cancel",
        "/api/v1/backtests/{job_id}/equity",
        "/api/v1/backtests/{job_id}/report-data",
        "/api/v1/strategies/{name}/stage",
        "/api/v1/strategies/{name}/promote",
        "/api/v1/models/{model_name}/versions",
        "/api/v1/models/{model_name}/rollback",
        "/api/v1/catalog/strategies",
        "/api/v1/catalog/strategies/{name}",
        "/api/v1/catalog/strategies/{name}/compare",
        "/api/v1/catalog/leaderboard",
        "/api/v1/data/symbols",
        "/api/v1/data/freshness",
      ]
    ) assert.ok(doc.paths[path], path);
  } finally {
    await w.close();
  }
});
