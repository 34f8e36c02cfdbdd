/**
 * Out-of-sample tracking (`trackFactorsOutOfSample`): hand-worked OS rank ICs on a four-stock table market, the
 * activation boundary, the 30/60/120-day windows, incremental runs equal to a run from scratch, idempotence,
 * formula factors' new days, non-trading days, and one failing factor not stopping the others.
 */
import assert from "node:assert/strict";
import { getCalendar } from "../../../domain/calendar/calendar.ts";
import { fixedClock } from "../../../domain/clock.ts";
import type { LogFn } from "../../../domain/log.ts";
import type { MarketData } from "../../../domain/market/types.ts";
import { trackFactorsOutOfSample } from "../../../domain/factors/os_tracking.ts";
import type { FactorServices } from "../../../domain/factors/services.ts";
import { createFactorRepo, type FactorRecord, type FactorRepo } from "../../../domain/store/factor_repo.ts";
import {
  activeFactor,
  cstInstant,
  fwdReturn,
  putRows,
  tableMarket,
  walkMarket,
} from "../../_helpers/os_fake_market.ts";

const cal = getCalendar("SSE");
const S = ["600000.SH", "600001.SH", "600002.SH", "600003.SH"];

interface World {
  deps: FactorServices;
  repo: FactorRepo;
  clock: ReturnType<typeof fixedClock>;
  logs: { level: string; msg: string; fields?: Record<string, unknown> }[];
}

async function withWorld(market: MarketData, fn: (w: World) => Promise<void>): Promise<void> {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createFactorRepo(kv);
    const clock = fixedClock(cstInstant("2026-05-13", 18, 40));
    const logs: World["logs"] = [];
    const log: LogFn = (level, msg, fields) => logs.push({ level, msg, fields });
    const deps: FactorServices = {
      factors: repo,
      market,
      notifications: {} as FactorServices["notifications"],
      clock,
      log,
    };
    await fn({ deps, repo, clock, logs });
  } finally {
    kv.close();
  }
}

/** The `os` block without its time stamp. */
const osOf = (r: FactorRecord | null) => {
  assert.ok(r?.os, "an os block");
  const { updated_at: _, ...rest } = r.os;
  return rest;
};

// ------------------------------------------------------------------ a hand-worked panel

/**
 * Four stocks. Returns that matter (close to close):
 * - 04-29 → 04-30: +4, +3, +2, +1 %   (forward return of factor date 04-28)
 * - 05-07 → 05-08: 0, −0.99, −1.96, −2.91 %   (of 05-06, the activation day)
 * - 05-08 → 05-11: +1, +3, +2, +4 %   (of 05-07)
 * - 05-11 → 05-12: +1, +2, +3, +4 %   (of 05-08)
 * - 05-12 → 05-13: +1, +2, +3, +5 %   (of 05-11)
 * The market ends on 05-13, so factor dates 05-12 and 05-13 have no forward return yet.
 */
const HAND_DATES = [
  "2026-04-27",
  "2026-04-28",
  "2026-04-29",
  "2026-04-30",
  "2026-05-06",
  "2026-05-07",
  "2026-05-08",
  "2026-05-11",
  "2026-05-12",
  "2026-05-13",
];
const c0511 = [101, 103, 102, 104];
const c0512 = c0511.map((c, j) => c * [1.01, 1.02, 1.03, 1.04][j]);
const c0513 = c0512.map((c, j) => c * [1.01, 1.02, 1.03, 1.05][j]);
const HAND_CLOSE = [
  [100, 100, 100, 100],
  [100, 100, 100, 100],
  [100, 100, 100, 100],
  [104, 103, 102, 101],
  [100, 100, 100, 100],
  [100, 101, 102, 103],
  [100, 100, 100, 100],
  c0511,
  c0512,
  c0513,
];
const v = (a: number, b: number, c: number, d: number) => ({ [S[0]]: a, [S[1]]: b, [S[2]]: c, [S[3]]: d });

/**
 * Factor values. By hand (Spearman = 1 − 6Σd² / (n(n² − 1)) for n = 4 without ties):
 * - 04-28: [4,3,2,1] vs returns ranked [4,3,2,1] → +1 (before activation: must not count)
 * - 05-06: [1,2,3,4] vs returns ranked [4,3,2,1] → −1 (the activation day itself: must not count)
 * - 05-07: [1,2,3,4] vs [1,3,2,4] → Σd² = 2 → 1 − 12/60 = 0.8
 * - 05-08: [4,3,2,1] vs [1,2,3,4] → −1
 * - 05-11: three names (the fourth has no value), a tie: ranks [1.5,1.5,3] vs [1,2,3]
 *   → Pearson on ranks = 1.5 / √(1.5 × 2) = √3 / 2
 * - 05-12, 05-13: values but no forward return yet.
 */
