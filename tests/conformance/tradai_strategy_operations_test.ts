/**
 * Conformance with the TradAI backend document (`003_42a07368cc300c90.txt`), section "Strategy Operations (4
 * endpoints)": run, instances, stop, logs, replayed at the document's paths (`/api/v1/strategies/{strategy_id}/…`)
 * on a library strategy saved and promoted through the document's own "Strategy Promotion" paths, every field of
 * the shared contract (`PaperInstance`, `PaperEvent`, the list and log pages) asserted by name and JSON type.
 * The document gives the four paths and their one-line descriptions only ("Launch strategy on ECS", "List
 * running instances", "Stop instance", "Get CloudWatch logs"); the bodies and answers are the contract's.
 *
 * The test world's clock stands at 2026-05-14T01:00Z (a Thursday), so the latest closed NYSE session is
 * 2026-05-13 and a `start_date` in March processes the closed sessions since then before the 201.
 */
import assert from "node:assert/strict";
import { assertDocumentField } from "../_helpers/document_shape.ts";
import { assertDetail } from "../_helpers/identity.ts";
import {
  allEvents,
  keyedClient,
  type PaperClient,
  savePromoted,
  tradingDays,
} from "../_helpers/paper_client.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

/** A one-symbol strategy that trades every few weeks, with next-open fills and a stop loss. */
const SPEC = {
  name: "AAPL fast cross",
  universe: { tickers: ["AAPL"] },
  entry: "crosses_above(sma(close, 3), sma(close, 8))",
  exit: "crosses_below(sma(close, 3), sma(close, 8))",
  risk: { stop_loss_pct: 2 },
  fill: "next_open",
  capital: 100000,
  start: "2025-01-02",
  end: "2025-12-31",
};

const START = "2026-03-02";
const LAST_CLOSED = "2026-05-13";
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const EVENT_TYPES = [
  "started",
  "order",
  "fill",
  "order_lapsed",
  "order_cancelled",
  "daily_summary",
  "error",
  "stopped",
];

/** Asserts every `PaperInstance` field of the contract by name and JSON type (and the invariants between them). */
// deno-lint-ignore no-explicit-any -- read as the document's untyped client reads it
function assertInstance(p: Record<string, any>) {
  const f = (k: string, t: string) => assertDocumentField(p, k, t, "PaperInstance");
  for (
    const [k, t] of Object.entries({
      id: "string",
      strategy_id: "string",
      strategy_name: "string",
      version: "number",
      status: "string",
      is_public: "boolean",
      start_date: "string",
      started_at: "string",
      stopped_at: "string|null",
      stop_reason: "string|null",
      last_bar_date: "string|null",
      bars_processed: "number",
      initial_capital: "number",
      equity: "number",
      cash: "number",
      holdings_value: "number",
      total_return: "number",
      positions: "array",
      pending_orders: "array",
      trades_count: "number",
      symbols: "array",
      exchanges: "array",
      error: "string|null",
      conventions: "object",
    })
  ) f(k, t);
  assert.match(p.id, /^pi_/);
  assert.ok(Number.isInteger(p.version) && p.version >= 1);
  assert.ok(["running", "stopped", "failed"].includes(p.status), p.status);
  assert.match(p.start_date, DATE);
  assert.match(p.started_at, ISO_INSTANT);
  if (p.stopped_at !== null) assert.match(p.stopped_at, ISO_INSTANT);
  if (p.last_bar_date !== null) assert.match(p.last_bar_date, DATE);
  assert.ok(Number.isInteger(p.bars_processed) && p.bars_processed >= 0);
  assert.ok(Number.isInteger(p.trades_count) && p.trades_count >= 0);
  assert.ok(Math.abs(p.equity - (p.cash + p.holdings_value)) < 0.01, "equity = cash + holdings_value");
  assert.ok(Math.abs(p.total_return - (p.equity / p.initial_capital - 1)) < 1e-6, "total_return");
  for (const pos of p.positions) {
    for (
      const [k, t] of Object.entries({
        symbol: "string",
        quantity: "number",
        entry_price: "number",
        entry_date: "string",
        last_close: "number",
        market_value: "number",
        unrealized_pnl: "number",
      })
    ) assertDocumentField(pos, k, t, "PaperInstance.positions[]");
    assert.ok(Math.abs(pos.market_value - pos.quantity * pos.last_close) < 0.01, "market_value");
    assert.ok(Math.abs(pos.unrealized_pnl - (pos.last_close - pos.entry_price) * pos.quantity) < 0.01);
  }
  const held = p.positions.reduce((s: number, x: { market_value: number }) => s + x.market_value, 0);
  assert.ok(Math.abs(held - p.holdings_value) < 0.01, "holdings_value = Σ market_value");
  for (const o of p.pending_orders) {
    for (
      const [k, t] of Object.entries({
        symbol: "string",
        action: "string",
        quantity: "number",
        reason: "string",
        placed_on: "string",
      })
    ) assertDocumentField(o, k, t, "PaperInstance.pending_orders[]");
    assert.ok(o.action === "BUY" || o.action === "SELL");
  }
  for (const s of p.symbols) assert.equal(typeof s, "string");
  for (const s of p.exchanges) assert.equal(typeof s, "string");
  for (const k of ["fills", "costs", "schedule", "parity"]) {
    assertDocumentField(p.conventions, k, "string", "PaperInstance.conventions");
  }
}

