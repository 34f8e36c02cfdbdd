import assert from "node:assert/strict";
import { startWitness } from "../_helpers/witness.ts";
import { addBody, get, openLog, post } from "./log_fixture.ts";

const ORIGIN = "test.example/signals";

Deno.test("witness: malformed add-checkpoint bodies are 400 with a detail naming the problem, never a 500", async () => {
  await using honest = await openLog(ORIGIN);
  await honest.grow("a", 5);
  const w = await startWitness({ logs: [{ origin: ORIGIN, public_key: honest.publicKey }] });
  try {
    const good = await addBody(honest.log, 0);
    const cp = good.checkpoint;
    const hash = "ab".repeat(32);
    const cases: [string, unknown, RegExp][] = [
      ["not JSON", "{old_size: 0", /not JSON/],
      ["empty body", "", /not JSON/],
      ["JSON null", "null", /body/],
      ["an array", "[]", /body/],
      ["missing checkpoint", { old_size: 0, consistency_proof: [] }, /checkpoint/],
      ["missing old_size", { consistency_proof: [], checkpoint: cp }, /old_size/],
      ["negative old_size", { ...good, old_size: -1 }, /old_size/],
      ["fractional old_size", { ...good, old_size: 1.5 }, /old_size/],
      ["old_size as a string", { ...good, old_size: "0" }, /old_size/],
      ["old_size beyond 2^53", { ...good, old_size: 2 ** 60 }, /old_size/],
      ["proof not an array", { ...good, consistency_proof: hash }, /consistency_proof/],
      ["a proof of 65 hashes", { ...good, consistency_proof: Array(65).fill(hash) }, /consistency_proof/],
      ["an uppercase proof hash", { ...good, consistency_proof: [hash.toUpperCase()] }, /consistency_proof/],
      ["a short proof hash", { ...good, consistency_proof: ["abcd"] }, /consistency_proof/],
      ["a number in the proof", { ...good, consistency_proof: [7] }, /consistency_proof/],
      ["an extra key", { ...good, extra: 1 }, /extra|Unrecognized/],
      ["an extra checkpoint key", { ...good, checkpoint: { ...cp, leaves: [] } }, /checkpoint/],
      ["tree_size as a string", { ...good, checkpoint: { ...cp, tree_size: "5" } }, /tree_size/],
      ["a negative timestamp", { ...good, checkpoint: { ...cp, timestamp: -5 } }, /timestamp/],
      ["a short root", { ...good, checkpoint: { ...cp, root_hash: "ab" } }, /root_hash/],
      ["another algorithm", { ...good, checkpoint: { ...cp, algorithm: "RSA" } }, /algorithm/],
      ["a NUL in the origin", { ...good, checkpoint: { ...cp, origin: "test\u0000x" } }, /origin.*control/],
      ["a newline in the origin", { ...good, checkpoint: { ...cp, origin: "a\nb" } }, /origin.*control/],
      ["an empty origin", { ...good, checkpoint: { ...cp, origin: "" } }, /origin/],
      ["a carriage return in the note", { ...good, checkpoint: { ...cp, note: cp.note + "\r" } }, /note/],
      ["an escape in the note", { ...good, checkpoint: { ...cp, note: "\u001b[2J" + cp.note } }, /note/],
      ["a huge note", { ...good, checkpoint: { ...cp, note: "x".repeat(5000) } }, /note/],
      ["a non-base64 signature", { ...good, checkpoint: { ...cp, signature: "%%%" } }, /signature/],
      ["a bad key id", { ...good, checkpoint: { ...cp, key_id: "XYZ" } }, /key_id/],
      ["a proof from size 0", { ...good, consistency_proof: [hash] }, /empty/],
    ];
    for (const [what, body, detail] of cases) {
      const res = await post(`${w.url}/add-checkpoint`, body);
      assert.equal(res.status, 400, what);
      assert.match(res.type ?? "", /application\/json/, what);
      assert.equal(typeof res.body.detail, "string", what);
      assert.match(res.body.detail, detail, what);
      assert.ok(res.body.detail.length <= 300, what);
    }
    // The checkpoint as the log serves it, with its cosignatures and GitHub fields, is accepted.
    const served = { ...good, checkpoint: { ...cp, cosignatures: [], github: null } };
    assert.equal((await post(`${w.url}/add-checkpoint`, served)).status, 200);
    assert.equal((await get(`${w.url}/`)).body.logs[0].tree_size, 5);
  } finally {
    await w.close();
  }
});

Deno.test("witness: a body over 64 KiB is 413, announced or streamed, and 64 KiB itself is read", async () => {
  await using honest = await openLog(ORIGIN);
  const w = await startWitness({ logs: [{ origin: ORIGIN, public_key: honest.publicKey }] });
  try {
    const big = JSON.stringify({ pad: "x".repeat(70 * 1024) });
    const announced = await post(`${w.url}/add-checkpoint`, big);
    assert.equal(announced.status, 413);
    assert.match(announced.body.detail, /too large/);
    const bytes = new TextEncoder().encode(big);
    const streamed = await post(`${w.url}/add-checkpoint`, "", {
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192));
          controller.close();
        },
      }),
    });
    assert.equal(streamed.status, 413);
    const exact = JSON.stringify({ pad: "x".repeat(64 * 1024 - 10) });
    assert.equal(new TextEncoder().encode(exact).length, 64 * 1024);
    const res = await post(`${w.url}/add-checkpoint`, exact);
    assert.equal(res.status, 400, "read and refused as malformed, not as too large");
  } finally {
    await w.close();
  }
});

Deno.test("witness: unknown paths are 404 JSON", async () => {
  const w = await startWitness({ logs: [] });
  try {
    const res = await get(`${w.url}/nope`);
    assert.equal(res.status, 404);
    assert.deepEqual(res.body, { detail: "Not Found" });
    const wrongMethod = await fetch(`${w.url}/add-checkpoint`);
    assert.equal(wrongMethod.status, 404);
    await wrongMethod.body?.cancel();
  } finally {
    await w.close();
  }
});
