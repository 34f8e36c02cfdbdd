/**
 * Acceptance of issue 16's paper trading over HTTP: parity with the backtest, ownership, stop is final, and the
 * owner's live feed.
 *
 * Parity: an instance started on day D (`start_date` in the run body) and advanced session by session through
 * E by the daily job (`POST /api/v1/admin/jobs/paper-advance/run?date=`) gives exactly the fills (date, symbol,
 * action, quantity, price, value, fees, reason, confidence, P&L, holding days) and the daily equity and cash of
 * `POST /api/v1/backtests/run` of the same spec with `start` D, `end` E and `close_at_end` false — for a one-symbol
 * strategy (NYSE) and a 50-symbol one (the first 50 hs300 names of `GET /api/v1/data/symbols`, SSE and SZSE,
 * lots of 100 and price limits), both with next-open fills and a stop loss, over ≥ 60 trading days (including
 * the Spring Festival closure in February). A third instance of each, started at once at the end over the same
 * past range (the catch-up path), gives the same again.
 *
 * The test owns the clock: each session d is advanced with the clock at 00:30 UTC the next calendar day (after
 * both markets' closes), so the synthetic market has generated bars through d and no further, as in production.
 * The backtests run at the end, with the clock at E + 1 00:30 UTC. Credentials are API keys (permanent), so
 * moving the clock over months logs nobody out.
 *
 * The report rounds each day's `portfolioValue` and `cash` to 4 decimals (`r4` in `domain/backtest/report.ts`);
 * a daily summary's equity and cash must round to the same value, or — if the paper log rounds to cents — equal
 * the report's value rounded to cents.
 */
import assert from "node:assert/strict";
import { startStreamBridge } from "../../jobs/stream_bridge.ts";
import { assertDetail } from "../_helpers/identity.ts";
import {
  advance,
  allEvents,
  datesBetween,
  keyedClient,
  msOf,
  type PaperClient,
  type PaperEvent,
  savePromoted,
  tradingDays,
} from "../_helpers/paper_client.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

/** First session simulated (a Thursday), ~105 calendar days before the end: ≥ 60 sessions on both exchanges. */
const D = "2026-01-29";
/** Last session simulated (a Wednesday); the world's default "today" is 2026-05-14. */
const E = "2026-05-13";
/** 00:30 UTC of the day after `date`: after the close of `date` on SSE, SZSE and NYSE. */
const afterClose = (date: string) => msOf(date) + 86_400_000 + 30 * 60_000;
/** 00:30 UTC of `date` itself: before any of its sessions has closed. */
const morningOf = (date: string) => msOf(date) + 30 * 60_000;

/** One symbol: a fast moving-average cross with a 2 % stop. */
const SINGLE = {
  name: "Single",
  universe: { tickers: ["AAPL"] },
  entry: "crosses_above(sma(close, 3), sma(close, 8))",
  exit: "crosses_below(sma(close, 3), sma(close, 8))",
  risk: { stop_loss_pct: 2 },
  fill: "next_open",
  capital: 100000,
  start: "2025-01-02",
  end: "2025-12-31",
};

/** Fifty symbols: up to 10 positions of 10 % each, in while above the 5-day mean, a 3 % stop. */
const multi = (tickers: string[]) => ({
  name: "Fifty",
  universe: { tickers },
  entry: "close > sma(close, 5)",
  exit: "close < sma(close, 5)",
  sizing: { method: "percent_equity", percent: 10, max_positions: 10 },
  risk: { stop_loss_pct: 3 },
  costs: { buy_fee_pct: 0.03, sell_fee_pct: 0.13, min_fee: 5, slippage_pct: 0.05 },
  fill: "next_open",
  capital: 1000000,
  start: "2025-01-02",
  end: "2025-12-31",
});

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;
const r2 = (x: number) => Math.round(x * 100) / 100;

