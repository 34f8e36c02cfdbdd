/**
 * `cosignHead` against loopback witness stand-ins (section C of the contract): cosignatures that verify are
 * stored per tree size and key, bad ones are not, a 409 is retried once from the witness's size, a witness that
 * is down or slow is recorded as behind (reason only, never a body), and one collection per log runs at a time.
 */
import assert from "node:assert/strict";
import { fixedClock } from "../../../domain/clock.ts";
import { sha256Hex } from "../../../domain/tokens_and_hashes.ts";
import { verifyCosignature } from "../../../domain/attestation/cosignature.ts";
import { createTransparencyLog } from "../../../domain/attestation/transparency_log.ts";
import { cosignHead, type WitnessCollection } from "../../../domain/attestation/witness_collector.ts";
import { withEvidence } from "../../../domain/attestation/checkpoint_evidence.ts";
import { createCosignatureRepo } from "../../../domain/store/cosignature_repo.ts";
import { createSettingsRepo } from "../../../domain/store/settings_repo.ts";
import { createTransparencyLogRepo } from "../../../domain/store/transparency_log_repo.ts";
import { deadWitnessUrl, startWitnessStandIn, type WitnessStandIn } from "../../_helpers/witness_standin.ts";

const T0 = Date.UTC(2026, 5, 1, 1, 0);
const ORIGIN = "quantedge/signals";
const hash = (i: number) => sha256Hex(`leaf-${i}`);

interface World {
  log: ReturnType<typeof createTransparencyLog>;
  deps: { witnessing: WitnessCollection };
  logs: { level: string; msg: string; fields?: Record<string, unknown> }[];
  publicKey: string;
}

async function withWorld(
  witnessCount: number,
  fn: (w: World, witnesses: WitnessStandIn[], setUrls: (urls: string[]) => void) => Promise<void>,
  timeoutMs = 2_000,
) {
  const kv = await Deno.openKv(":memory:");
  const clock = fixedClock(T0);
  const log = createTransparencyLog(
    { log: createTransparencyLogRepo(kv), settings: createSettingsRepo(kv) },
    clock,
    { origin: ORIGIN },
  );
  const publicKey = (await log.publicKey()).public_key;
  const witnesses: WitnessStandIn[] = [];
  for (let i = 0; i < witnessCount; i++) {
    witnesses.push(await startWitnessStandIn({ logs: { [ORIGIN]: publicKey }, name: `w${i}` }));
  }
  const logs: World["logs"] = [];
  const witnessing: WitnessCollection = {
    urls: witnesses.map((w) => w.url),
    timeoutMs,
    store: createCosignatureRepo(kv),
    fetch: globalThis.fetch,
    clock,
    log: (level, msg, fields) => logs.push({ level, msg, fields }),
  };
  try {
    await fn(
      { log, deps: { witnessing }, logs, publicKey },
      witnesses,
      (urls) => witnessing.urls = urls,
    );
  } finally {
    for (const w of witnesses) await w.close();
    kv.close();
  }
}

Deno.test("two witnesses cosign the head; one down, one answering 409 first, one with a bad cosignature", () =>
  withWorld(4, async ({ log, deps, logs }, [a, b, conflicting, bad], setUrls) => {
    const down = deadWitnessUrl();
    setUrls([a.url, b.url, down, conflicting.url, bad.url]);
    await log.append(await hash(0));
    await log.append(await hash(1));
    conflicting.conflictFirst = true;
    bad.badSignature = true;
    const summary = await cosignHead(deps, log);
    assert.deepEqual(summary, { tree_size: 2, cosigned: 3, current: 0, failed: 2, deferred: 0 });

    const head = await log.checkpoint();
    const stored = await deps.witnessing.store.cosignatures(ORIGIN, 2);
    assert.deepEqual(stored.map((c) => c.key_id).sort(), [a.keyId, b.keyId, conflicting.keyId].sort());
    for (const c of stored) assert.equal(await verifyCosignature(c, head.note), true);
    assert.equal(conflicting.requests.length, 2, "the 409 is retried once");
    assert.deepEqual(conflicting.requests.map((r) => r.old_size), [0, 0]);

    const states = new Map((await deps.witnessing.store.witnesses(ORIGIN)).map((s) => [s.url, s]));
    assert.equal(states.get(a.url)!.tree_size, 2);
    assert.equal(states.get(a.url)!.name, "w0");
    assert.equal(states.get(a.url)!.last_error, null);
    assert.equal(states.get(conflicting.url)!.tree_size, 2);
    assert.equal(states.get(bad.url)!.tree_size, 0);
    assert.equal(states.get(bad.url)!.last_error, "invalid cosignature");
    assert.match(states.get(down)!.last_error!, /^unreachable/);
    const failures = logs.filter((l) => l.msg === "witness push failed");
    assert.equal(failures.length, 2);

    // The served checkpoint carries the three that verify.
    const served = await withEvidence(deps.witnessing.store, head);
    assert.equal(served.cosignatures.length, 3);
    assert.equal(served.github, null);
  }));

