/**
 * `attestPending` over the production wiring: it logs every committed signal version once, in submission order,
 * whether run once, twice or concurrently, and commits each strategy-day to GitHub once.
 */
import assert from "node:assert/strict";
import { signalFilePath } from "../../../domain/attestation/github_attester.ts";
import { attestPending } from "../../../domain/track_record/signals/attest_pending.ts";
import { submitSignal } from "../../../domain/track_record/signals/signals.ts";
import { createTrackedStrategy } from "../../../domain/track_record/signals/tracked_strategies.ts";
import { submitSignalView } from "../../../domain/track_record/operations.ts";
import type { TrackRecordServices } from "../../../domain/track_record/services.ts";
import { startFakeGithubContents } from "../../_helpers/fake_github_contents.ts";
import { openTestWorld, type TestWorld } from "../../_helpers/test_app.ts";

const OWNER = "usr_pending";
const DAY = "2026-05-14"; // the test clock stands at 09:00 Asia/Shanghai on this Thursday

async function strategy(track: TrackRecordServices, slug: string) {
  await createTrackedStrategy(track, OWNER, 10, {
    name: slug,
    slug,
    universe: "hs300",
    execution_price: "open",
    holding_period: 10,
    initial_capital: 1_000_000,
    commission_rate: 0.0003,
    slippage_rate: 0.002,
  });
}

const weights = (w: number) => [{ symbol: "600519.SH", weight: w }];

/** Commits four versions a second apart (commit only): strategies a, b, c, then a replacement of a's signal. */
async function commitVersions(w: TestWorld): Promise<string[]> {
  const track = w.deps.track;
  const hashes: string[] = [];
  for (const slug of ["pend-c", "pend-a", "pend-b"]) await strategy(track, slug);
  for (const slug of ["pend-a", "pend-b", "pend-c"]) {
    w.clock.advance(1_000);
    hashes.push(
      (await submitSignal(track, OWNER, slug, { trade_date: DAY, signals: weights(0.1) })).signal.signal_hash,
    );
  }
  w.clock.advance(1_000);
  hashes.push(
    (await submitSignal(track, OWNER, "pend-a", { trade_date: DAY, signals: weights(0.2) })).signal
      .signal_hash,
  );
  return hashes;
}

async function leafIndexes(track: TrackRecordServices, hashes: string[]) {
  return await Promise.all(hashes.map(async (h) => (await track.tlog.inclusionProof(h))?.leaf_index ?? null));
}

Deno.test("a committed signal waits for attestPending; it logs every version once, oldest submission first", async () => {
  const w = await openTestWorld();
  try {
    const track = w.deps.track;
    const hashes = await commitVersions(w);
    assert.equal((await track.tlog.checkpoint()).tree_size, 0, "the commit alone logs nothing");
    assert.equal((await track.signals.get("pend-a", DAY))!.log, null);

    const first = await attestPending(track);
    assert.deepEqual(first, {
      logged: 4,
      log_failed: 0,
      records_logged: 0,
      records_log_failed: 0,
      committed: 0,
      failed: 0,
    });
    assert.deepEqual(await leafIndexes(track, hashes), [0, 1, 2, 3]);
    // The replaced first version of pend-a is in the log; the stored record shows the current version's leaf.
    assert.equal((await track.signals.get("pend-a", DAY))!.log?.leaf_index, 3);
    assert.equal((await track.signals.get("pend-b", DAY))!.log?.leaf_index, 1);

    const again = await attestPending(track);
    assert.deepEqual(again, {
      logged: 0,
      log_failed: 0,
      records_logged: 0,
      records_log_failed: 0,
      committed: 0,
      failed: 0,
    });
    assert.equal((await track.tlog.checkpoint()).tree_size, 4, "a second run appends nothing");
    assert.deepEqual(await track.signals.listToLog(), []);
  } finally {
    await w.close();
  }
});

