/**
 * CORS headers are added once the answer is made (`routes/middleware/cors_headers.ts`), with a list of allowed
 * origins: a WebSocket upgrade still opens (the request's headers are read before the route takes it), an answer
 * to a thrown non-Error still carries the CORS and security headers, and an answer with read-only headers is
 * copied rather than failing. Loopback only.
 */
import assert from "node:assert/strict";
import { openTestWorld } from "../_helpers/test_app.ts";

const ORIGIN = "https://app.example.com";

Deno.test("CORS with an origin list: a WebSocket on /ws opens, and nothing is logged as an error", async () => {
  const w = await openTestWorld({ CORS_ORIGINS: `${ORIGIN}, https://lab.example.com` });
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    w.app.fetch,
  );
  try {
    const opened = await new Promise<boolean>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${server.addr.port}/ws`);
      const timer = setTimeout(() => {
        ws.close();
        resolve(false);
      }, 5_000);
      ws.onopen = () => {
        clearTimeout(timer);
        ws.close();
        resolve(true);
      };
      ws.onerror = () => {
        clearTimeout(timer);
        resolve(false);
      };
    });
    assert.equal(opened, true, "the socket opens");
    assert.deepEqual(w.logs.filter((l) => l.level === "error"), []);
  } finally {
    ac.abort();
    await server.finished;
    await w.close();
  }
});

Deno.test("CORS with an origin list: a thrown string answers 500 with the CORS and security headers", async () => {
  const w = await openTestWorld({ CORS_ORIGINS: ORIGIN });
  try {
    w.app.get("/api/v1/__test/throw-string", () => {
      throw "a plain string";
    });
    const res = await w.app.request("/api/v1/__test/throw-string", { headers: { origin: ORIGIN } });
    assert.equal(res.status, 500);
    assert.equal((await res.json()).detail, "Internal server error");
    assert.equal(res.headers.get("access-control-allow-origin"), ORIGIN);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.ok(res.headers.get("x-correlation-id"));
  } finally {
    await w.close();
  }
});

Deno.test("CORS with an origin list: an answer with read-only headers is copied and dressed, not a 500", async () => {
  const w = await openTestWorld({ CORS_ORIGINS: ORIGIN });
  try {
    w.app.get("/api/v1/__test/redirect", () => Response.redirect("https://example.com/elsewhere", 302));
    const res = await w.app.request("/api/v1/__test/redirect", { headers: { origin: ORIGIN } });
    await res.body?.cancel();
    assert.equal(res.status, 302);
    assert.equal(res.headers.get("location"), "https://example.com/elsewhere");
    assert.equal(res.headers.get("access-control-allow-origin"), ORIGIN);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    assert.ok(res.headers.get("x-correlation-id"));
  } finally {
    await w.close();
  }
});
