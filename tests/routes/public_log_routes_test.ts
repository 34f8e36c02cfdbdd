/**
 * The public log routes over a demo replay with two loopback witness stand-ins and the GitHub stand-in:
 * `?log=demo` answers the demo's own log (origin, key), the production log never receives a demo leaf, every
 * served checkpoint carries the cosignatures that verify and its GitHub commit, the checkpoint list pages in
 * ascending order with non-decreasing times, `/witnesses` reports each witness, and `/verify` answers the
 * signal's log origin and a witnessed inclusion proof.
 */
import assert from "node:assert/strict";
import { buildMarketServices } from "../../app/market_services.ts";
import { fixedClock } from "../../domain/clock.ts";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { type Checkpoint, verifyCheckpoint } from "../../domain/attestation/checkpoint.ts";
import { verifyCosignature } from "../../domain/attestation/cosignature.ts";
import { type InclusionProof, verifyInclusionProof } from "../../domain/attestation/transparency_log.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import { DEMO_SLUGS, replayDemo } from "../../scripts/demo_replay.ts";
import { createGithubAttester } from "../../domain/attestation/github_attester.ts";
import { attestPending } from "../../domain/track_record/signals/attest_pending.ts";
import { startFakeGithubContents } from "../_helpers/fake_github_contents.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";
import { startWitnessStandIn, type WitnessStandIn } from "../_helpers/witness_standin.ts";

const NOW = Date.UTC(2026, 10, 20, 12, 0); // Friday 2026-11-20 20:00 Asia/Shanghai
const DAYS = 4;
const sse = getCalendar("SSE");
/** The replay's first day (every demo strategy submits a signal on it). */
const FIRST = sse.tradingDayOffset(sse.latestCompletedTradingDay(NOW), -(DAYS - 1));
const TOKEN = "ghp_testtoken1234567890";

// deno-lint-ignore no-explicit-any
type Json = Record<string, any>;

async function withWitnessedDemo(fn: (w: TestWorld, witnesses: WitnessStandIn[]) => Promise<void>) {
  const keys: Record<string, string> = {};
  const witnesses = [
    await startWitnessStandIn({ logs: keys, name: "alpha" }),
    await startWitnessStandIn({ logs: keys, name: "beta" }),
  ];
  const gh = startFakeGithubContents({ token: TOKEN, owner: "acme", repo: "track-record" });
  const w = await openTestWorld({ WITNESS_URLS: witnesses.map((x) => x.url).join(",") });
  try {
    const track = w.deps.track;
    keys[track.tlog.origin] = (await track.tlog.publicKey()).public_key;
    keys[track.demoTlog.origin] = (await track.demoTlog.publicKey()).public_key;
    const market = buildMarketServices(w.kv, fixedClock(NOW), {
      seed: w.config.marketSeed,
      cacheBytes: 64 << 20,
      yahoo: w.config.yahoo,
    });
    await replayDemo(
      { ...track, market: market.data, clock: w.clock },
      w.deps.auth.users,
      createSettingsRepo(w.kv),
      {
        days: DAYS,
        nowMs: NOW,
      },
    );
    w.clock.set(NOW);
    // GitHub configured after the replay (a replaced demo signal cannot be replaced once on GitHub): the GitHub
    // half of attestPending commits each log's newest checkpoint.
    const attester = createGithubAttester({
      token: TOKEN,
      repo: "acme/track-record",
      apiBaseUrl: gh.apiBaseUrl,
    });
    await attestPending({ ...track, attester });
    await fn(w, witnesses);
  } finally {
    await w.close();
    for (const x of witnesses) await x.close();
    await gh.close();
  }
}

async function get(w: TestWorld, path: string): Promise<Json> {
  const res = await w.request("GET", path);
  assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  return await res.json();
}

async function assertCosigned(cp: Json, witnesses: WitnessStandIn[]) {
  assert.equal(cp.cosignatures.length, witnesses.length, `size ${cp.tree_size}`);
  for (const wit of witnesses) {
    const c = cp.cosignatures.find((x: Json) => x.key_id === wit.keyId);
    assert.ok(c, `${wit.name} cosigned size ${cp.tree_size}`);
    assert.equal(c.witness, wit.name);
    assert.equal(await verifyCosignature(c, cp.note, wit.publicKey), true);
  }
}

