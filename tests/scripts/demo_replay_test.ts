import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { buildMarketServices } from "../../app/market_services.ts";
import { keys } from "../../domain/store/keys.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import type { TrackRecordServices } from "../../domain/track_record/services.ts";
import {
  DEMO_PLAN_SETTING,
  DEMO_SLUGS,
  type DemoPlan,
  type DemoReport,
  expectedDemoRecords,
  replayDemo,
} from "../../scripts/demo_replay.ts";
import { verifyRecord } from "../../scripts/verify_record.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

const NOW = Date.UTC(2026, 10, 20, 12, 0); // Friday 20:00 CST
const DAYS = 30;

/** A test world serving its app on a loopback port. */
async function openWorld(): Promise<{ w: TestWorld; base: string; close(): Promise<void> }> {
  const w = await openTestWorld();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
  return {
    w,
    base: `http://127.0.0.1:${server.addr.port}`,
    close: async () => {
      await server.shutdown();
      await w.close();
    },
  };
}

function replay(
  w: TestWorld,
  opts: {
    track?: (t: TrackRecordServices) => TrackRecordServices;
    progress?: (line: string) => void;
    nowMs?: number;
  } = {},
): Promise<DemoReport> {
  const market = buildMarketServices(w.kv, fixedClock(NOW), {
    seed: w.config.marketSeed,
    cacheBytes: 64 << 20,
    yahoo: w.config.yahoo,
  });
  const track = { ...w.deps.track, market: market.data };
  return replayDemo(
    { ...(opts.track ? opts.track(track) : track), clock: w.clock },
    w.deps.auth.users,
    createSettingsRepo(w.kv),
    { days: DAYS, nowMs: opts.nowMs ?? NOW, progress: opts.progress },
  );
}

/** Everything the demo wrote that must come out the same however the replay was interrupted. */
async function snapshot(w: TestWorld) {
  const out: Record<string, unknown> = {};
  for (const slug of DEMO_SLUGS) {
    out[slug] = {
      strategy: await w.deps.track.strategies.get(slug).then((s) => s && { ...s, id: "", owner_id: "" }),
      navs: await w.deps.track.settlements.navSeries(slug),
      days: await w.deps.track.settlements.days(slug),
      signals: (await w.deps.track.signals.listAll(slug)).map((s) => ({ ...s, id: "" })),
    };
  }
  out.claimed = (await w.deps.track.claimed.get("demo-reversal"))?.records;
  const head = await w.deps.track.demoTlog.checkpoint();
  out.log = { tree_size: head.tree_size, root_hash: head.root_hash };
  return out;
}

async function verifyAll(base: string, plan: DemoPlan) {
  const out = [];
  for (const e of expectedDemoRecords(plan)) {
    out.push(await verifyRecord(base, e.slug, fetch, { ...e, through: e.last_day }));
  }
  return out;
}

/** An uninterrupted replay, to compare interrupted ones with. */
let reference: Promise<Record<string, unknown>> | null = null;
function referenceSnapshot() {
  reference ??= (async () => {
    const w = await openTestWorld();
    try {
      await replay(w);
      return await snapshot(w);
    } finally {
      await w.close();
    }
  })();
  return reference;
}

Deno.test("replayDemo() builds three complete demo records through the real code, and they verify", async () => {
  const { w, base, close } = await openWorld();
  try {
    const report = await replay(w);
    assert.deepEqual(
      { ...report },
      {
        first_day: "2026-10-12",
        last_day: "2026-11-20",
        days: DAYS,
        created: true,
        resumed_at: null,
        replayed_days: DAYS,
        signals: 6 + 1 + 23 + 3,
        settled_days: 90,
      },
    );
    assert.deepEqual(expectedDemoRecords(report).map((e) => [e.slug, e.settled_days, e.signal_days]), [
      ["demo-reversal", 30, 6],
      ["demo-momentum", 30, 23],
      ["demo-etf-rotation", 30, 3],
    ]);
    for (const v of await verifyAll(base, report)) {
      assert.equal(v.ok, true, `${v.slug}: ${v.failures.join("; ")}`);
      assert.equal(v.days.length, 30);
    }
    for (const slug of DEMO_SLUGS) assert.equal((await w.deps.track.strategies.get(slug))!.is_demo, true);
    assert.equal((await w.deps.track.claimed.get("demo-reversal"))!.records.length, 60);
  } finally {
    await close();
  }
});

