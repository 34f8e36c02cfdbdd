/**
 * The layers of a public answer: two isolates (two in-process caches on one KV) share one build through the
 * materialised copy; a bump makes every layer build again; answers not marked for KV are never stored there;
 * a failed build keeps nothing in any layer.
 */
import assert from "node:assert/strict";
import {
  answerAt,
  currentToken,
  type PublicAnswerStores,
  warmAnswer,
} from "../../../domain/public_reads/answer_layers.ts";
import { createResponseCache } from "../../../domain/public_reads/response_cache.ts";
import { createPublicVersionsRepo } from "../../../domain/store/public_versions_repo.ts";
import { createMaterializedAnswerRepo } from "../../../domain/store/materialized_answer_repo.ts";
import type { PublicAnswer } from "../../../domain/public_reads/public_answers.ts";

function isolate(kv: Deno.Kv): PublicAnswerStores {
  return {
    versions: createPublicVersionsRepo(kv),
    cache: createResponseCache(),
    version: "test",
    materialized: createMaterializedAnswerRepo(kv),
  };
}

/** An answer whose build counts itself and answers the current `value`. */
function counted(key: string, materialize: boolean) {
  const state = { builds: 0, value: 1 as number | Error };
  const answer: PublicAnswer = {
    key,
    scopes: ["strategy:x", "list"],
    materialize,
    build: () => {
      state.builds++;
      return state.value instanceof Error
        ? Promise.reject(state.value)
        : Promise.resolve({ value: state.value });
    },
  };
  return { state, answer };
}

const text = (b: Uint8Array) => new TextDecoder().decode(b);

Deno.test("answer layers: two isolates on one KV share one build; a bump builds once more for both", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const a = isolate(kv), b = isolate(kv);
    const { state, answer } = counted("track-record x", true);
    const token = await currentToken(a, answer.scopes);
    assert.match(token, /^test~/);

    const first = await answerAt(a, answer, token);
    assert.equal(first.source, "build");
    assert.equal(text(first.answer.json), '{"value":1}');
    const other = await answerAt(b, answer, await currentToken(b, answer.scopes));
    assert.equal(other.source, "kv", "the second isolate reads the first one's answer");
    assert.deepEqual(other.answer.json, first.answer.json);
    assert.equal((await answerAt(b, answer, token)).source, "hit");
    assert.equal(state.builds, 1);

    state.value = 2;
    await a.versions.bump(["strategy:x"], 1);
    const next = await currentToken(b, answer.scopes);
    assert.notEqual(next, token);
    const rebuilt = await answerAt(b, answer, next);
    assert.equal(rebuilt.source, "build");
    assert.equal(text(rebuilt.answer.json), '{"value":2}');
    const shared = await answerAt(a, answer, next);
    assert.equal(shared.source, "kv");
    assert.equal(text(shared.answer.json), '{"value":2}');
    assert.equal(state.builds, 2);
  } finally {
    kv.close();
  }
});

Deno.test("answer layers: an answer not for KV builds in each isolate and stores nothing in KV", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const a = isolate(kv), b = isolate(kv);
    const { state, answer } = counted("proof x", false);
    const token = await currentToken(a, answer.scopes);
    assert.equal((await answerAt(a, answer, token)).source, "build");
    assert.equal((await answerAt(b, answer, token)).source, "build");
    assert.equal(state.builds, 2);
    let stored = 0;
    for await (const _ of kv.list({ prefix: ["public_answers"] })) stored++;
    assert.equal(stored, 0);
  } finally {
    kv.close();
  }
});

Deno.test("answer layers: a failed build keeps nothing; the warm step materialises for a later isolate", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const a = isolate(kv);
    const { state, answer } = counted("performance x", true);
    state.value = new Error("not found");
    const token = await currentToken(a, answer.scopes);
    await assert.rejects(answerAt(a, answer, token), /not found/);
    assert.equal(await a.materialized!.get(answer.key, token), null);

    state.value = 3;
    assert.equal(await warmAnswer(a, answer), "build");
    assert.equal(await warmAnswer(a, answer), "hit");
    const later = isolate(kv);
    const read = await answerAt(later, answer, token);
    assert.equal(read.source, "kv");
    assert.equal(text(read.answer.json), '{"value":3}');
    assert.equal(state.builds, 2);
  } finally {
    kv.close();
  }
});