Deno.test("the next push sends the witness's old size and a consistency proof it checks", () =>
  withWorld(1, async ({ log, deps }, [w]) => {
    await log.append(await hash(0));
    await cosignHead(deps, log);
    for (let i = 1; i < 5; i++) await log.append(await hash(i));
    assert.equal((await cosignHead(deps, log)).cosigned, 1);
    assert.equal(w.sizeOf(ORIGIN), 5);
    const last = w.requests.at(-1)!;
    assert.equal(last.old_size, 1);
    assert.ok(last.consistency_proof.length > 0);
    assert.deepEqual(Object.keys(last.checkpoint).sort(), [
      "algorithm",
      "key_id",
      "note",
      "origin",
      "public_key",
      "root_hash",
      "signature",
      "timestamp",
      "tree_size",
    ]);
    assert.deepEqual(await cosignHead(deps, log), {
      tree_size: 5,
      cosigned: 0,
      current: 1,
      failed: 0,
      deferred: 0,
    });
    assert.equal(w.requests.length, 2, "a witness at the head is not asked again");
  }));

Deno.test("a witness that fails is behind; a later collection catches it up from its own size", () =>
  withWorld(1, async ({ log, deps, logs }, [w]) => {
    await log.append(await hash(0));
    await cosignHead(deps, log);
    w.failWith = 503;
    await log.append(await hash(1));
    assert.equal((await cosignHead(deps, log)).failed, 1);
    const [state] = await deps.witnessing.store.witnesses(ORIGIN);
    assert.equal(state.tree_size, 1);
    assert.equal(state.last_error, "HTTP 503");
    assert.ok(!JSON.stringify(logs).includes("secret-body-text"), "a failure is logged without its body");
    w.failWith = null;
    await log.append(await hash(2));
    assert.equal((await cosignHead(deps, log)).cosigned, 1);
    assert.equal(w.requests.at(-1)!.old_size, 1);
    const [after] = await deps.witnessing.store.witnesses(ORIGIN);
    assert.equal(after.tree_size, 3);
    assert.equal(after.last_error, null);
  }));

Deno.test("a slow witness times out (WITNESS_TIMEOUT_MS) and nothing is thrown", () =>
  withWorld(1, async ({ log, deps }, [w]) => {
    w.delayMs = 600;
    await log.append(await hash(0));
    assert.deepEqual(await cosignHead(deps, log), {
      tree_size: 1,
      cosigned: 0,
      current: 0,
      failed: 1,
      deferred: 0,
    });
    const [state] = await deps.witnessing.store.witnesses(ORIGIN);
    assert.equal(state.last_error, "timeout after 150 ms");
    await new Promise((r) => setTimeout(r, 700)); // let the stand-in finish its held answer
  }, 150));

Deno.test("concurrent collections of one log take turns: a witness never sees two at once", () =>
  withWorld(2, async ({ log, deps }, witnesses) => {
    for (const w of witnesses) w.delayMs = 20;
    const runs = [];
    for (let i = 0; i < 6; i++) {
      await log.append(await hash(i));
      runs.push(cosignHead(deps, log));
    }
    const results = await Promise.all(runs);
    for (const w of witnesses) {
      assert.equal(w.maxInFlight, 1);
      assert.equal(w.sizeOf(ORIGIN), 6, "the last run pushed the newest head");
      assert.ok(w.requests.length <= 3, "queued requests join the next run");
    }
    assert.ok(results.every((r) => r.failed === 0));
  }));

Deno.test("no witnesses configured: nothing is read or sent", () =>
  withWorld(0, async ({ log, deps }) => {
    await log.append(await hash(0));
    assert.deepEqual(await cosignHead(deps, log), {
      tree_size: null,
      cosigned: 0,
      current: 0,
      failed: 0,
      deferred: 0,
    });
  }));
