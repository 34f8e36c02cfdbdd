/**
 * `/redoc` renders offline like `/docs`: the page loads ReDoc's standalone bundle (the pinned `redoc` npm
 * package) and its init script from this origin, reads `/openapi.json` from this origin, and its CSP allows
 * exactly that (plus the `blob:` worker ReDoc builds for its search index).
 */
import assert from "node:assert/strict";
import { openTestWorld } from "../_helpers/test_app.ts";

/** Parses a CSP header into directive → sources. */
function parseCsp(header: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of header.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) out.set(name, sources);
  }
  return out;
}

Deno.test("/redoc renders from same-origin assets only: page, ReDoc bundle and init script", async () => {
  const w = await openTestWorld();
  try {
    const page = await w.request("GET", "/redoc");
    assert.equal(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
    assert.ok(page.headers.get("x-correlation-id"));
    const html = await page.text();
    assert.match(html, /id="redoc-container"/);
    assert.doesNotMatch(
      html,
      /(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i,
      "the page loads something from another host",
    );
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 2);
    for (const [, attrs, body] of scripts) {
      const src = /\bsrc="([^"]+)"/.exec(attrs)?.[1] ?? "";
      assert.ok(src.startsWith("/redoc/assets/"), `script ${attrs} is not a same-origin file`);
      assert.equal(body.trim(), "", "inline script would be blocked by script-src 'self'");
      const res = await w.request("GET", src);
      assert.equal(res.status, 200, src);
      assert.match(res.headers.get("content-type") ?? "", /^text\/javascript/);
      const text = await res.text();
      if (src.endsWith("init.js")) {
        assert.match(text, /Redoc\.init\("\/openapi\.json"/);
        assert.doesNotMatch(text, /https?:\/\//);
      } else {
        assert.ok(text.length > 500_000, "the standalone bundle");
        assert.match(text, /ReDoc Version: ","2\.5\.2"/, "the version pinned in deno.json");
        assert.match(res.headers.get("cache-control") ?? "", /max-age=/);
      }
    }
    const csp = parseCsp(page.headers.get("content-security-policy") ?? "");
    assert.deepEqual(csp.get("default-src"), ["'none'"]);
    assert.deepEqual(csp.get("script-src"), ["'self'"]);
    assert.deepEqual(csp.get("connect-src"), ["'self'"]);
    assert.deepEqual(csp.get("worker-src"), ["blob:"]);
    assert.ok(csp.get("style-src")?.includes("'self'"));
    assert.equal(csp.get("frame-ancestors")?.[0], "'none'");
    const slash = await w.request("GET", "/redoc/");
    await slash.body?.cancel();
    assert.ok([301, 302].includes(slash.status));
    assert.equal(slash.headers.get("location"), "/redoc");
    // The API answers keep their nothing-allowed CSP.
    const api = await w.request("GET", "/openapi.json");
    await api.body?.cancel();
    assert.equal(parseCsp(api.headers.get("content-security-policy") ?? "").get("worker-src"), undefined);
  } finally {
    await w.close();
  }
});
