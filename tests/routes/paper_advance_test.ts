/**
 * Paper instances advanced by `POST /admin/jobs/paper-advance/run?date=`: parity with `POST /backtests/run` of
 * the same spec over the same days (day by day, ≥ 60 sessions), idempotency per bar date, catch-up after
 * downtime, and two advances at once.
 */
import assert from "node:assert/strict";
import { signInAdmin, T0, type TestWorld } from "../_helpers/test_app.ts";
import {
  advanceJob,
  allEvents,
  assertGapless,
  type Ev,
  JAN5,
  savePromoted,
  SMA_SPEC,
  sseSessions,
  startRun,
  tokenOf,
  withWorld,
} from "./paper_world.ts";

/** A faster cross than SMA_SPEC, with a stop, so the window holds several round trips. */
const FAST_SPEC = {
  ...SMA_SPEC,
  entry: "crosses_above(sma(close, 3), sma(close, 10))",
  exit: "crosses_below(sma(close, 3), sma(close, 10))",
  risk: { stop_loss_pct: 4 },
};

/** Starts an instance from 2026-01-05 at 2026-01-05 01:00Z (nothing closed yet), then moves the clock to T0. */
async function startAtJan5(w: TestWorld, spec: unknown, body: Record<string, unknown> = {}) {
  w.clock.set(JAN5);
  const early = await tokenOf(w, "paper@example.com");
  const sid = await savePromoted(w, early, "Fast cross", spec);
  const res = await startRun(w, early, sid, { start_date: "2026-01-05", ...body });
  assert.equal(res.status, 201);
  const inst = await res.json();
  assert.equal(inst.bars_processed, 0);
  assert.equal(inst.last_bar_date, null);
  w.clock.set(T0);
  const token = await tokenOf(w, "paper@example.com");
  const admin = (await signInAdmin(w)).access_token;
  return { sid, id: inst.id as string, token, admin };
}

/** The fill events as report trades. */
const fillsAsTrades = (events: readonly Ev[]) =>
  events.filter((e) => e.type === "fill").map((e) => ({
    date: e.date,
    ticker: e.data.symbol,
    action: e.data.action,
    quantity: e.data.quantity,
    price: e.data.price,
    value: e.data.value,
    fees: e.data.fees,
    reason: e.data.reason,
    confidence: e.data.confidence,
    profitLoss: e.data.profit_loss,
    holdingDays: e.data.holding_days,
  }));

Deno.test("paper: advanced day by day over 76 SSE sessions, the fills and daily equity are the backtest's; a date run twice adds nothing", () =>
  withWorld(async (w) => {
    const { sid, id, token, admin } = await startAtJan5(w, FAST_SPEC);
    const days = sseSessions("2026-01-05", "2026-04-30");
    assert.ok(days.length >= 60, `${days.length} sessions`);
    let bars = 0;
    for (const d of days) {
      const s = await advanceJob(w, d, admin);
      assert.deepEqual(s.errors, []);
      bars += s.bars;
      assert.equal(s.bars, 1, `one bar on ${d}`);
    }
    assert.equal(bars, days.length);
    const before = await allEvents(w, token, sid, id);
    // Idempotent: the last date again (and an earlier one) processes nothing and writes nothing.
    for (const d of [days.at(-1)!, days[10]]) {
      const again = await advanceJob(w, d, admin);
      assert.equal(again.bars, 0);
      assert.equal(again.fills, 0);
    }
    const events = await allEvents(w, token, sid, id);
    assert.deepEqual(events, before);
    assertGapless(events);

    const run = await w.request("POST", "/api/v1/backtests/run", {
      json: {
        spec: {
          ...FAST_SPEC,
          name: "Fast cross",
          start: "2026-01-05",
          end: days.at(-1)!,
          close_at_end: false,
        },
      },
      token,
    });
    assert.equal(run.status, 200);
    const report = await run.json();
    assert.ok(report.trades.length >= 4, `${report.trades.length} trades to compare`);
    const expected = report.trades.map((t: Record<string, unknown>) => ({
      date: t.date,
      ticker: t.ticker,
      action: t.action,
      quantity: t.quantity,
      price: t.price,
      value: t.value,
      fees: t.fees,
      reason: t.reason,
      confidence: t.confidence ?? null,
      profitLoss: t.profitLoss,
      holdingDays: t.holdingDays,
    }));
    assert.deepEqual(fillsAsTrades(events), expected);
    const summaries = events.filter((e) => e.type === "daily_summary");
    assert.deepEqual(
      summaries.map((e) => [e.date, e.data.equity, e.data.cash]),
      report.dailyPortfolio.map((d: { date: string; portfolioValue: number; cash: number }) => [
        d.date,
        d.portfolioValue,
        d.cash,
      ]),
    );
    // Each fill carries its day's equity at the engine's precision, as the report's trades do.
    assert.deepEqual(
      events.filter((e) => e.type === "fill").map((e) => e.data.portfolio_value),
      report.trades.map((t: { portfolioValue: number }) => t.portfolioValue),
    );

    const inst = await (await w.request("GET", `/api/v1/strategies/${sid}/instances/${id}`, { token }))
      .json();
    assert.equal(inst.last_bar_date, days.at(-1));
    assert.equal(inst.bars_processed, days.length);
    assert.equal(inst.trades_count, report.trades.length);
    assert.equal(inst.equity, report.summary.finalValue);
    assert.equal(inst.total_return, Math.round((inst.equity / 1_000_000 - 1) * 1e8) / 1e8);
  }));

