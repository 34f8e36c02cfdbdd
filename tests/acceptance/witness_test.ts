/**
 * Acceptance (issue 18): two witnesses on loopback cosign every checkpoint of a demo run, and with the world's
 * simulated clock the demo records verify with 2 cosignatures required; a witness shown a split view (a forked
 * demo log: same origin and key, other leaves) refuses it and a verifier requiring witnesses fails against the
 * forked server; with one witness stopped halfway, the checkpoints after it lack a cosignature and a verifier
 * requiring two fails.
 */
import assert from "node:assert/strict";
import { createCheckpointSigner, generateSigningKey } from "../../domain/attestation/checkpoint.ts";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import type { Clock } from "../../domain/clock.ts";
import { DEMO_SLUGS } from "../../scripts/demo_replay.ts";
import { verifyPublicRecord } from "../../verifier/verify.ts";
import { openTrackWorld, replayDemoRecords, type TrackWorld } from "../_helpers/track_world.ts";
import { startWitness } from "../_helpers/witness.ts";
import type { Json } from "./tampering_proxy.ts";

const API = "/api/v1";
const sse = getCalendar("SSE");
const DEMO_ORIGIN = "quantedge/demo";
/** Friday 20 November 2026, 20:00 CST. */
const NOW = Date.UTC(2026, 10, 20, 12, 0);

const b64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** Ed25519 over UTF-8 `text`, checked here with WebCrypto (not the server's or the verifier's code). */
async function ed25519Verifies(publicKey: string, text: string, signature: string): Promise<boolean> {
  const key = await crypto.subtle.importKey("raw", b64(publicKey), { name: "Ed25519" }, false, ["verify"]);
  return crypto.subtle.verify({ name: "Ed25519" }, key, b64(signature), new TextEncoder().encode(text));
}

/** A clock that reads the world's simulated clock once the world is open (witnesses start before it). */
function sharedClock(): Clock & { follow(c: Clock): void } {
  let source: Clock | null = null;
  return {
    now: () => source ? source.now() : Date.now(),
    follow(c) {
      source = c;
    },
  };
}

/** A demo-log key, two witnesses of that log on a shared clock, and a served world pushing to them. */
async function witnessedWorld() {
  const key = await generateSigningKey();
  const logKey = (await createCheckpointSigner(key)).publicKey.public_key;
  const clock = sharedClock();
  const logs = [{ origin: DEMO_ORIGIN, public_key: logKey }];
  const witnesses = [
    await startWitness({ clock, logs, name: "witness-a" }),
    await startWitness({ clock, logs, name: "witness-b" }),
  ];
  const world = await openTrackWorld({ witnessUrls: witnesses.map((w) => w.url), demoLogKey: key });
  clock.follow(world.w.clock);
  const open = new Set(witnesses);
  return {
    key,
    logKey,
    witnesses,
    world,
    stop: async (w: (typeof witnesses)[number]) => {
      open.delete(w);
      await w.close();
    },
    close: async () => {
      await world.close();
      for (const w of open) await w.close();
    },
  };
}

async function getJson(base: string, path: string): Promise<Json> {
  const res = await fetch(base + API + path);
  assert.equal(res.status, 200, `${path}: ${res.status}`);
  return await res.json();
}

/** Every stored checkpoint of the demo log, page by page. */
async function allCheckpoints(world: TrackWorld): Promise<{ list: Json; checkpoints: Json[] }> {
  const checkpoints: Json[] = [];
  let from: number | null = 1;
  let list: Json = null;
  for (let page = 0; from !== null && page < 100; page++) {
    list = await getJson(world.base, `/public/log/checkpoints?log=demo&from_size=${from}&limit=1000`);
    checkpoints.push(...list.checkpoints);
    from = list.next_from_size;
  }
  assert.equal(from, null, "the list ends");
  return { list, checkpoints };
}

const cosignedText = (timestamp: number, note: string) =>
  `quantedge-cosignature/v1\ntime ${timestamp}\n${note}`;

