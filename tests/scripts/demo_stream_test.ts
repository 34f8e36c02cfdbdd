/**
 * `deno task demo` replays into the server's KV file from another process, under a simulated clock: its settled
 * trades must still reach `WS /ws` of the running server (its `kv.watch` does not hear another process's writes,
 * and the replay settles past days, far behind the server's clock).
 */
import assert from "node:assert/strict";
import { buildServices } from "../../app/services.ts";
import { fixedClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { startStreamBridge } from "../../jobs/stream_bridge.ts";
import { createApp } from "../../routes/app.ts";
import { captureMailer } from "../_helpers/test_app.ts";

const NOW = Date.UTC(2026, 10, 20, 12, 0); // Friday 20:00 CST
const ROOT = new URL("../../", import.meta.url).pathname;

async function services(kvPath: string, kv: Deno.Kv, clock: ReturnType<typeof fixedClock>) {
  return await buildServices({
    config: parseConfig({
      DENO_ENV: "test",
      KV_PATH: kvPath,
      JWT_SECRET: "demo-stream-secret-0123456789abcdef",
    }),
    kv,
    clock,
    mailer: captureMailer(),
    log: () => {},
    queue: { listening: () => true, enqueueHeartbeat: () => Promise.resolve() },
  });
}

Deno.test("the demo's settlements, written by another process on past days, reach WS /ws", async () => {
  const dir = await Deno.makeTempDir({ prefix: "demo_stream_" });
  const path = `${dir}/quantedge.sqlite`;
  const serverKv = await Deno.openKv(path);
  const serverClock = fixedClock(NOW);
  const server = await services(path, serverKv, serverClock);
  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, createApp(server).fetch);
  const bridge = startStreamBridge(
    { streams: server.streams, jobs: server.backtests.jobs },
    server.hub,
    () => serverClock.now(),
    { pollMs: 50 },
  );
  const messages: { type: string; data: Record<string, unknown> }[] = [];
  let ws: WebSocket | null = null;
  let closed: Promise<unknown> = Promise.resolve();
  try {
    await bridge.ready;
    // Handlers set at once: the socket may open before the next await returns.
    const socket = ws = new WebSocket(`ws://127.0.0.1:${http.addr.port}/ws`);
    closed = new Promise((r) => (socket.onclose = r));
    socket.onmessage = (e) => messages.push(JSON.parse(e.data));
    const opened = new Promise((r) => (socket.onopen = r));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      opened,
      new Promise((_, no) => (timer = setTimeout(() => no(new Error("socket did not open")), 10_000))),
    ]).finally(() => clearTimeout(timer));
    await new Promise((r) => setTimeout(r, 50)); // the server subscribes on its own open event
    // The demo, as `deno task demo` runs it: another process on the same file, a clock walking past days.
    const child = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--config",
        `${ROOT}deno.json`,
        "--allow-net",
        "--allow-env",
        "--allow-read",
        "--allow-write",
        "--allow-sys",
        `${ROOT}tests/_helpers/dashboard_demo_child.ts`,
        path,
        String(NOW),
      ],
      cwd: ROOT,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const out = new TextDecoder().decode(child.stdout);
    assert.equal(child.code, 0, out + new TextDecoder().decode(child.stderr));
    assert.equal(JSON.parse(out.trim().split("\n").at(-1)!).replayed_days, 5);
    const deadline = Date.now() + 5000;
    while (messages.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(messages.length > 0, "no demo trade reached the socket");
    for (const m of messages) {
      assert.equal(m.type, "trade");
      assert.match(String(m.data.strategy), /^demo-/);
    }
    // Each trade once.
    const ids = messages.map((m) => String(m.data.id));
    assert.equal(new Set(ids).size, ids.length);
  } finally {
    ws?.close();
    await closed;
    bridge.stop();
    await http.shutdown();
    await server.track.background.drain();
    serverKv.close();
    await Deno.remove(dir, { recursive: true });
  }
});
