import assert from "node:assert/strict";
import { fixedClock } from "../../../domain/clock.ts";
import { sha256Hex, toHex } from "../../../domain/tokens_and_hashes.ts";
import { BadRequestError } from "../../../domain/errors.ts";
import { verifyCheckpoint } from "../../../domain/attestation/checkpoint.ts";
import {
  hexToBytes,
  leafHash,
  rootFromLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from "../../../domain/attestation/merkle.ts";
import {
  createTransparencyLog,
  verifyConsistencyProof,
  verifyInclusionProof,
} from "../../../domain/attestation/transparency_log.ts";
import { keys } from "../../../domain/store/keys.ts";
import { createSettingsRepo } from "../../../domain/store/settings_repo.ts";
import { createTransparencyLogRepo } from "../../../domain/store/transparency_log_repo.ts";

/** The log's repositories over `kv`, as the production wiring builds them. */
const logStores = (kv: Deno.Kv) => ({ log: createTransparencyLogRepo(kv), settings: createSettingsRepo(kv) });

const T0 = Date.UTC(2024, 0, 2, 10, 15);
const signalHash = (i: number) => sha256Hex(`signal-${i}`);
const signalHashes = (n: number) => Promise.all(Array.from({ length: n }, (_, i) => signalHash(i)));
const leafHashesOf = (hashes: string[]) => Promise.all(hashes.map((h) => leafHash(hexToBytes(h)!)));
const expectedRoot = async (hashes: string[]) => toHex(await rootFromLeafHashes(await leafHashesOf(hashes)));

async function withKv(fn: (kv: Deno.Kv) => Promise<void>) {
  const kv = await Deno.openKv(":memory:");
  try {
    await fn(kv);
  } finally {
    kv.close();
  }
}

Deno.test("append() gives consecutive indexes and is idempotent per hash", () =>
  withKv(async (kv) => {
    const log = createTransparencyLog(logStores(kv), fixedClock(T0));
    const [a, b] = await signalHashes(2);
    assert.deepEqual(await log.append(a), { leaf_index: 0, tree_size: 1, appended: true });
    assert.deepEqual(await log.append(b), { leaf_index: 1, tree_size: 2, appended: true });
    assert.deepEqual(await log.append(a), { leaf_index: 0, tree_size: 2, appended: false });
    assert.equal(await log.size(), 2);
    assert.equal((await kv.get(keys.tlogLeaf(0))).value, a);
    assert.equal((await kv.get(keys.tlogLeafByHash(b))).value, 1);
  }));

Deno.test("append() and inclusionProof() refuse anything but 64 lowercase hex digits", () =>
  withKv(async (kv) => {
    const log = createTransparencyLog(logStores(kv), fixedClock(T0));
    const good = await signalHash(0);
    for (const bad of [good.toUpperCase(), good.slice(1), `${good}0`, "z".repeat(64), ""]) {
      await assert.rejects(log.append(bad), BadRequestError);
      await assert.rejects(log.inclusionProof(bad), BadRequestError);
    }
    assert.equal(await log.size(), 0);
  }));

Deno.test("20 concurrent appends of different hashes get 20 distinct consecutive indexes", () =>
  withKv(async (kv) => {
    const log = createTransparencyLog(logStores(kv), fixedClock(T0));
    const hashes = await signalHashes(20);
    const results = await Promise.all(hashes.map((h) => log.append(h)));
    assert.deepEqual(results.map((r) => r.leaf_index).sort((x, y) => x - y), [...Array(20).keys()]);
    assert.ok(results.every((r) => r.appended));
    assert.equal(await log.size(), 20);
    const byIndex: string[] = [];
    results.forEach((r, i) => (byIndex[r.leaf_index] = hashes[i]));
    for (let i = 0; i < 20; i++) assert.equal((await kv.get(keys.tlogLeaf(i))).value, byIndex[i]);
    assert.equal((await log.checkpoint()).root_hash, await expectedRoot(byIndex));
    for (const h of hashes) assert.ok(await verifyInclusionProof((await log.inclusionProof(h))!));
  }));

Deno.test("concurrent appends of the same hash log it once", () =>
  withKv(async (kv) => {
    const log = createTransparencyLog(logStores(kv), fixedClock(T0));
    const other = createTransparencyLog(logStores(kv), fixedClock(T0));
    const h = await signalHash(7);
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? log : other).append(h)));
    assert.ok(results.every((r) => r.leaf_index === 0));
    assert.equal(results.filter((r) => r.appended).length, 1);
    assert.equal(await log.size(), 1);
    assert.equal((await kv.get(keys.tlogLeaf(1))).versionstamp, null);
  }));

