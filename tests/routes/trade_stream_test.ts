import assert from "node:assert/strict";
import { settleAll } from "../../domain/track_record/settlement/settle.ts";
import { startStreamBridge } from "../../jobs/stream_bridge.ts";
import { openTestWorld, signInWithOtp, T0 } from "../_helpers/test_app.ts";

Deno.test("WS /ws streams each settled trade of a public strategy as {type: trade, data}", async () => {
  const w = await openTestWorld();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
  const bridge = startStreamBridge(
    { streams: w.deps.streams, jobs: w.deps.backtests.jobs },
    w.deps.hub,
    () => w.clock.now(),
  );
  try {
    await bridge.ready;
    const token = (await signInWithOtp(w, "ws@example.com")).access_token;
    await w.request("POST", "/api/v1/strategies", { token, json: { name: "ws", slug: "ws-1" } });
    await w.request("POST", "/api/v1/strategies/ws-1/signals", {
      token,
      json: { trade_date: "2026-05-14", signals: [{ symbol: "600519.SH", weight: 0.5 }] },
    });
    const socket = new WebSocket(`ws://127.0.0.1:${server.addr.port}/ws`);
    const messages: unknown[] = [];
    const got = new Promise<void>((resolve) => {
      socket.onmessage = (e) => {
        messages.push(JSON.parse(e.data));
        resolve();
      };
    });
    await new Promise((r) => (socket.onopen = r));
    await new Promise((r) => setTimeout(r, 50)); // the server subscribes on its own open event
    w.clock.set(T0 + 9.5 * 3_600_000);
    await settleAll(w.deps.track, "2026-05-14");
    await Promise.race([
      got,
      new Promise((_, reject) => setTimeout(() => reject(new Error("no trade message")), 5000)),
    ]);
    const m = messages[0] as { type: string; data: Record<string, unknown> };
    assert.equal(m.type, "trade");
    assert.equal(m.data.strategy, "ws-1");
    assert.equal(m.data.asset, "600519.SH");
    assert.equal(m.data.action, "BUY");
    assert.equal(m.data.id, "ws-1:2026-05-14:1");
    assert.ok((m.data.quantity as number) > 0 && (m.data.quantity as number) % 100 === 0);
    assert.equal(typeof m.data.price, "number");
    assert.match(String(m.data.reasoning), /Rebalance/);
    socket.close();
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    bridge.stop();
    await server.shutdown();
    await w.close();
  }
});

Deno.test("GET /ws without an upgrade answers 426", async () => {
  const w = await openTestWorld();
  try {
    const res = await w.request("GET", "/ws");
    assert.equal(res.status, 426);
    await res.body?.cancel();
  } finally {
    await w.close();
  }
});
