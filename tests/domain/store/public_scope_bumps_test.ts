/**
 * Every writer of data a public answer shows bumps exactly the public scopes it changes, in its own commit, and
 * names them in the `public_reads` marker: tracked strategies, settled days, signals (put, patch, logged,
 * removed), audit entries, claimed histories, both transparency logs, cosignatures, witness states, checkpoint
 * commits, nicknames, the demo reset. A write that changes nothing public (a failed check, another user field)
 * bumps nothing.
 */
import assert from "node:assert/strict";
import { fixedClock } from "../../../domain/clock.ts";
import type { Checkpoint } from "../../../domain/attestation/checkpoint.ts";
import type { Cosignature } from "../../../domain/attestation/cosignature.ts";
import { newUserRecord } from "../../../domain/auth/user_view.ts";
import type { AuditEntry } from "../../../domain/store/audit_repo.ts";
import { createAuditRepo } from "../../../domain/store/audit_repo.ts";
import { createClaimedRepo } from "../../../domain/store/claimed_repo.ts";
import { createCosignatureRepo } from "../../../domain/store/cosignature_repo.ts";
import { createDemoResetRepo } from "../../../domain/store/demo_reset_repo.ts";
import { createPublicVersionsRepo } from "../../../domain/store/public_versions_repo.ts";
import { createSettlementRepo, type SettledDayRecord } from "../../../domain/store/settlement_repo.ts";
import { createSignalRepo, type SignalRecord } from "../../../domain/store/signal_repo.ts";
import {
  createTrackedStrategyRepo,
  type TrackedStrategyRecord,
} from "../../../domain/store/tracked_strategy_repo.ts";
import { createTransparencyLogRepo } from "../../../domain/store/transparency_log_repo.ts";
import { createUserRepo } from "../../../domain/store/user_repo.ts";
import { PUBLIC_READS_STREAM, type PublicReadsMarker } from "../../../domain/public_reads/scopes.ts";

const ALL = [
  "list",
  "strategy:alpha",
  "strategy:demo-x",
  "log:production",
  "log:demo",
  "market",
  "calendar",
];

/** Runs `write` and answers which scopes of `ALL` it bumped, checking the marker names exactly those. */
async function bumped(kv: Deno.Kv, write: () => Promise<unknown>): Promise<string[]> {
  const versions = createPublicVersionsRepo(kv);
  const before = await Promise.all(ALL.map((s) => versions.token([s])));
  const markerBefore = await kv.get(["stream_changed", PUBLIC_READS_STREAM]);
  await write();
  const after = await Promise.all(ALL.map((s) => versions.token([s])));
  const changed = ALL.filter((_, i) => before[i] !== after[i]);
  const marker = await kv.get<PublicReadsMarker>(["stream_changed", PUBLIC_READS_STREAM]);
  if (changed.length > 0) {
    assert.notEqual(marker.versionstamp, markerBefore.versionstamp);
    for (const s of changed) assert.ok(marker.value!.scopes.includes(s), `the marker names ${s}`);
  }
  return changed.sort();
}

const strategy = (slug: string, over: Partial<TrackedStrategyRecord> = {}): TrackedStrategyRecord => ({
  id: `trk_${slug}`,
  slug,
  owner_id: "usr_1",
  name: slug,
  description: null,
  universe: "hs300",
  execution_price: "open",
  holding_period: 5,
  initial_capital: 1_000_000,
  commission_rate: 0.0003,
  slippage_rate: 0.001,
  status: "pending",
  is_public: true,
  is_demo: false,
  created_at: 1,
  updated_at: 1,
  activated_at: null,
  start_date: null,
  retired_at: null,
  ...over,
});

const audit = (id: string): AuditEntry => ({
  id,
  at: 5,
  date: "2026-05-14",
  event: "HOLD",
  detail: "d",
  data: null,
});

const signal = (slug: string, hash: string): SignalRecord => ({
  id: `sig_${hash.slice(0, 4)}`,
  strategy_slug: slug,
  trade_date: "2026-05-14",
  signals: [{ symbol: "600000.SH", weight: 0.5 }],
  signal_hash: hash,
  canonical_json: "{}",
  submitted_at: 10,
  deadline_at: 20,
  execution_price: "open",
  is_settled: false,
  attestation: { committed: false, reason: "github_down", attempted_at: null },
  log: null,
  replaced_hashes: [],
});

const checkpoint = (origin: string, size: number): Checkpoint => ({
  origin,
  tree_size: size,
  root_hash: "ab".repeat(32),
  timestamp: 1_000 + size,
  note: `${origin}\n${size}\n`,
  signature: "sig",
  algorithm: "Ed25519",
  public_key: "pk",
  key_id: "kid",
} as Checkpoint);

