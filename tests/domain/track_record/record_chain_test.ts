/**
 * The day-record chain in the store and the logs: days settled before the chain existed (legacy) are hashed on the
 * fly so the first chained day links to them; each record hash goes to its strategy's own log (demo → demo log);
 * a crash between the day's commit and the log append leaves a marker that `attestPending` drains, once.
 */
import assert from "node:assert/strict";
import { keys } from "../../../domain/store/keys.ts";
import type { NavPointRecord, SettledDayRecord } from "../../../domain/store/settlement_repo.ts";
import { settleStrategy } from "../../../domain/track_record/settlement/settle.ts";
import { attestPending } from "../../../domain/track_record/signals/attest_pending.ts";
import type { TrackRecordServices } from "../../../domain/track_record/services.ts";
import { openTestWorld, type TestWorld } from "../../_helpers/test_app.ts";
import {
  CHAIN_DAYS,
  chainDeps,
  chainStrategy,
  handDayRecord,
  hexSha256,
  settleChainDays,
  verifyAnswer,
} from "./chain_world.ts";

const GENESIS = "0".repeat(64);

/** Rewrites stored days as a version before the chain stored them: no hashes (and, with `old`, no dividends). */
async function makeLegacy(w: TestWorld, slug: string, dates: readonly string[], old: readonly string[] = []) {
  for (const date of dates) {
    const day = (await w.kv.get<SettledDayRecord>(keys.settledDay(slug, date))).value!;
    const { prev_record_hash: _p, record_hash: _r, ...legacy } = day;
    if (old.includes(date)) {
      delete legacy.dividend_convention;
      delete legacy.dividends;
    }
    await w.kv.set(keys.settledDay(slug, date), legacy);
    const nav = (await w.kv.get<NavPointRecord>(keys.settledNav(slug, date))).value!;
    const { record_hash: _n, ...legacyNav } = nav;
    await w.kv.set(keys.settledNav(slug, date), legacyNav);
  }
}

Deno.test("after legacy days the chain goes on from their hashes computed by the same rule; they answer record_chain null", async () => {
  const w = await openTestWorld();
  try {
    const deps = chainDeps(w);
    const slug = "chain-legacy";
    await chainStrategy(deps, slug);
    await settleChainDays(w, deps, slug, [0, 1, 2]);
    await makeLegacy(w, slug, CHAIN_DAYS.slice(0, 3), [CHAIN_DAYS[0]]);
    await settleChainDays(w, deps, slug, [3, 4]);

    let prev = GENESIS;
    for (const date of CHAIN_DAYS.slice(0, 3)) {
      const v = await verifyAnswer(w, slug, date);
      assert.equal(v.record_chain, null, `${date} predates the chain`);
      prev = await hexSha256(handDayRecord(slug, v, prev));
    }
    assert.equal((await verifyAnswer(w, slug, CHAIN_DAYS[0])).dividend_convention, "none");
    for (const date of CHAIN_DAYS.slice(3, 5)) {
      const v = await verifyAnswer(w, slug, date);
      assert.equal(v.record_chain!.prev_record_hash, prev, `${date} links to the computed legacy chain`);
      assert.equal(v.record_chain!.canonical_json, handDayRecord(slug, v, prev));
      prev = await hexSha256(v.record_chain!.canonical_json);
      assert.equal(v.record_chain!.record_hash, prev);
      assert.notEqual(v.record_chain!.log, null, `${date} is logged`);
    }
    const record = await (await w.request("GET", `/api/v1/public/strategies/${slug}/track-record`)).json();
    assert.deepEqual(
      record.records.map((r: { record_hash: string | null }) => r.record_hash === null),
      [true, true, true, false, false],
    );
  } finally {
    await w.close();
  }
});

Deno.test("a demo strategy's record hashes go to the demo log, another's to the production log", async () => {
  const w = await openTestWorld();
  try {
    const deps = chainDeps(w);
    await chainStrategy(deps, "chain-demo", { is_demo: true });
    await chainStrategy(deps, "chain-prod");
    await settleChainDays(w, deps, "chain-demo", [0, 1]);
    await settleChainDays(w, deps, "chain-prod", [0, 1]);
    for (
      const [slug, own, other] of [["chain-demo", deps.demoTlog, deps.tlog], [
        "chain-prod",
        deps.tlog,
        deps.demoTlog,
      ]] as const
    ) {
      for (const date of CHAIN_DAYS.slice(0, 2)) {
        const day = (await deps.settlements.getDay(slug, date))!;
        assert.ok(await own.inclusionProof(day.record_hash!), `${slug} ${date}: in its own log`);
        assert.equal(
          await other.inclusionProof(day.record_hash!),
          null,
          `${slug} ${date}: not in the other log`,
        );
        const v = await verifyAnswer(w, slug, date);
        assert.equal((v.record_chain!.log as { origin: string }).origin, own.origin);
        assert.equal(
          (v as unknown as { parameters: { log_origin: string } }).parameters.log_origin,
          own.origin,
        );
      }
    }
    assert.equal(deps.demoTlog.origin, "quantedge/demo");
    assert.deepEqual(await deps.settlements.listRecordsToLog(), [], "nothing left waiting");
  } finally {
    await w.close();
  }
});