Deno.test("two loopback witnesses cosign every checkpoint of a demo run; the records verify with 2 required", async () => {
  const x = await witnessedWorld();
  try {
    await replayDemoRecords(x.world.w, 30, NOW);
    await x.world.w.deps.track.background.drain();
    const head = await getJson(x.world.base, "/public/log/checkpoint?log=demo");
    assert.equal(head.origin, DEMO_ORIGIN);
    assert.equal(head.public_key, x.logKey);

    const { list, checkpoints } = await allCheckpoints(x.world);
    assert.equal(list.origin, DEMO_ORIGIN);
    assert.equal(list.public_key, x.logKey);
    assert.ok(checkpoints.length >= 30, `${checkpoints.length} checkpoints`);
    assert.equal(checkpoints.at(-1).tree_size, head.tree_size, "the list reaches the head");
    const keys = new Set(x.witnesses.map((w) => w.publicKey));
    let previous = 0;
    for (const cp of checkpoints) {
      assert.ok(cp.tree_size > previous, "ascending by tree size");
      previous = cp.tree_size;
      assert.ok(await ed25519Verifies(x.logKey, cp.note, cp.signature), `checkpoint ${cp.tree_size} signed`);
      assert.equal(
        cp.cosignatures.length,
        2,
        `checkpoint ${cp.tree_size}: ${cp.cosignatures.length} cosignatures`,
      );
      assert.deepEqual(new Set(cp.cosignatures.map((c: Json) => c.public_key)), keys);
      for (const c of cp.cosignatures) {
        assert.equal(c.algorithm, "Ed25519");
        assert.ok(
          await ed25519Verifies(c.public_key, cosignedText(c.timestamp, cp.note), c.signature),
          `cosignature of ${c.witness} on ${cp.tree_size}`,
        );
        assert.ok(
          c.timestamp >= cp.timestamp,
          "a witness signs after the checkpoint is made (simulated clock)",
        );
      }
    }

    const listed = await getJson(x.world.base, "/public/log/witnesses?log=demo");
    assert.equal(listed.witnesses.length, 2);
    for (const w of listed.witnesses) {
      assert.ok(keys.has(w.public_key));
      assert.equal(w.tree_size, head.tree_size);
      assert.equal(w.last_error, null);
    }
    for (const w of x.witnesses) {
      const state = await (await fetch(w.url + "/")).json();
      const log = state.logs.find((l: Json) => l.origin === DEMO_ORIGIN);
      assert.equal(log.tree_size, head.tree_size);
      assert.equal(log.root_hash, head.root_hash);
    }

    for (const slug of DEMO_SLUGS) {
      const v = await verifyPublicRecord({
        baseUrl: x.world.base,
        slug,
        witnesses: x.witnesses.map((w) => w.publicKey),
        witnessesRequired: 2,
      });
      assert.equal(v.verdict, "verified", `${slug}: ${v.failures.join("\n")}`);
      assert.equal(v.log?.origin, DEMO_ORIGIN);
    }
  } finally {
    await x.close();
  }
});

Deno.test("a witness shown a forked demo log refuses it (split view) and a verifier requiring witnesses fails on the fork", async () => {
  const x = await witnessedWorld();
  // A second server with the same demo origin and key, writing other leaves (a later window) to its own log.
  const fork = await openTrackWorld({ witnessUrls: x.witnesses.map((w) => w.url), demoLogKey: x.key });
  try {
    await replayDemoRecords(x.world.w, 5, NOW);
    await x.world.w.deps.track.background.drain();
    const honest = await getJson(x.world.base, "/public/log/checkpoint?log=demo");
    await replayDemoRecords(fork.w, 20, NOW + 35 * 86_400_000);
    await fork.w.deps.track.background.drain();
    const forked = await getJson(fork.base, "/public/log/checkpoint?log=demo");
    assert.equal(forked.origin, honest.origin);
    assert.equal(forked.public_key, honest.public_key);
    assert.ok(forked.tree_size > honest.tree_size, `${forked.tree_size} > ${honest.tree_size}`);

    // Shown directly: the fork's head with the fork's own consistency proof from the witness's size.
    const proof = await getJson(
      fork.base,
      `/public/log/consistency?log=demo&first=${honest.tree_size}&second=${forked.tree_size}`,
    );
    const witness = x.witnesses[0];
    const res = await fetch(witness.url + "/add-checkpoint", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        old_size: honest.tree_size,
        consistency_proof: proof.proof,
        checkpoint: forked,
      }),
    });
    const refusal = await res.json();
    assert.equal(res.status, 422);
    assert.match(refusal.detail, /^split view:/);
    const alerts = (await (await fetch(witness.url + "/alerts")).json()).alerts;
    assert.ok(alerts.length >= 1);
    assert.ok(alerts.some((a: Json) => a.origin === DEMO_ORIGIN && a.offered.root_hash !== a.seen.root_hash));
    // The witnesses still stand by the honest log.
    const state = await (await fetch(witness.url + "/")).json();
    assert.equal(state.logs.find((l: Json) => l.origin === DEMO_ORIGIN).root_hash, honest.root_hash);

    // The fork's server pushed its checkpoints too: no witness cosigned any of them.
    const { checkpoints } = await allCheckpoints(fork);
    assert.ok(checkpoints.length > 0);
    for (const cp of checkpoints) assert.equal(cp.cosignatures.length, 0, `fork checkpoint ${cp.tree_size}`);

    const keys = x.witnesses.map((w) => w.publicKey);
    const onFork = await verifyPublicRecord({
      baseUrl: fork.base,
      slug: "demo-momentum",
      witnesses: keys,
      witnessesRequired: 1,
    });
    assert.equal(onFork.verdict, "not_verified");
    // Each signal day of the fork fails for want of a cosignature (failures are listed per day).
    const signalDays = onFork.days.filter((d) => d.failures.length > 0);
    assert.ok(signalDays.length > 0);
    const forkFailures = [...onFork.failures, ...onFork.days.flatMap((d) => d.failures)];
    assert.ok(forkFailures.every((f) => /^\[witness(\.[a-z_]+)?\]/.test(f)), forkFailures.join("\n"));
    const onHonest = await verifyPublicRecord({
      baseUrl: x.world.base,
      slug: "demo-momentum",
      witnesses: keys,
      witnessesRequired: 2,
    });
    assert.equal(onHonest.verdict, "verified", onHonest.failures.join("\n"));
  } finally {
    await fork.close();
    await x.close();
  }
});