Deno.test("replayDemo() run again on a complete record writes nothing", async () => {
  const { w, close } = await openWorld();
  try {
    await replay(w);
    const before = await snapshot(w);
    // A day later: the stored window is kept, so the record it checks does not move.
    const again = await replay(w, { nowMs: NOW + 3 * 86_400_000 });
    assert.deepEqual(
      { ...again },
      {
        first_day: "2026-10-12",
        last_day: "2026-11-20",
        days: DAYS,
        created: false,
        resumed_at: null,
        replayed_days: 0,
        signals: 0,
        settled_days: 0,
      },
    );
    assert.deepEqual(await snapshot(w), before);
  } finally {
    await close();
  }
});

Deno.test("an interrupted replay is reported incomplete by the verifier, and a re-run finishes it exactly", async () => {
  const { w, base, close } = await openWorld();
  try {
    await assert.rejects(
      replay(w, {
        progress: (line) => {
          if (line.includes("20/30")) throw new Error("interrupted");
        },
      }),
      /interrupted/,
    );
    const plan = JSON.parse(await createSettingsRepo(w.kv).getOrCreate(DEMO_PLAN_SETTING, () => "{}"));
    assert.deepEqual(plan, { first_day: "2026-10-12", last_day: "2026-11-20", days: DAYS });
    for (const v of await verifyAll(base, plan)) {
      assert.equal(v.ok, false, v.slug);
      assert.equal(v.days.length, 20);
      assert.ok(v.days.every((d) => d.failures.length === 0), "the days that exist do verify");
      assert.ok(
        v.failures.includes(
          "[completeness] incomplete record: settled through 2026-11-06, expected through 2026-11-20",
        ),
        v.failures.join("; "),
      );
      assert.ok(
        v.failures.includes(
          "[completeness] incomplete record: 20 settled days through 2026-11-20, expected 30",
        ),
        v.failures.join("; "),
      );
    }

    const resumed = await replay(w);
    assert.equal(resumed.created, false);
    assert.equal(resumed.resumed_at, "2026-11-09");
    assert.equal(resumed.replayed_days, 10);
    assert.equal(resumed.settled_days, 30);
    for (const v of await verifyAll(base, resumed)) assert.equal(v.ok, true, v.failures.join("; "));
    assert.deepEqual(await snapshot(w), await referenceSnapshot());
  } finally {
    await close();
  }
});

Deno.test("a replay that stops between two strategies' settlements of one day resumes that day (even without a stored window)", async () => {
  const { w, base, close } = await openWorld();
  try {
    const failOn = "2026-10-29"; // day 13 of the window (2026-10-12 → 2026-11-20): a momentum signal
    let failed = false;
    await assert.rejects(
      replay(w, {
        track: (t) => ({
          ...t,
          settlements: {
            ...t.settlements,
            commitDay: (head, c) => {
              if (c.day.strategy_slug === "demo-momentum" && c.day.date === failOn && !failed) {
                failed = true;
                return Promise.reject(new Error("process killed"));
              }
              return t.settlements.commitDay(head, c);
            },
          },
        }),
      }),
      /settling demo-momentum for 2026-10-29 failed: process killed/,
    );
    assert.equal((await w.deps.track.settlements.head("demo-reversal"))!.date, failOn);
    assert.equal((await w.deps.track.settlements.head("demo-momentum"))!.date, "2026-10-28");
    const stored = await w.deps.track.signals.get("demo-momentum", failOn);
    assert.equal(stored!.is_settled, false);

    // Demo data from before the window was stored, resumed a week later: the window comes from the record.
    await w.kv.delete(keys.setting(DEMO_PLAN_SETTING));
    const resumed = await replay(w, { nowMs: NOW + 7 * 86_400_000 });
    assert.deepEqual([resumed.first_day, resumed.last_day], ["2026-10-12", "2026-11-20"]);
    assert.equal(resumed.resumed_at, failOn);
    // Days 14–29 only, the stopped day's momentum signal is re-used: reversal 15, 20, 25; momentum 12 of 16
    // (not 15, 19, 23, 27); ETF rotation 20.
    assert.equal(resumed.signals, 3 + 12 + 1);
    for (const v of await verifyAll(base, resumed)) assert.equal(v.ok, true, v.failures.join("; "));
    assert.deepEqual(await snapshot(w), await referenceSnapshot());
  } finally {
    await close();
  }
});