Deno.test("?log=demo answers the demo's own log; the production log holds no demo leaf", () =>
  withWitnessedDemo(async (w) => {
    const demo = await get(w, "/api/v1/public/log/checkpoint?log=demo");
    const prod = await get(w, "/api/v1/public/log/checkpoint");
    assert.equal(demo.origin, "quantedge/demo");
    assert.equal(prod.origin, "quantedge/signals");
    assert.notEqual(demo.public_key, prod.public_key, "the demo log has its own key");
    assert.ok(demo.tree_size >= DAYS);
    assert.equal(prod.tree_size, 0, "no demo leaf in the production log");
    assert.deepEqual(await get(w, "/api/v1/public/log/checkpoint?log=production"), prod);
    assert.ok(await verifyCheckpoint(demo as Checkpoint));

    const day = await get(w, `/api/v1/public/strategies/${DEMO_SLUGS[1]}/verify?date=${FIRST}`);
    const hash = day.signal.signal_hash;
    const missing = await w.request("GET", `/api/v1/public/log/proof/${hash}`);
    assert.equal(missing.status, 404);
    const proof = await get(w, `/api/v1/public/log/proof/${hash}?log=demo`);
    assert.equal(await verifyInclusionProof(proof as InclusionProof, demo.public_key), true);
    const consistency = await get(
      w,
      `/api/v1/public/log/consistency?first=1&second=${demo.tree_size}&log=demo`,
    );
    assert.equal(consistency.second_root, demo.root_hash);
    const beyond = await w.request("GET", `/api/v1/public/log/consistency?first=1&second=2`);
    assert.equal(beyond.status, 400, "the production log has no size 2");
    const bad = await w.request("GET", "/api/v1/public/log/checkpoint?log=staging");
    assert.equal(bad.status, 422);
    assert.equal((await bad.json()).detail[0].loc.join("."), "query.log");
  }));

Deno.test("served checkpoints carry both witnesses' cosignatures and the GitHub commit of the head", () =>
  withWitnessedDemo(async (w, witnesses) => {
    const head = await get(w, "/api/v1/public/log/checkpoint?log=demo");
    await assertCosigned(head, witnesses);
    assert.equal(
      head.github.url,
      `https://github.com/acme/track-record/blob/main/checkpoints/quantedge_demo/${head.tree_size}.json`,
    );
    assert.match(head.github.sha, /^[0-9a-f]{40}$/);

    const all = await get(w, "/api/v1/public/log/checkpoints?log=demo&limit=1000");
    assert.equal(all.origin, "quantedge/demo");
    assert.equal(all.public_key, head.public_key);
    assert.equal(all.next_from_size, null);
    assert.deepEqual(
      all.checkpoints.map((c: Json) => c.tree_size),
      Array.from({ length: head.tree_size }, (_, i) => i + 1),
    );
    for (const [i, cp] of all.checkpoints.entries()) {
      await assertCosigned(cp, witnesses);
      if (i > 0) assert.ok(cp.timestamp >= all.checkpoints[i - 1].timestamp, "times never go back");
    }
    assert.deepEqual(all.checkpoints.at(-1), head);

    const page = await get(w, "/api/v1/public/log/checkpoints?log=demo&from_size=2&limit=2");
    assert.deepEqual(page.checkpoints.map((c: Json) => c.tree_size), [2, 3]);
    assert.equal(page.next_from_size, 4);
    assert.deepEqual(page.checkpoints, all.checkpoints.slice(1, 3));
    const over = await w.request("GET", "/api/v1/public/log/checkpoints?limit=1001");
    assert.equal(over.status, 422);
    assert.deepEqual((await get(w, "/api/v1/public/log/checkpoints")).checkpoints, []);

    const listed = await get(w, "/api/v1/public/log/witnesses?log=demo");
    assert.deepEqual(listed, {
      witnesses: witnesses.map((x) => ({
        name: x.name,
        url: x.url,
        key_id: x.keyId,
        public_key: x.publicKey,
        tree_size: head.tree_size,
        last_error: null,
      })),
    });
    const prodWitnesses = await get(w, "/api/v1/public/log/witnesses");
    assert.deepEqual(prodWitnesses.witnesses.map((x: Json) => [x.name, x.tree_size]), [[null, 0], [null, 0]]);
  }));

Deno.test("/verify answers the signal's log origin, a witnessed inclusion proof and the strategy log's head", () =>
  withWitnessedDemo(async (w, witnesses) => {
    const day = await get(w, `/api/v1/public/strategies/${DEMO_SLUGS[1]}/verify?date=${FIRST}`);
    const log = day.signal.log;
    assert.equal(log.origin, "quantedge/demo");
    assert.equal(day.log_checkpoint.origin, "quantedge/demo");
    await assertCosigned(day.log_checkpoint, witnesses);
    const key = day.log_checkpoint.public_key;
    await assertCosigned(log.inclusion_proof.checkpoint, witnesses);
    const witnessed = log.witnessed_inclusion_proof;
    assert.ok(witnessed, "every checkpoint was cosigned");
    assert.equal(witnessed.tree_size, log.tree_size, "the smallest size with the most cosignatures");
    assert.equal(await verifyInclusionProof(witnessed, key), true);
    await assertCosigned(witnessed.checkpoint, witnesses);
    // Step 7 of how_to_verify names the demo log's checkpoint, not the production log's.
    const step7 = day.how_to_verify.find((s: string) => s.startsWith("7."));
    assert.match(step7, /GET \/api\/v1\/public\/log\/checkpoint\?log=demo /);
  }));