Deno.test("the root at every size 1..40 equals the RFC 6962 root of all leaves so far", () =>
  withKv(async (kv) => {
    const log = createTransparencyLog(logStores(kv), fixedClock(T0));
    const hashes = await signalHashes(40);
    for (let n = 1; n <= 40; n++) {
      await log.append(hashes[n - 1]);
      const cp = await log.checkpoint();
      assert.equal(cp.tree_size, n);
      assert.equal(cp.root_hash, await expectedRoot(hashes.slice(0, n)), `size ${n}`);
      // Stored nodes are exactly the completed perfect subtrees: floor(n / 2^L) at each level L.
      let expectedNodes = 0;
      for (let w = 1; w <= n; w *= 2) expectedNodes += Math.floor(n / w);
      let stored = 0;
      for await (const _ of kv.list({ prefix: ["tlog_nodes"] })) stored++;
      assert.equal(stored, expectedNodes, `nodes at size ${n}`);
    }
  }));

Deno.test("inclusion proofs at every older tree size verify against that size's checkpoint", () =>
  withKv(async (kv) => {
    const log = createTransparencyLog(logStores(kv), fixedClock(T0));
    const hashes = await signalHashes(13);
    for (const h of hashes) await log.append(h);
    const leaves = await leafHashesOf(hashes);
    for (let size = 1; size <= 13; size++) {
      const root = toHex(await rootFromLeafHashes(leaves.slice(0, size)));
      for (let i = 0; i < 13; i++) {
        const proof = await log.inclusionProof(hashes[i], size);
        if (i >= size) {
          assert.equal(proof, null, `leaf ${i} is not in the tree of ${size}`);
          continue;
        }
        assert.ok(proof);
        assert.equal(proof.leaf_index, i);
        assert.equal(proof.tree_size, size);
        assert.equal(proof.root_hash, root);
        assert.equal(proof.checkpoint.tree_size, size);
        assert.equal(proof.leaf_hash, toHex(leaves[i]));
        assert.ok(await verifyInclusionProof(proof, (await log.publicKey()).public_key), `${i} of ${size}`);
        assert.ok(
          await verifyInclusion(
            leaves[i],
            i,
            size,
            proof.audit_path.map((h) => hexToBytes(h)!),
            hexToBytes(root)!,
          ),
        );
        // Altered proofs fail.
        assert.equal(await verifyInclusionProof({ ...proof, leaf_index: (i + 1) % size }), size === 1);
        assert.equal(await verifyInclusionProof({ ...proof, signal_hash: hashes[(i + 1) % 13] }), false);
        if (proof.audit_path.length > 0) {
          const path = [...proof.audit_path];
          path[0] = hashes[0];
          assert.equal(await verifyInclusionProof({ ...proof, audit_path: path }), false);
        }
      }
    }
  }));

Deno.test("inclusionProof() defaults to the current size, null for unlogged hashes, 400 for bad sizes", () =>
  withKv(async (kv) => {
    const log = createTransparencyLog(logStores(kv), fixedClock(T0));
    const hashes = await signalHashes(3);
    for (const h of hashes) await log.append(h);
    const proof = (await log.inclusionProof(hashes[1]))!;
    assert.equal(proof.tree_size, 3);
    assert.deepEqual(proof.checkpoint, await log.checkpoint());
    assert.equal(await log.inclusionProof(await signalHash(99)), null);
    for (const bad of [0, 4, 1.5, -1]) {
      await assert.rejects(log.inclusionProof(hashes[0], bad), BadRequestError);
    }
  }));

Deno.test("consistency proofs between every pair of sizes verify", () =>
  withKv(async (kv) => {
    const log = createTransparencyLog(logStores(kv), fixedClock(T0));
    const hashes = await signalHashes(13);
    for (const h of hashes) await log.append(h);
    const leaves = await leafHashesOf(hashes);
    const roots = await Promise.all(
      Array.from({ length: 14 }, async (_, n) => toHex(await rootFromLeafHashes(leaves.slice(0, n)))),
    );
    for (let n = 1; n <= 13; n++) {
      for (let m = 1; m <= n; m++) {
        const p = await log.consistencyProof(m, n);
        assert.equal(p.first_root, roots[m]);
        assert.equal(p.second_root, roots[n]);
        assert.ok(await verifyConsistencyProof(p), `${m} → ${n}`);
        assert.ok(
          await verifyConsistency(
            m,
            n,
            p.proof.map((h) => hexToBytes(h)!),
            hexToBytes(roots[m])!,
            hexToBytes(roots[n])!,
          ),
        );
        if (m < n) {
          assert.equal(await verifyConsistencyProof({ ...p, first_root: roots[m === 1 ? 2 : 1] }), false);
          assert.equal(await verifyConsistencyProof({ ...p, proof: p.proof.slice(1) }), false);
        }
      }
    }
  }));

