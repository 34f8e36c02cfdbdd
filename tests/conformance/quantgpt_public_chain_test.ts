/**
 * Conformance of the public record's issue-18 fields (beside the QuantGPT guide's ones, see
 * quantgpt_public_test.ts): `record_chain`, `parameters`, `data_provenance.holding_period` on /verify,
 * `parameters` and `records[].record_hash` on /track-record, `cosignatures` and `github` on every checkpoint,
 * `signal.log.origin` / `witnessed_inclusion_proof`, `/public/log/checkpoints` and `/public/log/witnesses` —
 * each asserted by name and JSON type, and the day chain re-derived here (SHA-256 of the canonical day record,
 * linked from 64 zeros).
 *
 * The world: a public record built through the real code (a dividend ex-date, a suspension), its production log
 * witnessed by one loopback witness.
 */
import assert from "node:assert/strict";
import { createCheckpointSigner, generateSigningKey } from "../../domain/attestation/checkpoint.ts";
import { jsonType } from "../_helpers/document_shape.ts";
import { buildDividendSuspensionRecord, openTrackWorld } from "../_helpers/track_world.ts";
import { startWitness } from "../_helpers/witness.ts";
import { canonicalJson, type Json, sha256Hex } from "../acceptance/tampering_proxy.ts";

const API = "/api/v1";
const HEX64 = /^[0-9a-f]{64}$/;
const ORIGIN = "quantedge/signals";

/** Asserts each named field is present with one of the JSON types given (`"integer"` for whole numbers). */
function fields(obj: Json, spec: Record<string, string>, where: string): void {
  assert.equal(jsonType(obj), "object", `${where} is an object`);
  for (const [key, types] of Object.entries(spec)) {
    assert.ok(key in obj, `${where}.${key} is present`);
    const v = obj[key];
    const ok = types.split("|").some((t) =>
      t === "integer"
        ? Number.isInteger(v)
        : t === "hex64"
        ? typeof v === "string" && HEX64.test(v)
        : jsonType(v) === t
    );
    assert.ok(ok, `${where}.${key}: ${JSON.stringify(v)} is not ${types}`);
  }
}

const COSIGNATURE = {
  witness: "string",
  algorithm: "string",
  public_key: "string",
  key_id: "string",
  timestamp: "integer",
  signature: "string",
};

/** A checkpoint as every log answer serves it. */
function checkpointFields(cp: Json, where: string): void {
  fields(cp, {
    origin: "string",
    tree_size: "integer",
    root_hash: "hex64",
    timestamp: "integer",
    note: "string",
    signature: "string",
    algorithm: "string",
    public_key: "string",
    key_id: "string",
    cosignatures: "array",
    github: "null|object",
  }, where);
  cp.cosignatures.forEach((c: Json, i: number) => {
    fields(c, COSIGNATURE, `${where}.cosignatures[${i}]`);
    assert.equal(c.algorithm, "Ed25519");
  });
  if (cp.github) fields(cp.github, { sha: "string", url: "string" }, `${where}.github`);
}

const PARAMETERS = {
  universe: "string",
  benchmark: "string",
  execution_price: "string",
  holding_period: "integer",
  commission_rate: "number",
  slippage_rate: "number",
  lot_size: "integer",
  initial_capital: "number",
  start_date: "string",
  calendar: "string",
  dividend_convention: "string",
  log_origin: "string",
};

/** The canonical day record's keys (contract A), in canonical (sorted) order. */
const DAY_RECORD_KEYS = [
  "benchmark",
  "cash",
  "date",
  "dividend_convention",
  "dividends",
  "nav",
  "parameters",
  "positions",
  "prev_nav",
  "prev_record_hash",
  "signal_hash",
  "strategy",
  "trades",
];

