/**
 * A 60-trading-day simulation of three strategies through the real submission and settlement code (one misses
 * days, one is paused for a while, one replaces its signals), checked day by day against an independent
 * calculation written here from the stated conventions; then re-runs, a crash half-way and the verifier.
 */
import assert from "node:assert/strict";
import { getCalendar } from "../../../../domain/calendar/calendar.ts";
import { fixedClock } from "../../../../domain/clock.ts";
import { buildMarketServices } from "../../../../app/market_services.ts";
import { settleAll } from "../../../../domain/track_record/settlement/settle.ts";
import { submitSignalView as submitSignal } from "../../../../domain/track_record/operations.ts";
import type { TrackRecordServices } from "../../../../domain/track_record/services.ts";
import {
  createTrackedStrategy,
  patchTracked,
} from "../../../../domain/track_record/signals/tracked_strategies.ts";
import { keys } from "../../../../domain/store/keys.ts";
import { strategyScope } from "../../../../domain/public_reads/scopes.ts";
import type { SettledDayRecord } from "../../../../domain/store/settlement_repo.ts";
import { createApp } from "../../../../routes/app.ts";
import { verifyRecord } from "../../../../scripts/verify_record.ts";
import { openTestWorld, type TestWorld } from "../../../_helpers/test_app.ts";

const sse = getCalendar("SSE");
// Through July, so held stocks cross their yearly ex-date (first trading day on or after July 10).
const DAYS = sse.tradingDaysBetween("2026-05-11", "2026-12-31").slice(0, 60);
const LAST = DAYS[DAYS.length - 1];
const POOL = ["600519.SH", "000001.SZ", "600036.SH", "000858.SZ", "601318.SH", "000333.SZ"];
const COSTS = { commission_rate: 0.0003, slippage_rate: 0.002 };

interface Plan {
  slug: string;
  execution: "open" | "close";
  holding: number;
  capital: number;
  /** The final weights for day i, or null when the strategy sends nothing that day. */
  weights(i: number): { symbol: string; weight: number }[] | null;
  /** A first version replaced before the deadline, or null. */
  draft?(i: number): { symbol: string; weight: number }[] | null;
  pausedBetween?: [number, number];
}

const pick = (i: number, n: number, w: number) =>
  Array.from({ length: n }, (_, k) => ({ symbol: POOL[(i + k) % POOL.length], weight: w }));

const PLANS: Plan[] = [
  {
    slug: "sim-misses",
    execution: "open",
    holding: 3,
    capital: 1_000_000,
    weights: (i) => (i % 3 === 2 ? null : pick(i, 3, 0.3)),
  },
  {
    slug: "sim-paused",
    execution: "close",
    holding: 5,
    capital: 2_000_000,
    weights: (i) => (i % 4 === 0 && (i < 20 || i >= 32) ? pick(i + 1, 2, 0.45) : null),
    pausedBetween: [20, 32],
  },
  {
    slug: "sim-replaces",
    execution: "open",
    holding: 10,
    capital: 500_000,
    weights: (i) => (i % 5 === 0 ? pick(i + 2, 4, 0.2) : null),
    draft: (i) => (i % 5 === 0 ? pick(i, 2, 0.5) : null),
  },
];

/** Track deps whose market is generated once through the last day (the clock moves; the data need not). */
function simDeps(w: TestWorld): TrackRecordServices {
  const market = buildMarketServices(w.kv, fixedClock(sse.instantAt(LAST, "20:00")), {
    seed: w.config.marketSeed,
    cacheBytes: w.config.marketCacheBytes,
    yahoo: w.config.yahoo,
  });
  return { ...w.deps.track, market: market.data };
}

async function runSimulation(
  w: TestWorld,
  deps: TrackRecordServices,
  owner: string,
  opts: { settle?: boolean } = {},
) {
  w.clock.set(sse.instantAt(DAYS[0], "08:00"));
  for (const p of PLANS) {
    await createTrackedStrategy(deps, owner, 20, {
      name: p.slug,
      slug: p.slug,
      universe: "hs300",
      execution_price: p.execution,
      holding_period: p.holding,
      initial_capital: p.capital,
      ...COSTS,
    });
  }
  for (const [i, date] of DAYS.entries()) {
    w.clock.set(sse.instantAt(date, "09:00"));
    for (const p of PLANS) {
      if (p.pausedBetween && i === p.pausedBetween[0]) {
        await patchTracked(deps, owner, p.slug, { status: "paused" });
      }
      if (p.pausedBetween && i === p.pausedBetween[1]) {
        await patchTracked(deps, owner, p.slug, { status: "active" });
      }
      const draft = p.draft?.(i);
      if (draft) {
        const r = await submitSignal(deps, owner, p.slug, { trade_date: date, signals: draft });
        assert.equal(r.replaced, false);
      }
      const weights = p.weights(i);
      if (weights) {
        w.clock.advance(60_000);
        const r = await submitSignal(deps, owner, p.slug, { trade_date: date, signals: weights });
        assert.equal(r.replaced, Boolean(draft));
      }
    }
    if (opts.settle !== false) {
      w.clock.set(sse.instantAt(date, "18:15"));
      const out = await settleAll(deps, date);
      for (const o of out.outcomes) assert.notEqual(o.status, "failed", JSON.stringify(o));
    }
  }
}

