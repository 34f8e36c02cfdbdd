/**
 * The catalogue of public answers: one key per distinct input (and the same key for the same input), the scopes
 * each answer follows, and which answers are materialised in KV (only inputs with few values: no query can make
 * KV store answers without bound).
 */
import assert from "node:assert/strict";
import { openTestWorld } from "../../_helpers/test_app.ts";
import {
  auditAnswer,
  checkpointAnswer,
  checkpointsAnswer,
  claimedAnswer,
  consistencyAnswer,
  LIST_PAGE_SIZE,
  listAnswer,
  performanceAnswer,
  proofAnswer,
  trackRecordAnswer,
  verifyAnswer,
  witnessesAnswer,
} from "../../../domain/public_reads/public_answers.ts";

Deno.test("public answers: keys, scopes and what is materialised", async () => {
  const w = await openTestWorld();
  try {
    const d = w.deps.track;
    const hash = "a".repeat(64);
    const all = [
      listAnswer(d, { limit: 50, offset: 0 }),
      listAnswer(d, { universe: "hs300", limit: 50, offset: 0 }),
      listAnswer(d, { limit: 50, offset: 50 }),
      listAnswer(d, { limit: 51, offset: 0 }),
      trackRecordAnswer(d, "s"),
      performanceAnswer(d, "s"),
      verifyAnswer(d, "s"),
      verifyAnswer(d, "s", "2026-05-13"),
      auditAnswer(d, "s", 50, 0),
      auditAnswer(d, "s", 50, 50),
      claimedAnswer(d, "s"),
      checkpointAnswer(d, "production"),
      checkpointAnswer(d, "demo"),
      checkpointsAnswer(d, { log: "production", from_size: 1, limit: 100 }),
      checkpointsAnswer(d, { log: "production", from_size: 2, limit: 100 }),
      witnessesAnswer(d, "demo"),
      proofAnswer(d, hash, undefined, "production"),
      proofAnswer(d, hash, 3, "production"),
      consistencyAnswer(d, 1, 2, "demo"),
    ];
    assert.equal(new Set(all.map((a) => a.key)).size, all.length, "distinct inputs, distinct keys");
    assert.equal(listAnswer(d, { limit: 50, offset: 0 }).key, all[0].key);
    assert.equal(verifyAnswer(d, "s").key, all[6].key);

    assert.deepEqual(all[0].scopes, ["list"]);
    assert.deepEqual(all[4].scopes, ["strategy:s", "calendar", "market"]);
    assert.deepEqual(all[5].scopes, ["strategy:s"]);
    assert.deepEqual(all[6].scopes, ["strategy:s", "log:production", "log:demo", "calendar"]);
    assert.deepEqual(all[10].scopes, ["strategy:s", "market"]);
    assert.deepEqual(all[12].scopes, ["log:demo"]);

    const materialised = all.filter((a) => a.materialize).map((a) => a.key);
    assert.deepEqual(materialised, [
      all[0].key,
      all[1].key,
      all[2].key,
      all[4].key,
      all[5].key,
      all[6].key,
      all[7].key,
      all[8].key,
      all[10].key,
      all[11].key,
      all[12].key,
      all[13].key,
      all[15].key,
    ]);
    // The list's materialised pages stop after the first 40 default-size pages.
    assert.equal(listAnswer(d, { limit: LIST_PAGE_SIZE, offset: 39 * LIST_PAGE_SIZE }).materialize, true);
    assert.equal(listAnswer(d, { limit: LIST_PAGE_SIZE, offset: 40 * LIST_PAGE_SIZE }).materialize, false);
    assert.equal(listAnswer(d, { limit: LIST_PAGE_SIZE, offset: 7 }).materialize, false);

    // The builds are the domain's: an unknown strategy is a 404, never an answer.
    await assert.rejects(trackRecordAnswer(d, "nope").build(), /not found/);
  } finally {
    await w.close();
  }
});
