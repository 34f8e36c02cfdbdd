/**
 * Direct tests of `domain/track_record/signals/`: deadlines, weight validation, submission, withdrawal rules and the status
 * machine, called as functions over the production wiring (no HTTP).
 */
import assert from "node:assert/strict";
import { BadRequestError, ConflictError, NotFoundError, ValidationError } from "../../../../domain/errors.ts";
import {
  assertBeforeDeadline,
  MAX_SIGNAL_SYMBOLS,
  signalDeadline,
  submitSignal,
  toSignalView,
  withdrawSignal,
} from "../../../../domain/track_record/signals/signals.ts";
import {
  createTrackedStrategy,
  isAllowedTransition,
  patchTracked,
} from "../../../../domain/track_record/signals/tracked_strategies.ts";
import type { TrackedStatus } from "../../../../domain/store/tracked_strategy_repo.ts";
import type { TrackRecordServices } from "../../../../domain/track_record/services.ts";
import { openTestWorld, type TestWorld } from "../../../_helpers/test_app.ts";

const OWNER = "usr_direct";
const DAY = "2026-05-14"; // Thursday; the test clock starts at 09:00 Asia/Shanghai on it
/** `DAY` at hh:mm:ss.mmm Asia/Shanghai, epoch ms. */
const cst = (h: number, m: number, s = 0, ms = 0) => Date.UTC(2026, 4, 14, h - 8, m, s, ms);

async function world(): Promise<{ w: TestWorld; track: TrackRecordServices }> {
  const w = await openTestWorld();
  return { w, track: w.deps.track };
}

async function strategy(track: TrackRecordServices, slug: string, execution: "open" | "close" = "open") {
  return await createTrackedStrategy(track, OWNER, 10, {
    name: slug,
    slug,
    universe: "hs300",
    execution_price: execution,
    holding_period: 10,
    initial_capital: 1_000_000,
    commission_rate: 0.0003,
    slippage_rate: 0.002,
  });
}

/** The error `fn` rejects with, or a failure when it resolves. */
async function rejection(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    return e as Error;
  }
  throw new assert.AssertionError({ message: "expected a rejection" });
}

Deno.test("signalDeadline(): 09:15 Asia/Shanghai for open execution, 15:00 for close", () => {
  assert.equal(new Date(signalDeadline(DAY, "open")).toISOString(), "2026-05-14T01:15:00.000Z");
  assert.equal(new Date(signalDeadline(DAY, "close")).toISOString(), "2026-05-14T07:00:00.000Z");
});