Deno.test("consistencyProof() requires 1 ≤ first ≤ second ≤ size", () =>
  withKv(async (kv) => {
    const log = createTransparencyLog(logStores(kv), fixedClock(T0));
    for (const h of await signalHashes(4)) await log.append(h);
    for (const [a, b] of [[0, 2], [3, 2], [1, 5], [1.5, 2], [-1, 2]]) {
      await assert.rejects(log.consistencyProof(a, b), BadRequestError, `${a}, ${b}`);
    }
    assert.deepEqual((await log.consistencyProof(4, 4)).proof, []);
  }));

Deno.test("checkpoints verify, and fail when tree_size or root_hash is altered", () =>
  withKv(async (kv) => {
    const log = createTransparencyLog(logStores(kv), fixedClock(T0), { origin: "example.test/log" });
    for (const h of await signalHashes(5)) await log.append(h);
    const cp = await log.checkpoint();
    assert.equal(cp.origin, "example.test/log");
    assert.equal(cp.timestamp, T0);
    assert.equal(cp.note, `example.test/log\n5\n${cp.root_hash}\n${T0}\n`);
    const key = await log.publicKey();
    assert.deepEqual(key, { algorithm: "Ed25519", public_key: cp.public_key, key_id: cp.key_id });
    assert.ok(await verifyCheckpoint(cp, key.public_key));
    assert.equal(await verifyCheckpoint({ ...cp, tree_size: 4 }), false);
    assert.equal(await verifyCheckpoint({ ...cp, root_hash: await signalHash(0) }), false);
  }));

Deno.test("the empty log's checkpoint has size 0 and the empty root", () =>
  withKv(async (kv) => {
    const cp = await createTransparencyLog(logStores(kv), fixedClock(T0)).checkpoint();
    assert.equal(cp.tree_size, 0);
    assert.equal(cp.root_hash, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.ok(await verifyCheckpoint(cp));
  }));

Deno.test("the signing key is generated once and shared by every log instance on the KV", () =>
  withKv(async (kv) => {
    const clock = fixedClock(T0);
    const [a, b] = [createTransparencyLog(logStores(kv), clock), createTransparencyLog(logStores(kv), clock)];
    const [ka, kb] = await Promise.all([a.publicKey(), b.publicKey()]);
    assert.deepEqual(ka, kb);
    assert.equal(typeof (await kv.get(keys.setting("tlog_signing_key"))).value, "string");
    const c = createTransparencyLog(logStores(kv), clock);
    await c.append(await signalHash(1));
    assert.ok(await verifyCheckpoint(await c.checkpoint(), ka.public_key));
  }));

Deno.test("a tree size is signed once: later calls return the same checkpoint", () =>
  withKv(async (kv) => {
    const clock = fixedClock(T0);
    const log = createTransparencyLog(logStores(kv), clock);
    await log.append(await signalHash(0));
    const first = await log.checkpoint();
    clock.advance(60_000);
    assert.deepEqual(await log.checkpoint(), first);
    assert.deepEqual(await createTransparencyLog(logStores(kv), clock).checkpoint(), first);
    await log.append(await signalHash(1));
    const second = await log.checkpoint();
    assert.equal(second.tree_size, 2);
    assert.equal(second.timestamp, T0 + 60_000);
    // Concurrent first requests for a new size agree on one signature.
    await log.append(await signalHash(2));
    clock.advance(1);
    const racing = await Promise.all([
      log.checkpoint(),
      createTransparencyLog(logStores(kv), clock).checkpoint(),
    ]);
    assert.deepEqual(racing[0], racing[1]);
    assert.deepEqual(await log.checkpoint(), racing[0]);
  }));

Deno.test("append() signs the new size itself: a reader on a later clock cannot sign it first, later", () =>
  withKv(async (kv) => {
    // Two processes on one KV file: one appends under its clock, the other only reads the head an hour later.
    const writer = createTransparencyLog(logStores(kv), fixedClock(T0));
    const reader = createTransparencyLog(logStores(kv), fixedClock(T0 + 3_600_000));
    const hashes = await signalHashes(5);
    for (const [i, h] of hashes.entries()) {
      await writer.append(h);
      const seen = await reader.checkpoint();
      assert.equal(seen.tree_size, i + 1);
      assert.equal(seen.timestamp, T0, "the checkpoint is the appender's, signed at append time");
      assert.equal(seen.root_hash, await expectedRoot(hashes.slice(0, i + 1)));
      assert.equal(await verifyCheckpoint(seen), true);
      assert.deepEqual(await writer.checkpoint(), seen);
    }
  }));

Deno.test("createTransparencyLog() refuses a multi-line origin", () =>
  withKv((kv) => {
    assert.throws(() => createTransparencyLog(logStores(kv), fixedClock(T0), { origin: "a\nb" }), TypeError);
    return Promise.resolve();
  }));