/** A paper figure against the report's 4-decimal one: the same at 4 decimals, or to the cent if it is cents. */
function sameMoney(paper: number, report: number, what: string) {
  if (r4(paper) === report) return;
  assert.equal(paper, r2(report), `${what}: paper ${paper}, backtest ${report}`);
}

/** The world, the owner, another user and the admin (all with API keys), the clock at D's morning. */
async function withPaperWorld(
  fn: (ctx: { w: TestWorld; me: PaperClient; other: PaperClient; admin: PaperClient }) => Promise<void>,
) {
  const w = await openTestWorld();
  try {
    const me = await keyedClient(w, "paper@example.com", "10.5.0.1");
    const other = await keyedClient(w, "stranger@example.com", "10.5.0.2");
    const admin = await keyedClient(w, "admin@example.com", "10.5.0.3");
    w.clock.set(morningOf(D));
    await fn({ w, me, other, admin });
  } finally {
    await w.close();
  }
}

/** The fills and daily summaries of an instance. */
async function logOf(me: PaperClient, sid: string, id: string) {
  const events = await allEvents(me, `/api/v1/strategies/${sid}`, id);
  return {
    events,
    fills: events.filter((e) => e.type === "fill"),
    days: events.filter((e) => e.type === "daily_summary"),
  };
}

/** The backtest report's trades and days (`POST /api/v1/backtests/run`, same spec, start D, end E). */
// deno-lint-ignore no-explicit-any -- the report is read as an untyped client reads it
async function backtestOf(me: PaperClient, spec: Record<string, unknown>): Promise<Record<string, any>> {
  return await me.expect(200, "POST", "/api/v1/backtests/run", {
    spec: { ...spec, start: D, end: E, close_at_end: false },
  });
}

/** Asserts the instance's log and view equal the backtest exactly (see the file comment). */
function assertParity(
  label: string,
  // deno-lint-ignore no-explicit-any -- as above
  report: Record<string, any>,
  log: { fills: PaperEvent[]; days: PaperEvent[] },
  // deno-lint-ignore no-explicit-any -- as above
  view: Record<string, any>,
) {
  const trades = report.trades as Record<string, unknown>[];
  assert.equal(
    log.fills.length,
    trades.length,
    `${label}: ${log.fills.length} fills, backtest ${trades.length}`,
  );
  trades.forEach((t, i) => {
    const f = log.fills[i];
    const got = {
      date: f.date,
      symbol: f.data.symbol,
      action: f.data.action,
      quantity: f.data.quantity,
      price: f.data.price,
      value: f.data.value,
      fees: f.data.fees,
      reason: f.data.reason,
      confidence: f.data.confidence,
      profit_loss: f.data.profit_loss,
      holding_days: f.data.holding_days,
    };
    const want = {
      date: t.date,
      symbol: t.ticker,
      action: t.action,
      quantity: t.quantity,
      price: t.price,
      value: t.value,
      fees: t.fees,
      reason: t.reason,
      confidence: t.confidence ?? null,
      profit_loss: t.profitLoss,
      holding_days: t.holdingDays,
    };
    assert.deepEqual(got, want, `${label}: fill ${i + 1} of ${trades.length}`);
  });
  const rows = report.dailyPortfolio as { date: string; portfolioValue: number; cash: number }[];
  assert.deepEqual(log.days.map((e) => e.date), rows.map((r) => r.date), `${label}: the days processed`);
  rows.forEach((r, i) => {
    sameMoney(log.days[i].data.equity, r.portfolioValue, `${label} equity ${r.date}`);
    sameMoney(log.days[i].data.cash, r.cash, `${label} cash ${r.date}`);
  });
  // The instance's own view ends where the backtest ends.
  assert.equal(view.last_bar_date, E, label);
  assert.equal(view.bars_processed, rows.length, label);
  assert.equal(view.trades_count, trades.length, label);
  sameMoney(view.equity, rows.at(-1)!.portfolioValue, `${label} view equity`);
  const open = (report.openPositions as { symbol: string; quantity: number; entryPrice: number }[])
    .map((p) => [p.symbol, p.quantity, p.entryPrice]).sort();
  const held = (view.positions as { symbol: string; quantity: number; entry_price: number }[])
    .map((p) => [p.symbol, p.quantity, p.entry_price]).sort();
  assert.deepEqual(held, open, `${label}: open positions`);
}

