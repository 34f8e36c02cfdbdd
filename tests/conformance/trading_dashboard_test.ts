/**
 * Conformance with the trading dashboard backend document (`001_ce230e5d74f01d12.txt`): `GET /api/backtests`
 * (a bare array of BacktestSummary, each documented field by name and JSON type, integer ids) after synchronous
 * and queued runs of a user, `GET /api/backtests/{id}` (metrics, `equity_curve` points, `trades` with `action`,
 * `reasoning` and an integer `confidence` 0–100 that varies), and `WS /ws` (a `{"type": "trade"}` message for
 * the signed-in user's queued run, none for another user's).
 */
import assert from "node:assert/strict";
import { assertDocumentShape } from "../_helpers/document_shape.ts";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { startStreamBridge } from "../../jobs/stream_bridge.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

/** The document's BacktestSummary example, as written. */
const SUMMARY_EXAMPLE = {
  id: 1,
  start_date: "2023-01-01T00:00:00",
  end_date: "2023-12-31T23:59:59",
  initial_capital: 10000.0,
  final_value: 12500.0,
  total_return_pct: 25.0,
  total_trades: 42,
  backend: "ollama",
};

/** The document's WS trade message example, as written. */
const WS_TRADE_EXAMPLE = {
  type: "trade",
  data: {
    id: 123,
    asset: "BTC",
    action: "BUY",
    price: 45000.0,
    reasoning: "Technical indicators show oversold conditions...",
  },
};

/** Asserts `actual` has every key of `example` with the same JSON type (recursively). */
const assertShapeOf = (example: Record<string, unknown>, actual: Record<string, unknown>) =>
  assertDocumentShape(actual, example);

/** A strategy on BTC-USD with RSI rules (many trades, rules firing by different margins). */
const SPEC = {
  name: "BTC RSI",
  universe: { tickers: ["BTC-USD"] },
  entry: "rsi(close, 14) < 40",
  exit: "rsi(close, 14) > 60",
  sizing: { method: "percent_equity", percent: 90, max_positions: 1 },
  risk: { stop_loss_pct: 8 },
  capital: 10000,
  start: "2021-01-01",
  end: "2022-12-31",
};

async function withUsers(fn: (w: TestWorld, me: string, other: string) => Promise<void>): Promise<void> {
  const w = await openTestWorld();
  try {
    const me = (await signInWithOtp(w, "dash@example.com")).access_token;
    const other = (await signInWithOtp(w, "dash2@example.com", "10.0.0.7")).access_token;
    await fn(w, me, other);
  } finally {
    await w.close();
  }
}

/** Runs SPEC synchronously (full report and one-ticker forms) and as a queued job; answers the job id. */
async function runAll(w: TestWorld, token: string): Promise<string> {
  const run = await w.request("POST", "/api/v1/backtests/run", { json: { spec: SPEC }, token });
  assert.equal(run.status, 200, await run.clone().text());
  const quick = await w.request("POST", "/api/v1/backtest", {
    json: { spec: SPEC, ticker: "BTC-USD" },
    token,
  });
  assert.equal(quick.status, 200);
  const queued = await w.request("POST", "/api/v1/backtests", { json: { spec: SPEC }, token });
  assert.equal(queued.status, 202);
  const { job_id } = await queued.json();
  assert.equal(await runBacktestJob(w.deps.backtests, job_id), "completed");
  return job_id;
}

