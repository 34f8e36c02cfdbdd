/**
 * The paper-trading routes over HTTP: validation, ownership, the tier limit, stop (kept / liquidated, final),
 * the log's paging, the two roots (`/strategies/{strategy_id}` and `/library/{id}`) and how they coexist with
 * the tracked strategies and the model registry on `/strategies/{slug}`.
 */
import assert from "node:assert/strict";
import { T0, type TestWorld } from "../_helpers/test_app.ts";
import {
  advanceJob,
  allEvents,
  assertGapless,
  JAN5,
  savePromoted,
  SMA_SPEC,
  sseSessions,
  startRun,
  tokenOf,
  withWorld,
} from "./paper_world.ts";

const FAST_SPEC = {
  ...SMA_SPEC,
  entry: "crosses_above(sma(close, 3), sma(close, 10))",
  exit: "crosses_below(sma(close, 3), sma(close, 10))",
};

const detailOf = async (res: Response) => (await res.json()).detail;

Deno.test("paper run: validation 422s, unknown version 404, no production version 409, unknown strategy 404", () =>
  withWorld(async (w) => {
    const t = await tokenOf(w, "v@example.com");
    const sid = await savePromoted(w, t, "Valid");
    const cases: [unknown, string][] = [
      [{ start_date: "2026-01-05", extra: 1 }, "unknown body field"],
      [{ start_date: "2026-13-01" }, "not a date"],
      [{ start_date: "2020-01-02" }, "more than 5 years back"],
      [{ start_date: "2026-07-01" }, "more than 31 days ahead"],
      [{ version: 0 }, "version below 1"],
      [{ is_public: "yes" }, "not a boolean"],
    ];
    for (const [body, why] of cases) {
      const res = await startRun(w, t, sid, body);
      assert.equal(res.status, 422, why);
      const detail = await detailOf(res);
      assert.ok(Array.isArray(detail) && detail[0].loc[0] === "body", why);
    }
    const far = await startRun(w, t, sid, { start_date: "2020-01-02" });
    assert.match(JSON.stringify(await far.json()), /at most 5 years back/);

    const v9 = await startRun(w, t, sid, { version: 9 });
    assert.equal(v9.status, 404);
    assert.match(await detailOf(v9), /has no version 9/);

    const draft = await savePromoted(w, t, "Draft", SMA_SPEC, false);
    const unpromoted = await startRun(w, t, draft, {});
    assert.equal(unpromoted.status, 409);
    assert.match(await detailOf(unpromoted), /promote a version or name one/);
    assert.equal((await startRun(w, t, draft, { version: 1, start_date: "2026-05-14" })).status, 201);

    const nothing = await startRun(w, t, "No such strategy", {});
    assert.equal(nothing.status, 404);
    assert.match(await detailOf(nothing), /not the id or the name of one of your library strategies/);
    // Without a token: 401.
    assert.equal((await w.request("POST", `/api/v1/strategies/${sid}/run`, { json: {} })).status, 401);
  }));

Deno.test("paper run: by name (case-insensitive) or id, on both roots; two strategies of one name are a 409", () =>
  withWorld(async (w) => {
    const t = await tokenOf(w, "n@example.com");
    const sid = await savePromoted(w, t, "Trend Following");
    const byName = await startRun(w, t, "trend following", { start_date: "2026-05-14" });
    assert.equal(byName.status, 201);
    const inst = await byName.json();
    assert.equal(inst.strategy_id, sid);
    assert.equal(inst.strategy_name, "Trend Following");
    assert.equal(inst.version, 1);
    assert.equal(inst.status, "running");
    assert.equal(inst.is_public, false);
    assert.deepEqual(inst.symbols, ["600519.SH"]);
    assert.deepEqual(inst.exchanges, ["SSE"]);
    assert.equal(inst.last_bar_date, null);
    assert.equal(inst.equity, 1_000_000);
    assert.match(inst.id, /^pi_/);
    const viaLibrary = await w.request("GET", `/api/v1/library/${sid}/instances/${inst.id}`, { token: t });
    assert.equal(viaLibrary.status, 200);
    assert.deepEqual(await viaLibrary.json(), inst);
    const listed =
      await (await w.request("GET", `/api/v1/strategies/Trend%20Following/instances`, { token: t }))
        .json();
    assert.equal(listed.total, 1);
    assert.equal(listed.instances[0].id, inst.id);

    await savePromoted(w, t, "trend following");
    const twice = await startRun(w, t, "Trend Following", {});
    assert.equal(twice.status, 409);
    assert.match(await detailOf(twice), /2 of your strategies are named/);
    // By id it still works.
    assert.equal((await startRun(w, t, sid, { start_date: "2026-05-14" })).status, 201);
  }));

