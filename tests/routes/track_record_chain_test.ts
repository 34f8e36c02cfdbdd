/**
 * The day-record hash chain as the public routes publish it: every settled day's `record_chain` is the canonical
 * day record rebuilt by hand from the same `/verify` answer, hashed by WebCrypto, linked from genesis, and logged
 * in the strategy's log; `/track-record` carries the same hashes and the strategy's `parameters`. A changed past
 * day breaks its own hash and every later link.
 */
import assert from "node:assert/strict";
import { verifyInclusionProof } from "../../domain/attestation/transparency_log.ts";
import { keys } from "../../domain/store/keys.ts";
import { strategyScope } from "../../domain/public_reads/scopes.ts";
import {
  CHAIN_DAYS,
  chainDeps,
  chainStrategy,
  handDayRecord,
  hexSha256,
  settleChainDays,
  verifyAnswer,
  type VerifyDayLike,
} from "../domain/track_record/chain_world.ts";
import { openTestWorld } from "../_helpers/test_app.ts";

const GENESIS = "0".repeat(64);
const HEX64 = /^[0-9a-f]{64}$/;
const SLUG = "chain-pub";

Deno.test("each settled day's record_chain is the hand-built canonical record, hashed and linked from genesis, and logged", async () => {
  const w = await openTestWorld();
  try {
    const deps = chainDeps(w);
    await chainStrategy(deps, SLUG);
    await settleChainDays(w, deps, SLUG, CHAIN_DAYS.map((_, i) => i));

    const record = await (await w.request("GET", `/api/v1/public/strategies/${SLUG}/track-record`)).json();
    assert.deepEqual(record.parameters, {
      universe: "hs300",
      benchmark: "000300.SH",
      execution_price: "open",
      holding_period: 2,
      commission_rate: 0.0003,
      slippage_rate: 0.002,
      lot_size: 100,
      initial_capital: 1_000_000,
      start_date: CHAIN_DAYS[0],
      calendar: "SSE",
      dividend_convention: "cash_on_ex_date_no_tax",
      log_origin: "quantedge/signals",
    });
    assert.equal(record.records.length, CHAIN_DAYS.length);

    const head = await (await w.request("GET", "/api/v1/public/log/checkpoint")).json();
    let prev = GENESIS;
    let trades = 0;
    let dividends = 0;
    for (const [i, date] of CHAIN_DAYS.entries()) {
      const v = await verifyAnswer(w, SLUG, date);
      const chain = v.record_chain!;
      assert.ok(chain, `${date} has a record chain`);
      const text = handDayRecord(SLUG, v, prev);
      assert.equal(chain.canonical_json, text, `${date}: canonical JSON`);
      assert.equal(chain.prev_record_hash, prev, `${date}: linked to the previous day (genesis first)`);
      assert.equal(chain.record_hash, await hexSha256(text), `${date}: SHA-256 of the canonical JSON`);
      assert.match(chain.record_hash, HEX64);
      assert.equal(record.records[i].record_hash, chain.record_hash, `${date}: /track-record carries it`);
      assert.deepEqual(v.parameters, record.parameters);
      const log = chain.log as {
        origin: string;
        leaf_index: number;
        inclusion_proof: Parameters<typeof verifyInclusionProof>[0];
      };
      assert.equal(log.origin, "quantedge/signals");
      assert.equal(log.inclusion_proof.signal_hash, chain.record_hash);
      assert.equal(log.inclusion_proof.leaf_index, log.leaf_index);
      assert.equal(log.inclusion_proof.tree_size, head.tree_size, "proved against the log's head");
      assert.ok(await verifyInclusionProof(log.inclusion_proof, head.public_key), `${date}: inclusion proof`);
      assert.equal(
        (v as unknown as { data_provenance: { holding_period: number } }).data_provenance.holding_period,
        2,
      );
      trades += v.trades.length;
      dividends += v.dividends.length;
      prev = chain.record_hash;
    }
    assert.ok(trades > 0, "some days trade");
    assert.ok(dividends > 0, "some day credits a dividend (the record carries it)");
    const signalDays = CHAIN_DAYS.filter((_, i) => i % 2 === 0).length;
    assert.equal(
      head.tree_size,
      signalDays + CHAIN_DAYS.length,
      "every signal and every day record is a leaf",
    );
  } finally {
    await w.close();
  }
});