Deno.test({
  name: "paper parity: 1 and 50 symbols advanced session by session ≡ backtest; catch-up ≡ backtest",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withPaperWorld(async ({ w, me, admin }) => {
      // 50 tickers of the synthetic market, as a client lists them.
      const symbols = await me.expect(200, "GET", "/api/v1/data/symbols?universe=hs300&limit=50");
      const tickers = (symbols.items as { symbol: string }[]).map((s) => s.symbol);
      assert.equal(tickers.length, 50);
      const nyse = await tradingDays(w, "NYSE", D, E);
      const sse = await tradingDays(w, "SSE", D, E);
      assert.ok(nyse.length >= 60 && sse.length >= 60, `${nyse.length} NYSE and ${sse.length} SSE sessions`);

      const single = await savePromoted(me, "Single", SINGLE);
      const fifty = await savePromoted(me, "Fifty", multi(tickers));
      const a = await me.expect(201, "POST", `/api/v1/strategies/${single}/run`, { start_date: D });
      const b = await me.expect(201, "POST", `/api/v1/strategies/${fifty}/run`, { start_date: D });
      for (const p of [a, b]) {
        assert.equal(p.start_date, D);
        assert.equal(p.last_bar_date, null, "nothing has closed yet at 00:30 UTC on D");
        assert.equal(p.bars_processed, 0);
      }
      assert.deepEqual(a.exchanges, ["NYSE"]);

      // Every calendar day from D to E: the clock moves past the day's closes, then the job runs for it.
      let advanced = 0, fills = 0, rerun = 0;
      for (const day of datesBetween(D, E)) {
        w.clock.set(afterClose(day));
        const s = await advance(admin, day);
        assert.equal(s.date, day);
        assert.equal(s.instances, 2);
        const sessions = (nyse.includes(day) ? 1 : 0) + (sse.includes(day) ? 1 : 0);
        assert.equal(s.advanced, sessions, `${day}: ${JSON.stringify(s)}`);
        assert.equal(s.bars > 0, sessions > 0, `${day}: ${JSON.stringify(s)}`);
        advanced += s.advanced;
        fills += s.fills;
        // Idempotent per bar date: running the same date again processes nothing (checked weekly).
        if (day.endsWith("3") || day.endsWith("7")) {
          const again = await advance(admin, day);
          assert.equal(again.bars, 0, `${day} again: ${JSON.stringify(again)}`);
          assert.equal(again.advanced, 0);
          assert.equal(again.fills, 0);
          rerun++;
        }
      }
      assert.equal(advanced, nyse.length + sse.length);
      assert.ok(rerun > 10);

      const reportA = await backtestOf(me, SINGLE);
      const reportB = await backtestOf(me, multi(tickers));
      assert.deepEqual(reportA.dailyPortfolio.map((r: { date: string }) => r.date), nyse);
      assert.deepEqual(reportB.dailyPortfolio.map((r: { date: string }) => r.date), sse);
      assert.ok(reportA.trades.length >= 4, `single-symbol trades: ${reportA.trades.length}`);
      assert.ok(reportB.trades.length >= 10, `50-symbol trades: ${reportB.trades.length}`);
      for (const r of [reportA, reportB]) {
        assert.ok(r.trades.some((t: { reason: string }) => /stop loss/.test(t.reason)), "a stop loss fired");
      }
      assert.equal(fills, reportA.trades.length + reportB.trades.length, "the job's fill counts");

      const viewA = await me.expect(200, "GET", `/api/v1/strategies/${single}/instances/${a.id}`);
      const viewB = await me.expect(200, "GET", `/api/v1/strategies/${fifty}/instances/${b.id}`);
      assertParity("1 symbol, day by day", reportA, await logOf(me, single, a.id), viewA);
      assertParity("50 symbols, day by day", reportB, await logOf(me, fifty, b.id), viewB);

      // The free tier's 2 running instances are taken: a third is refused until one stops.
      await assertDetail(
        await w.request("POST", `/api/v1/strategies/${single}/run`, {
          token: me.token,
          json: { start_date: D },
        }),
        403,
      );
      await me.expect(200, "POST", `/api/v1/strategies/${single}/instances/${a.id}/stop`, {});
      await me.expect(200, "POST", `/api/v1/strategies/${fifty}/instances/${b.id}/stop`, {});

      // Catch-up: started now (00:30 UTC after E) from D, every session processed before the 201.
      const c = await me.expect(201, "POST", `/api/v1/strategies/${single}/run`, { start_date: D });
      const d = await me.expect(201, "POST", `/api/v1/strategies/${fifty}/run`, { start_date: D });
      assertParity("1 symbol, catch-up", reportA, await logOf(me, single, c.id), c);
      assertParity("50 symbols, catch-up", reportB, await logOf(me, fifty, d.id), d);
      // Nothing is left for the job, and the day-by-day instances' stops added no fill (close_at_end false).
      const idle = await advance(admin, E);
      assert.equal(idle.bars, 0);
      assert.equal(idle.fills, 0);
      assert.equal((await logOf(me, single, a.id)).fills.length, reportA.trades.length);
      assert.equal((await logOf(me, fifty, b.id)).fills.length, reportB.trades.length);
    }),
});

