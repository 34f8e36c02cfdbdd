import assert from "node:assert/strict";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { createApp } from "../../routes/app.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

/** The headers every response carries, whatever its status or type. */
function assertSecurityHeaders(res: Response, what: string) {
  const h = res.headers;
  assert.equal(h.get("x-content-type-options"), "nosniff", `${what}: X-Content-Type-Options`);
  assert.equal(h.get("referrer-policy"), "no-referrer", `${what}: Referrer-Policy`);
  assert.equal(h.get("x-frame-options"), "DENY", `${what}: X-Frame-Options`);
  const csp = h.get("content-security-policy") ?? "";
  assert.match(csp, /frame-ancestors 'none'/, `${what}: CSP frame-ancestors`);
  assert.match(csp, /default-src 'none'/, `${what}: CSP default-src`);
  assert.equal(h.get("cross-origin-opener-policy"), "same-origin", `${what}: COOP`);
  assert.ok(h.get("x-correlation-id"), `${what}: X-Correlation-ID`);
}

/** Parses a CSP header into directive → sources. */
function parseCsp(header: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of header.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

const SPEC = {
  universe: { tickers: ["600519.SH"] },
  entry: "close > sma(close, 20)",
  exit: "close < sma(close, 20)",
  start: "2020-01-01",
  end: "2020-06-30",
};

async function completedJob(w: TestWorld, token: string): Promise<string> {
  const res = await w.request("POST", "/api/v1/backtests", { json: { spec: SPEC }, token });
  assert.equal(res.status, 202, await res.clone().text());
  const { job_id } = await res.json();
  assert.equal(await runBacktestJob(w.deps.backtests, job_id), "completed");
  return job_id;
}

Deno.test("every kind of response carries the security headers: 2xx, 4xx of each kind, 500, CSV, docs, WS refusals", async () => {
  const w = await openTestWorld({ MAX_BODY_BYTES: "1024" });
  try {
    // A route that fails the way a bug does, to check the 500 boundary.
    w.app.get("/boom-for-test", () => {
      throw new Error("kaboom");
    });
    const me = await signInWithOtp(w, "headers@example.com");
    const token = me.access_token;
    const jobId = await completedJob(w, token);
    const cases: [string, () => Promise<Response>, number][] = [
      ["GET /health", () => w.request("GET", "/health"), 200],
      ["GET /openapi.json", () => w.request("GET", "/openapi.json"), 200],
      ["GET /api/v1/auth/me", () => w.request("GET", "/api/v1/auth/me", { token }), 200],
      ["404 unknown path", () => w.request("GET", "/no/such/path"), 404],
      ["401 no token", () => w.request("GET", "/api/v1/auth/me"), 401],
      ["422 bad body", () => w.request("POST", "/api/v1/auth/request-otp", { json: { email: 1 } }), 422],
      [
        "413 body too large",
        () =>
          w.request("POST", "/api/v1/tickets", {
            body: "x".repeat(4096),
            headers: { "content-type": "application/json" },
            token,
          }),
        413,
      ],
      ["415 no content type", () => w.request("POST", "/api/v1/tickets", { body: "", token }), 415],
      ["414 long URL", () => w.request("GET", `/api/v1/data/symbols?q=${"a".repeat(9000)}`), 414],
      ["500 unexpected error", () => w.request("GET", "/boom-for-test"), 500],
      ["CSV download", () => w.request("GET", `/api/v1/backtests/${jobId}/trades.csv`, { token }), 200],
      ["GET /ws without upgrade", () => w.request("GET", "/ws"), 426],
      ["GET /ws/backtests/{id} without token", () => w.request("GET", `/ws/backtests/${jobId}`), 401],
      ["GET /docs", () => w.request("GET", "/docs"), 200],
      [
        "GET /docs/assets/swagger-ui-bundle.js",
        () => w.request("GET", "/docs/assets/swagger-ui-bundle.js"),
        200,
      ],
    ];
    for (const [what, send, status] of cases) {
      const res = await send();
      await res.body?.cancel();
      assert.equal(res.status, status, what);
      assertSecurityHeaders(res, what);
      assert.equal(res.headers.get("strict-transport-security"), null, `${what}: no HSTS outside production`);
    }
  } finally {
    await w.close();
  }
});

Deno.test("Strict-Transport-Security is sent only when DENO_ENV=production", async () => {
  const w = await openTestWorld();
  try {
    const production = createApp({ ...w.deps, config: { ...w.deps.config, env: "production" } });
    for (const path of ["/health", "/no/such/path", "/docs"]) {
      const res = await production.request(path);
      await res.body?.cancel();
      assert.equal(res.headers.get("strict-transport-security"), "max-age=31536000; includeSubDomains", path);
      assertSecurityHeaders(res, path);
      const dev = await w.request("GET", path);
      await dev.body?.cancel();
      assert.equal(dev.headers.get("strict-transport-security"), null, path);
    }
  } finally {
    await w.close();
  }
});

Deno.test("the /docs CSP allows exactly what the page loads from this app, and nothing from elsewhere", async () => {
  const w = await openTestWorld();
  try {
    const page = await w.request("GET", "/docs");
    const html = await page.text();
    const csp = parseCsp(page.headers.get("content-security-policy") ?? "");
    // Scripts: only external same-origin files, no inline script for 'self' to miss.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attrs, body] of scripts) {
      const src = /\bsrc="([^"]+)"/.exec(attrs)?.[1];
      assert.ok(src?.startsWith("/") && !src.startsWith("//"), `script ${attrs} is not a same-origin file`);
      assert.equal(body.trim(), "", "inline script would be blocked by script-src 'self'");
    }
    assert.deepEqual(csp.get("script-src"), ["'self'"]);
    assert.ok(!(csp.get("script-src") ?? []).includes("'unsafe-eval'"));
    for (const [, href] of html.matchAll(/<link\b[^>]*\bhref="([^"]+)"/g)) {
      assert.ok(href.startsWith("/"), href);
    }
    assert.ok(csp.get("style-src")?.includes("'self'"));
    // Swagger UI fetches /openapi.json (and "Try it out" calls) from the same origin.
    assert.ok(csp.get("connect-src")?.includes("'self'"));
    const init = await (await w.request("GET", "/docs/assets/init.js")).text();
    assert.match(init, /url: "\/openapi\.json"/);
    // The stylesheet embeds its icons as data: URIs; the CSP must allow them.
    const css = await (await w.request("GET", "/docs/assets/swagger-ui.css")).text();
    if (/url\(\s*["']?data:image/.test(css)) assert.ok(csp.get("img-src")?.includes("data:"));
    assert.equal(csp.get("frame-ancestors")?.[0], "'none'");
    // The API itself allows nothing.
    const api = await w.request("GET", "/openapi.json");
    await api.body?.cancel();
    const apiCsp = parseCsp(api.headers.get("content-security-policy") ?? "");
    assert.deepEqual(apiCsp.get("default-src"), ["'none'"]);
    assert.equal(apiCsp.get("script-src"), undefined);
  } finally {
    await w.close();
  }
});