Deno.test("paper routes coexist with tracked strategies and the model registry on /strategies/{slug}", () =>
  withWorld(async (w) => {
    const t = await tokenOf(w, "c@example.com");
    const created = await w.request("POST", "/api/v1/strategies", {
      token: t,
      json: { name: "tracked", slug: "alpha-1" },
    });
    assert.equal(created.status, 201);
    const tracked = await w.request("GET", "/api/v1/strategies/alpha-1", { token: t });
    assert.equal(tracked.status, 200);
    assert.equal((await tracked.json()).slug, "alpha-1");
    for (
      const [method, path] of [
        ["POST", "/api/v1/strategies/alpha-1/run"],
        ["GET", "/api/v1/strategies/alpha-1/instances"],
        ["GET", "/api/v1/strategies/alpha-1/instances/pi_x"],
        ["GET", "/api/v1/strategies/alpha-1/instances/pi_x/logs"],
      ]
    ) {
      const res = await w.request(method, path, { token: t, ...(method === "POST" ? { json: {} } : {}) });
      assert.equal(res.status, 404, path);
      assert.match(await detailOf(res), /tracked strategy, which has no instances/);
    }
    // A library strategy named like the tracked slug: run/instances reach it, /strategies/{slug} stays tracked.
    const sid = await savePromoted(w, t, "alpha-1");
    assert.equal((await startRun(w, t, "alpha-1", { start_date: "2026-05-14" })).status, 201);
    assert.equal((await w.request("GET", "/api/v1/strategies/alpha-1", { token: t })).status, 200);
    assert.equal((await w.request("GET", "/api/v1/strategies/alpha-1/signals", { token: t })).status, 200);
    const staged = await w.request("POST", "/api/v1/strategies/alpha-1/stage?version=1", { token: t });
    assert.equal(staged.status, 200);
    assert.equal((await staged.json()).id, sid);
  }));

Deno.test("paper routes: another user's strategy or instance is a 404; an instance under another strategy too", () =>
  withWorld(async (w) => {
    const a = await tokenOf(w, "owner@example.com");
    const b = await tokenOf(w, "intruder@example.com", "10.0.0.2");
    const sid = await savePromoted(w, a, "Mine");
    const other = await savePromoted(w, a, "Mine too");
    const inst = await (await startRun(w, a, sid, { start_date: "2026-05-14" })).json();
    const base = `/api/v1/strategies/${sid}`;
    assert.equal((await startRun(w, b, sid, {})).status, 404);
    assert.equal((await w.request("GET", `${base}/instances`, { token: b })).status, 404);
    assert.equal((await w.request("GET", `${base}/instances/${inst.id}`, { token: b })).status, 404);
    assert.equal((await w.request("GET", `${base}/instances/${inst.id}/logs`, { token: b })).status, 404);
    assert.equal(
      (await w.request("POST", `${base}/instances/${inst.id}/stop`, { token: b, json: {} })).status,
      404,
    );
    // The intruder's own strategy of the same name does not reach my instance.
    const theirs = await savePromoted(w, b, "Mine");
    assert.equal(
      (await w.request("GET", `/api/v1/strategies/${theirs}/instances/${inst.id}`, { token: b })).status,
      404,
    );
    assert.equal(
      (await w.request("GET", `/api/v1/strategies/Mine/instances/${inst.id}`, { token: b })).status,
      404,
    );
    // My instance asked for under my other strategy: 404.
    assert.equal(
      (await w.request("GET", `/api/v1/strategies/${other}/instances/${inst.id}`, { token: a })).status,
      404,
    );
    const still = await w.request("GET", `${base}/instances/${inst.id}`, { token: a });
    assert.equal((await still.json()).status, "running");
  }));

Deno.test("paper routes: a free account runs at most 2 instances at once; a stopped one frees a place", () =>
  withWorld(async (w) => {
    const t = await tokenOf(w, "tier@example.com");
    const sid = await savePromoted(w, t, "Capped");
    const first = await (await startRun(w, t, sid, { start_date: "2026-05-14" })).json();
    assert.equal((await startRun(w, t, sid, { start_date: "2026-05-14" })).status, 201);
    const third = await startRun(w, t, sid, { start_date: "2026-05-14" });
    assert.equal(third.status, 403);
    assert.match(await detailOf(third), /at most 2 paper instance/);
    const tiers = await (await w.request("GET", "/api/v1/billing/tiers")).json();
    assert.ok(JSON.stringify(tiers).includes('"max_running_instances":2'));
    const stop = await w.request("POST", `/api/v1/strategies/${sid}/instances/${first.id}/stop`, {
      token: t,
      json: {},
    });
    assert.equal(stop.status, 200);
    assert.equal((await startRun(w, t, sid, { start_date: "2026-05-14" })).status, 201);
    const list =
      await (await w.request("GET", `/api/v1/strategies/${sid}/instances?status=running`, { token: t }))
        .json();
    assert.equal(list.total, 2);
    const all = await (await w.request("GET", `/api/v1/strategies/${sid}/instances?limit=1`, { token: t }))
      .json();
    assert.equal(all.total, 3);
    assert.equal(all.instances.length, 1);
    assert.equal(
      (await w.request("GET", `/api/v1/strategies/${sid}/instances?limit=201`, { token: t })).status,
      422,
    );
    assert.equal(
      (await w.request("GET", `/api/v1/strategies/${sid}/instances?status=paused`, { token: t })).status,
      422,
    );
  }));