const HAND_VALUES = {
  "2026-04-28": v(4, 3, 2, 1),
  "2026-05-06": v(1, 2, 3, 4),
  "2026-05-07": v(1, 2, 3, 4),
  "2026-05-08": v(4, 3, 2, 1),
  "2026-05-11": v(1, 1, 3, NaN),
  "2026-05-12": v(1, 2, 3, 4),
  "2026-05-13": v(4, 1, 2, 3),
};

Deno.test("OS ICs by hand: only factor dates after the activation date count, windows end at the last forward return", () =>
  withWorld(tableMarket(HAND_DATES, S, HAND_CLOSE), async (w) => {
    await w.repo.create(activeFactor("f1", cstInstant("2026-05-06", 10)));
    await putRows(w.repo, "f1", HAND_VALUES);
    const summary = await trackFactorsOutOfSample(w.deps, "2026-05-13");
    assert.deepEqual(summary, {
      date: "2026-05-13",
      trading_day: true,
      factors: 1,
      tracked: 1,
      formula_days: 0,
      failed: [],
    });
    const rec = await w.repo.get("f1");
    const mean = (0.8 - 1 + Math.sqrt(3) / 2) / 3;
    const os = osOf(rec);
    for (const k of ["ic_mean_30d", "ic_mean_60d", "ic_mean_120d"] as const) {
      assert.ok(Math.abs(os[k]! - mean) < 1e-12, `${k} = ${os[k]}, by hand ${mean}`);
    }
    assert.deepEqual([os.start_date, os.days, os.last_date], ["2026-05-07", 3, "2026-05-11"]);
    assert.equal(rec!.os!.updated_at, w.clock.now());
    // The rest of the record is untouched.
    assert.equal(rec!.status, "active");
    assert.equal(rec!.updated_at, Date.UTC(2025, 0, 1));
  }));

Deno.test("OS ICs by hand: a later activation moves the boundary (values uploaded before it never count)", () =>
  withWorld(tableMarket(HAND_DATES, S, HAND_CLOSE), async (w) => {
    // Activated on 05-07 at 23:30 CST (15:30Z): 05-07 is the activation date, so OS starts on 05-08.
    await w.repo.create(activeFactor("f1", cstInstant("2026-05-07", 23, 30)));
    await putRows(w.repo, "f1", HAND_VALUES);
    await trackFactorsOutOfSample(w.deps, "2026-05-13");
    const os = osOf(await w.repo.get("f1"));
    assert.ok(Math.abs(os.ic_mean_30d! - (-1 + Math.sqrt(3) / 2) / 2) < 1e-12);
    assert.deepEqual([os.start_date, os.days, os.last_date], ["2026-05-08", 2, "2026-05-11"]);
  }));

Deno.test("OS ICs: values after activation count as they arrive; before any, the block is empty", () =>
  withWorld(tableMarket(HAND_DATES, S, HAND_CLOSE), async (w) => {
    await w.repo.create(activeFactor("f1", cstInstant("2026-05-06", 10)));
    await putRows(w.repo, "f1", { "2026-04-28": HAND_VALUES["2026-04-28"] });
    await trackFactorsOutOfSample(w.deps, "2026-05-13");
    assert.deepEqual(osOf(await w.repo.get("f1")), {
      ic_mean_30d: null,
      ic_mean_60d: null,
      ic_mean_120d: null,
      start_date: null,
      days: 0,
      last_date: null,
    });
    // Only 05-12 and 05-13 after activation: values, but no forward return yet → nothing defined.
    await putRows(w.repo, "f1", {
      "2026-05-12": HAND_VALUES["2026-05-12"],
      "2026-05-13": HAND_VALUES["2026-05-13"],
    });
    await trackFactorsOutOfSample(w.deps, "2026-05-13");
    assert.deepEqual(osOf(await w.repo.get("f1")).days, 0);
    // 05-07 uploaded after activation: it counts.
    await putRows(w.repo, "f1", { "2026-05-07": HAND_VALUES["2026-05-07"] });
    await trackFactorsOutOfSample(w.deps, "2026-05-13");
    const os = osOf(await w.repo.get("f1"));
    assert.ok(Math.abs(os.ic_mean_30d! - 0.8) < 1e-12);
    assert.deepEqual([os.start_date, os.days, os.last_date], ["2026-05-07", 1, "2026-05-07"]);
  }));