Deno.test("with a witness stopped halfway, checkpoints lack a cosignature and a verifier requiring 2 fails", async () => {
  const x = await witnessedWorld();
  try {
    await assert.rejects(
      replayDemoRecords(x.world.w, 40, NOW, (line) => {
        if (line.includes("20/40")) throw new Error("stop here");
      }),
      /stop here/,
    );
    await x.world.w.deps.track.background.drain();
    const before = await getJson(x.world.base, "/public/log/checkpoint?log=demo");
    const [kept, stopped] = x.witnesses;
    await x.stop(stopped);
    await replayDemoRecords(x.world.w, 40, NOW);
    await x.world.w.deps.track.background.drain();

    const { checkpoints } = await allCheckpoints(x.world);
    const after = checkpoints.filter((cp) => cp.tree_size > before.tree_size);
    assert.ok(after.length > 0);
    for (const cp of checkpoints) {
      const want = cp.tree_size > before.tree_size ? [kept.publicKey] : [kept.publicKey, stopped.publicKey];
      assert.deepEqual(cp.cosignatures.map((c: Json) => c.public_key).sort(), want.sort(), `${cp.tree_size}`);
    }
    const listed = await getJson(x.world.base, "/public/log/witnesses?log=demo");
    const down = listed.witnesses.find((w: Json) => w.public_key === stopped.publicKey);
    assert.equal(down.tree_size, before.tree_size);
    assert.equal(typeof down.last_error, "string");

    const keys = x.witnesses.map((w) => w.publicKey);
    const two = await verifyPublicRecord({
      baseUrl: x.world.base,
      slug: "demo-momentum",
      witnesses: keys,
      witnessesRequired: 2,
    });
    assert.equal(two.verdict, "not_verified");
    const tagged = [...two.failures, ...two.days.flatMap((d) => d.failures)].filter((f) =>
      /^\[witness(\.[a-z_]+)?\]/.test(f)
    );
    assert.ok(tagged.length > 0, two.failures.join("\n"));
    // Only days signalled after the stop fail for want of cosignatures.
    const failing = two.days.filter((d) => d.failures.some((f) => /^\[witness(\.[a-z_]+)?\]/.test(f)));
    // Day 21 of the 40-day window through 2026-11-20: the first one replayed after the stop.
    const firstStoppedDay = sse.tradingDayOffset(sse.tradingDayOffset("2026-11-20", -39), 20);
    assert.ok(failing.length > 0);
    for (const d of failing) {
      assert.ok(d.date >= firstStoppedDay, `${d.date} failed: ${d.failures.join("; ")}`);
    }

    const one = await verifyPublicRecord({
      baseUrl: x.world.base,
      slug: "demo-momentum",
      witnesses: keys,
      witnessesRequired: 1,
    });
    assert.equal(one.verdict, "verified", one.failures.join("\n"));
  } finally {
    await x.close();
  }
});
