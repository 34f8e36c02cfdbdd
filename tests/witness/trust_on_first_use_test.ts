/**
 * `pinLogsFrom` reads a server's checkpoint answers as a stream with a 256 KiB cap: an endless (or huge) body is
 * abandoned as soon as it passes the cap, without waiting for it to end or holding it in memory.
 */
import assert from "node:assert/strict";
import { pinLogsFrom } from "../../witness/trust_on_first_use.ts";
import { createWitnessStore } from "../../witness/witness_store.ts";

Deno.test("pinLogsFrom(): an endless answer is cut at the cap: unavailable, 'too large', quickly, nothing pinned", async () => {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () =>
    new Response(
      new ReadableStream<Uint8Array>({
        pull(controller) {
          sent += chunk.length;
          controller.enqueue(chunk);
        },
      }),
      { headers: { "content-type": "application/json" } },
    ));
  const kv = await Deno.openKv(":memory:");
  try {
    const store = createWitnessStore(kv);
    const t0 = performance.now();
    const out = await pinLogsFrom(store, `http://127.0.0.1:${server.addr.port}`, {
      now: 1,
      timeoutMs: 20_000,
    });
    const ms = performance.now() - t0;
    assert.deepEqual(out.map((o) => o.kind), ["unavailable", "unavailable"]);
    for (const o of out) assert.equal((o as { reason: string }).reason, "its answer is too large");
    assert.ok(ms < 5_000, `took ${Math.round(ms)} ms`);
    assert.ok(sent < 64 * 1024 * 1024, `the server sent ${sent} bytes before the reader stopped`);
    assert.deepEqual(await store.pins(), []);
  } finally {
    await server.shutdown();
    kv.close();
  }
});
