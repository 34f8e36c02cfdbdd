import assert from "node:assert/strict";
import { generateSigningKey } from "../../domain/attestation/checkpoint.ts";
import { fixedClock } from "../../domain/clock.ts";
import { assembleWitness } from "../../witness/assemble_witness.ts";
import { loadWitnessSigner } from "../../witness/witness_key.ts";
import { createWitnessStore } from "../../witness/witness_store.ts";
import { startWitness } from "../_helpers/witness.ts";
import { addBody, forkOf, get, openLog, post, WITNESS_T0 } from "./log_fixture.ts";

const ORIGIN = "test.example/signals";

Deno.test("witness: concurrent add-checkpoints from the same state: exactly one is cosigned, the others get 409", async () => {
  await using honest = await openLog(ORIGIN);
  const w = await startWitness({ logs: [{ origin: ORIGIN, public_key: honest.publicKey }] });
  try {
    await honest.grow("a", 3);
    assert.equal((await post(`${w.url}/add-checkpoint`, await addBody(honest.log, 0))).status, 200);
    for (const size of [5, 9]) {
      const from = (await get(`${w.url}/`)).body.logs[0].tree_size;
      await honest.grow("a", size);
      const body = await addBody(honest.log, from);
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => post(`${w.url}/add-checkpoint`, body)),
      );
      assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409, 409, 409, 409, 409, 409, 409]);
      for (const a of answers.filter((a) => a.status === 409)) assert.equal(a.body.tree_size, size);
    }
  } finally {
    await w.close();
  }
});

Deno.test("witness core: concurrent calls that all read the same state: one moves it, the others lose the check (409)", async () => {
  await using honest = await openLog(ORIGIN);
  await honest.grow("a", 4);
  const kv = await Deno.openKv(":memory:");
  try {
    // Every call reads the state before any of them moves it (a latch on the first 8 reads), so the race is
    // exercised whatever the scheduler does: one commit wins, the others lose their check.
    const store = createWitnessStore(kv);
    let reads = 0;
    let allRead: () => void = () => {};
    const latch = new Promise<void>((r) => (allRead = r));
    const racing: typeof store = {
      ...store,
      async state(origin) {
        const state = await store.state(origin);
        if (++reads === 8) allRead();
        await latch;
        return state;
      },
    };
    const { witness } = await assembleWitness(racing, {
      clock: fixedClock(WITNESS_T0),
      name: "core",
      logs: [{ origin: ORIGIN, public_key: honest.publicKey }],
    });
    const body = await addBody(honest.log, 0);
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => witness.addCheckpoint(body)));
    assert.deepEqual(outcomes.map((o) => o.status).sort(), [200, 409, 409, 409, 409, 409, 409, 409]);
    const lost = outcomes.filter((o) => o.status === 409 && /Another request/.test(o.body.detail));
    assert.ok(lost.length > 0, "no call lost the atomic check: the race was not exercised");
    for (const o of outcomes) if (o.status === 409) assert.equal(o.body.tree_size, 4);
  } finally {
    kv.close();
  }
});

Deno.test("witness store: advance() from a versionstamp another commit moved is refused and writes nothing", async () => {
  await using honest = await openLog(ORIGIN);
  await honest.grow("a", 2);
  const first = await honest.log.checkpoint();
  await honest.grow("a", 4);
  const second = await honest.log.checkpoint();
  const kv = await Deno.openKv(":memory:");
  try {
    const store = createWitnessStore(kv);
    const empty = await store.state(ORIGIN);
    assert.deepEqual(empty, { checkpoint: null, versionstamp: null });
    assert.equal(await store.advance(ORIGIN, empty.versionstamp, first), true);
    assert.equal(await store.advance(ORIGIN, empty.versionstamp, second), false);
    const now = await store.state(ORIGIN);
    assert.deepEqual(now.checkpoint, first);
    assert.equal(await store.advance(ORIGIN, now.versionstamp, second), true);
    assert.equal(await store.advance(ORIGIN, now.versionstamp, first), false);
    assert.deepEqual((await store.state(ORIGIN)).checkpoint, second);
  } finally {
    kv.close();
  }
});

Deno.test("witness: a restart on the same database keeps its key, its state and its evidence", async () => {
  const dir = await Deno.makeTempDir({ dir: ".tmp" });
  const kvPath = `${dir}/witness.sqlite`;
  await using honest = await openLog(ORIGIN);
  const logs = [{ origin: ORIGIN, public_key: honest.publicKey }];
  try {
    const first = await startWitness({ logs, kvPath });
    await honest.grow("a", 3);
    try {
      assert.equal((await post(`${first.url}/add-checkpoint`, await addBody(honest.log, 0))).status, 200);
      await using fork = await forkOf(honest, ORIGIN);
      await fork.grow("fork", 3);
      assert.equal((await post(`${first.url}/add-checkpoint`, await addBody(fork.log, 3))).status, 422);
    } finally {
      await first.close();
    }
    const second = await startWitness({ logs, kvPath });
    try {
      assert.equal(second.publicKey, first.publicKey);
      assert.equal(second.keyId, first.keyId);
      assert.equal((await get(`${second.url}/`)).body.logs[0].tree_size, 3);
      assert.equal((await get(`${second.url}/alerts`)).body.alerts.length, 1);
      const fromZero = await post(`${second.url}/add-checkpoint`, await addBody(honest.log, 0));
      assert.equal(fromZero.status, 409);
      assert.equal(fromZero.body.tree_size, 3);
      await honest.grow("a", 6);
      const next = await post(`${second.url}/add-checkpoint`, await addBody(honest.log, 3));
      assert.equal(next.status, 200);
      assert.equal(next.body.cosignature.public_key, first.publicKey);
    } finally {
      await second.close();
    }
    // A fresh database is another witness: another key, nothing cosigned.
    const fresh = await startWitness({ logs });
    try {
      assert.notEqual(fresh.publicKey, first.publicKey);
      assert.equal((await get(`${fresh.url}/`)).body.logs[0].tree_size, 0);
    } finally {
      await fresh.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("witness: a configured signing key is used instead of the stored one; a malformed one is refused without echoing it", async () => {
  const key = await generateSigningKey();
  const kv = await Deno.openKv(":memory:");
  try {
    const store = createWitnessStore(kv);
    const configured = await loadWitnessSigner(store, key);
    const stored = await loadWitnessSigner(store);
    assert.notEqual(configured.publicKey.public_key, stored.publicKey.public_key);
    assert.equal((await loadWitnessSigner(store)).publicKey.public_key, stored.publicKey.public_key);
    const bad = key.slice(0, 40);
    await assert.rejects(() => loadWitnessSigner(store, bad), (err: Error) => {
      assert.ok(err instanceof TypeError);
      assert.ok(!err.message.includes(bad));
      return true;
    });
  } finally {
    kv.close();
  }
  const w = await startWitness({ logs: [], signingKey: key });
  try {
    const kv2 = await Deno.openKv(":memory:");
    const expected = (await loadWitnessSigner(createWitnessStore(kv2), key)).publicKey.public_key;
    kv2.close();
    assert.equal(w.publicKey, expected);
    assert.equal((await get(`${w.url}/`)).body.public_key, expected);
  } finally {
    await w.close();
  }
});
