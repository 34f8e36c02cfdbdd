/**
 * The server's witness collection (`cosignHead`) against real witnesses (`startWitness`): the two sides of the
 * add-checkpoint protocol agree, including the 409 retry from the witness's size, and a witness's cosignatures
 * are stored by the server only for checkpoints it cosigned.
 */
import assert from "node:assert/strict";
import { fixedClock } from "../../domain/clock.ts";
import { sha256Hex } from "../../domain/tokens_and_hashes.ts";
import { verifyCosignature } from "../../domain/attestation/cosignature.ts";
import { createTransparencyLog } from "../../domain/attestation/transparency_log.ts";
import { cosignHead } from "../../domain/attestation/witness_collector.ts";
import { createCosignatureRepo } from "../../domain/store/cosignature_repo.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import { createTransparencyLogRepo } from "../../domain/store/transparency_log_repo.ts";
import { startWitness } from "../_helpers/witness.ts";
import { addBody, post, WITNESS_T0 } from "./log_fixture.ts";

const ORIGIN = "quantedge/signals";

Deno.test("cosignHead() and two real witnesses: every head is cosigned, a witness ahead of the server is caught up by the 409 retry", async () => {
  const kv = await Deno.openKv(":memory:");
  const clock = fixedClock(Date.UTC(2026, 6, 10, 1, 0));
  const log = createTransparencyLog(
    { log: createTransparencyLogRepo(kv), settings: createSettingsRepo(kv) },
    clock,
    { origin: ORIGIN },
  );
  const logs = [{ origin: ORIGIN, public_key: (await log.publicKey()).public_key }];
  const witnessClock = fixedClock(WITNESS_T0);
  const a = await startWitness({ clock: witnessClock, logs, name: "a" });
  const b = await startWitness({ clock: witnessClock, logs, name: "b" });
  const messages: string[] = [];
  const deps = {
    witnessing: {
      urls: [a.url, b.url],
      timeoutMs: 5_000,
      store: createCosignatureRepo(kv),
      fetch: globalThis.fetch,
      clock,
      log: (_level: string, msg: string) => void messages.push(msg),
    },
  };
  try {
    for (let i = 0; i < 5; i++) {
      clock.advance(1000);
      witnessClock.advance(1000);
      await log.append(await sha256Hex(`leaf-${i}`));
      assert.deepEqual(await cosignHead(deps, log), {
        tree_size: i + 1,
        cosigned: 2,
        current: 0,
        failed: 0,
        deferred: 0,
      });
      const head = await log.checkpoint();
      const stored = await deps.witnessing.store.cosignatures(ORIGIN, i + 1);
      assert.deepEqual(stored.map((c) => c.public_key).sort(), [a.publicKey, b.publicKey].sort());
      for (const c of stored) {
        assert.equal(await verifyCosignature(c, head.note), true);
        assert.equal(c.timestamp, witnessClock.now());
      }
    }
    // Witness c was fed size 5 directly; the server believes it is at 0, so its first push is answered 409.
    const c = await startWitness({ clock: witnessClock, logs, name: "c" });
    try {
      assert.equal((await post(`${c.url}/add-checkpoint`, await addBody(log, 0))).status, 200);
      await log.append(await sha256Hex("leaf-5"));
      deps.witnessing.urls = [a.url, b.url, c.url];
      assert.deepEqual(await cosignHead(deps, log), {
        tree_size: 6,
        cosigned: 3,
        current: 0,
        failed: 0,
        deferred: 0,
      });
    } finally {
      await c.close();
    }
    assert.deepEqual(messages, []);
  } finally {
    await a.close();
    await b.close();
    kv.close();
  }
});