Deno.test("tracked strategies: create and update bump the strategy and the list; a refused create bumps nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createTrackedStrategyRepo(kv);
    assert.deepEqual(await bumped(kv, () => repo.create(strategy("alpha"), 5)), ["list", "strategy:alpha"]);
    assert.deepEqual(
      await bumped(kv, () => repo.update("alpha", (s) => ({ ...s, status: "active", updated_at: 2 }))),
      ["list", "strategy:alpha"],
    );
    assert.deepEqual(await bumped(kv, () => repo.create(strategy("alpha"), 5).catch(() => {})), []);
    assert.deepEqual(await bumped(kv, () => repo.update("nobody", (s) => s)), []);
  } finally {
    kv.close();
  }
});

Deno.test("signals: put bumps the strategy (and the list on activation); patch, logged and removal bump the strategy", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const strategies = createTrackedStrategyRepo(kv);
    await strategies.create(strategy("alpha"), 5);
    const repo = createSignalRepo(kv);
    const hash = "a".repeat(64);
    const none = await repo.getEntry("alpha", "2026-05-14");
    assert.deepEqual(await bumped(kv, () => repo.put(signal("alpha", hash), none)), ["strategy:alpha"]);
    const current = await repo.getEntry("alpha", "2026-05-14");
    const s = await strategies.getEntry("alpha");
    const hash2 = "b".repeat(64);
    assert.deepEqual(
      await bumped(kv, () =>
        repo.put(signal("alpha", hash2), current, {
          activate: { current: s, next: { ...s.value!, status: "active" } },
          audit: [audit("aud_1")],
        })),
      ["list", "strategy:alpha"],
    );
    // A stale expected entry: nothing commits, nothing is bumped.
    assert.deepEqual(await bumped(kv, () => repo.put(signal("alpha", hash), current).catch(() => {})), []);
    assert.deepEqual(
      await bumped(kv, () =>
        repo.patchIfHash("alpha", "2026-05-14", hash2, {
          attestation: { committed: true, sha: "c0ffee", url: "u", path: "p", attempted_at: 30 },
        })),
      ["strategy:alpha"],
    );
    assert.deepEqual(await bumped(kv, () => repo.patchIfHash("alpha", "2026-05-14", hash, {})), []);
    const [item] = (await repo.listToLog()).filter((t) => t.signal_hash === hash2);
    assert.deepEqual(
      await bumped(
        kv,
        () => repo.markLogged(item, { leaf_index: 0, tree_size: 1, checkpoint_timestamp: 11 }),
      ),
      ["strategy:alpha"],
    );
    const [stale] = (await repo.listToLog()).filter((t) => t.signal_hash === hash);
    assert.deepEqual(
      await bumped(
        kv,
        () => repo.markLogged(stale, { leaf_index: 1, tree_size: 2, checkpoint_timestamp: 12 }),
      ),
      [],
      "a replaced version's marker is cleared without touching the signal",
    );
    const entry = await repo.getEntry("alpha", "2026-05-14");
    assert.deepEqual(
      await bumped(kv, () => repo.remove(entry as Deno.KvEntry<SignalRecord>, audit("aud_2"))),
      ["strategy:alpha"],
    );
  } finally {
    kv.close();
  }
});

Deno.test("settled days bump the strategy and the list; audit entries the strategy; claimed histories both", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const settlements = createSettlementRepo(kv);
    const day = {
      strategy_slug: "alpha",
      date: "2026-05-14",
      action: "HOLD",
      detail: "",
      nav: 1_000_000,
      cash: 1_000_000,
      prev_nav: 1_000_000,
      daily_return: 0,
      cumulative_return: 0,
      benchmark_symbol: "000300.SH",
      benchmark_close: null,
      benchmark_return: null,
      positions: [],
      trade_count: 0,
      signal_hash: null,
      suspended: [],
      data_source: "synthetic",
      settled_at: 100,
    } satisfies SettledDayRecord;
    const commit = { day, trades: [], audit: audit("aud_d"), signal: null, feed: null };
    const head = await settlements.headEntry("alpha");
    assert.deepEqual(await bumped(kv, () => settlements.commitDay(head, commit)), ["list", "strategy:alpha"]);
    assert.deepEqual(
      await bumped(kv, () => settlements.commitDay(head, commit)),
      [],
      "a lost race bumps nothing",
    );

    assert.deepEqual(await bumped(kv, () => createAuditRepo(kv).append("alpha", audit("aud_x"))), [
      "strategy:alpha",
    ]);

    const claimed = createClaimedRepo(kv);
    const records = Array.from({ length: 3000 }, (_, i) => ({ date: `2020-01-${i}`, nav: 1 + i }));
    const record = { strategy_slug: "alpha", records, uploaded_at: 7 };
    assert.deepEqual(await bumped(kv, () => claimed.put(record)), ["list", "strategy:alpha"]);
    assert.deepEqual(await bumped(kv, () => claimed.put({ ...record, records: records.slice(1) })), [
      "list",
      "strategy:alpha",
    ]);
    assert.deepEqual(await bumped(kv, () => claimed.remove("alpha", 8)), ["list", "strategy:alpha"]);
    assert.equal(await claimed.exists("alpha"), false);
    assert.deepEqual(
      await bumped(kv, () => claimed.remove("alpha", 9)),
      [],
      "nothing to remove, nothing bumped",
    );
  } finally {
    kv.close();
  }
});

