/**
 * Checkpoint times only move forward, sizes below the head are never signed after the fact, and the stored
 * checkpoints list in ascending pages.
 */
import assert from "node:assert/strict";
import { fixedClock } from "../../../domain/clock.ts";
import { NotFoundError } from "../../../domain/errors.ts";
import { sha256Hex } from "../../../domain/tokens_and_hashes.ts";
import { verifyCheckpoint } from "../../../domain/attestation/checkpoint.ts";
import { createTransparencyLog } from "../../../domain/attestation/transparency_log.ts";
import { keys } from "../../../domain/store/keys.ts";
import { createSettingsRepo } from "../../../domain/store/settings_repo.ts";
import { createTransparencyLogRepo } from "../../../domain/store/transparency_log_repo.ts";

const T0 = Date.UTC(2026, 5, 1, 1, 0);
const hash = (i: number) => sha256Hex(`leaf-${i}`);

async function withLog(
  fn: (
    log: ReturnType<typeof createTransparencyLog>,
    clock: ReturnType<typeof fixedClock>,
    kv: Deno.Kv,
  ) => Promise<void>,
  name = "",
) {
  const kv = await Deno.openKv(":memory:");
  const clock = fixedClock(T0);
  try {
    const stores = { log: createTransparencyLogRepo(kv, name), settings: createSettingsRepo(kv) };
    await fn(createTransparencyLog(stores, clock), clock, kv);
  } finally {
    kv.close();
  }
}

Deno.test("a clock that goes backwards never dates a checkpoint before the latest one", () =>
  withLog(async (log, clock) => {
    await log.append(await hash(0));
    assert.equal((await log.checkpoint()).timestamp, T0);
    clock.set(T0 - 86_400_000); // a day back
    await log.append(await hash(1));
    const second = await log.checkpoint();
    assert.equal(second.tree_size, 2);
    assert.equal(second.timestamp, T0, "held at the latest checkpoint's time, not the clock's");
    assert.ok(await verifyCheckpoint(second));
    clock.set(T0 + 5_000);
    await log.append(await hash(2));
    assert.equal((await log.checkpoint()).timestamp, T0 + 5_000, "a clock ahead is taken as it is");
    clock.set(T0 - 1);
    await log.append(await hash(3));
    const page = await log.checkpoints(1, 10);
    assert.deepEqual(page.checkpoints.map((c) => c.timestamp), [T0, T0, T0 + 5_000, T0 + 5_000]);
  }));

Deno.test("the head of a log written before checkpoints were stored is signed no earlier than the latest", () =>
  withLog(async (log, clock, kv) => {
    for (let i = 0; i < 3; i++) await log.append(await hash(i));
    // An older version stored no checkpoint with the leaf: the head's checkpoint is missing.
    await kv.delete(keys.tlogCheckpoint(3));
    clock.set(T0 - 60_000);
    const head = await log.checkpoint();
    assert.equal(head.tree_size, 3);
    assert.equal(head.timestamp, T0, "the latest stored (size 2) sets the floor");
    assert.deepEqual(await log.checkpoint(), head, "stored once, the same answer after");
  }));

Deno.test("a size below the head without a stored checkpoint is never signed after the fact (404)", () =>
  withLog(async (log, clock, kv) => {
    for (let i = 0; i < 4; i++) await log.append(await hash(i));
    await kv.delete(keys.tlogCheckpoint(2));
    clock.advance(3_600_000);
    await assert.rejects(log.inclusionProof(await hash(0), 2), NotFoundError);
    assert.equal((await kv.get(keys.tlogCheckpoint(2))).value, null, "nothing signed later");
    // Sizes with a checkpoint still prove, and consistency needs no checkpoint.
    assert.equal((await log.inclusionProof(await hash(0), 3))!.checkpoint.timestamp, T0);
    assert.equal((await log.consistencyProof(2, 4)).first, 2);
  }));

Deno.test("the empty tree's checkpoint is not stored and sets no floor for the first leaf", () =>
  withLog(async (log, clock, kv) => {
    clock.set(T0 + 86_400_000);
    assert.equal((await log.checkpoint()).tree_size, 0);
    assert.equal((await kv.get(keys.tlogCheckpoint(0, "demo"))).value, null);
    clock.set(T0); // a replay under a simulated clock starts in the past
    await log.append(await hash(0));
    assert.equal((await log.checkpoint()).timestamp, T0);
  }, "demo"));

Deno.test("checkpoints() lists stored checkpoints ascending in bounded pages", () =>
  withLog(async (log, clock) => {
    for (let i = 0; i < 7; i++) {
      clock.advance(1_000);
      await log.append(await hash(i));
    }
    const first = await log.checkpoints(1, 3);
    assert.deepEqual(first.checkpoints.map((c) => c.tree_size), [1, 2, 3]);
    assert.equal(first.next, 4);
    const second = await log.checkpoints(first.next!, 3);
    assert.deepEqual(second.checkpoints.map((c) => c.tree_size), [4, 5, 6]);
    assert.equal(second.next, 7);
    const last = await log.checkpoints(7, 3);
    assert.deepEqual(last.checkpoints.map((c) => c.tree_size), [7]);
    assert.equal(last.next, null);
    assert.deepEqual((await log.checkpoints(8, 3)).checkpoints, []);
    const all = await log.checkpoints(0, 5000);
    assert.equal(all.checkpoints.length, 7, "a limit above 1000 is capped, not refused here");
    for (let i = 1; i < all.checkpoints.length; i++) {
      assert.ok(all.checkpoints[i].timestamp >= all.checkpoints[i - 1].timestamp);
      assert.ok(await verifyCheckpoint(all.checkpoints[i]));
    }
  }));

Deno.test("appends racing a reader that signs a legacy head keep times non-decreasing", () =>
  withLog(async (log, clock, kv) => {
    for (let i = 0; i < 2; i++) await log.append(await hash(i));
    await kv.delete(keys.tlogCheckpoint(2));
    let t = T0;
    const ticking = { now: () => (t += 7_919) % 3 === 0 ? T0 - 1 : t };
    clock.set(ticking.now());
    const hashes = await Promise.all(Array.from({ length: 12 }, (_, i) => hash(100 + i)));
    await Promise.all([
      ...hashes.map(async (h) => {
        clock.set(ticking.now());
        await log.append(h);
      }),
      log.checkpoint(),
      log.checkpoint(),
    ]);
    const all = (await log.checkpoints(1, 100)).checkpoints;
    for (let i = 1; i < all.length; i++) {
      assert.ok(all[i].timestamp >= all[i - 1].timestamp, `size ${all[i].tree_size}`);
    }
    assert.equal(all.at(-1)!.tree_size, 14);
  }));
