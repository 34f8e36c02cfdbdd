/**
 * `/verify`'s `witnessed_inclusion_proof` considers the signal's deadline: among the checkpoints covering the
 * signal, the one with the most cosignatures dated before the deadline wins, even when a later checkpoint has
 * more cosignatures dated after it; the rule without a deadline applies only when none is dated before it.
 */
import assert from "node:assert/strict";
import { fixedClock } from "../../../domain/clock.ts";
import { sha256Hex } from "../../../domain/tokens_and_hashes.ts";
import { createCosignatureSigner, verifyCosignature } from "../../../domain/attestation/cosignature.ts";
import { createTransparencyLog } from "../../../domain/attestation/transparency_log.ts";
import { createCosignatureRepo } from "../../../domain/store/cosignature_repo.ts";
import { createSettingsRepo } from "../../../domain/store/settings_repo.ts";
import { createTransparencyLogRepo } from "../../../domain/store/transparency_log_repo.ts";
import { witnessedInclusionProof } from "../../../domain/track_record/log_views.ts";
import type { WitnessCollection } from "../../../domain/attestation/witness_collector.ts";

const T0 = Date.UTC(2026, 5, 1, 1, 0);
const ORIGIN = "quantedge/signals";

async function signer() {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  return createCosignatureSigner(
    pair.privateKey,
    new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey)),
  );
}

Deno.test("witnessed_inclusion_proof: size s+2 cosigned by A before the deadline beats s+50 cosigned by A and B after it", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const clock = fixedClock(T0);
    const log = createTransparencyLog(
      { log: createTransparencyLogRepo(kv), settings: createSettingsRepo(kv) },
      clock,
      { origin: ORIGIN },
    );
    const s = 5; // the signal is leaf 4, logged at tree size 5
    let leaf = "";
    for (let i = 0; i < 60; i++) {
      const h = await sha256Hex(`leaf-${i}`);
      if (i === s - 1) leaf = h;
      await log.append(h);
    }
    const store = createCosignatureRepo(kv);
    const deps = { witnessing: { store } as unknown as WitnessCollection };
    const [a, b] = [await signer(), await signer()];
    const deadline = T0 + 3_600_000;
    const note = async (size: number) => (await proofAt(size)).checkpoint.note;
    const proofAt = async (size: number) => (await log.inclusionProof(leaf, size))!;
    await store.addCosignature(ORIGIN, s + 2, await a.cosign("a", await note(s + 2), deadline - 60_000));
    await store.addCosignature(ORIGIN, s + 50, await a.cosign("a", await note(s + 50), deadline + 60_000));
    await store.addCosignature(ORIGIN, s + 50, await b.cosign("b", await note(s + 50), deadline + 60_000));

    const timely = await witnessedInclusionProof(deps, log, leaf, s, deadline);
    assert.ok(timely);
    assert.equal(timely.tree_size, s + 2);
    assert.equal(timely.checkpoint.cosignatures.length, 1);
    assert.ok(await verifyCosignature(timely.checkpoint.cosignatures[0], timely.checkpoint.note));

    // No cosignature dated before the deadline: the most cosignatures at all.
    const late = await witnessedInclusionProof(deps, log, leaf, s, deadline - 120_000);
    assert.equal(late?.tree_size, s + 50);
    // Without a deadline: the rule as before.
    assert.equal((await witnessedInclusionProof(deps, log, leaf, s))?.tree_size, s + 50);
  } finally {
    kv.close();
  }
});
