import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { verifyCosignature } from "../../domain/attestation/cosignature.ts";
import { startWitness } from "../_helpers/witness.ts";
import { addBody, get, openLog, post, WITNESS_T0 } from "./log_fixture.ts";

const ORIGIN = "test.example/signals";

Deno.test("witness: cosigns a first checkpoint from size 0, timed by its own clock, verifiable with its key", async () => {
  await using honest = await openLog(ORIGIN);
  await honest.grow("a", 3);
  const clock = fixedClock(WITNESS_T0);
  const w = await startWitness({
    clock,
    logs: [{ origin: ORIGIN, public_key: honest.publicKey }],
    name: "w1",
  });
  try {
    const body = await addBody(honest.log, 0);
    const res = await post(`${w.url}/add-checkpoint`, body);
    assert.equal(res.status, 200);
    assert.match(res.type ?? "", /application\/json/);
    const cosig = res.body.cosignature;
    assert.equal(cosig.witness, "w1");
    assert.equal(cosig.algorithm, "Ed25519");
    assert.equal(cosig.public_key, w.publicKey);
    assert.equal(cosig.key_id, w.keyId);
    assert.equal(cosig.timestamp, WITNESS_T0);
    assert.notEqual(cosig.timestamp, body.checkpoint.timestamp);
    assert.equal(await verifyCosignature(cosig, body.checkpoint.note, w.publicKey), true);
    // Not a cosignature of any other note, nor at another time.
    assert.equal(await verifyCosignature(cosig, body.checkpoint.note.replace("\n3\n", "\n4\n")), false);
    assert.equal(
      await verifyCosignature({ ...cosig, timestamp: WITNESS_T0 + 1 }, body.checkpoint.note),
      false,
    );

    const info = await get(`${w.url}/`);
    assert.equal(info.status, 200);
    assert.deepEqual(info.body, {
      name: "w1",
      algorithm: "Ed25519",
      public_key: w.publicKey,
      key_id: w.keyId,
      logs: [{
        origin: ORIGIN,
        public_key: honest.publicKey,
        tree_size: 3,
        root_hash: body.checkpoint.root_hash,
        timestamp: body.checkpoint.timestamp,
      }],
    });
  } finally {
    await w.close();
  }
});

Deno.test("witness: GET / shows size 0 and nulls before the first cosignature; /alerts is empty", async () => {
  await using honest = await openLog(ORIGIN);
  const w = await startWitness({ logs: [{ origin: ORIGIN, public_key: honest.publicKey }] });
  try {
    const info = await get(`${w.url}/`);
    assert.deepEqual(info.body.logs, [{
      origin: ORIGIN,
      public_key: honest.publicKey,
      tree_size: 0,
      root_hash: null,
      timestamp: null,
    }]);
    assert.equal(info.body.name, "test-witness");
    assert.deepEqual((await get(`${w.url}/alerts`)).body, { alerts: [] });
  } finally {
    await w.close();
  }
});

Deno.test("witness: cosigns a consistent extension with the log's proof, and the same head again", async () => {
  await using honest = await openLog(ORIGIN);
  const clock = fixedClock(WITNESS_T0);
  const w = await startWitness({ clock, logs: [{ origin: ORIGIN, public_key: honest.publicKey }] });
  try {
    await honest.grow("a", 3);
    assert.equal((await post(`${w.url}/add-checkpoint`, await addBody(honest.log, 0))).status, 200);
    for (const size of [4, 7, 8, 13]) {
      const from = (await get(`${w.url}/`)).body.logs[0].tree_size;
      await honest.grow("a", size);
      clock.advance(60_000);
      const body = await addBody(honest.log, from);
      assert.ok(size - from === 1 || body.consistency_proof.length > 0);
      const res = await post(`${w.url}/add-checkpoint`, body);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.cosignature.timestamp, clock.now());
      assert.equal(await verifyCosignature(res.body.cosignature, body.checkpoint.note, w.publicKey), true);
      assert.equal((await get(`${w.url}/`)).body.logs[0].tree_size, size);
    }
    // The head it already cosigned, offered again from its own size: cosigned again (with the time now).
    clock.advance(5);
    const again = await post(`${w.url}/add-checkpoint`, await addBody(honest.log, 13));
    assert.equal(again.status, 200);
    assert.equal(again.body.cosignature.timestamp, clock.now());
  } finally {
    await w.close();
  }
});

