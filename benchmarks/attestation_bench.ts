/**
 * Transparency-log speed on an in-memory KV: 1,000 appends into a fresh log (each an atomic commit of the leaf,
 * its indexes and the perfect subtrees it completes), and — on a log prefilled once with 10,000 leaves — an
 * inclusion proof at the current size (checkpoint cached), at an older size, a consistency proof, a checkpoint
 * read, and a third party's verification of a proof (hashes plus Ed25519).
 */
import { fixedClock } from "../domain/clock.ts";
import { sha256Hex } from "../domain/tokens_and_hashes.ts";
import { createTransparencyLog, verifyInclusionProof } from "../domain/attestation/transparency_log.ts";
import { createSettingsRepo } from "../domain/store/settings_repo.ts";
import { createTransparencyLogRepo } from "../domain/store/transparency_log_repo.ts";

/** The log's repositories over `kv`, as the production wiring builds them. */
const logStores = (kv: Deno.Kv) => ({ log: createTransparencyLogRepo(kv), settings: createSettingsRepo(kv) });

const T0 = Date.UTC(2024, 0, 2, 10, 15);
const PREFILL = 10_000;
const hashes = await Promise.all(Array.from({ length: PREFILL }, (_, i) => sha256Hex(`bench-signal-${i}`)));

const kv = await Deno.openKv(":memory:");
const log = createTransparencyLog(logStores(kv), fixedClock(T0));
const prefillStart = performance.now();
for (const h of hashes) await log.append(h);
console.log(`prefilled ${PREFILL} leaves in ${(performance.now() - prefillStart).toFixed(0)} ms`);
await log.checkpoint();
await log.inclusionProof(hashes[0], 9_000); // signs size 9,000 once, so the bench reads the cached checkpoint
const sampleProof = (await log.inclusionProof(hashes[4_321]))!;

let run = 0;
Deno.bench("append 1,000 hashes to a fresh :memory: KV", { group: "append", n: 10, warmup: 1 }, async () => {
  const fresh = await Deno.openKv(":memory:");
  const target = createTransparencyLog(logStores(fresh), fixedClock(T0));
  const offset = (run++ % 9) * 1_000;
  for (let i = 0; i < 1_000; i++) await target.append(hashes[offset + i]);
  fresh.close();
});

let k = 0;
Deno.bench("inclusionProof() at size 10,000 (cached checkpoint)", { group: "read" }, async () => {
  await log.inclusionProof(hashes[k = (k + 7919) % PREFILL]);
});
Deno.bench("inclusionProof() at the older size 9,000 (cached checkpoint)", { group: "read" }, async () => {
  await log.inclusionProof(hashes[k = (k + 7919) % 9_000], 9_000);
});
Deno.bench("consistencyProof(6,000, 10,000)", { group: "read" }, async () => {
  await log.consistencyProof(6_000, PREFILL);
});
Deno.bench("checkpoint() at size 10,000 (cached)", { group: "read" }, async () => {
  await log.checkpoint();
});
Deno.bench("verifyInclusionProof(): a third party's check of one proof", { group: "verify" }, async () => {
  await verifyInclusionProof(sampleProof);
});
