import assert from "node:assert/strict";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { startStreamBridge } from "../../jobs/stream_bridge.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

/** Opens a socket and collects every message until the server closes it. */
function collect(
  url: string,
  protocols?: string[],
): Promise<{ messages: Record<string, unknown>[]; opened: boolean }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, protocols);
    const messages: Record<string, unknown>[] = [];
    let opened = false;
    ws.onopen = () => (opened = true);
    ws.onmessage = (e) => messages.push(JSON.parse(e.data));
    ws.onclose = () => resolve({ messages, opened });
    ws.onerror = () => {};
  });
}

/**
 * A world served on a loopback port with the stream bridge running, two signed-in users and the first user's
 * queued hs300 job; runs `fn`, then stops everything.
 */
async function withQueuedJob(
  fn: (
    ctx: { w: TestWorld; port: number; me: string; other: string; job_id: string; base: string },
  ) => Promise<void>,
) {
  const w = await openTestWorld();
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    w.app.fetch,
  );
  // Progress reaches sockets as trades do: job commit → KV stream marker → bridge → hub.
  const bridge = startStreamBridge(
    { streams: w.deps.streams, jobs: w.deps.backtests.jobs },
    w.deps.hub,
    () => w.clock.now(),
  );
  try {
    await bridge.ready;
    const me = await signInWithOtp(w, "ws@example.com");
    const other = await signInWithOtp(w, "ws2@example.com", "10.0.0.9");
    const res = await w.request("POST", "/api/v1/backtests", {
      json: {
        spec: {
          universe: { name: "hs300" },
          entry: "rsi(close, 14) < 30",
          exit: "rsi(close, 14) > 60",
          sizing: { method: "percent_equity", percent: 10, max_positions: 10 },
          start: "2016-01-01",
          end: "2018-12-31",
        },
      },
      token: me.access_token,
    });
    const { job_id } = await res.json();
    const port = server.addr.port;
    const base = `ws://127.0.0.1:${port}/ws/backtests/${job_id}`;
    await fn({ w, port, me: me.access_token, other: other.access_token, job_id, base });
  } finally {
    bridge.stop();
    ac.abort();
    await server.finished;
    await w.close();
  }
}

Deno.test("WS /ws/backtests/{id} streams progress in order and ends with completed, by query token or protocol", () =>
  withQueuedJob(async ({ w, me, job_id, base }) => {
    const watching = collect(`${base}?token=${me}`);
    const viaProtocol = collect(base, ["bearer", me]);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(await runBacktestJob(w.deps.backtests, job_id), "completed");
    for (const { messages, opened } of [await watching, await viaProtocol]) {
      assert.ok(opened);
      assert.equal(messages[0].status, "queued", "the current state first");
      assert.equal(messages.at(-1)!.status, "completed");
      assert.equal(messages.at(-1)!.progress, 100);
      const progress = messages.map((m) => m.progress as number);
      assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]), "progress never goes back");
      assert.ok(messages.some((m) => m.status === "running"));
    }
  }));

Deno.test("WS /ws/backtests/{id} refuses another user's job: no socket opens, a plain GET answers 404 {detail}", () =>
  withQueuedJob(async ({ port, other, job_id, base }) => {
    const refused = await collect(`${base}?token=${other}`);
    assert.equal(refused.opened, false);
    const plain = await fetch(`http://127.0.0.1:${port}/ws/backtests/${job_id}?token=${other}`);
    assert.equal(plain.status, 404);
    assert.deepEqual(Object.keys(await plain.json()), ["detail"]);
  }));
