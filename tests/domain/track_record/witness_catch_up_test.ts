/**
 * Witness collection over the production wiring: a submission's append is pushed to the witnesses right away; a
 * witness that was down is caught up by the next full `attestPending` run, and the served checkpoint then carries
 * its cosignature.
 */
import assert from "node:assert/strict";
import { verifyCosignature } from "../../../domain/attestation/cosignature.ts";
import { attestPending } from "../../../domain/track_record/signals/attest_pending.ts";
import { createTrackedStrategy } from "../../../domain/track_record/signals/tracked_strategies.ts";
import { submitSignalView } from "../../../domain/track_record/operations.ts";
import { openTestWorld } from "../../_helpers/test_app.ts";
import { startWitnessStandIn } from "../../_helpers/witness_standin.ts";

const OWNER = "usr_witnessed";
const DAY = "2026-05-14"; // the test clock stands at 09:00 Asia/Shanghai on this Thursday

Deno.test("a witness that was down is caught up by attestPending; the checkpoint then carries its cosignature", async () => {
  const keys: Record<string, string> = {};
  const [up, down] = [
    await startWitnessStandIn({ logs: keys, name: "up" }),
    await startWitnessStandIn({ logs: keys, name: "down" }),
  ];
  const w = await openTestWorld({ WITNESS_URLS: `${up.url},${down.url}` });
  try {
    const track = w.deps.track;
    keys[track.tlog.origin] = (await track.tlog.publicKey()).public_key;
    down.failWith = 503;
    await createTrackedStrategy(track, OWNER, 10, {
      name: "Witnessed",
      slug: "witnessed",
      universe: "hs300",
      execution_price: "open",
      holding_period: 10,
      initial_capital: 1_000_000,
      commission_rate: 0.0003,
      slippage_rate: 0.002,
    });
    await submitSignalView(track, OWNER, "witnessed", {
      trade_date: DAY,
      signals: [{ symbol: "600519.SH", weight: 0.5 }],
    });
    const before = await (await w.request("GET", "/api/v1/public/log/checkpoint")).json();
    assert.equal(before.tree_size, 1);
    assert.deepEqual(before.cosignatures.map((c: { witness: string }) => c.witness), ["up"]);
    const states = (await (await w.request("GET", "/api/v1/public/log/witnesses")).json()).witnesses;
    assert.deepEqual(
      states.map((s: { tree_size: number; last_error: string | null }) => [s.tree_size, s.last_error]),
      [
        [1, null],
        [0, "HTTP 503"],
      ],
    );
    assert.ok(w.logs.some((l) => l.msg === "witness push failed" && l.fields?.reason === "HTTP 503"));

    down.failWith = null;
    await attestPending(track);
    const after = await (await w.request("GET", "/api/v1/public/log/checkpoint")).json();
    assert.deepEqual(after.cosignatures.map((c: { witness: string }) => c.witness).sort(), ["down", "up"]);
    for (const c of after.cosignatures) assert.equal(await verifyCosignature(c, after.note), true);
    assert.equal(up.requests.length, 1, "a witness already at the head is not asked again");
    const caughtUp = (await (await w.request("GET", "/api/v1/public/log/witnesses")).json()).witnesses[1];
    assert.deepEqual([caughtUp.name, caughtUp.tree_size, caughtUp.last_error], ["down", 1, null]);
  } finally {
    await w.close();
    await up.close();
    await down.close();
  }
});
