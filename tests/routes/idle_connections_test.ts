/**
 * Slow and idle connections on a real `Deno.serve` loopback server: a request deadline (slow body, hanging
 * work), and the WebSocket limits (lifetime, sockets per IP, dead peers that never answer a ping).
 */
import assert from "node:assert/strict";
import { LIFETIME_REASON } from "../../routes/stream_routes.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

async function serve(env: Record<string, string>, setUp?: (w: TestWorld) => void) {
  const w = await openTestWorld(env);
  setUp?.(w);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, w.app.fetch);
  return {
    w,
    port: server.addr.port,
    async close() {
      await server.shutdown();
      await w.close();
    },
  };
}

/** Reads from `conn` until `done(text)` holds or the peer closes; returns everything read. */
async function readUntil(conn: Deno.Conn, done: (text: string) => boolean): Promise<string> {
  const buf = new Uint8Array(16 * 1024);
  let text = "";
  while (!done(text)) {
    const n = await conn.read(buf).catch(() => null);
    if (n === null) break;
    text += decoder.decode(buf.subarray(0, n), { stream: true });
  }
  return text;
}

/** Closes `conn` after `ms` if the test is still waiting on it, so a missing answer fails instead of hanging. */
function guard(conn: Deno.Conn, ms = 15_000) {
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    try {
      conn.close();
    } catch {
      // already closed
    }
  }, ms);
  return {
    get fired() {
      return fired;
    },
    clear: () => clearTimeout(timer),
  };
}

/** Splits a raw HTTP/1.1 response into status, lower-cased headers and body. */
function parseResponse(raw: string) {
  const [head, ...rest] = raw.split("\r\n\r\n");
  const [statusLine, ...lines] = head.split("\r\n");
  const headers = new Map(lines.map((l) => {
    const i = l.indexOf(":");
    return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as [string, string];
  }));
  return { status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") };
}

const completeJson = (raw: string) => {
  const r = raw.includes("\r\n\r\n") ? parseResponse(raw) : null;
  const length = Number(r?.headers.get("content-length") ?? NaN);
  return r !== null && encoder.encode(r.body).length >= length;
};

Deno.test("a client that sends its body slowly gets a 503 in the documented shape when the deadline passes", async () => {
  const s = await serve({ REQUEST_TIMEOUT_MS: "300" });
  const conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  try {
    await conn.write(encoder.encode(
      "POST /api/v1/auth/request-otp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        "Content-Length: 200\r\nX-Correlation-ID: slow-body-1\r\n\r\n" + '{"email": "sl',
    ));
    // The rest of the body never comes.
    const g = guard(conn);
    const raw = await readUntil(conn, completeJson);
    g.clear();
    assert.ok(!g.fired, "no answer came");
    const r = parseResponse(raw);
    assert.equal(r.status, 503);
    assert.equal(r.headers.get("x-correlation-id"), "slow-body-1");
    assert.match(r.headers.get("content-type") ?? "", /^application\/json/);
    assert.equal(r.headers.get("x-content-type-options"), "nosniff");
    assert.match(JSON.parse(r.body).detail, /not answered within 300 ms/);
  } finally {
    try {
      conn.close();
    } catch {
      // closed by the guard
    }
    await s.close();
  }
});

Deno.test("work that never finishes is answered 503 at the deadline; quick requests are unaffected", async () => {
  // The work is released at the end of the test so the server can shut down.
  const pending: (() => void)[] = [];
  const s = await serve({ REQUEST_TIMEOUT_MS: "200" }, (w) => {
    w.app.get(
      "/hangs-for-test",
      () => new Promise<Response>((r) => pending.push(() => r(new Response("late")))),
    );
  });
  try {
    // Without a deadline this fetch would wait for ever; the signal turns that into a failure.
    const hung = await fetch(`http://127.0.0.1:${s.port}/hangs-for-test`, {
      signal: AbortSignal.timeout(15_000),
    });
    assert.equal(hung.status, 503);
    assert.ok(hung.headers.get("x-correlation-id"));
    assert.equal(typeof (await hung.json()).detail, "string");
    const quick = await fetch(`http://127.0.0.1:${s.port}/health`);
    assert.equal(quick.status, 200);
    await quick.body?.cancel();
  } finally {
    for (const release of pending) release();
    await s.close();
  }
});

/** Opens a WebSocket and resolves when it opens, or rejects when it fails first. */
function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error("socket failed"));
  });
}