/** Asserts every `PaperEvent` field by name and type, and the data fields of fills and daily summaries. */
// deno-lint-ignore no-explicit-any -- as above
function assertEvent(e: Record<string, any>) {
  for (
    const [k, t] of Object.entries({
      seq: "number",
      at: "string",
      date: "string|null",
      type: "string",
      message: "string",
      data: "object",
    })
  ) assertDocumentField(e, k, t, "PaperEvent");
  assert.ok(Number.isInteger(e.seq) && e.seq >= 1);
  assert.match(e.at, ISO_INSTANT);
  assert.ok(EVENT_TYPES.includes(e.type), e.type);
  if (e.type === "fill") {
    for (
      const [k, t] of Object.entries({
        symbol: "string",
        action: "string",
        quantity: "number",
        price: "number",
        value: "number",
        fees: "number",
        reason: "string",
        confidence: "number|null",
      })
    ) assertDocumentField(e.data, k, t, "fill.data");
    assert.match(e.date, DATE);
    if (e.data.action === "SELL") {
      assertDocumentField(e.data, "profit_loss", "number", "fill.data");
      assertDocumentField(e.data, "holding_days", "number", "fill.data");
    }
  }
  if (e.type === "daily_summary") {
    for (const k of ["equity", "cash", "holdings_value", "positions", "trades"]) {
      assertDocumentField(e.data, k, "number", "daily_summary.data");
    }
    assert.match(e.date, DATE);
  }
}

/** Opens a world with an owner (who saved and promoted the strategy), a stranger and the admin. */
async function withOperations(
  fn: (ctx: { w: TestWorld; me: PaperClient; other: PaperClient; sid: string }) => Promise<void>,
) {
  const w = await openTestWorld();
  try {
    const me = await keyedClient(w, "ops@example.com", "10.3.0.1");
    const other = await keyedClient(w, "someone@example.com", "10.3.0.2");
    const sid = await savePromoted(me, "AAPLFastCross", SPEC);
    await fn({ w, me, other, sid });
  } finally {
    await w.close();
  }
}