Deno.test("witness: an old_size other than its latest size is 409 with that size, and nothing moves", async () => {
  await using honest = await openLog(ORIGIN);
  const w = await startWitness({ logs: [{ origin: ORIGIN, public_key: honest.publicKey }] });
  try {
    await honest.grow("a", 3);
    const early = await addBody(honest.log, 0);
    assert.equal((await post(`${w.url}/add-checkpoint`, early)).status, 200);
    await honest.grow("a", 6);
    for (const oldSize of [0, 2, 5]) {
      const res = await post(`${w.url}/add-checkpoint`, await addBody(honest.log, oldSize));
      assert.equal(res.status, 409, `old_size ${oldSize}`);
      assert.equal(res.body.tree_size, 3);
      assert.equal(typeof res.body.detail, "string");
    }
    // Before any cosignature the latest size is 0.
    await using other = await openLog("other/log");
    await other.grow("o", 2);
    const w2 = await startWitness({ logs: [{ origin: "other/log", public_key: other.publicKey }] });
    try {
      const res = await post(`${w2.url}/add-checkpoint`, { ...await addBody(other.log, 0), old_size: 1 });
      assert.equal(res.status, 409);
      assert.equal(res.body.tree_size, 0);
    } finally {
      await w2.close();
    }
    // A stale (smaller, older) checkpoint pushed late is 409 too, and not evidence.
    assert.equal((await post(`${w.url}/add-checkpoint`, { ...early, old_size: 3 })).status, 200);
    assert.equal((await get(`${w.url}/`)).body.logs[0].tree_size, 3);
    const res = await post(`${w.url}/add-checkpoint`, await addBody(honest.log, 3));
    assert.equal(res.status, 200);
    const late = await post(`${w.url}/add-checkpoint`, { ...early, old_size: 6 });
    assert.equal(late.status, 409);
    assert.equal(late.body.tree_size, 6);
    assert.deepEqual((await get(`${w.url}/alerts`)).body, { alerts: [] });
  } finally {
    await w.close();
  }
});

Deno.test("witness: after cosigning the empty tree it cosigns the first non-empty checkpoint from size 0", async () => {
  await using honest = await openLog(ORIGIN);
  const w = await startWitness({ logs: [{ origin: ORIGIN, public_key: honest.publicKey }] });
  try {
    const empty = await addBody(honest.log, 0);
    assert.equal(empty.checkpoint.tree_size, 0);
    assert.equal((await post(`${w.url}/add-checkpoint`, empty)).status, 200);
    await honest.grow("a", 2);
    const res = await post(`${w.url}/add-checkpoint`, await addBody(honest.log, 0));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal((await get(`${w.url}/`)).body.logs[0].tree_size, 2);
  } finally {
    await w.close();
  }
});

Deno.test("witness: a checkpoint timed more than WITNESS_MAX_FUTURE_SKEW_MS ahead of its clock is refused (422) and moves nothing", async () => {
  await using honest = await openLog(ORIGIN);
  await honest.grow("a", 2);
  // The witness's clock stands 10 minutes behind the log's.
  const clock = fixedClock(honest.clock.now() - 600_000);
  const w = await startWitness({ clock, logs: [{ origin: ORIGIN, public_key: honest.publicKey }] });
  const strict = await startWitness({
    clock,
    logs: [{ origin: ORIGIN, public_key: honest.publicKey }],
    maxFutureSkewMs: 60_000,
  });
  try {
    const body = await addBody(honest.log, 0);
    const refused = await post(`${w.url}/add-checkpoint`, body);
    assert.equal(refused.status, 422);
    assert.match(refused.body.detail, /ahead of this witness's clock/);
    const info = await get(`${w.url}/`);
    assert.equal(info.body.logs[0].tree_size, 0, "no state change");
    assert.deepEqual((await get(`${w.url}/alerts`)).body, { alerts: [] });
    assert.equal((await post(`${strict.url}/add-checkpoint`, body)).status, 422);

    // Within the default bound of 5 minutes (its clock now 4 min 50 s behind): cosigned, and later ones too.
    clock.advance(310_000);
    assert.equal((await post(`${w.url}/add-checkpoint`, body)).status, 200);
    await honest.grow("a", 4);
    assert.equal((await post(`${w.url}/add-checkpoint`, await addBody(honest.log, 2))).status, 200);
    // The option: 1 minute.
    assert.equal((await post(`${strict.url}/add-checkpoint`, await addBody(honest.log, 0))).status, 422);
    clock.advance(300_000);
    assert.equal((await post(`${strict.url}/add-checkpoint`, await addBody(honest.log, 0))).status, 200);
  } finally {
    await w.close();
    await strict.close();
  }
});