Deno.test("paper routes: a deleted strategy's instances stay readable and stoppable; the job stops the rest, freeing their places", () =>
  withWorld(async (w) => {
    w.clock.set(JAN5);
    const t = await tokenOf(w, "deleter@example.com");
    const sid = await savePromoted(w, t, "Doomed", FAST_SPEC);
    const a = await (await startRun(w, t, sid, { start_date: "2026-01-05" })).json();
    const b = await (await startRun(w, t, sid, { start_date: "2026-01-05" })).json();
    w.clock.set(T0);
    const t2 = await tokenOf(w, "deleter@example.com");
    await advanceJob(w, "2026-02-27");
    assert.equal((await w.request("DELETE", `/api/v1/library/${sid}`, { token: t2 })).status, 200);
    // By id the instances are still there: listed, read, stopped by hand; a new start of it is refused.
    const list = await (await w.request("GET", `/api/v1/strategies/${sid}/instances`, { token: t2 })).json();
    assert.equal(list.total, 2);
    assert.equal(
      (await w.request("GET", `/api/v1/strategies/${sid}/instances/${a.id}/logs`, { token: t2 })).status,
      200,
    );
    const stopped = await w.request("POST", `/api/v1/strategies/${sid}/instances/${a.id}/stop`, {
      token: t2,
    });
    assert.equal(stopped.status, 200);
    assert.equal((await startRun(w, t2, sid)).status, 404);
    // The job stops the other one (positions kept) instead of advancing it.
    const job = await advanceJob(w, "2026-03-31");
    assert.equal(job.bars, 0);
    const other = await (await w.request("GET", `/api/v1/strategies/${sid}/instances/${b.id}`, { token: t2 }))
      .json();
    assert.equal(other.status, "stopped");
    assert.equal(other.stop_reason, "strategy deleted");
    assert.equal(other.last_bar_date, "2026-02-27");
    const events = await allEvents(w, t2, sid, b.id);
    assertGapless(events);
    assert.equal(events.at(-1)!.type, "stopped");
    // Both places are free again: a free account starts two instances of another strategy.
    const next = await savePromoted(w, t2, "Next", FAST_SPEC);
    assert.equal((await startRun(w, t2, next, { start_date: "2026-05-14" })).status, 201);
    assert.equal((await startRun(w, t2, next, { start_date: "2026-05-14" })).status, 201);
  }));

/** An instance from 2026-01-05 advanced through 2026-03-31 (positions held at the end), at T0. */
async function advancedInstance(w: TestWorld, email: string) {
  w.clock.set(JAN5);
  const early = await tokenOf(w, email);
  // Exit never fires: whatever is bought is still held at the end.
  const sid = await savePromoted(w, early, "Holder", { ...FAST_SPEC, exit: "close < 0" });
  const inst = await (await startRun(w, early, sid, { start_date: "2026-01-05" })).json();
  w.clock.set(T0);
  const t = await tokenOf(w, email);
  await advanceJob(w, "2026-03-31");
  return { t, sid, id: inst.id as string };
}

Deno.test("paper stop: positions kept; final (409 again, never advanced again)", () =>
  withWorld(async (w) => {
    const { t, sid, id } = await advancedInstance(w, "keep@example.com");
    const before = await (await w.request("GET", `/api/v1/strategies/${sid}/instances/${id}`, { token: t }))
      .json();
    assert.ok(before.positions.length > 0, "a position is held");
    const p = before.positions[0];
    assert.equal(p.market_value, Math.round(p.last_close * p.quantity * 1e8) / 1e8);
    assert.equal(p.unrealized_pnl, Math.round((p.last_close - p.entry_price) * p.quantity * 1e8) / 1e8);
    const res = await w.request("POST", `/api/v1/strategies/${sid}/instances/${id}/stop`, {
      token: t,
      json: { liquidate: false },
    });
    assert.equal(res.status, 200);
    const stopped = await res.json();
    assert.equal(stopped.status, "stopped");
    assert.equal(stopped.stop_reason, "stopped by owner");
    assert.deepEqual(stopped.positions, before.positions);
    assert.equal(stopped.equity, before.equity);
    assert.equal(stopped.stopped_at, "2026-05-14T01:00:00.000Z");
    const again = await w.request("POST", `/api/v1/strategies/${sid}/instances/${id}/stop`, {
      token: t,
      json: {},
    });
    assert.equal(again.status, 409);
    assert.match(await detailOf(again), /already stopped/);
    assert.equal((await advanceJob(w, "2026-05-13")).instances, 0);
    const after = await (await w.request("GET", `/api/v1/strategies/${sid}/instances/${id}`, { token: t }))
      .json();
    assert.equal(after.last_bar_date, "2026-03-31");
    const events = await allEvents(w, t, sid, id);
    assertGapless(events);
    assert.equal(events.at(-1)!.type, "stopped");
    assert.equal(events.filter((e) => e.type === "stopped").length, 1);
  }));