/** How many dividend credits the independent calculation made (so the simulation is known to cross ex-dates). */
const dividendsPaid = { n: 0 };

/** The independent calculation: the conventions of domain/track_record/settlement/rebalance.ts, written again from the text. */
async function expectedNavs(deps: TrackRecordServices, p: Plan): Promise<number[]> {
  const bars = new Map<string, Map<string, { open: number; close: number; dividend: number }>>();
  for (const s of POOL) {
    const b = (await deps.market.getBars(s, "2026-01-01", LAST))!;
    const m = new Map<string, { open: number; close: number; dividend: number }>();
    for (let i = 0; i < b.days.length; i++) {
      const d = new Date(b.days[i] * 86_400_000).toISOString().slice(0, 10);
      // The synthetic market pays a fraction f of the previous close on the ex-date and multiplies adj_factor
      // by 1 / (1 − f), so f = 1 − adj_prev / adj.
      const f = i > 0 && b.adj_factor[i] > b.adj_factor[i - 1]
        ? 1 - b.adj_factor[i - 1] / b.adj_factor[i]
        : 0;
      m.set(d, { open: b.open[i], close: b.close[i], dividend: i > 0 ? f * b.close[i - 1] : 0 });
    }
    bars.set(s, m);
  }
  let cash = p.capital;
  const pos = new Map<string, { q: number; last: number; signalDay: number }>();
  const navs: number[] = [];
  const { commission_rate: c, slippage_rate: sl } = COSTS;
  for (const [i, date] of DAYS.entries()) {
    const bar = (s: string) => bars.get(s)!.get(date);
    const px = (s: string) => (p.execution === "open" ? bar(s)?.open : bar(s)?.close);
    // Cash dividends on shares held at the previous close, before any trade, no tax.
    for (const [s, h] of pos) {
      const d = bar(s)?.dividend ?? 0;
      if (d > 0) {
        cash += h.q * d;
        dividendsPaid.n++;
      }
    }
    const signal = p.weights(i);
    if (signal) {
      let value = cash;
      for (const [s, h] of pos) value += h.q * (px(s) ?? h.last);
      const target = new Map<string, number>();
      for (const { symbol, weight } of signal) {
        const price = px(symbol);
        if (price !== undefined) {
          target.set(symbol, Math.floor(weight * value / (price * (1 + sl) * (1 + c)) / 100) * 100);
        }
      }
      for (const s of [...pos.keys()].sort()) {
        const h = pos.get(s)!;
        const price = px(s);
        if (price === undefined) continue;
        const want = signal.some((x) => x.symbol === s) ? target.get(s)! : 0;
        if (want < h.q) {
          const n = (h.q - want) * price * (1 - sl);
          cash += n - n * c;
          h.q = want;
          if (h.q === 0) pos.delete(s);
        }
      }
      for (const s of [...target.keys()].sort()) {
        const price = px(s)!;
        let q = target.get(s)! - (pos.get(s)?.q ?? 0);
        while (q > 0 && q * price * (1 + sl) * (1 + c) > cash) q -= 100;
        if (q <= 0) continue;
        const n = q * price * (1 + sl);
        cash -= n + n * c;
        const h = pos.get(s);
        if (h) h.q += q;
        else pos.set(s, { q, last: price, signalDay: i });
      }
      for (const { symbol } of signal) if (pos.has(symbol)) pos.get(symbol)!.signalDay = i;
    } else {
      for (const s of [...pos.keys()].sort()) {
        const h = pos.get(s)!;
        const price = px(s);
        if (i - h.signalDay >= p.holding && price !== undefined) {
          const n = h.q * price * (1 - sl);
          cash += n - n * c;
          pos.delete(s);
        }
      }
    }
    let nav = cash;
    for (const [s, h] of pos) {
      h.last = bar(s)?.close ?? h.last;
      nav += h.q * h.last;
    }
    navs.push(nav);
  }
  return navs;
}