Deno.test("GET /api/backtests: a bare array of every executed run (sync and queued), documented fields", async () => {
  await withUsers(async (w, me, other) => {
    const jobId = await runAll(w, me);
    const res = await w.request("GET", "/api/backtests", { token: me });
    assert.equal(res.status, 200);
    const list = await res.json();
    assert.ok(Array.isArray(list), "a bare JSON array");
    assert.equal(list.length, 3);
    for (const b of list) {
      assertShapeOf(SUMMARY_EXAMPLE, b);
      assert.ok(Number.isInteger(b.id) && b.id > 0);
      assert.ok(Number.isInteger(b.total_trades));
      assert.equal(b.backend, "rules");
      assert.equal(b.start_date, "2021-01-01T00:00:00");
      assert.equal(b.end_date, "2022-12-31T23:59:59");
      assert.equal(b.initial_capital, 10000);
    }
    assert.deepEqual(list.map((b: { kind: string }) => b.kind).sort(), [
      "queued",
      "synchronous",
      "synchronous",
    ]);
    assert.equal(new Set(list.map((b: { id: number }) => b.id)).size, 3, "distinct ids");
    // Same spec, same data: every form gives the same figures.
    assert.equal(new Set(list.map((b: { final_value: number }) => b.final_value)).size, 1);
    assert.equal(list.find((b: { kind: string }) => b.kind === "queued").run_id, jobId);
    // Ids are stable across reads.
    const again = await (await w.request("GET", "/api/backtests", { token: me })).json();
    assert.deepEqual(again.map((b: { id: number }) => b.id), list.map((b: { id: number }) => b.id));
    // The dashboard sends no token: an empty list, not an error; another user sees none of mine.
    const anon = await w.request("GET", "/api/backtests");
    assert.equal(anon.status, 200);
    assert.deepEqual(await anon.json(), []);
    assert.deepEqual(await (await w.request("GET", "/api/backtests", { token: other })).json(), []);
    // Paging, and an unknown parameter is refused rather than ignored.
    const one = await (await w.request("GET", "/api/backtests?limit=1&offset=1", { token: me })).json();
    assert.deepEqual(one.map((b: { id: number }) => b.id), [list[1].id]);
    assert.equal((await w.request("GET", "/api/backtests?page=2", { token: me })).status, 422);
  });
});

Deno.test("GET /api/backtests/{id}: metrics, equity curve with the reference close, trades with confidence", async () => {
  await withUsers(async (w, me, other) => {
    await runAll(w, me);
    const list = await (await w.request("GET", "/api/backtests", { token: me })).json();
    for (const summary of list) {
      const res = await w.request("GET", `/api/backtests/${summary.id}`, { token: me });
      assert.equal(res.status, 200);
      const d = await res.json();
      assertShapeOf(SUMMARY_EXAMPLE, d);
      assert.equal(d.id, summary.id);
      for (const k of ["sharpe_ratio", "max_drawdown", "win_rate", "alpha_vs_hold", "profit_factor"]) {
        assert.equal(typeof d.metrics[k], "number", `metrics.${k}`);
      }
      assert.equal(d.reference_symbol, "BTC-USD");
      assert.ok(d.equity_curve.length > 400);
      for (const p of d.equity_curve) {
        assert.equal(typeof p.timestamp, "string");
        assert.equal(typeof p.portfolio_value, "number");
        assert.equal(typeof p.btc_price, "number");
      }
      // alpha vs hold, by hand from the curve: strategy return minus the reference's first-to-last close return.
      const c = d.equity_curve;
      const hold = (c.at(-1).btc_price / c[0].btc_price - 1) * 100;
      assert.ok(Math.abs(d.metrics.buy_and_hold_return_pct - hold) < 1e-3);
      assert.ok(Math.abs(d.metrics.alpha_vs_hold - (d.total_return_pct - hold)) < 1e-3);
      assert.ok(d.trades.length >= 4);
      const confidences = new Set<number>();
      for (const t of d.trades) {
        for (
          const [k, type] of Object.entries({
            timestamp: "string",
            asset: "string",
            price: "number",
            quantity: "number",
            reasoning: "string",
          })
        ) {
          assert.equal(typeof t[k], type, `trades[].${k}`);
        }
        assert.ok(Number.isInteger(t.id));
        assert.ok(["BUY", "SELL", "HOLD"].includes(t.action));
        assert.ok(Number.isInteger(t.confidence) && t.confidence >= 0 && t.confidence <= 100);
        confidences.add(t.confidence);
      }
      assert.ok(confidences.size > 2, `confidence varies (${[...confidences]})`);
    }
    // Someone else's run is "not found", like a missing one; so is any id for an anonymous caller.
    assert.equal((await w.request("GET", `/api/backtests/${list[0].id}`, { token: other })).status, 404);
    assert.equal((await w.request("GET", `/api/backtests/${list[0].id}`)).status, 404);
    assert.equal((await w.request("GET", "/api/backtests/999", { token: me })).status, 404);
    assert.equal((await w.request("GET", "/api/backtests/abc", { token: me })).status, 422);
  });
});