Deno.test("a changed past day breaks its own hash and every later link of the chain", async () => {
  const w = await openTestWorld();
  try {
    const deps = chainDeps(w);
    await chainStrategy(deps, SLUG);
    await settleChainDays(w, deps, SLUG, [0, 1, 2, 3, 4]);
    const answers: VerifyDayLike[] = [];
    for (const date of CHAIN_DAYS.slice(0, 5)) answers.push(await verifyAnswer(w, SLUG, date));
    const published = answers.map((v) => v.record_chain!.record_hash);

    // A reader who is shown day 1 with its cash moved by one cent recomputes a different chain from day 1 on.
    const changed = answers.map((v, i) => (i === 1 ? { ...v, cash: v.cash + 0.01, nav: v.nav + 0.01 } : v));
    let prev = GENESIS;
    const recomputed: string[] = [];
    for (const v of changed) {
      prev = await hexSha256(handDayRecord(SLUG, v, prev));
      recomputed.push(prev);
    }
    assert.equal(recomputed[0], published[0], "the day before is untouched");
    for (let i = 1; i < 5; i++) assert.notEqual(recomputed[i], published[i], `day ${i} no longer matches`);

    // The server's own copy rewritten: its answer's canonical JSON no longer hashes to the logged record hash.
    const key = keys.settledDay(SLUG, CHAIN_DAYS[1]);
    const stored = (await w.kv.get<{ cash: number }>(key)).value!;
    await w.kv.set(key, { ...stored, cash: stored.cash + 0.01 });
    // A write around the repositories bumps no public version: say what changed, as every writer does.
    await w.deps.publicReads.versions.bump([strategyScope(SLUG)], w.clock.now());
    const after = await verifyAnswer(w, SLUG, CHAIN_DAYS[1]);
    assert.equal(after.record_chain!.record_hash, published[1], "the stored hash stays (it is in the log)");
    assert.notEqual(
      await hexSha256(after.record_chain!.canonical_json),
      published[1],
      "but no longer matches",
    );
    assert.equal(
      after.record_chain!.canonical_json,
      handDayRecord(SLUG, after, answers[0].record_chain!.record_hash),
    );
  } finally {
    await w.close();
  }
});

Deno.test("record_chain, parameters and record_hash have their published types on /verify and /track-record", async () => {
  const w = await openTestWorld();
  try {
    const deps = chainDeps(w);
    await chainStrategy(deps, SLUG);
    await settleChainDays(w, deps, SLUG, [0]);
    const v = await (await w.request("GET", `/api/v1/public/strategies/${SLUG}/verify`)).json();
    assert.equal(typeof v.record_chain.canonical_json, "string");
    assert.match(v.record_chain.record_hash, HEX64);
    assert.equal(v.record_chain.prev_record_hash, GENESIS);
    assert.equal(typeof v.record_chain.log.origin, "string");
    assert.ok(Number.isInteger(v.record_chain.log.leaf_index));
    assert.ok(Array.isArray(v.record_chain.log.inclusion_proof.audit_path));
    assert.ok(Array.isArray(v.record_chain.log.inclusion_proof.checkpoint.cosignatures));
    assert.equal(v.parameters.lot_size, 100);
    assert.equal(v.parameters.calendar, "SSE");
    assert.equal(v.parameters.start_date, CHAIN_DAYS[0]);
    assert.equal(v.data_provenance.holding_period, 2);
    const r = await (await w.request("GET", `/api/v1/public/strategies/${SLUG}/track-record`)).json();
    assert.equal(r.records[0].record_hash, v.record_chain.record_hash);
    assert.equal(r.parameters.log_origin, v.parameters.log_origin);
    // /openapi.json documents the new fields (w.request already checked both answers against it).
    const spec = await (await w.request("GET", "/openapi.json")).json();
    const schemas = spec.components.schemas;
    assert.ok(schemas.VerifyDay.required.includes("record_chain"));
    assert.ok(schemas.VerifyDay.required.includes("parameters"));
    assert.ok(schemas.TrackRecord.required.includes("parameters"));
    assert.ok(schemas.RecordPoint.required.includes("record_hash"));
    assert.deepEqual(Object.keys(schemas.RecordChain.properties).sort(), [
      "canonical_json",
      "log",
      "prev_record_hash",
      "record_hash",
    ]);
  } finally {
    await w.close();
  }
});