Deno.test("Strategy Operations: run (past start_date), instances, logs, stop — at document 003's paths", () =>
  withOperations(async ({ w, me, sid }) => {
    const base = `/api/v1/strategies/${sid}`;
    const nyse = await tradingDays(w, "NYSE", START, LAST_CLOSED);
    assert.ok(nyse.length >= 40);

    // POST /api/v1/strategies/{strategy_id}/run — "Launch strategy": a past start_date processes every closed
    // NYSE session since then, in order, before the 201.
    const started = await me.expect(201, "POST", `${base}/run`, { start_date: START });
    assertInstance(started);
    assert.equal(started.strategy_id, sid);
    assert.equal(started.strategy_name, "AAPLFastCross");
    assert.equal(started.version, 1);
    assert.equal(started.status, "running");
    assert.equal(started.is_public, false);
    assert.equal(started.start_date, START);
    assert.equal(started.stopped_at, null);
    assert.equal(started.stop_reason, null);
    assert.equal(started.error, null);
    assert.equal(started.last_bar_date, LAST_CLOSED);
    assert.equal(started.bars_processed, nyse.length);
    assert.equal(started.initial_capital, 100000);
    assert.deepEqual(started.symbols, ["AAPL"]);
    assert.deepEqual(started.exchanges, ["NYSE"]);
    assert.ok(started.trades_count >= 2, `trades_count ${started.trades_count}`);

    // A second instance by the strategy's name (case-insensitive, like /strategies/{name}/stage), from the
    // default start: the next session not yet closed (2026-05-14), so nothing is processed yet.
    w.clock.advance(60_000); // a minute later, so "newest first" has an order to show
    const fresh = await me.expect(201, "POST", "/api/v1/strategies/aaplfastcross/run", { is_public: true });
    assertInstance(fresh);
    assert.equal(fresh.strategy_id, sid);
    assert.equal(fresh.start_date, "2026-05-14");
    assert.equal(fresh.is_public, true);
    assert.equal(fresh.last_bar_date, null);
    assert.equal(fresh.bars_processed, 0);
    assert.equal(fresh.equity, 100000);
    assert.equal(fresh.trades_count, 0);
    assert.deepEqual(fresh.positions, []);

    // GET …/instances — "List running instances": {instances, total}, newest first, filters and paging.
    const list = await me.expect(200, "GET", `${base}/instances`);
    assertDocumentField(list, "instances", "array");
    assertDocumentField(list, "total", "number");
    assert.equal(list.total, 2);
    list.instances.forEach(assertInstance);
    assert.deepEqual(list.instances.map((p: { id: string }) => p.id), [fresh.id, started.id]);
    const page = await me.expect(200, "GET", `${base}/instances?status=running&limit=1&offset=1`);
    assert.equal(page.total, 2);
    assert.deepEqual(page.instances.map((p: { id: string }) => p.id), [started.id]);
    assert.equal((await me.expect(200, "GET", `${base}/instances?status=stopped`)).total, 0);
    const one = await me.expect(200, "GET", `${base}/instances/${started.id}`);
    assertInstance(one);
    assert.deepEqual(one, started);

    // GET …/instances/{id}/logs — "Get logs": the event log, paged by seq.
    const log = await me.expect(200, "GET", `${base}/instances/${started.id}/logs`);
    for (
      const [k, t] of Object.entries({
        instance_id: "string",
        events: "array",
        next_since: "number|null",
        has_more: "boolean",
      })
    ) assertDocumentField(log, k, t, "logs");
    assert.equal(log.instance_id, started.id);
    const events = await allEvents(me, base, started.id);
    events.forEach(assertEvent);
    assert.equal(events[0].type, "started");
    const summaries = events.filter((e) => e.type === "daily_summary");
    assert.deepEqual(summaries.map((e) => e.date), nyse, "one daily summary per NYSE session, in order");
    const fills = events.filter((e) => e.type === "fill");
    assert.equal(fills.length, started.trades_count);
    assert.ok(fills.some((e) => /stop loss/.test(e.data.reason)), "the stop loss fired at least once");
    assert.equal(summaries.at(-1)!.data.equity, started.equity);
    assert.equal(summaries.at(-1)!.data.cash, started.cash);
    // Orders placed at a close fill at the next session's open (next_open): each fill but the stops follows an
    // order event of an earlier date for the same symbol and action.
    const orders = events.filter((e) => e.type === "order");
    for (const fill of fills.filter((e) => !/stop loss/.test(e.data.reason))) {
      assert.ok(
        orders.some((o) => o.seq < fill.seq && o.date! < fill.date! && o.data.symbol === fill.data.symbol),
        `fill ${fill.seq} has an earlier order`,
      );
    }

    // Paging: limit, has_more/next_since, since=<seq>, since=<date>.
    const first = await me.expect(200, "GET", `${base}/instances/${started.id}/logs?limit=5`);
    assert.equal(first.events.length, 5);
    assert.equal(first.has_more, true);
    assert.equal(first.next_since, 5);
    const second = await me.expect(200, "GET", `${base}/instances/${started.id}/logs?since=5&limit=3`);
    assert.deepEqual(second.events.map((e: { seq: number }) => e.seq), [6, 7, 8]);
    const all = await me.expect(200, "GET", `${base}/instances/${started.id}/logs?since=0&limit=1000`);
    assert.equal(all.events.length, events.length);
    assert.equal(all.has_more, false);
    // At the end, next_since is where a poller reads on from (the last seq), or null (the contract allows both).
    assert.ok(all.next_since === null || all.next_since === events.length, `next_since ${all.next_since}`);
    const today = await me.expect(
      200,
      "GET",
      `${base}/instances/${started.id}/logs?since=2026-05-14&limit=1000`,
    );
    assert.equal(today.events.length, events.length, "every event was written at 2026-05-14T01:00Z");
    const tomorrow = await me.expect(200, "GET", `${base}/instances/${started.id}/logs?since=2026-05-15`);
    assert.deepEqual(tomorrow.events, []);
    assert.equal(tomorrow.has_more, false);
    await assertValidation(me.call("GET", `${base}/instances/${started.id}/logs?limit=0`));
    await assertValidation(me.call("GET", `${base}/instances/${started.id}/logs?limit=1001`));

    // POST …/instances/{id}/stop — "Stop instance": liquidate on request; positions sold at the last close.
    const heldBefore = one.positions as { symbol: string; quantity: number; last_close: number }[];
    const stopped = await me.expect(200, "POST", `${base}/instances/${started.id}/stop`, { liquidate: true });
    assertInstance(stopped);
    assert.equal(stopped.status, "stopped");
    assert.match(stopped.stopped_at, ISO_INSTANT);
    assert.deepEqual(stopped.positions, []);
    assert.deepEqual(stopped.pending_orders, []);
    assert.equal(stopped.last_bar_date, LAST_CLOSED);
    const after = await allEvents(me, base, started.id);
    after.forEach(assertEvent);
    assert.equal(after.at(-1)!.type, "stopped");
    const liquidations = after.slice(events.length).filter((e) => e.type === "fill");
    assert.deepEqual(
      liquidations.map((e) => [e.data.symbol, e.data.action, e.data.quantity, e.data.price, e.data.reason]),
      heldBefore.map((p) => [p.symbol, "SELL", p.quantity, p.last_close, "liquidated on stop"]),
    );
    assert.equal(stopped.trades_count, started.trades_count + liquidations.length);
    if (one.pending_orders.length > 0) {
      assert.ok(
        after.slice(events.length).some((e) => e.type === "order_cancelled"),
        "pending orders cancelled",
      );
    }

    // Stopping is final: a second stop is a 409 in the documented error shape.
    await assertDetail(
      await me.w.request("POST", `${base}/instances/${started.id}/stop`, { token: me.token, json: {} }),
      409,
    );

    // The fresh instance stops with an empty body (default: the spec's close_at_end, false → positions kept).
    const kept = await me.expect(200, "POST", `${base}/instances/${fresh.id}/stop`, {});
    assert.equal(kept.status, "stopped");
    const stoppedList = await me.expect(200, "GET", `${base}/instances?status=stopped`);
    assert.equal(stoppedList.total, 2);
    assert.equal((await me.expect(200, "GET", `${base}/instances?status=running`)).total, 0);
  }));