Deno.test("a signal stored but not logged stops the replay before settlement; the re-run logs it", async () => {
  const { w, base, close } = await openWorld();
  try {
    // The demo's strategies log to the demo log, which also takes each settled day's record hash: the appends of
    // demo-momentum's third signal fail twice (the append in the submission and the in-run retry of it).
    const seen = new Set<string>();
    let target: string | null = null;
    let refused = 0;
    await assert.rejects(
      replay(w, {
        track: (t) => ({
          ...t,
          demoTlog: {
            ...t.demoTlog,
            append: async (hash) => {
              const signals = await w.deps.track.signals.listAll("demo-momentum");
              if (target === null && signals.some((x) => x.signal_hash === hash)) {
                seen.add(hash);
                if (seen.size === 3) target = hash;
              }
              if (hash === target && refused < 2) {
                refused++;
                throw new Error("disk full");
              }
              return await t.demoTlog.append(hash);
            },
          },
        }),
      }),
      /is not in the transparency log/,
    );
    const unlogged = (await w.deps.track.signals.listAll("demo-momentum")).filter((s) => !s.log);
    assert.equal(unlogged.length, 1);
    assert.equal(unlogged[0].is_settled, false, "an unlogged signal is never settled");

    const resumed = await replay(w);
    for (const v of await verifyAll(base, resumed)) assert.equal(v.ok, true, v.failures.join("; "));
    assert.deepEqual(await snapshot(w), await referenceSnapshot());
  } finally {
    await close();
  }
});

Deno.test("verifyRecord() catches a record with a day left out, even without expectations", async () => {
  const { w, base, close } = await openWorld();
  try {
    await replay(w);
    // A server that hides one settled day from the track record (the day's own bundle still answers).
    const hiding = async (url: string) => {
      const res = await fetch(url);
      if (!url.endsWith("/track-record")) return res;
      const body = await res.json();
      body.records = body.records.filter((r: { date: string }) => r.date !== "2026-10-20");
      return Response.json(body);
    };
    const v = await verifyRecord(base, "demo-momentum", hiding);
    assert.equal(v.ok, false);
    assert.deepEqual(v.failures, [
      "[track_record.dates] settled days are not consecutive: 2026-10-19 is followed by 2026-10-21 (missing 2026-10-20)",
    ]);
    assert.equal((await verifyRecord(base, "demo-momentum")).ok, true);
  } finally {
    await close();
  }
});

Deno.test("a demo record replayed across July ex-dates credits cash dividends and verifies", async () => {
  const { w, base, close } = await openWorld();
  try {
    const report = await replay(w, { nowMs: Date.UTC(2026, 6, 24, 12, 0) }); // Friday 24 July, 20:00 CST
    assert.ok(report.first_day < "2026-07-10" && report.last_day > "2026-07-10", JSON.stringify(report));
    let credits = 0;
    for (const slug of DEMO_SLUGS) {
      for (const d of await w.deps.track.settlements.days(slug)) {
        assert.equal(d.dividend_convention, "cash_on_ex_date_no_tax");
        credits += d.dividends!.length;
      }
    }
    assert.ok(credits > 0, "a demo position was held into an ex-date");
    for (const v of await verifyAll(base, report)) {
      assert.equal(v.ok, true, `${v.slug}: ${v.failures.join("; ")}`);
      assert.equal(v.days.length, 30);
    }
  } finally {
    await close();
  }
});