Deno.test("a crash between the day's commit and the log append: the marker stays, attestPending logs the hash once", async () => {
  const w = await openTestWorld();
  try {
    const deps = chainDeps(w);
    const slug = "chain-crash";
    await chainStrategy(deps, slug);
    await settleChainDays(w, deps, slug, [0]);
    // The process "dies" at the append: the day's commit (with its marker) is all that reached the store.
    const dead: TrackRecordServices = {
      ...deps,
      tlog: { ...deps.tlog, append: () => Promise.reject(new Error("process killed")) },
    };
    const sizeBefore = (await deps.tlog.checkpoint()).tree_size;
    await settleChainDays(w, dead, slug, [1]);
    const day = (await deps.settlements.getDay(slug, CHAIN_DAYS[1]))!;
    assert.match(day.record_hash!, /^[0-9a-f]{64}$/, "the day and its hash are committed");
    assert.equal(day.prev_record_hash, (await deps.settlements.getDay(slug, CHAIN_DAYS[0]))!.record_hash);
    assert.deepEqual(await deps.settlements.listRecordsToLog(), [
      { strategy_slug: slug, date: CHAIN_DAYS[1], record_hash: day.record_hash!, is_demo: false },
    ]);
    assert.equal((await deps.tlog.checkpoint()).tree_size, sizeBefore, "nothing appended");
    assert.equal(
      (await verifyAnswer(w, slug, CHAIN_DAYS[1])).record_chain!.log,
      null,
      "log: null until logged",
    );
    assert.ok(w.logs.some((l) => l.level === "error" && l.msg === "day record log append failed"));

    // The restarted process drains it.
    const first = await attestPending(deps);
    assert.equal(first.records_logged, 1);
    assert.equal(first.records_log_failed, 0);
    assert.deepEqual(await deps.settlements.listRecordsToLog(), []);
    assert.equal((await deps.tlog.checkpoint()).tree_size, sizeBefore + 1);
    const proof = (await deps.tlog.inclusionProof(day.record_hash!))!;
    assert.equal(proof.leaf_index, sizeBefore);
    assert.equal((await verifyAnswer(w, slug, CHAIN_DAYS[1])).record_chain!.log !== null, true);

    // Idempotent: a re-run appends nothing.
    const again = await attestPending(deps);
    assert.equal(again.records_logged, 0);
    assert.equal((await deps.tlog.checkpoint()).tree_size, sizeBefore + 1);

    // Killed after the append but before the marker was cleared: the next run clears it, appends nothing.
    await w.kv.set(keys.dayRecordToLog(slug, CHAIN_DAYS[1]), {
      strategy_slug: slug,
      date: CHAIN_DAYS[1],
      record_hash: day.record_hash!,
      is_demo: false,
    });
    const third = await attestPending(deps);
    assert.equal(third.records_logged, 0);
    assert.deepEqual(await deps.settlements.listRecordsToLog(), []);
    assert.equal((await deps.tlog.checkpoint()).tree_size, sizeBefore + 1);
    assert.equal((await deps.tlog.inclusionProof(day.record_hash!))!.leaf_index, sizeBefore, "same leaf");

    // A failing log during attestPending is counted and leaves the marker.
    await settleChainDays(w, dead, slug, [2]);
    const failing = await attestPending(dead);
    assert.equal(failing.records_log_failed, 1);
    assert.equal((await deps.settlements.listRecordsToLog()).length, 1);
    assert.equal((await attestPending(deps)).records_logged, 1);
  } finally {
    await w.close();
  }
});

Deno.test("settling again writes nothing and leaves the chain as it was", async () => {
  const w = await openTestWorld();
  try {
    const deps = chainDeps(w);
    const slug = "chain-again";
    await chainStrategy(deps, slug);
    await settleChainDays(w, deps, slug, [0, 1, 2]);
    const hashes = async () =>
      (await deps.settlements.days(slug)).map((d) => [d.prev_record_hash, d.record_hash]);
    const before = await hashes();
    const size = (await deps.tlog.checkpoint()).tree_size;
    const again = await settleStrategy(deps, slug, CHAIN_DAYS[2]);
    assert.equal(again.status, "already_settled");
    assert.deepEqual(await hashes(), before);
    assert.equal((await deps.tlog.checkpoint()).tree_size, size);
    assert.deepEqual(
      (await deps.settlements.navSeries(slug)).map((n) => n.record_hash),
      before.map(([, r]) => r),
      "the NAV series carries each day's hash",
    );
  } finally {
    await w.close();
  }
});