Deno.test("transparency logs bump their own log; evidence bumps the log of its origin (both when unknown)", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const production = createTransparencyLogRepo(kv);
    const demo = createTransparencyLogRepo(kv, "demo");
    const node = { level: 0, index: 0, hash: new Uint8Array(32) };
    const append = (repo: typeof production, origin: string) => async () => {
      const head = await repo.head();
      const ok = await repo.commitAppend(head, {
        index: head.size,
        signalHash: `${origin}`.padEnd(64, "0").slice(0, 64),
        nodes: [node],
        checkpoint: checkpoint(origin, head.size + 1),
      });
      assert.equal(ok, true);
    };
    assert.deepEqual(await bumped(kv, append(production, "prod")), ["log:production"]);
    assert.deepEqual(await bumped(kv, append(demo, "demo")), ["log:demo"]);
    // A head checkpoint signed late (a log written before checkpoints were stored with their leaf).
    await kv.set(["tlog", "head"], { size: 2 });
    const head = await production.head();
    assert.deepEqual(await bumped(kv, () => production.saveHeadCheckpoint(head, checkpoint("prod", 2))), [
      "log:production",
    ]);
    assert.deepEqual(await bumped(kv, () => production.saveHeadCheckpoint(head, checkpoint("prod", 2))), []);

    const clock = fixedClock(50);
    const store = createCosignatureRepo(kv, { origins: { production: "o/prod", demo: "o/demo" }, clock });
    const cosig = {
      witness: "w",
      algorithm: "Ed25519",
      public_key: "k",
      key_id: "kid",
      timestamp: 3,
      signature: "s",
    };
    assert.deepEqual(await bumped(kv, () => store.addCosignature("o/prod", 1, cosig as Cosignature)), [
      "log:production",
    ]);
    assert.deepEqual(await bumped(kv, () => store.addCosignature("o/prod", 1, cosig as Cosignature)), []);
    const state = {
      url: "http://w",
      name: null,
      key_id: null,
      public_key: null,
      tree_size: 0,
      last_error: "503",
      updated_at: 4,
    };
    assert.deepEqual(await bumped(kv, () => store.putWitness("o/demo", state)), ["log:demo"]);
    assert.deepEqual(await bumped(kv, () => store.putCommit("o/demo", 1, { sha: "s", url: "u" })), [
      "log:demo",
    ]);
    const unmapped = createCosignatureRepo(kv);
    assert.deepEqual(await bumped(kv, () => unmapped.putWitness("o/other", state)), [
      "log:demo",
      "log:production",
    ]);
  } finally {
    kv.close();
  }
});

Deno.test("a nickname change bumps the list; other user changes bump nothing", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const users = createUserRepo(kv);
    await users.create(newUserRecord({ id: "usr_1", email: "a@example.com", nickname: "ann" }, 1));
    assert.deepEqual(await bumped(kv, () => users.update("usr_1", (u) => ({ ...u, nickname: "Anne" }))), [
      "list",
    ]);
    assert.deepEqual(await bumped(kv, () => users.update("usr_1", (u) => ({ ...u, last_login_at: 9 }))), []);
    assert.deepEqual(await bumped(kv, () => users.update("usr_1", (u) => ({ ...u, nickname: null }))), [
      "list",
    ]);
  } finally {
    kv.close();
  }
});

Deno.test("the demo reset bumps the list, the demo log, each deleted strategy and, for by-hash entries, both logs", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const strategies = createTrackedStrategyRepo(kv);
    await strategies.create(strategy("demo-x", { is_demo: true }), 5);
    await strategies.create(strategy("alpha"), 5);
    const plan = {
      slugs: ["demo-x"],
      ownerIds: [],
      logName: "demo",
      logOrigin: "o/demo",
      settings: [],
      atMs: 60,
    };
    const reset = createDemoResetRepo(kv);
    assert.deepEqual(await bumped(kv, () => reset.deleteDemoData(plan)), [
      "list",
      "log:demo",
      "strategy:demo-x",
    ]);
    assert.equal(await strategies.get("demo-x"), null);
    assert.notEqual(await strategies.get("alpha"), null);
    await kv.set(["signals_by_hash", "f".repeat(64)], { strategy_slug: "demo-x", trade_date: "2026-05-14" });
    assert.deepEqual(await bumped(kv, () => reset.deleteDemoData(plan)), [
      "list",
      "log:demo",
      "log:production",
      "strategy:demo-x",
    ]);
  } finally {
    kv.close();
  }
});