async function ownerOf(w: TestWorld): Promise<string> {
  const { signInWithOtp } = await import("../../../_helpers/test_app.ts");
  return (await signInWithOtp(w, "sim@example.com")).user.id;
}

/** Everything settlement wrote, minus the wall-clock fields, for comparing two runs. */
async function settledSnapshot(w: TestWorld): Promise<string> {
  const out: unknown[] = [];
  for (const prefix of [["settled_days"], ["settled_trades"], ["settled_navs"], ["settlement_heads"]]) {
    for await (const e of w.kv.list({ prefix })) {
      const v = e.value as Record<string, unknown>;
      out.push([e.key, Array.isArray(v) ? v : { ...v, settled_at: 0 }]);
    }
  }
  return JSON.stringify(out);
}

Deno.test("60-day simulation: NAVs equal an independent calculation; re-runs, crashes and the verifier", async (t) => {
  const w = await openTestWorld();
  /** Rewrites a stored day around the repositories, bumping its strategy's public version as a writer would. */
  const rewriteDay = async (key: ReturnType<typeof keys.settledDay>, value: unknown) => {
    await w.kv.set(key, value);
    await w.deps.publicReads.versions.bump([strategyScope(key[1])], w.clock.now());
  };
  try {
    const owner = await ownerOf(w);
    const deps = simDeps(w);
    await runSimulation(w, deps, owner);

    await t.step("every day's NAV matches the independent calculation", async () => {
      dividendsPaid.n = 0;
      let recorded = 0;
      for (const p of PLANS) {
        for (const d of await deps.settlements.days(p.slug)) {
          assert.equal(d.dividend_convention, "cash_on_ex_date_no_tax");
          recorded += d.dividends!.length;
        }
        const expected = await expectedNavs(deps, p);
        const navs = await deps.settlements.navSeries(p.slug);
        assert.deepEqual(navs.map((n) => n.date), DAYS);
        for (let i = 0; i < DAYS.length; i++) {
          assert.ok(
            Math.abs(navs[i].nav - expected[i]) < 1e-6,
            `${p.slug} ${DAYS[i]}: ${navs[i].nav} vs ${expected[i]}`,
          );
        }
        assert.notEqual(expected[DAYS.length - 1], p.capital, "the strategy traded");
      }
      assert.ok(dividendsPaid.n > 0, "held positions crossed an ex-date");
      assert.equal(recorded, dividendsPaid.n);
    });

    await t.step(
      "the paused strategy was settled as hold days while paused, and the replaced signals are final",
      async () => {
        const paused = await deps.settlements.days("sim-paused", DAYS[21], DAYS[30]);
        assert.equal(paused.length, 10);
        assert.ok(paused.every((d) => d.action === "HOLD"));
        const sig = await deps.signals.get("sim-replaces", DAYS[5]);
        assert.equal(sig!.replaced_hashes.length, 1);
        assert.equal(sig!.is_settled, true);
        assert.equal(sig!.signals.length, 4);
      },
    );

    await t.step("settling again changes nothing", async () => {
      const before = await settledSnapshot(w);
      w.clock.set(sse.instantAt(LAST, "19:00"));
      const again = await settleAll(deps, LAST);
      assert.ok(again.outcomes.every((o) => o.status === "already_settled"));
      assert.equal(await settledSnapshot(w), before);
    });

    await t.step("the verifier passes on every record and fails when one stored NAV is altered", async () => {
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: () => {} },
        createApp(w.deps).fetch,
      );
      try {
        const base = `http://127.0.0.1:${server.addr.port}`;
        for (const p of PLANS) {
          const v = await verifyRecord(base, p.slug);
          assert.equal(v.ok, true, JSON.stringify(v.days.filter((d) => d.failures.length)).slice(0, 500));
          assert.equal(v.days.length, 60);
        }
        const key = keys.settledDay("sim-misses", DAYS[30]);
        const day = (await w.kv.get<SettledDayRecord>(key)).value!;
        await rewriteDay(key, { ...day, nav: day.nav + 1 });
        const v = await verifyRecord(base, "sim-misses");
        assert.equal(v.ok, false);
        const bad = v.days.filter((d) => d.failures.length > 0).map((d) => d.date);
        assert.ok(bad.includes(DAYS[30]));
      } finally {
        await server.shutdown();
      }
    });

    await t.step(
      "the verifier checks cash moved by dividends, trades and fees; legacy days read as none",
      async () => {
        const server = Deno.serve(
          { hostname: "127.0.0.1", port: 0, onListen: () => {} },
          createApp(w.deps).fetch,
        );
        try {
          const base = `http://127.0.0.1:${server.addr.port}`;
          const all = (await Promise.all(PLANS.map((p) => deps.settlements.days(p.slug)))).flat();
          const exDay = all.find((d) => (d.dividends?.length ?? 0) > 0 && d.strategy_slug !== "sim-misses")!;
          assert.ok(exDay, "some strategy was credited a dividend");
          const bundle = await (await fetch(
            `${base}/api/v1/public/strategies/${exDay.strategy_slug}/verify?date=${exDay.date}`,
          )).json();
          assert.equal(bundle.dividend_convention, "cash_on_ex_date_no_tax");
          assert.deepEqual(bundle.dividends, exDay.dividends);
          // A day stored before the convention existed (no field) reads as "none" and still verifies.
          const plainDay = all.find((d) => d.strategy_slug === exDay.strategy_slug && d.date < exDay.date)!;
          const plainKey = keys.settledDay(plainDay.strategy_slug, plainDay.date);
          const { dividend_convention: _c, dividends: _d, ...legacy } = plainDay;
          await rewriteDay(plainKey, legacy);
          const legacyBundle = await (await fetch(
            `${base}/api/v1/public/strategies/${plainDay.strategy_slug}/verify?date=${plainDay.date}`,
          )).json();
          assert.equal(legacyBundle.dividend_convention, "none");
          assert.deepEqual(legacyBundle.dividends, []);
          // Rewriting a chained day into that legacy shape is itself caught: its stored hash no longer matches
          // its published fields, and a legacy day may only precede the chained ones.
          const rewritten = await verifyRecord(base, exDay.strategy_slug);
          assert.equal(rewritten.ok, false);
          const rewrittenFailures = rewritten.days.find((d) => d.date === plainDay.date)!.failures;
          assert.ok(rewrittenFailures.some((f) => f.startsWith("[chain.")), rewrittenFailures.join("; "));
          await rewriteDay(plainKey, plainDay);
          assert.equal((await verifyRecord(base, exDay.strategy_slug)).ok, true, "restored, it verifies");
          // Dropping the credit from the record leaves cash unexplained on the ex-date.
          await rewriteDay(keys.settledDay(exDay.strategy_slug, exDay.date), { ...exDay, dividends: [] });
          const v = await verifyRecord(base, exDay.strategy_slug);
          assert.equal(v.ok, false);
          const failures = v.days.find((d) => d.date === exDay.date)!.failures;
          assert.ok(failures.some((f) => f.includes("opening cash + dividends")), failures.join("; "));
        } finally {
          await server.shutdown();
        }
      },
    );
  } finally {
    await w.close();
  }
});