Deno.test("attestPending run concurrently appends each version once and commits each strategy-day to GitHub once", async () => {
  const gh = startFakeGithubContents({ token: "ghp_test", owner: "acme", repo: "signals" });
  const w = await openTestWorld({
    GITHUB_TOKEN: "ghp_test",
    ATTEST_REPO: "acme/signals",
    GITHUB_API_BASE_URL: gh.apiBaseUrl,
  });
  try {
    const track = w.deps.track;
    const hashes = await commitVersions(w);
    const runs = await Promise.all([attestPending(track), attestPending(track), attestPending(track)]);
    assert.equal((await track.tlog.checkpoint()).tree_size, 4, "four versions, four leaves");
    assert.deepEqual((await leafIndexes(track, hashes)).sort(), [0, 1, 2, 3]);
    for (const slug of ["pend-a", "pend-b", "pend-c"]) {
      const s = (await track.signals.get(slug, DAY))!;
      assert.ok(s.log, slug);
      assert.equal(s.attestation.committed, true, slug);
      assert.equal(JSON.parse(gh.file(signalFilePath(slug, DAY))!.text).signal_hash, s.signal_hash);
    }
    assert.equal(gh.commits.length, 3, "one commit per strategy-day: runs in one process take turns");
    assert.equal(runs.reduce((n, r) => n + r.committed, 0), 3);
    assert.equal(runs.reduce((n, r) => n + r.logged, 0), 4);
    assert.deepEqual(await track.signals.listToLog(), []);
    assert.deepEqual(await track.signals.listUnattested(), []);
  } finally {
    await w.close();
    await gh.close();
  }
});

Deno.test("a submission answers before the GitHub round trip: logged, commit pending, then committed in the background", async () => {
  const gh = startFakeGithubContents({ token: "ghp_test", owner: "acme", repo: "signals" });
  const w = await openTestWorld({
    GITHUB_TOKEN: "ghp_test",
    ATTEST_REPO: "acme/signals",
    GITHUB_API_BASE_URL: gh.apiBaseUrl,
  });
  try {
    const track = w.deps.track;
    await strategy(track, "pend-bg");
    gh.delayMs = 200;
    const view = await submitSignalView(track, OWNER, "pend-bg", { trade_date: DAY, signals: weights(0.5) });
    assert.equal(view.log?.leaf_index, 0);
    assert.deepEqual(view.attestation, { committed: false, reason: "pending" });
    assert.equal(gh.commits.length, 0, "no GitHub commit inside the call");
    await track.background.drain();
    assert.equal(gh.commits.length, 1);
    assert.equal((await track.signals.get("pend-bg", DAY))!.attestation.committed, true);
  } finally {
    await w.close();
    await gh.close();
  }
});

Deno.test("a GitHub failure never fails the submission; the next attestPending commits it", async () => {
  const gh = startFakeGithubContents({ token: "ghp_test", owner: "acme", repo: "signals" });
  const w = await openTestWorld({
    GITHUB_TOKEN: "ghp_test",
    ATTEST_REPO: "acme/signals",
    GITHUB_API_BASE_URL: gh.apiBaseUrl,
  });
  try {
    const track = w.deps.track;
    await strategy(track, "pend-fail");
    gh.failWith = 503;
    const view = await submitSignalView(track, OWNER, "pend-fail", {
      trade_date: DAY,
      signals: weights(0.5),
    });
    assert.equal(view.signal_hash.length, 64);
    await track.background.drain();
    const failed = (await track.signals.get("pend-fail", DAY))!;
    assert.equal(failed.attestation.committed, false);
    assert.deepEqual(await track.signals.listUnattested(), [{ strategy_slug: "pend-fail", trade_date: DAY }]);
    gh.failWith = null;
    assert.deepEqual(await attestPending(track), {
      logged: 0,
      log_failed: 0,
      records_logged: 0,
      records_log_failed: 0,
      committed: 1,
      failed: 0,
    });
    assert.deepEqual(await track.signals.listUnattested(), []);
  } finally {
    await w.close();
    await gh.close();
  }
});

Deno.test("a failed log append leaves the version pending for the next run; the submission still stands", async () => {
  const w = await openTestWorld();
  try {
    const real = w.deps.track;
    let broken = true;
    const track: TrackRecordServices = {
      ...real,
      tlog: {
        ...real.tlog,
        append: (hash) => broken ? Promise.reject(new Error("disk full")) : real.tlog.append(hash),
      },
    };
    await strategy(track, "pend-log");
    const view = await submitSignalView(track, OWNER, "pend-log", { trade_date: DAY, signals: weights(0.5) });
    assert.equal(view.log, null, "answered without a log position");
    assert.equal((await track.signals.listToLog()).length, 1);
    broken = false;
    assert.deepEqual(await attestPending(track), {
      logged: 1,
      log_failed: 0,
      records_logged: 0,
      records_log_failed: 0,
      committed: 0,
      failed: 0,
    });
    assert.equal((await track.signals.get("pend-log", DAY))!.log?.leaf_index, 0);
  } finally {
    await w.close();
  }
});