Deno.test("assertBeforeDeadline(): the last millisecond is in time, the deadline itself is late", () => {
  assert.equal(assertBeforeDeadline(DAY, "open", cst(9, 14, 59, 999)), cst(9, 15));
  assert.throws(() => assertBeforeDeadline(DAY, "open", cst(9, 15)), (e: Error) => {
    assert.ok(e instanceof BadRequestError);
    assert.match(
      e.message,
      /Signal deadline passed: signals for 2026-05-14 \(open execution\) had to arrive before 09:15/,
    );
    return true;
  });
  assert.equal(assertBeforeDeadline(DAY, "close", cst(14, 59, 59, 999)), cst(15, 0));
  assert.throws(() => assertBeforeDeadline(DAY, "close", cst(15, 0)), BadRequestError);
  // A later trading day is fine today; an earlier one is in the past even before its deadline time.
  assert.equal(assertBeforeDeadline("2026-05-15", "open", cst(20, 0)), signalDeadline("2026-05-15", "open"));
  assert.throws(
    () => assertBeforeDeadline("2026-05-13", "close", cst(0, 1)),
    /is in the past \(today is 2026-05-14/,
  );
});

Deno.test("assertBeforeDeadline(): a malformed date is a ValidationError, a closed day names the next trading day", () => {
  const malformed = (() => {
    try {
      assertBeforeDeadline("2026-02-30", "open", cst(9, 0));
    } catch (e) {
      return e;
    }
  })() as ValidationError;
  assert.ok(malformed instanceof ValidationError);
  assert.deepEqual(malformed.loc, ["trade_date"]);
  const weekend = (() => {
    try {
      assertBeforeDeadline("2026-05-16", "open", cst(9, 0));
    } catch (e) {
      return e;
    }
  })() as BadRequestError;
  assert.ok(weekend instanceof BadRequestError);
  assert.equal(weekend.extra?.next_trading_day, "2026-05-18");
  assert.equal(weekend.extra?.provisional, false);
});

Deno.test("weight validation: every issue is reported with its path, the first one as the message", async () => {
  const { w, track } = await world();
  try {
    await strategy(track, "weights-1");
    const submit = (signals: { symbol: string; weight: number }[]) =>
      rejection(() => submitSignal(track, OWNER, "weights-1", { trade_date: DAY, signals }));
    const issues = async (signals: { symbol: string; weight: number }[]) => {
      const e = await submit(signals);
      assert.ok(e instanceof ValidationError, String(e));
      return (e.issues ?? []).map((i) => [i.loc.join("."), i.msg]);
    };
    assert.deepEqual(await issues([{ symbol: "600519", weight: 0.1 }]), [
      ["signals.0.symbol", 'Symbol "600519" must look like 600519.SH or 000001.SZ'],
    ]);
    assert.deepEqual(
      await issues([{ symbol: "600519.SH", weight: 0.5 }, { symbol: "600519.SH", weight: 0.1 }]),
      [
        ["signals.1.symbol", 'Duplicate symbol "600519.SH"'],
      ],
    );
    assert.deepEqual(
      await issues([{ symbol: "600519.SH", weight: 0 }, { symbol: "000001.SZ", weight: 1.5 }]),
      [
        ["signals.0.weight", "Weight of 600519.SH must be in (0, 1]"],
        ["signals.1.weight", "Weight of 000001.SZ must be in (0, 1]"],
        ["signals", "Weights sum to 1.5; at most 1 (the rest is cash)"],
      ],
    );
    // Symbols are looked up only once the form is right: an index and an unknown symbol.
    assert.deepEqual(
      await issues([{ symbol: "000300.SH", weight: 0.1 }, { symbol: "999999.SZ", weight: 0.1 }]),
      [
        ["signals.0.symbol", '"000300.SH" is an index, not a tradable security'],
        ["signals.1.symbol", 'Unknown symbol "999999.SZ"'],
      ],
    );
    const tooMany = Array.from({ length: MAX_SIGNAL_SYMBOLS + 1 }, (_, i) => ({
      symbol: `${String(600000 + i)}.SH`,
      weight: 0.001,
    }));
    const many = await submit(tooMany);
    assert.ok(many instanceof ValidationError);
    assert.deepEqual(many.loc, ["signals"]);
    // The sum may exceed 1 by floating-point noise only.
    const thirds = [
      { symbol: "600519.SH", weight: 1 / 3 },
      { symbol: "000001.SZ", weight: 1 / 3 },
      { symbol: "510300.SH", weight: 1 / 3 + 1e-10 },
    ];
    const ok = await submitSignal(track, OWNER, "weights-1", { trade_date: DAY, signals: thirds });
    assert.equal(ok.signal.signals.length, 3);
    const over = await submit([{ symbol: "600519.SH", weight: 0.5 }, {
      symbol: "000001.SZ",
      weight: 0.5 + 2e-9,
    }]);
    assert.ok(over instanceof ValidationError);
    assert.match(over.message, /at most 1/);
  } finally {
    await w.close();
  }
});

Deno.test("submitSignal(): activates a pending strategy, keeps the id on replacement, ignores an identical resubmission", async () => {
  const { w, track } = await world();
  try {
    await strategy(track, "submit-1");
    const first = await submitSignal(track, OWNER, "submit-1", {
      trade_date: DAY,
      signals: [{ symbol: "600519.SH", weight: 0.5 }, { symbol: "000001.SZ", weight: 0.25 }],
    });
    assert.equal(first.replaced, false);
    assert.deepEqual(
      first.signal.signals.map((s) => s.symbol),
      ["000001.SZ", "600519.SH"],
      "sorted by symbol",
    );
    const active = (await track.strategies.get("submit-1"))!;
    assert.equal(active.status, "active");
    assert.equal(active.start_date, DAY);
    assert.equal(active.activated_at, w.clock.now());

    w.clock.advance(60_000);
    const same = await rejection(() =>
      submitSignal(track, OWNER, "submit-1", {
        trade_date: DAY,
        signals: [{ symbol: "000001.SZ", weight: 0.25 }, { symbol: "600519.SH", weight: 0.5 }],
      })
    );
    assert.ok(same instanceof ConflictError, "an identical resubmission (in any order) is a conflict");
    assert.equal(same.extra?.reason, "identical");
    assert.equal(same.extra?.existing_signal_hash, first.signal.signal_hash);
    assert.equal((await track.signals.get("submit-1", DAY))!.submitted_at, first.signal.submitted_at);

    const second = await submitSignal(track, OWNER, "submit-1", {
      trade_date: DAY,
      signals: [{ symbol: "600519.SH", weight: 1 }],
    });
    assert.equal(second.replaced, true);
    assert.equal(second.signal.id, first.signal.id);
    assert.deepEqual(second.signal.replaced_hashes, [first.signal.signal_hash]);
    assert.deepEqual(await track.signals.byHash(first.signal.signal_hash), {
      strategy_slug: "submit-1",
      trade_date: DAY,
    });
    // Entries of the same millisecond have no defined order among themselves.
    const events = (await track.audit.list("submit-1", 10, 0)).items.map((e) => e.event);
    assert.equal(events[0], "SIGNAL_REPLACED", "a minute later than the others");
    assert.deepEqual(events.slice(1).sort(), ["ACTIVATED", "CREATED", "SIGNAL_SUBMITTED"]);
    const view = toSignalView(second.signal);
    assert.equal(view.replaced_versions, 1);
    assert.equal(view.void, null);
    assert.equal(view.log, null, "the commit alone has no log position");

    // Someone else's strategy is not found; a retired one takes no signals.
    const other = await rejection(() =>
      submitSignal(track, "usr_other", "submit-1", { trade_date: DAY, signals: [] })
    );
    assert.ok(other instanceof NotFoundError);
    await patchTracked(track, OWNER, "submit-1", { status: "retired" });
    const retired = await rejection(() =>
      submitSignal(track, OWNER, "submit-1", { trade_date: DAY, signals: [] })
    );
    assert.ok(retired instanceof BadRequestError);
    assert.match(retired.message, /is retired: signals are accepted when pending or active/);
  } finally {
    await w.close();
  }
});

Deno.test("withdrawSignal(): before the deadline only, never once settled or attested; audited in the same commit", async () => {
  const { w, track } = await world();
  try {
    await strategy(track, "withdraw-1", "close");
    const missing = await rejection(() => withdrawSignal(track, OWNER, "withdraw-1", DAY));
    assert.ok(missing instanceof NotFoundError);
    const { signal } = await submitSignal(track, OWNER, "withdraw-1", {
      trade_date: DAY,
      signals: [{ symbol: "600519.SH", weight: 0.5 }],
    });
    assert.ok(
      (await rejection(() => withdrawSignal(track, "usr_other", "withdraw-1", DAY))) instanceof NotFoundError,
    );

    // Attested on GitHub: final.
    await track.signals.patchIfHash("withdraw-1", DAY, signal.signal_hash, {
      attestation: {
        committed: true,
        sha: "abc",
        url: "https://example.test/c/abc",
        path: "p",
        attempted_at: 1,
      },
    });
    assert.match(
      (await rejection(() => withdrawSignal(track, OWNER, "withdraw-1", DAY))).message,
      /attested on GitHub/,
    );
    // Settled: final.
    await track.signals.patchIfHash("withdraw-1", DAY, signal.signal_hash, {
      attestation: { committed: false, reason: "pending", attempted_at: null },
      is_settled: true,
    });
    assert.match(
      (await rejection(() => withdrawSignal(track, OWNER, "withdraw-1", DAY))).message,
      /settled signals are immutable/,
    );
    await track.signals.patchIfHash("withdraw-1", DAY, signal.signal_hash, { is_settled: false });

    // Past the deadline (15:00 for close execution): too late.
    w.clock.set(cst(15, 0));
    assert.match(
      (await rejection(() => withdrawSignal(track, OWNER, "withdraw-1", DAY))).message,
      /deadline passed, signal locked/,
    );
    w.clock.set(cst(14, 59, 59, 999));
    const withdrawn = await withdrawSignal(track, OWNER, "withdraw-1", DAY);
    assert.equal(withdrawn.signal_hash, signal.signal_hash);
    assert.equal(await track.signals.get("withdraw-1", DAY), null);
    assert.deepEqual(await track.signals.listUnattested(), []);
    const last = (await track.audit.list("withdraw-1", 1, 0)).items[0];
    assert.equal(last.event, "SIGNAL_WITHDRAWN");
    assert.deepEqual(last.data, { signal_hash: signal.signal_hash });
    assert.equal(last.date, DAY);
  } finally {
    await w.close();
  }
});

Deno.test("a signal write that lost a race commits nothing: no audit entry, no marker", async () => {
  const { w, track } = await world();
  try {
    await strategy(track, "race-1");
    await submitSignal(track, OWNER, "race-1", {
      trade_date: DAY,
      signals: [{ symbol: "600519.SH", weight: 0.5 }],
    });
    const entry = await track.signals.getEntry("race-1", DAY);
    const before = (await track.audit.list("race-1", 50, 0)).total;
    const markers = (await track.signals.listToLog()).length;
    await track.signals.put({ ...entry.value!, signal_hash: "a".repeat(64) }, entry);
    const lost = await rejection(() =>
      track.signals.put(
        { ...entry.value!, signal_hash: "b".repeat(64), submitted_at: entry.value!.submitted_at + 1 },
        entry,
        {
          audit: [{ id: "aud_x", at: 0, date: DAY, event: "SIGNAL_REPLACED", detail: "lost", data: null }],
        },
      )
    );
    assert.ok(lost instanceof ConflictError);
    assert.equal(
      (await track.audit.list("race-1", 50, 0)).total,
      before,
      "the loser's audit entry is not written",
    );
    assert.equal((await track.signals.listToLog()).length, markers + 1, "only the winner's marker");
    assert.equal(await track.signals.byHash("b".repeat(64)), null);
  } finally {
    await w.close();
  }
});

Deno.test("isAllowedTransition(): the status machine", () => {
  const all: TrackedStatus[] = ["pending", "active", "paused", "retired"];
  const allowed = all.flatMap((from) =>
    all.filter((to) => isAllowedTransition(from, to)).map((to) => `${from}→${to}`)
  );
  assert.deepEqual(allowed, [
    "pending→pending",
    "pending→retired",
    "active→active",
    "active→paused",
    "active→retired",
    "paused→active",
    "paused→paused",
    "paused→retired",
  ]);
});