/** Asserts a 422 in the documented shape. */
async function assertValidation(answer: Promise<{ status: number; body: Record<string, unknown> }>) {
  const a = await answer;
  assert.equal(a.status, 422, JSON.stringify(a.body));
  assert.ok(Array.isArray(a.body.detail) && a.body.detail.length > 0);
  for (const issue of a.body.detail as Record<string, unknown>[]) {
    assert.equal(typeof issue.type, "string");
    assert.ok(Array.isArray(issue.loc));
    assert.equal(typeof issue.msg, "string");
  }
}

Deno.test("Strategy Operations: the same routes under /api/v1/library/{id}/…, and the tracked strategies beside", () =>
  withOperations(async ({ me, sid }) => {
    const started = await me.expect(201, "POST", `/api/v1/library/${sid}/run`, { start_date: START });
    const viaDoc = await me.expect(200, "GET", `/api/v1/strategies/${sid}/instances/${started.id}`);
    assert.deepEqual(viaDoc, started);
    const viaLib = await me.expect(200, "GET", `/api/v1/library/${sid}/instances`);
    assert.deepEqual(viaLib.instances.map((p: { id: string }) => p.id), [started.id]);
    const logs = await me.expect(200, "GET", `/api/v1/library/${sid}/instances/${started.id}/logs?limit=2`);
    assert.equal(logs.instance_id, started.id);
    // Document 002's tracked strategies keep /api/v1/strategies and /api/v1/strategies/{slug}.
    const tracked = await me.expect(201, "POST", "/api/v1/strategies", {
      name: "Tracked",
      slug: "tracked-one",
    });
    assert.equal(tracked.slug, "tracked-one");
    assert.equal((await me.expect(200, "GET", "/api/v1/strategies/tracked-one")).slug, "tracked-one");
    await me.expect(200, "POST", `/api/v1/library/${sid}/instances/${started.id}/stop`, { liquidate: false });
  }));