Deno.test("paper: another user's instance is a 404 on every route; stop is final (kept or liquidated ≡ close_at_end)", () =>
  withPaperWorld(async ({ w, me, other, admin }) => {
    const sid = await savePromoted(me, "Single", SINGLE);
    const base = `/api/v1/strategies/${sid}`;
    // Two identical instances, advanced session by session until they hold a position (day X).
    const p = await me.expect(201, "POST", `${base}/run`, { start_date: D });
    const p2 = await me.expect(201, "POST", `${base}/run`, { start_date: D });
    let x = "";
    for (const day of datesBetween(D, "2026-04-30")) {
      w.clock.set(afterClose(day));
      await advance(admin, day);
      const view = await me.expect(200, "GET", `${base}/instances/${p.id}`);
      if (view.positions.length > 0 && view.last_bar_date === day) {
        x = day;
        break;
      }
    }
    assert.ok(x !== "", "the instance bought something by the end of April");

    // Ownership: the stranger gets 404 on all four routes (and the instance view), under both path families.
    const theirs = await savePromoted(other, "Single", SINGLE);
    for (const prefix of [base, `/api/v1/library/${sid}`, `/api/v1/strategies/${theirs}`]) {
      for (
        const [method, path, json] of [
          ["POST", `${prefix}/run`, {}],
          ["GET", `${prefix}/instances`, undefined],
          ["GET", `${prefix}/instances/${p.id}`, undefined],
          ["GET", `${prefix}/instances/${p.id}/logs`, undefined],
          ["POST", `${prefix}/instances/${p.id}/stop`, { liquidate: true }],
        ] as const
      ) {
        if (prefix.endsWith(theirs) && !path.includes(p.id)) continue; // their own strategy: their own routes
        const res = await w.request(method, path, { token: other.token, json });
        await assertDetail(res, 404);
      }
    }
    const still = await me.expect(200, "GET", `${base}/instances/${p.id}`);
    assert.equal(still.status, "running");
    assert.equal(still.last_bar_date, x);

    // Stop p keeping its positions; stop p2 liquidating them: the sales equal the backtest's close_at_end at X.
    const stopped = await me.expect(200, "POST", `${base}/instances/${p.id}/stop`, { liquidate: false });
    assert.equal(stopped.status, "stopped");
    assert.deepEqual(stopped.positions, still.positions);
    const before2 = (await allEvents(me, base, p2.id)).length;
    const liquidated = await me.expect(200, "POST", `${base}/instances/${p2.id}/stop`, { liquidate: true });
    assert.deepEqual(liquidated.positions, []);
    const closed = await me.expect(200, "POST", "/api/v1/backtests/run", {
      spec: { ...SINGLE, start: D, end: x, close_at_end: true },
    });
    const atEnd = (closed.trades as Record<string, unknown>[]).filter((t) => t.reason === "close at end");
    const sold = (await allEvents(me, base, p2.id)).slice(before2).filter((e) => e.type === "fill");
    assert.equal(atEnd.length, still.positions.length);
    const row = (
      r: Record<string, unknown>,
    ) => [r.date, r.symbol, r.action, r.quantity, r.price, r.value, r.fees];
    assert.deepEqual(
      sold.map((f) => row({ ...f.data, date: f.date })),
      atEnd.map((t) => row({ ...t, symbol: t.ticker })),
      "liquidation on stop = close_at_end",
    );
    assert.deepEqual(sold.map((f) => f.data.profit_loss), atEnd.map((t) => t.profitLoss));
    assert.deepEqual(sold.map((f) => f.data.holding_days), atEnd.map((t) => t.holdingDays));
    assert.ok(sold.every((f) => f.data.reason === "liquidated on stop"));
    sameMoney(liquidated.equity, closed.dailyPortfolio.at(-1).portfolioValue, "equity after liquidation");
    sameMoney(liquidated.cash, closed.dailyPortfolio.at(-1).cash, "cash after liquidation");

    // Stopping is final: a second stop is a 409 (with or without liquidate); the job moves on without them.
    const before = await allEvents(me, base, p.id);
    assert.equal(before.at(-1)!.type, "stopped");
    for (const json of [{}, { liquidate: true }]) {
      await assertDetail(
        await w.request("POST", `${base}/instances/${p.id}/stop`, { token: me.token, json }),
        409,
      );
    }
    const later = datesBetween(x, "2026-05-13").slice(1, 15);
    assert.ok(
      (await tradingDays(w, "NYSE", later[0], later.at(-1)!)).length >= 5,
      "sessions pass after the stop",
    );
    for (const day of later) {
      w.clock.set(afterClose(day));
      const s = await advance(admin, day);
      assert.equal(s.instances, 0, `${day}: a stopped instance is not advanced`);
      assert.equal(s.bars, 0);
    }
    assert.deepEqual(await allEvents(me, base, p.id), before, "no event after the stop");
    const view = await me.expect(200, "GET", `${base}/instances/${p.id}`);
    assert.equal(view.last_bar_date, x);
    assert.equal(view.status, "stopped");
    assert.equal((await me.expect(200, "GET", `${base}/instances/${p2.id}`)).last_bar_date, x);
  }));