/** Opens a socket on `url` and collects its messages until `stop` resolves; answers whether it opened. */
function listen(url: string, protocols?: string[]) {
  const messages: Record<string, unknown>[] = [];
  const ws = new WebSocket(url, protocols);
  const opened = new Promise<boolean>((resolve) => {
    ws.onopen = () => resolve(true);
    ws.onerror = () => resolve(false);
  });
  ws.onmessage = (e) => messages.push(JSON.parse(e.data));
  const closed = new Promise<void>((r) => (ws.onclose = () => r()));
  return {
    messages,
    opened,
    async close() {
      if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close();
      await closed;
    },
  };
}

Deno.test("WS /ws: the signed-in user's queued run streams {type: trade} to them, to no one else", async () => {
  const w = await openTestWorld();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
  const bridge = startStreamBridge(
    { streams: w.deps.streams, jobs: w.deps.backtests.jobs },
    w.deps.hub,
    () => w.clock.now(),
    { pollMs: 50 },
  );
  const sockets: ReturnType<typeof listen>[] = [];
  try {
    await bridge.ready;
    const me = (await signInWithOtp(w, "dash@example.com")).access_token;
    const other = (await signInWithOtp(w, "dash2@example.com", "10.0.0.7")).access_token;
    const queued = await w.request("POST", "/api/v1/backtests", { json: { spec: SPEC }, token: me });
    const { job_id } = await queued.json();
    const url = `ws://127.0.0.1:${server.addr.port}/ws`;
    const mine = listen(`${url}?token=${me}`);
    const viaProtocol = listen(url, ["bearer", me]);
    const theirs = listen(`${url}?token=${other}`);
    const anonymous = listen(url);
    sockets.push(mine, viaProtocol, theirs, anonymous);
    for (const s of sockets) assert.equal(await s.opened, true);
    await new Promise((r) => setTimeout(r, 50)); // the server subscribes on its own open event
    assert.equal(await runBacktestJob(w.deps.backtests, job_id), "completed");
    const detail = await (await w.request("GET", "/api/backtests", { token: me })).json();
    const deadline = Date.now() + 5000;
    while (mine.messages.length < detail[0].total_trades && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const trades = mine.messages.filter((m) => m.type === "trade");
    assert.equal(trades.length, detail[0].total_trades, "every trade of the run, once");
    for (const m of trades) {
      assertShapeOf(WS_TRADE_EXAMPLE, m);
      const data = m.data as Record<string, unknown>;
      assert.equal(data.job_id, job_id);
      assert.equal(data.backtest_id, detail[0].id);
      assert.equal(data.asset, "BTC-USD");
      assert.ok(Number.isInteger(data.confidence));
    }
    assert.deepEqual(trades.map((m) => (m.data as { id: number }).id), trades.map((_, i) => i + 1));
    // The same trades as the detail view lists, in order.
    const full = await (await w.request("GET", `/api/backtests/${detail[0].id}`, { token: me })).json();
    assert.deepEqual(
      trades.map((m) => (m.data as { price: number }).price),
      full.trades.map((t: { price: number }) => t.price),
    );
    assert.equal(viaProtocol.messages.filter((m) => m.type === "trade").length, trades.length);
    assert.deepEqual(theirs.messages, [], "another user hears none of my trades");
    assert.deepEqual(anonymous.messages, [], "an anonymous socket hears only public settlements");
    // A bad token is refused before the upgrade.
    const bad = await fetch(`http://127.0.0.1:${server.addr.port}/ws?token=nope`);
    assert.equal(bad.status, 401);
    await bad.body?.cancel();
  } finally {
    for (const s of sockets) await s.close();
    bridge.stop();
    await server.shutdown();
    await w.close();
  }
});