Deno.test("OS tracking for an earlier date reads only factor dates up to it", () =>
  withWorld(tableMarket(HAND_DATES, S, HAND_CLOSE), async (w) => {
    await w.repo.create(activeFactor("f1", cstInstant("2026-05-06", 10)));
    await putRows(w.repo, "f1", HAND_VALUES);
    await trackFactorsOutOfSample(w.deps, "2026-05-08");
    const os = osOf(await w.repo.get("f1"));
    assert.ok(Math.abs(os.ic_mean_30d! - (0.8 - 1) / 2) < 1e-12);
    assert.deepEqual([os.start_date, os.days, os.last_date], ["2026-05-07", 2, "2026-05-08"]);
  }));

// ------------------------------------------------------------------ windows

const FIVE = ["600000.SH", "600001.SH", "600002.SH", "600003.SH", "600004.SH"];

Deno.test("OS windows: the last 30 / 60 / 120 SSE trading days ending at the last factor date with a forward return", () => {
  const m = walkMarket("2025-10-09", "2026-05-13", FIVE);
  return withWorld(m.market, async (w) => {
    // Activated 2025-10-31: OS dates from 2025-11-03. Factor = its own forward return (IC +1) in the last 30
    // trading days up to 05-11 (the last date with a forward return), its negative (IC −1) before.
    const act = cstInstant("2025-10-31", 12);
    await w.repo.create(activeFactor("f1", act));
    const anchor = "2026-05-11";
    const from30 = cal.tradingDayOffset(anchor, -29);
    const rows: Record<string, Record<string, number>> = {};
    m.dates.forEach((d, t) => {
      if (d <= "2025-10-31") return;
      const sign = d >= from30 ? 1 : -1;
      rows[d] = Object.fromEntries(FIVE.map((s, j) => [s, d > anchor ? j : sign * fwdReturn(m.close, t, j)]));
    });
    await putRows(w.repo, "f1", rows);
    await trackFactorsOutOfSample(w.deps, "2026-05-13");
    const os = osOf(await w.repo.get("f1"));
    const osDays = cal.countTradingDays("2025-11-03", anchor);
    assert.ok(osDays > 120, `the test needs more than 120 OS days (has ${osDays})`);
    const near = (a: number | null, b: number) =>
      assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);
    near(os.ic_mean_30d, 1);
    near(os.ic_mean_60d, (30 - 30) / 60);
    near(os.ic_mean_120d, (30 - 90) / 120);
    assert.deepEqual([os.start_date, os.days, os.last_date], ["2025-11-03", osDays, anchor]);
  });
});

Deno.test("OS windows: trading days without a value count in the window's length, not in its mean", () => {
  const m = walkMarket("2026-01-05", "2026-05-13", FIVE);
  return withWorld(m.market, async (w) => {
    // The first OS day is 50 trading days before 05-11.
    const first = cal.tradingDayOffset("2026-05-11", -50);
    await w.repo.create(activeFactor("f1", cstInstant(cal.previousTradingDay(first), 12)));
    // Values only on the first OS day and on 05-11: the 30-day window holds one IC, the 60-day window two.
    const ti = m.dates.indexOf(first), tl = m.dates.indexOf("2026-05-11");
    await putRows(w.repo, "f1", {
      [first]: Object.fromEntries(FIVE.map((s, j) => [s, -fwdReturn(m.close, ti, j)])),
      "2026-05-11": Object.fromEntries(FIVE.map((s, j) => [s, fwdReturn(m.close, tl, j)])),
    });
    await trackFactorsOutOfSample(w.deps, "2026-05-13");
    const os = osOf(await w.repo.get("f1"));
    assert.ok(Math.abs(os.ic_mean_30d! - 1) < 1e-12);
    assert.ok(Math.abs(os.ic_mean_60d! - 0) < 1e-12);
    assert.deepEqual([os.start_date, os.days, os.last_date], [first, 2, "2026-05-11"]);
  });
});

// ------------------------------------------------------------------ incremental, idempotent, bounded

/** Values with ICs of both signs and every size: a fixed pseudo-random score per (date, symbol). */
function noisyRows(dates: readonly string[], after: string) {
  const rows: Record<string, Record<string, number>> = {};
  dates.forEach((d, t) => {
    if (d > after) {
      rows[d] = Object.fromEntries(
        FIVE.map((s, j) => [s, Math.sin(t * 12.9898 + j * 78.233) * 43758.5453 % 1]),
      );
    }
  });
  return rows;
}