Deno.test("public record (issue 18): record_chain, parameters, record_hash, checkpoint cosignatures, log lists — by name and type", async () => {
  const key = await generateSigningKey();
  const logKey = (await createCheckpointSigner(key)).publicKey.public_key;
  const witness = await startWitness({ logs: [{ origin: ORIGIN, public_key: logKey }], name: "conformance" });
  const world = await openTrackWorld({ witnessUrls: [witness.url], productionLogKey: key });
  try {
    const rec = await buildDividendSuspensionRecord(world.w);
    await world.w.deps.track.background.drain();
    const get = async (path: string) => {
      const res = await fetch(world.base + API + path);
      assert.equal(res.status, 200, path);
      return await res.json();
    };
    const slug = rec.slug;
    const track = await get(`/public/strategies/${slug}/track-record`);
    fields(track, { parameters: "object", records: "array" }, "track-record");
    fields(track.parameters, PARAMETERS, "track-record.parameters");
    assert.deepEqual(
      { ...track.parameters },
      {
        universe: "hs300",
        benchmark: "000300.SH",
        execution_price: "open",
        holding_period: 20,
        commission_rate: 0.0003,
        slippage_rate: 0.002,
        lot_size: 100,
        initial_capital: 1_000_000,
        start_date: rec.first_day,
        calendar: "SSE",
        dividend_convention: "cash_on_ex_date_no_tax",
        log_origin: ORIGIN,
      },
    );
    assert.equal(track.records.length, rec.days.length);

    let prev = "0".repeat(64);
    for (const [i, r] of track.records.entries()) {
      fields(r, { record_hash: "hex64" }, `track-record.records[${i}]`);
      const b = await get(`/public/strategies/${slug}/verify?date=${r.date}`);
      fields(
        b,
        { record_chain: "object", parameters: "object", data_provenance: "object" },
        `verify ${r.date}`,
      );
      assert.deepEqual(b.parameters, track.parameters);
      fields(b.data_provenance, { holding_period: "integer" }, "verify.data_provenance");
      assert.equal(b.data_provenance.holding_period, 20);
      const chain = b.record_chain;
      fields(chain, {
        canonical_json: "string",
        record_hash: "hex64",
        prev_record_hash: "hex64",
        log: "object",
      }, `verify ${r.date}.record_chain`);
      fields(
        chain.log,
        { origin: "string", leaf_index: "integer", inclusion_proof: "object" },
        "record_chain.log",
      );
      assert.equal(chain.log.origin, ORIGIN);
      checkpointFields(chain.log.inclusion_proof.checkpoint, "record_chain.log.inclusion_proof.checkpoint");
      // The chain, re-derived: the hash of the canonical day record, linked to the previous day's.
      assert.equal(chain.record_hash, r.record_hash);
      assert.equal(chain.prev_record_hash, prev);
      assert.equal(await sha256Hex(chain.canonical_json), chain.record_hash);
      const day = JSON.parse(chain.canonical_json);
      assert.deepEqual(Object.keys(day), DAY_RECORD_KEYS);
      assert.equal(canonicalJson(day), chain.canonical_json, "the day record is in canonical form");
      assert.equal(day.strategy, slug);
      assert.equal(day.date, r.date);
      assert.equal(day.nav, b.nav);
      assert.equal(day.cash, b.cash);
      assert.deepEqual(Object.keys(day.parameters), [
        "commission_rate",
        "execution_price",
        "holding_period",
        "initial_capital",
        "lot_size",
        "slippage_rate",
      ]);
      prev = chain.record_hash;

      checkpointFields(b.log_checkpoint, "verify.log_checkpoint");
      if (b.signal) {
        fields(
          b.signal.log,
          { origin: "string", witnessed_inclusion_proof: "null|object" },
          "verify.signal.log",
        );
        checkpointFields(
          b.signal.log.inclusion_proof.checkpoint,
          "verify.signal.log.inclusion_proof.checkpoint",
        );
        const witnessed = b.signal.log.witnessed_inclusion_proof;
        assert.notEqual(witnessed, null, `${r.date}: a witness cosigned a checkpoint covering the signal`);
        checkpointFields(witnessed.checkpoint, "witnessed_inclusion_proof.checkpoint");
        assert.ok(witnessed.checkpoint.cosignatures.length >= 1);
        assert.ok(witnessed.tree_size >= b.signal.log.tree_size);
      }
    }

    const head = await get("/public/log/checkpoint");
    checkpointFields(head, "log/checkpoint");
    assert.equal(head.origin, ORIGIN);
    checkpointFields(await get("/public/log/checkpoint?log=production"), "log/checkpoint?log=production");
    checkpointFields(await get("/public/log/checkpoint?log=demo"), "log/checkpoint?log=demo");

    const list = await get("/public/log/checkpoints?log=production&from_size=1&limit=1000");
    fields(list, {
      origin: "string",
      public_key: "string",
      key_id: "string",
      checkpoints: "array",
      next_from_size: "null|integer",
    }, "log/checkpoints");
    assert.equal(list.public_key, logKey);
    assert.ok(list.checkpoints.length > 0);
    list.checkpoints.forEach((cp: Json, i: number) =>
      checkpointFields(cp, `log/checkpoints.checkpoints[${i}]`)
    );
    assert.ok(
      list.checkpoints.some((cp: Json) => cp.cosignatures.length === 1),
      "a cosigned checkpoint is listed",
    );
    const small = await get("/public/log/checkpoints?log=production&from_size=1&limit=1");
    assert.equal(small.checkpoints.length, 1);
    fields(small, { next_from_size: "integer" }, "log/checkpoints?limit=1");

    const witnesses = await get("/public/log/witnesses?log=production");
    fields(witnesses, { witnesses: "array" }, "log/witnesses");
    assert.equal(witnesses.witnesses.length, 1);
    fields(witnesses.witnesses[0], {
      name: "string",
      url: "string",
      key_id: "string",
      public_key: "string",
      tree_size: "integer",
      last_error: "null|string",
    }, "log/witnesses.witnesses[0]");
    assert.equal(witnesses.witnesses[0].public_key, witness.publicKey);

    const signalHash =
      (await get(`/public/strategies/${slug}/verify?date=${rec.first_day}`)).signal.signal_hash;
    const proof = await get(`/public/log/proof/${signalHash}?log=production`);
    checkpointFields(proof.checkpoint, "log/proof.checkpoint");
  } finally {
    await world.close();
    await witness.close();
  }
});