Deno.test("a crash between strategies, then a re-run, leaves the same records as an uninterrupted run", async () => {
  const clean = await openTestWorld();
  const crashed = await openTestWorld();
  try {
    const depsA = simDeps(clean);
    const ownerA = await ownerOf(clean);
    await runSimulation(clean, depsA, ownerA);

    const depsB = simDeps(crashed);
    const ownerB = await ownerOf(crashed);
    await runSimulation(crashed, depsB, ownerB, { settle: false });
    // Settle through the last day, but "crash" after 70 strategy-day commits (part-way through a strategy).
    let commits = 0;
    const crashing: TrackRecordServices = {
      ...depsB,
      settlements: {
        ...depsB.settlements,
        commitDay(head, c) {
          if (++commits > 70) throw new Error("simulated crash");
          return depsB.settlements.commitDay(head, c);
        },
      },
    };
    crashed.clock.set(sse.instantAt(LAST, "18:15"));
    const partial = await settleAll(crashing, LAST);
    assert.ok(partial.outcomes.some((o) => o.status === "failed"));
    const resumed = await settleAll(depsB, LAST);
    assert.ok(resumed.outcomes.every((o) => o.status !== "failed"));
    for (const p of PLANS) {
      const a = await depsA.settlements.navSeries(p.slug);
      const b = await depsB.settlements.navSeries(p.slug);
      assert.deepEqual(b, a);
      const tradesA = await depsA.settlements.getTrades(p.slug, DAYS[40]);
      assert.deepEqual(await depsB.settlements.getTrades(p.slug, DAYS[40]), tradesA);
    }
    assert.equal(await settledSnapshot(crashed), await settledSnapshot(clean));
  } finally {
    await clean.close();
    await crashed.close();
  }
});