Deno.test("OS tracking run by run (with a missed stretch) stores what one run from scratch stores; twice = same", () => {
  const m = walkMarket("2025-08-01", "2026-05-13", FIVE);
  return withWorld(m.market, async (w) => {
    const act = cstInstant("2025-08-15", 20);
    await w.repo.create(activeFactor("inc", act));
    await w.repo.create(activeFactor("scratch", act));
    const rows = noisyRows(m.dates, "2025-08-15");
    await putRows(w.repo, "inc", rows);
    await putRows(w.repo, "scratch", rows);
    // Day by day in September, a gap of more than 122 trading days, then day by day again.
    const runs = [
      ...cal.tradingDaysBetween("2025-09-01", "2025-09-30"),
      ...cal.tradingDaysBetween("2026-05-06", "2026-05-13"),
    ];
    for (const d of runs) {
      // The scratch factor forgets its block before every run, so each run tracks it from scratch.
      await w.repo.update("scratch", (r) => ({ ...r, os: null }));
      w.clock.set(cstInstant(d, 18, 40));
      const s = await trackFactorsOutOfSample(w.deps, d);
      assert.equal(s.failed.length, 0, JSON.stringify(s.failed));
      assert.deepEqual(osOf(await w.repo.get("inc")), osOf(await w.repo.get("scratch")), `run of ${d}`);
    }
    const inc = await w.repo.get("inc");
    assert.ok(osOf(inc).days > 150, `days counts every OS IC (${osOf(inc).days})`);
    // Idempotent: the same run again stores the same record.
    await trackFactorsOutOfSample(w.deps, "2026-05-13");
    assert.deepEqual(await w.repo.get("inc"), inc);
  });
});

Deno.test("an os block from before the latest activation is not carried over", () =>
  withWorld(tableMarket(HAND_DATES, S, HAND_CLOSE), async (w) => {
    const stale = {
      ic_mean_30d: 0.5,
      ic_mean_60d: 0.5,
      ic_mean_120d: 0.5,
      start_date: "2026-04-28",
      days: 99,
      last_date: "2026-04-30",
      updated_at: cstInstant("2026-05-01", 18, 40),
    };
    await w.repo.create(activeFactor("f1", cstInstant("2026-05-06", 10), { os: stale }));
    await putRows(w.repo, "f1", HAND_VALUES);
    await trackFactorsOutOfSample(w.deps, "2026-05-13");
    const os = osOf(await w.repo.get("f1"));
    assert.deepEqual([os.start_date, os.days, os.last_date], ["2026-05-07", 3, "2026-05-11"]);
  }));

// ------------------------------------------------------------------ formula factors

Deno.test("a formula factor gets its new days' values computed from the market, then tracked", () =>
  withWorld(tableMarket(HAND_DATES, S, HAND_CLOSE), async (w) => {
    await w.repo.create(
      activeFactor("fx", cstInstant("2026-05-06", 10), {
        values_source: "formula",
        expression: "-ts_delta(close, 2)",
        history_days: 5,
      }),
    );
    // Its values up to 05-08 exist (computed at creation); 05-11 … 05-13 are new.
    await putRows(w.repo, "fx", { "2026-05-07": v(1, 2, 3, 4), "2026-05-08": v(4, 3, 2, 1) });
    const s = await trackFactorsOutOfSample(w.deps, "2026-05-13");
    assert.equal(s.formula_days, 3, JSON.stringify(s));
    // −(close[T] − close[T−2 trading days]).
    const t11 = HAND_DATES.indexOf("2026-05-11");
    for (const [d, t] of [["2026-05-11", t11], ["2026-05-12", t11 + 1], ["2026-05-13", t11 + 2]] as const) {
      const row = await w.repo.readDate("fx", d);
      assert.ok(row, `values on ${d}`);
      const got = Object.fromEntries(row.symbols.map((sym, i) => [sym, row.values[i]]));
      for (let j = 0; j < S.length; j++) {
        assert.ok(Math.abs(got[S[j]] - -(HAND_CLOSE[t][j] - HAND_CLOSE[t - 2][j])) < 1e-9, `${d} ${S[j]}`);
      }
    }
    const rec = await w.repo.get("fx");
    assert.equal(rec!.values.end_date, "2026-05-13");
    assert.equal(rec!.status, "active");
    // 05-11's computed values −(close 05-11 − close 05-07) = [−1, −2, 0, −1] (ranks 2.5, 1, 4, 2.5) against the
    // returns 05-12 → 05-13 [1, 2, 3, 5] % (ranks 1, 2, 3, 4): cov 1.5 / √(4.5 × 5) = 1/√10 (by hand).
    const os = osOf(rec);
    assert.ok(Math.abs(os.ic_mean_30d! - (0.8 - 1 + 1 / Math.sqrt(10)) / 3) < 1e-12, String(os.ic_mean_30d));
    // A second run has nothing new to compute.
    assert.equal((await trackFactorsOutOfSample(w.deps, "2026-05-13")).formula_days, 0);
  }));