/** Resolves with the close event; after `guardMs` the client closes the socket itself (code 4999). */
function closed(ws: WebSocket, guardMs = 15_000): Promise<CloseEvent> {
  return new Promise((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve(new CloseEvent("close"));
    const timer = setTimeout(() => ws.close(4999, "test gave up waiting"), guardMs);
    ws.addEventListener("close", (e) => {
      clearTimeout(timer);
      resolve(e);
    });
  });
}

/** A WebSocket handshake over a raw connection (so pings go unanswered); returns the response head. */
async function rawHandshake(port: number, path: string): Promise<{ conn: Deno.Conn; head: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  await conn.write(encoder.encode(
    `GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  const buf = new Uint8Array(4096);
  const n = await conn.read(buf);
  return { conn, head: decoder.decode(buf.subarray(0, n ?? 0)) };
}

Deno.test("a WebSocket is closed (1000) when it reaches WS_MAX_LIFETIME_S", async () => {
  const s = await serve({ WS_MAX_LIFETIME_S: "1" });
  try {
    const ws = await openSocket(`ws://127.0.0.1:${s.port}/ws`);
    const e = await closed(ws);
    assert.equal(e.code, 1000);
    assert.equal(e.reason, LIFETIME_REASON);
  } finally {
    await s.close();
  }
});

Deno.test("more than WS_MAX_PER_IP sockets from one address are refused with 429 before the upgrade", async () => {
  const s = await serve({ WS_MAX_PER_IP: "2" });
  const sockets: WebSocket[] = [];
  try {
    sockets.push(await openSocket(`ws://127.0.0.1:${s.port}/ws`));
    sockets.push(await openSocket(`ws://127.0.0.1:${s.port}/ws`));
    const { conn, head } = await rawHandshake(s.port, "/ws");
    assert.match(head, /^HTTP\/1\.1 429/, "the third socket was accepted");
    let raw = head;
    if (!completeJson(raw)) raw += await readUntil(conn, (t) => completeJson(raw + t));
    conn.close();
    const r = parseResponse(raw);
    assert.equal(r.status, 429);
    assert.ok(r.headers.get("retry-after"));
    assert.ok(r.headers.get("x-correlation-id"));
    assert.match(JSON.parse(r.body).detail, /Too many open WebSockets.*limit 2/);
    // Closing one frees its place.
    const first = sockets.shift()!;
    first.close();
    await closed(first);
    await new Promise((r) => setTimeout(r, 50));
    sockets.push(await openSocket(`ws://127.0.0.1:${s.port}/ws`));
  } finally {
    for (const ws of sockets) {
      ws.close();
      await closed(ws);
    }
    await s.close();
  }
});

Deno.test("a WebSocket peer that never answers pings is pinged, then disconnected", async () => {
  const s = await serve({ WS_IDLE_TIMEOUT_S: "1" });
  try {
    const { conn, head } = await rawHandshake(s.port, "/ws");
    assert.match(head, /^HTTP\/1\.1 101/);
    // Read frames until the server ends the connection; record their opcodes.
    const opcodes: number[] = [];
    const buf = new Uint8Array(1024);
    const g = guard(conn);
    for (;;) {
      const n = await conn.read(buf).catch(() => null);
      if (n === null) break;
      for (let i = 0; i + 1 < n;) {
        const opcode = buf[i] & 0x0f;
        const length = buf[i + 1] & 0x7f;
        opcodes.push(opcode);
        i += 2 + length;
      }
      if (opcodes.includes(0x8)) break;
    }
    g.clear();
    assert.ok(!g.fired, "the server never disconnected the silent peer");
    try {
      conn.close();
    } catch {
      // already closed by the server
    }
    assert.ok(opcodes.includes(0x9), `the server pinged: opcodes ${opcodes}`);
  } finally {
    await s.close();
  }
});
