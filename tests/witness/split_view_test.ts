import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { createCheckpointSigner } from "../../domain/attestation/checkpoint.ts";
import { startWitness } from "../_helpers/witness.ts";
import { addBody, forkOf, get, openLog, post, WITNESS_T0 } from "./log_fixture.ts";

const ORIGIN = "test.example/signals";

Deno.test("witness: a fork with the same key and origin is refused as a split view in every shape, with evidence, and the honest log is still cosigned", async () => {
  await using honest = await openLog(ORIGIN);
  await using fork = await forkOf(honest, ORIGIN);
  assert.equal(fork.publicKey, honest.publicKey);
  const clock = fixedClock(WITNESS_T0);
  const w = await startWitness({ clock, logs: [{ origin: ORIGIN, public_key: honest.publicKey }] });
  try {
    await honest.grow("honest", 4);
    const seen = await addBody(honest.log, 0);
    assert.equal((await post(`${w.url}/add-checkpoint`, seen)).status, 200);

    const refusals: { what: string; body: unknown }[] = [];
    // Same size, another root.
    await fork.grow("fork", 4);
    refusals.push({ what: "same size, other root", body: await addBody(fork.log, 4) });
    // A larger fork whose own (valid) proof does not start from the cosigned root.
    await fork.grow("fork", 9);
    refusals.push({ what: "proof from another history", body: await addBody(fork.log, 4) });
    // A smaller size signed later than the cosigned checkpoint.
    await using small = await forkOf(honest, ORIGIN);
    small.clock.set(fork.clock.now());
    await small.grow("small", 2);
    refusals.push({ what: "smaller size, signed later", body: await addBody(small.log, 0) });
    // The honest log's next head with one hash of its proof changed.
    await honest.grow("honest", 11);
    const tampered = await addBody(honest.log, 4);
    tampered.consistency_proof[0] = tampered.consistency_proof[0].replace(
      /^./,
      (c) => (c === "0" ? "1" : "0"),
    );
    refusals.push({ what: "a wrong proof", body: tampered });

    for (const { what, body } of refusals) {
      clock.advance(1000);
      const res = await post(`${w.url}/add-checkpoint`, body);
      assert.equal(res.status, 422, what);
      assert.match(res.type ?? "", /application\/json/);
      assert.match(res.body.detail, /^split view: /, what);
    }
    const alerts = (await get(`${w.url}/alerts`)).body.alerts;
    assert.equal(alerts.length, 4);
    for (const [i, alert] of alerts.entries()) {
      assert.equal(alert.origin, ORIGIN);
      assert.deepEqual(alert.seen, seen.checkpoint, refusals[i].what);
      assert.deepEqual(alert.offered, (refusals[i].body as typeof seen).checkpoint, refusals[i].what);
      assert.equal(alert.detected_at, WITNESS_T0 + 1000 * (i + 1));
    }
    assert.equal((await get(`${w.url}/`)).body.logs[0].tree_size, 4, "no refusal moved the state");

    // It keeps refusing the fork (the same offer is kept once) while it cosigns the honest log.
    assert.equal((await post(`${w.url}/add-checkpoint`, refusals[0].body)).status, 422);
    assert.equal((await get(`${w.url}/alerts`)).body.alerts.length, 4);
    const next = await post(`${w.url}/add-checkpoint`, await addBody(honest.log, 4));
    assert.equal(next.status, 200);
    assert.equal((await get(`${w.url}/`)).body.logs[0].tree_size, 11);
    await fork.grow("fork", 14);
    const again = await post(`${w.url}/add-checkpoint`, await addBody(fork.log, 11));
    assert.equal(again.status, 422);
    assert.match(again.body.detail, /^split view: /);
    await honest.grow("honest", 12);
    assert.equal((await post(`${w.url}/add-checkpoint`, await addBody(honest.log, 11))).status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("witness: of two histories that share the cosigned prefix, the first extension offered wins and the other is refused", async () => {
  await using a = await openLog(ORIGIN);
  await a.grow("shared", 3);
  await using b = await forkOf(a, ORIGIN);
  await b.grow("shared", 3);
  assert.equal((await a.log.checkpoint()).root_hash, (await b.log.checkpoint()).root_hash);
  const w = await startWitness({ logs: [{ origin: ORIGIN, public_key: a.publicKey }] });
  try {
    assert.equal((await post(`${w.url}/add-checkpoint`, await addBody(a.log, 0))).status, 200);
    await a.grow("a", 6);
    await b.grow("b", 6);
    assert.equal((await post(`${w.url}/add-checkpoint`, await addBody(b.log, 3))).status, 200);
    const res = await post(`${w.url}/add-checkpoint`, await addBody(a.log, 6));
    assert.equal(res.status, 422);
    assert.match(res.body.detail, /^split view: .*size 6/);
  } finally {
    await w.close();
  }
});

Deno.test("witness: a checkpoint timed before the last one it cosigned is refused (422, not evidence)", async () => {
  await using honest = await openLog(ORIGIN);
  const w = await startWitness({ logs: [{ origin: ORIGIN, public_key: honest.publicKey }] });
  try {
    await honest.grow("a", 3);
    const first = await addBody(honest.log, 0);
    assert.equal((await post(`${w.url}/add-checkpoint`, first)).status, 200);
    await honest.grow("a", 5);
    const body = await addBody(honest.log, 3);
    // The log's own key signs the honest size-5 root with a time before the cosigned size-3 checkpoint.
    const signer = await createCheckpointSigner(honest.signingKey);
    const backdated = await signer.sign(ORIGIN, 5, body.checkpoint.root_hash, first.checkpoint.timestamp - 1);
    const res = await post(`${w.url}/add-checkpoint`, { ...body, checkpoint: backdated });
    assert.equal(res.status, 422);
    assert.doesNotMatch(res.body.detail, /^split view/);
    assert.match(res.body.detail, /earlier than/);
    assert.deepEqual((await get(`${w.url}/alerts`)).body, { alerts: [] });
    // The same root signed at the same time as the last one is fine.
    const sameTime = await signer.sign(ORIGIN, 5, body.checkpoint.root_hash, first.checkpoint.timestamp);
    assert.equal((await post(`${w.url}/add-checkpoint`, { ...body, checkpoint: sameTime })).status, 200);
  } finally {
    await w.close();
  }
});

Deno.test("witness: an unknown origin, another key, or a bad signature is 403 and stores nothing", async () => {
  await using honest = await openLog(ORIGIN);
  await using stranger = await openLog(ORIGIN); // same origin, its own key
  await using elsewhere = await openLog("other.example/log", honest.signingKey);
  const w = await startWitness({ logs: [{ origin: ORIGIN, public_key: honest.publicKey }] });
  try {
    for (const l of [honest, stranger, elsewhere]) await l.grow("x", 2);
    const good = await addBody(honest.log, 0);
    const cases: [string, unknown][] = [
      ["unknown origin", await addBody(elsewhere.log, 0)],
      ["another key", await addBody(stranger.log, 0)],
      ["another key, claimed as ours", {
        ...await addBody(stranger.log, 0),
        checkpoint: { ...(await stranger.log.checkpoint()), public_key: honest.publicKey },
      }],
      ["a changed root", { ...good, checkpoint: { ...good.checkpoint, root_hash: "ab".repeat(32) } }],
      ["a changed signature", {
        ...good,
        checkpoint: { ...good.checkpoint, signature: (await stranger.log.checkpoint()).signature },
      }],
    ];
    for (const [what, body] of cases) {
      const res = await post(`${w.url}/add-checkpoint`, body);
      assert.equal(res.status, 403, what);
      assert.equal(typeof res.body.detail, "string", what);
    }
    assert.equal((await get(`${w.url}/`)).body.logs[0].tree_size, 0);
    assert.deepEqual((await get(`${w.url}/alerts`)).body, { alerts: [] });
    assert.equal((await post(`${w.url}/add-checkpoint`, good)).status, 200);
  } finally {
    await w.close();
  }
});
