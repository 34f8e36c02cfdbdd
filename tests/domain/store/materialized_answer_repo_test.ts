/** Materialised answers in KV: parts under the value limit, token check, replacement, size and key bounds. */
import assert from "node:assert/strict";
import {
  createMaterializedAnswerRepo,
  MATERIALIZED_MAX_PARTS,
  MATERIALIZED_PART_BYTES,
} from "../../../domain/store/materialized_answer_repo.ts";
import { keys } from "../../../domain/store/keys.ts";

/** `n` bytes of JSON-ish text whose every position differs from its neighbours (a shifted part would show). */
function bytes(n: number, seed = 0): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = 32 + ((i * 7 + seed) % 90);
  return out;
}

async function storedParts(kv: Deno.Kv, key: string): Promise<number[]> {
  const out: number[] = [];
  for await (const e of kv.list({ prefix: ["public_answers", key] })) {
    if (typeof e.key[2] === "number") out.push(e.key[2]);
  }
  return out;
}

Deno.test("materialised answers: a small and a multi-part answer read back byte for byte at their token only", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createMaterializedAnswerRepo(kv);
    const small = new TextEncoder().encode('{"a":1}');
    assert.equal(await repo.put("small", "v1~1", small), true);
    assert.deepEqual(await repo.get("small", "v1~1"), small);
    assert.equal(await repo.get("small", "v1~2"), null, "another token is not served");
    assert.equal(await repo.get("absent", "v1~1"), null);

    const big = bytes(3 * MATERIALIZED_PART_BYTES + 17);
    assert.equal(await repo.put("big", "v1~5", big), true);
    assert.deepEqual(await storedParts(kv, "big"), [0, 1, 2, 3]);
    assert.deepEqual(await repo.get("big", "v1~5"), big);

    // Replaced by a one-part answer: the old parts are gone and the new bytes read back.
    const smaller = bytes(100, 3);
    assert.equal(await repo.put("big", "v1~6", smaller), true);
    assert.deepEqual(await storedParts(kv, "big"), [0]);
    assert.equal(await repo.get("big", "v1~5"), null);
    assert.deepEqual(await repo.get("big", "v1~6"), smaller);
  } finally {
    kv.close();
  }
});

Deno.test("materialised answers: too large an answer or key is not stored; a missing part reads as none", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createMaterializedAnswerRepo(kv);
    const largest = bytes(MATERIALIZED_MAX_PARTS * MATERIALIZED_PART_BYTES);
    assert.equal(await repo.put("largest", "t", largest), true);
    assert.deepEqual(await repo.get("largest", "t"), largest);
    assert.equal(
      await repo.put("over", "t", bytes(MATERIALIZED_MAX_PARTS * MATERIALIZED_PART_BYTES + 1)),
      false,
    );
    assert.equal(await repo.get("over", "t"), null);
    assert.deepEqual(await storedParts(kv, "over"), []);

    const longKey = "k".repeat(1001);
    assert.equal(await repo.put(longKey, "t", bytes(10)), false);
    assert.equal(await repo.get(longKey, "t"), null);

    await repo.put("torn", "t", bytes(2 * MATERIALIZED_PART_BYTES));
    await kv.delete(keys.materializedAnswer("torn", 1));
    assert.equal(await repo.get("torn", "t"), null);
  } finally {
    kv.close();
  }
});