Deno.test({
  name:
    "paper: /ws carries each fill to the owner; a public instance's to everyone, a private one's to nobody else",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: () =>
    withPaperWorld(async ({ w, me, other, admin }) => {
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
      const bridge = startStreamBridge(
        { streams: w.deps.streams, jobs: w.deps.backtests.jobs },
        w.deps.hub,
        () => w.clock.now(),
      );
      const sockets: WebSocket[] = [];
      const open = async (token: string | null) => {
        const url = `ws://127.0.0.1:${server.addr.port}/ws${token ? `?token=${token}` : ""}`;
        const socket = new WebSocket(url);
        sockets.push(socket);
        const messages: { type: string; data: Record<string, unknown> }[] = [];
        socket.onmessage = (e) => messages.push(JSON.parse(e.data));
        await new Promise((r) => (socket.onopen = r));
        return messages;
      };
      try {
        await bridge.ready;
        const mine = await open(me.token);
        const theirs = await open(other.token);
        const anyone = await open(null);
        await new Promise((r) => setTimeout(r, 50)); // the server subscribes on its own open event

        const sid = await savePromoted(me, "Single", SINGLE);
        const p = await me.expect(201, "POST", `/api/v1/strategies/${sid}/run`, { start_date: D });
        const q = await me.expect(201, "POST", `/api/v1/strategies/${sid}/run`, {
          start_date: D,
          is_public: true,
        });
        // The job is run for each date with the clock standing after E (the admin "run for a date" path): the
        // stream bridge remembers published entries for 3 h of the injected clock while feed entries live 1 h of
        // real time, so day-sized clock jumps between its reads make it publish an entry again (seen ~1 run in 2
        // with the clock moved day by day; a clock that moves continuously never does that).
        w.clock.set(afterClose(E));
        for (const day of datesBetween(D, "2026-03-31")) {
          await advance(admin, day);
        }
        /** The trade messages the contract (A4) gives for an instance's fills. */
        const expected = async (id: string) =>
          (await logOf(me, sid, id)).fills.map((f) => ({
            id: `${id}:${f.seq}`,
            instance_id: id,
            strategy_id: sid,
            timestamp: f.date,
            asset: f.data.symbol,
            action: f.data.action,
            price: f.data.price,
            quantity: f.data.quantity,
            reasoning: f.data.reason,
            confidence: f.data.confidence,
            source: "paper",
          }));
        const privateFills = await expected(p.id), publicFills = await expected(q.id);
        assert.ok(privateFills.length >= 2, `fills: ${privateFills.length}`);
        assert.deepEqual(
          publicFills.map(({ id: _, instance_id: __, ...rest }) => rest),
          privateFills.map(({ id: _, instance_id: __, ...rest }) => rest),
          "two instances of one spec over the same days fill alike",
        );
        const paperOf = (messages: { type: string; data: Record<string, unknown> }[], id: string) =>
          messages.filter((m) => m.type === "trade" && m.data.instance_id === id).map((m) => ({ ...m.data }));
        const deadline = Date.now() + 8000;
        const arrived = () =>
          paperOf(mine, p.id).length >= privateFills.length &&
          paperOf(anyone, q.id).length >= publicFills.length &&
          paperOf(theirs, q.id).length >= publicFills.length;
        while (!arrived() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
        await new Promise((r) => setTimeout(r, 300)); // anything else on its way lands too

        // The owner: every fill of the private instance, in order, once.
        assert.deepEqual(paperOf(mine, p.id), privateFills);
        // The public instance: to everyone — anonymous and another user — in order, once; they see what happened
        // but not the owner's rules ("entry rule"/"exit rule" instead of the rule's text).
        const shownToAll = (reason: unknown) =>
          String(reason).startsWith("entry: ")
            ? "entry rule"
            : String(reason).startsWith("exit: ")
            ? "exit rule"
            : reason;
        const publicShown = publicFills.map((m) => ({ ...m, reasoning: shownToAll(m.reasoning) }));
        assert.ok(publicShown.some((m) => m.reasoning === "entry rule"));
        assert.deepEqual(paperOf(anyone, q.id), publicShown);
        assert.deepEqual(paperOf(theirs, q.id), publicShown);
        // The owner gets the public instance's fills on their own topic with the rule text (and on the public one
        // as everyone sees them).
        const ownPublic = paperOf(mine, q.id);
        const byId = (a: { id: unknown }, b: { id: unknown }) => String(a.id).localeCompare(String(b.id));
        const unique = (list: Record<string, unknown>[]) =>
          [...new Set(list.map((m) => JSON.stringify(m)))].map((m) => JSON.parse(m));
        assert.deepEqual(
          unique(ownPublic.filter((m) => m.reasoning !== "entry rule" && m.reasoning !== "exit rule")).sort(
            byId,
          ),
          [...publicFills].sort(byId),
        );
        // A private instance's fills reach nobody else (neither another user nor the public stream).
        assert.deepEqual(paperOf(theirs, p.id), []);
        assert.deepEqual(paperOf(anyone, p.id), []);
      } finally {
        for (const s of sockets) s.close();
        await new Promise((r) => setTimeout(r, 20));
        bridge.stop();
        await server.shutdown();
      }
    }),
});
