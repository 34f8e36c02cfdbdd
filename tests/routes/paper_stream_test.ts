/**
 * Paper fills on `WS /ws` through a real socket and the KV stream bridge: the owner always gets them (their
 * own topic), another user and an anonymous socket only when the instance is public.
 */
import assert from "node:assert/strict";
import { startStreamBridge } from "../../jobs/stream_bridge.ts";
import { openTestWorld } from "../_helpers/test_app.ts";
import { savePromoted, SMA_SPEC, startRun, tokenOf } from "./paper_world.ts";

type Msg = { type: string; data: Record<string, unknown> };

/** Opens a socket (with `token` when given) that collects every message. */
async function listen(port: number, token?: string) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/ws${token ? `?token=${token}` : ""}`);
  const messages: Msg[] = [];
  socket.onmessage = (e) => messages.push(JSON.parse(e.data));
  await new Promise((r) => (socket.onopen = r));
  return { socket, messages, paper: () => messages.filter((m) => m.data?.source === "paper") };
}

/** Waits until `ready()` or 5 s. */
async function until(ready: () => boolean, what: string) {
  for (let i = 0; i < 250 && !ready(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(ready(), `timed out waiting for ${what}`);
}

Deno.test("WS /ws: the owner gets a private instance's fills; others get a public instance's fills only", async () => {
  const w = await openTestWorld();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
  const bridge = startStreamBridge(
    { streams: w.deps.streams, jobs: w.deps.backtests.jobs },
    w.deps.hub,
    () => w.clock.now(),
    { pollMs: 50 },
  );
  const sockets: WebSocket[] = [];
  try {
    await bridge.ready;
    const owner = await tokenOf(w, "streamer@example.com");
    const other = await tokenOf(w, "watcher@example.com", "10.0.0.2");
    const sid = await savePromoted(w, owner, "Streamed", {
      ...SMA_SPEC,
      entry: "crosses_above(sma(close, 3), sma(close, 10))",
      exit: "crosses_below(sma(close, 3), sma(close, 10))",
    });
    const mine = await listen(server.addr.port, owner);
    const theirs = await listen(server.addr.port, other);
    const anonymous = await listen(server.addr.port);
    sockets.push(mine.socket, theirs.socket, anonymous.socket);
    await new Promise((r) => setTimeout(r, 50)); // the server subscribes on its own open event

    const priv = await (await startRun(w, owner, sid, { start_date: "2026-02-02" })).json();
    assert.ok(priv.trades_count > 0, "the catch-up filled orders");
    await until(() => mine.paper().length === priv.trades_count, "the owner's private fills");
    const m = mine.paper()[0];
    assert.equal(m.type, "trade");
    assert.equal(m.data.instance_id, priv.id);
    assert.equal(m.data.strategy_id, sid);
    assert.match(String(m.data.id), new RegExp(`^${priv.id}:\\d+$`));
    assert.equal(m.data.asset, "600519.SH");
    assert.equal(m.data.action, "BUY");
    assert.match(String(m.data.timestamp), /^2026-\d\d-\d\d$/);
    assert.equal(typeof m.data.price, "number");
    assert.equal(typeof m.data.quantity, "number");
    assert.match(String(m.data.reasoning), /^entry: .*sma\(/, "the owner sees the rule");
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(theirs.paper(), [], "another user gets no private fill");
    assert.deepEqual(anonymous.paper(), [], "nor does an anonymous socket");

    const pub = await (await startRun(w, owner, sid, { start_date: "2026-02-02", is_public: true })).json();
    assert.equal(pub.is_public, true);
    await until(() => theirs.paper().length === pub.trades_count, "the public fills for another user");
    await until(() => anonymous.paper().length === pub.trades_count, "the public fills for everyone");
    assert.ok(theirs.paper().every((x) => x.data.instance_id === pub.id));
    // Everyone sees what happened, not the owner's rules: "entry rule"/"exit rule" instead of their text.
    const shown = new Set(theirs.paper().map((x) => String(x.data.reasoning)));
    assert.ok(shown.has("entry rule"), [...shown].join(" | "));
    assert.ok([...shown].every((r) => !r.includes("sma(")), [...shown].join(" | "));
    // The owner hears the public instance on both topics (the same ids: dedupe by id).
    await until(
      () => mine.paper().filter((x) => x.data.instance_id === pub.id).length >= pub.trades_count,
      "own",
    );
  } finally {
    for (const s of sockets) s.close();
    await new Promise((r) => setTimeout(r, 20));
    bridge.stop();
    await server.shutdown();
    await w.close();
  }
});