Deno.test("paper: after 10 sessions of downtime one run processes the 10 missed sessions in order", () =>
  withWorld(async (w) => {
    const { sid, id, token, admin } = await startAtJan5(w, FAST_SPEC);
    const days = sseSessions("2026-01-05", "2026-02-28");
    assert.equal((await advanceJob(w, days[4], admin)).bars, 5);
    const first = (await allEvents(w, token, sid, id)).length;
    // Nothing runs for sessions 5–14; the run for session 14 catches all ten up.
    const late = await advanceJob(w, days[14], admin);
    assert.equal(late.bars, 10);
    assert.equal(late.advanced, 1);
    const events = await allEvents(w, token, sid, id);
    assertGapless(events);
    const summaryDates = events.filter((e) => e.type === "daily_summary").map((e) => e.date);
    assert.deepEqual(summaryDates, days.slice(0, 15));
    assert.ok(events.length > first);
    // Every event after the catch-up belongs to one of the ten days, in date order.
    const dated = events.slice(first).map((e) => e.date!);
    assert.deepEqual(dated, [...dated].sort());
    assert.ok(dated.every((d) => d >= days[5] && d <= days[14]));
  }));

Deno.test("paper: two advances at once process each bar once with a gapless log", () =>
  withWorld(async (w) => {
    const { sid, id, token, admin } = await startAtJan5(w, FAST_SPEC, { is_public: true });
    const days = sseSessions("2026-01-05", "2026-03-31");
    const [a, b] = await Promise.all([
      advanceJob(w, days.at(-1)!, admin),
      advanceJob(w, days.at(-1)!, admin),
    ]);
    assert.equal(a.bars + b.bars, days.length, "together they processed every session once");
    const events = await allEvents(w, token, sid, id);
    assertGapless(events);
    const summaryDates = events.filter((e) => e.type === "daily_summary").map((e) => e.date);
    assert.deepEqual(summaryDates, days);
    const inst = await (await w.request("GET", `/api/v1/strategies/${sid}/instances/${id}`, { token }))
      .json();
    assert.equal(inst.bars_processed, days.length);
    assert.equal(inst.trades_count, events.filter((e) => e.type === "fill").length);
  }));

Deno.test("paper: a past start_date is processed before the answer, and equals the same instance advanced day by day", () =>
  withWorld(async (w) => {
    const token = await tokenOf(w, "past@example.com");
    const sid = await savePromoted(w, token, "Past", FAST_SPEC);
    const res = await startRun(w, token, sid, { start_date: "2026-01-05" });
    assert.equal(res.status, 201);
    const inst = await res.json();
    // At T0 (2026-05-14 09:00 in Shanghai) the latest closed SSE session is 2026-05-13.
    assert.equal(inst.last_bar_date, "2026-05-13");
    assert.equal(inst.bars_processed, sseSessions("2026-01-05", "2026-05-13").length);
    assert.equal(inst.status, "running");
    const run = await w.request("POST", "/api/v1/backtests/run", {
      json: { spec: { ...FAST_SPEC, start: "2026-01-05", end: "2026-05-13", close_at_end: false } },
      token,
    });
    const report = await run.json();
    assert.equal(inst.equity, report.summary.finalValue);
    assert.equal(inst.trades_count, report.trades.length);
    assert.deepEqual(
      inst.positions.map((p: { symbol: string; quantity: number }) => [p.symbol, p.quantity]),
      report.openPositions.map((p: { symbol: string; quantity: number }) => [p.symbol, p.quantity]),
    );
  }));