Deno.test("paper stop with liquidate: every position sold at the last close, cash = equity", () =>
  withWorld(async (w) => {
    const { t, sid, id } = await advancedInstance(w, "sell@example.com");
    const before = await (await w.request("GET", `/api/v1/strategies/${sid}/instances/${id}`, { token: t }))
      .json();
    const held = before.positions[0];
    const res = await w.request("POST", `/api/v1/library/${sid}/instances/${id}/stop`, {
      token: t,
      json: { liquidate: true },
    });
    assert.equal(res.status, 200);
    const stopped = await res.json();
    assert.deepEqual(stopped.positions, []);
    assert.deepEqual(stopped.pending_orders, []);
    assert.equal(stopped.holdings_value, 0);
    assert.equal(stopped.cash, stopped.equity);
    assert.equal(stopped.trades_count, before.trades_count + 1);
    const events = await allEvents(w, t, sid, id);
    const sale = events.filter((e) => e.type === "fill").at(-1)!;
    assert.equal(sale.date, "2026-03-31");
    assert.equal(sale.data.action, "SELL");
    assert.equal(sale.data.reason, "liquidated on stop");
    assert.equal(sale.data.quantity, held.quantity);
    assert.equal(sale.data.price, held.last_close); // no slippage in the spec
    // Hand-worked: cash after = cash before + value − fee (0.1% sell fee, min fee 0).
    const value = held.last_close * held.quantity;
    assert.ok(Math.abs(stopped.cash - (before.cash + value - value * 0.001)) < 1e-3);
  }));

Deno.test("paper logs: paging by seq is gapless; since a date or instant reads from then; bad since is a 422", () =>
  withWorld(async (w) => {
    const { t, sid, id } = await advancedInstance(w, "logs@example.com");
    const all = await allEvents(w, t, sid, id);
    assertGapless(all);
    assert.equal(all[0].type, "started");
    assert.equal(
      all.filter((e) => e.type === "daily_summary").length,
      sseSessions("2026-01-05", "2026-03-31").length,
    );
    const paged = await allEvents(w, t, sid, id, 7);
    assert.deepEqual(paged, all);
    const base = `/api/v1/strategies/${sid}/instances/${id}/logs`;
    const page = await (await w.request("GET", `${base}?since=3&limit=2`, { token: t })).json();
    assert.deepEqual(page.events.map((e: { seq: number }) => e.seq), [4, 5]);
    assert.equal(page.next_since, 5);
    assert.equal(page.has_more, true);
    assert.equal(page.instance_id, id);
    const end = await (await w.request("GET", `${base}?since=${all.length}`, { token: t })).json();
    assert.deepEqual(end.events, []);
    assert.equal(end.next_since, all.length);
    assert.equal(end.has_more, false);
    // The start event was written on 2026-01-05, the advance on 2026-05-14 (T0).
    const fromDate = await (await w.request("GET", `${base}?since=2026-05-14&limit=1000`, { token: t }))
      .json();
    assert.deepEqual(fromDate.events.map((e: { seq: number }) => e.seq), all.slice(1).map((e) => e.seq));
    const fromInstant =
      await (await w.request("GET", `${base}?since=2026-05-14T01:00:00Z&limit=1`, { token: t }))
        .json();
    assert.equal(fromInstant.events[0].seq, 2);
    const later = await (await w.request("GET", `${base}?since=2026-05-15`, { token: t })).json();
    assert.deepEqual(later.events, []);
    for (const bad of ["yesterday", "-1"]) {
      assert.equal((await w.request("GET", `${base}?since=${bad}`, { token: t })).status, 422, bad);
    }
    assert.equal((await w.request("GET", `${base}?limit=1001`, { token: t })).status, 422);
    assert.equal((await w.request("GET", `${base}?limit=0`, { token: t })).status, 422);
  }));