Deno.test("Strategy Operations: refusals — unpromoted, unknown, strict bodies, other users, the tier cap", () =>
  withOperations(async ({ me, other, sid }) => {
    const base = `/api/v1/strategies/${sid}`;
    // A strategy with no production version and no `version` named → 409; naming one works.
    const draft = await me.expect(201, "POST", "/api/v1/library", { name: "Draft", spec: SPEC });
    await assertDetail(
      await me.w.request("POST", `/api/v1/strategies/${draft.strategy_id}/run`, {
        token: me.token,
        json: {},
      }),
      409,
      /promote a version or name one/,
    );
    const named = await me.expect(201, "POST", `/api/v1/strategies/${draft.strategy_id}/run`, { version: 1 });
    assert.equal(named.version, 1);

    // Unknown strategy, unknown instance, unknown body field, bad types.
    await assertDetail(
      await me.w.request("POST", "/api/v1/strategies/strat_none/run", { token: me.token, json: {} }),
      404,
    );
    await assertDetail(await me.w.request("GET", `${base}/instances/pi_none`, { token: me.token }), 404);
    await assertDetail(await me.w.request("GET", `${base}/instances/pi_none/logs`, { token: me.token }), 404);
    await assertDetail(
      await me.w.request("POST", `${base}/instances/pi_none/stop`, { token: me.token, json: {} }),
      404,
    );
    await assertValidation(me.call("POST", `${base}/run`, { start_date: START, capital: 5 }));
    await assertValidation(me.call("POST", `${base}/run`, { start_date: "2026-02-30" }));
    await assertValidation(me.call("POST", `${base}/run`, { version: 0 }));
    await assertValidation(me.call("POST", `${base}/run`, { is_public: "yes" }));
    await assertValidation(me.call("GET", `${base}/instances?status=paused`));

    // Anonymous → 401.
    const anon = await me.w.request("POST", `${base}/run`, { json: {} });
    assert.equal(anon.status, 401);
    await anon.body?.cancel();

    // Another user's strategy and instance: 404 on every route, nothing changed.
    const mine = await me.expect(201, "POST", `${base}/run`, {});
    await assertDetail(await other.w.request("POST", `${base}/run`, { token: other.token, json: {} }), 404);
    await assertDetail(await other.w.request("GET", `${base}/instances`, { token: other.token }), 404);
    for (
      const [method, path] of [
        ["GET", `${base}/instances/${mine.id}`],
        ["GET", `${base}/instances/${mine.id}/logs`],
        ["POST", `${base}/instances/${mine.id}/stop`],
      ]
    ) {
      const json = method === "POST" ? {} : undefined;
      await assertDetail(await other.w.request(method, path, { token: other.token, json }), 404);
    }
    // …even under the stranger's own strategy id.
    const theirs = await savePromoted(other, "Theirs", SPEC);
    for (
      const [method, path] of [
        ["GET", `/api/v1/strategies/${theirs}/instances/${mine.id}`],
        ["GET", `/api/v1/strategies/${theirs}/instances/${mine.id}/logs`],
        ["POST", `/api/v1/strategies/${theirs}/instances/${mine.id}/stop`],
      ]
    ) {
      const json = method === "POST" ? {} : undefined;
      await assertDetail(await other.w.request(method, path, { token: other.token, json }), 404);
    }
    assert.equal((await me.expect(200, "GET", `${base}/instances/${mine.id}`)).status, "running");

    // The free tier runs 2 instances at once (`named` and `mine`): a third is a 403; after a stop it fits.
    await assertDetail(await me.w.request("POST", `${base}/run`, { token: me.token, json: {} }), 403);
    await me.expect(200, "POST", `${base}/instances/${mine.id}/stop`, {});
    await me.expect(201, "POST", `${base}/run`, {});
  }));

Deno.test("Strategy Operations: a client of document 003 stops and launches with no body at all", () =>
  withOperations(async ({ me, sid }) => {
    const base = `/api/v1/strategies/${sid}`;
    // Contract A3: the stop body is optional ("Stop instance" in the document carries none).
    const p = await me.expect(201, "POST", `${base}/run`, {});
    const stopped = await me.expect(200, "POST", `${base}/instances/${p.id}/stop`);
    assert.equal(stopped.status, "stopped");
    // Contract A3: every field of the run body is optional, so "Launch strategy" with no body starts one.
    const launched = await me.expect(201, "POST", `${base}/run`);
    assert.equal(launched.status, "running");
  }));