// ------------------------------------------------------------------ calendar and failures

Deno.test("on a day the SSE does not trade, nothing is read or written", () =>
  withWorld(tableMarket(HAND_DATES, S, HAND_CLOSE), async (w) => {
    await w.repo.create(activeFactor("f1", cstInstant("2026-05-06", 10)));
    await putRows(w.repo, "f1", HAND_VALUES);
    const before = await w.repo.get("f1");
    for (const d of ["2026-05-04", "2026-05-09"]) { // Labour Day holiday (a Monday), a Saturday
      const s = await trackFactorsOutOfSample(w.deps, d);
      assert.deepEqual(s, {
        date: d,
        trading_day: false,
        factors: 0,
        tracked: 0,
        formula_days: 0,
        failed: [],
      });
    }
    assert.deepEqual(await w.repo.get("f1"), before);
  }));

Deno.test("one failing factor is logged and the others are still tracked", () =>
  withWorld(tableMarket(HAND_DATES, S, HAND_CLOSE), async (w) => {
    await w.repo.create(activeFactor("a-broken", null));
    await w.repo.create(activeFactor("b-fine", cstInstant("2026-05-06", 10)));
    await putRows(w.repo, "b-fine", HAND_VALUES);
    const s = await trackFactorsOutOfSample(w.deps, "2026-05-13");
    assert.equal(s.factors, 2);
    assert.equal(s.tracked, 1);
    assert.deepEqual(s.failed.map((f) => f.factor_id), ["a-broken"]);
    assert.equal(osOf(await w.repo.get("b-fine")).days, 3);
    assert.ok(w.logs.some((l) => l.level === "error" && l.fields?.factor_id === "a-broken"));
  }));

Deno.test("factors that are not active are not tracked", () =>
  withWorld(tableMarket(HAND_DATES, S, HAND_CLOSE), async (w) => {
    await w.repo.create(activeFactor("r1", cstInstant("2026-05-06", 10), { status: "rejected" }));
    await putRows(w.repo, "r1", HAND_VALUES);
    const s = await trackFactorsOutOfSample(w.deps, "2026-05-13");
    assert.equal(s.factors, 0);
    assert.equal((await w.repo.get("r1"))!.os, null);
  }));

Deno.test("one run reads a universe's closes once for all its factors", async () => {
  const base = tableMarket(HAND_DATES, S, HAND_CLOSE);
  let reads = 0;
  const counting: MarketData = {
    ...base,
    getBars: (symbol, start, end, owner) => (reads++, base.getBars(symbol, start, end, owner)),
  };
  await withWorld(counting, async (w) => {
    for (const id of ["f1", "f2", "f3"]) {
      await w.repo.create(activeFactor(id, cstInstant("2026-05-06", 10)));
      await putRows(w.repo, id, HAND_VALUES);
    }
    reads = 0;
    const s = await trackFactorsOutOfSample(w.deps, "2026-05-13");
    assert.equal(s.tracked, 3);
    assert.equal(reads, S.length, "one panel of four symbols for three factors");
    const os = osOf(await w.repo.get("f3"));
    assert.deepEqual([os.start_date, os.days, os.last_date], ["2026-05-07", 3, "2026-05-11"]);
  });
});

Deno.test("a formula factor's long gap is caught up at most 250 days a run, oldest first", () => {
  const m = walkMarket("2025-01-02", "2026-05-13", FIVE);
  return withWorld(m.market, async (w) => {
    await w.repo.create(
      activeFactor("fx", cstInstant("2025-01-02", 20), { values_source: "formula", expression: "close" }),
    );
    await putRows(w.repo, "fx", { "2025-01-03": Object.fromEntries(FIVE.map((s, j) => [s, m.close[1][j]])) });
    const gap = cal.countTradingDays("2025-01-06", "2026-05-13");
    assert.ok(gap > 250);
    assert.equal((await trackFactorsOutOfSample(w.deps, "2026-05-13")).formula_days, 250);
    const dates = await w.repo.valueDates("fx");
    assert.equal(dates.at(-1), cal.tradingDayOffset("2025-01-03", 250), "oldest first: no hole");
    assert.equal((await trackFactorsOutOfSample(w.deps, "2026-05-13")).formula_days, gap - 250);
    assert.equal((await w.repo.valueDates("fx")).length, gap + 1);
    const last = await w.repo.readDate("fx", "2026-05-13");
    assert.deepEqual(Array.from(last!.values), m.close.at(-1));
  });
});
