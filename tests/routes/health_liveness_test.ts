/**
 * `/health` and `/api/v1/health` as liveness answers: the dependency checks (the KV write/read probe first) run
 * once per `DEEP_CHECK_TTL_MS` however many requests come, a stale report is answered at once while the next
 * run goes on in the background, and `/api/v1/admin/health` runs them now for admins, with every detail.
 */
import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { apiHealthRoutes, healthRoutes } from "../../routes/health_routes.ts";
import { DEEP_CHECK_TTL_MS, healthMonitor } from "../../domain/health_monitor.ts";
import type { HealthRepo } from "../../domain/store/health_repo.ts";
import { openTestWorld, signInAdmin, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

/**
 * Wraps the world's health repository: counts KV probes, reports the probe's number as its latency (so a report
 * names the run it came from), and holds a probe while `hold` is set.
 */
function countProbes(w: TestWorld) {
  const inner: HealthRepo = w.deps.health.repo;
  const state = { probes: 0, hold: null as Promise<void> | null };
  w.deps.health.repo = {
    ...inner,
    async probeKv(nowMs) {
      const n = ++state.probes;
      await inner.probeKv(nowMs);
      if (state.hold) await state.hold;
      return n;
    },
  };
  return state;
}

Deno.test("a burst of /health and /api/v1/health requests runs the KV probe once", async () => {
  const w = await openTestWorld();
  try {
    const probes = countProbes(w);
    const paths = Array.from({ length: 40 }, (_, i) => (i % 2 ? "/health" : "/api/v1/health"));
    const answers = await Promise.all(paths.map((p) => w.request("GET", p)));
    assert.equal(probes.probes, 1);
    for (const res of answers) {
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("Cache-Control"), "no-store");
      assert.equal(res.headers.get("X-Health-Checked-At"), new Date(w.clock.now()).toISOString());
    }
    const service = await answers[1].json(), api = await answers[0].json();
    assert.deepEqual(Object.keys(service).sort(), ["cache", "checks", "database", "status", "version"]);
    assert.equal(service.status, "healthy");
    assert.deepEqual(Object.keys(api).sort(), ["checks", "status", "version"]);
    assert.equal(api.status, "ok");
    // One run serves both shapes: the same checks.
    assert.deepEqual(api.checks, service.checks);
    assert.equal(api.checks.kv.latency_ms, 1);
    for (let i = 0; i < 20; i++) await w.request("GET", "/health");
    assert.equal(probes.probes, 1);
  } finally {
    await w.close();
  }
});

Deno.test("a stale report is answered at once while the next run goes on; the run after it is served next", async () => {
  const w = await openTestWorld();
  try {
    const probes = countProbes(w);
    const first = await (await w.request("GET", "/api/v1/health")).json();
    assert.equal(first.checks.kv.latency_ms, 1);
    w.clock.advance(DEEP_CHECK_TTL_MS - 1);
    await w.request("GET", "/health");
    assert.equal(probes.probes, 1);
    w.clock.advance(1);
    // The next run's probe hangs: requests must not wait for it.
    let release = () => {};
    probes.hold = new Promise<void>((r) => (release = r));
    for (let i = 0; i < 5; i++) {
      const res = await w.request("GET", "/api/v1/health");
      assert.deepEqual(await res.json(), first);
    }
    assert.equal(probes.probes, 2);
    probes.hold = null;
    release();
    const run = await healthMonitor(w.deps.health).refresh(); // joins the run under way
    assert.equal(probes.probes, 2);
    assert.equal(run.full.checks.kv.latency_ms, 2);
    const second = await (await w.request("GET", "/api/v1/health")).json();
    assert.equal(second.checks.kv.latency_ms, 2);
  } finally {
    await w.close();
  }
});

Deno.test("GET /api/v1/admin/health runs the checks now for admins only, with details even in production", async () => {
  const w = await openTestWorld();
  try {
    // As production runs (`DENO_ENV=production`): each public check reduced to ok and detail.
    w.deps.health.exposeDetail = false;
    const probes = countProbes(w);
    const user = (await signInWithOtp(w, "plain@example.com")).access_token;
    const admin = (await signInAdmin(w)).access_token;
    assert.equal((await w.request("GET", "/api/v1/admin/health")).status, 401);
    assert.equal((await w.request("GET", "/api/v1/admin/health", { token: user })).status, 403);
    const before = probes.probes;
    const res = await w.request("GET", "/api/v1/admin/health", { token: admin });
    assert.equal(res.status, 200);
    assert.equal(probes.probes, before + 1);
    const full = await res.json();
    assert.equal(full.status, "healthy");
    assert.equal(full.checks.kv.detail, "read/write ok");
    assert.equal(full.checks.kv.latency_ms, before + 1);
    assert.equal(full.checks.mail.transport, w.deps.health.mailer.kind);
    // The public answers serve that run, redacted as production shows them.
    const shown = await (await w.request("GET", "/health")).json();
    assert.equal(probes.probes, before + 1);
    assert.deepEqual(shown.checks.kv, { ok: true, detail: "ok" });
    assert.deepEqual(shown.database, full.database);
  } finally {
    await w.close();
  }
});

Deno.test("a health answer is compressed by its route, once per run, and decodes to the identity answer", async () => {
  const w = await openTestWorld();
  try {
    // The routes alone (no compression middleware): the route chose and keeps its compressed forms.
    const routes = {
      "/health": healthRoutes(w.deps.health),
      "/api/v1/health": apiHealthRoutes(w.deps.health),
    };
    for (const [path, router] of Object.entries(routes)) {
      const url = path.replace("/api/v1", "");
      const plain = await router.request(url);
      const json = new Uint8Array(await plain.arrayBuffer());
      assert.ok(json.byteLength >= 1024, `${path}: ${json.byteLength} bytes`);
      assert.equal(plain.headers.get("Content-Encoding"), null);
      assert.equal(plain.headers.get("Vary"), "Accept-Encoding");
      const decode = { br: brotliDecompressSync, gzip: gunzipSync };
      for (const [encoding, decompress] of Object.entries(decode)) {
        const bodies: Uint8Array[] = [];
        for (let i = 0; i < 2; i++) {
          const res = await router.request(url, { headers: { "Accept-Encoding": encoding } });
          assert.equal(res.headers.get("Content-Encoding"), encoding, path);
          assert.equal(res.headers.get("Vary"), "Accept-Encoding", path);
          bodies.push(new Uint8Array(await res.arrayBuffer()));
        }
        assert.deepEqual(bodies[1], bodies[0]);
        assert.deepEqual(new Uint8Array(decompress(bodies[0])), json, `${path} ${encoding}`);
      }
      // Through the whole app the middleware leaves it as the route made it.
      const app = await w.app.request(path, { headers: { "Accept-Encoding": "br" } });
      assert.equal(app.headers.get("Content-Encoding"), "br");
      assert.equal(app.headers.get("Vary"), "Accept-Encoding");
      assert.deepEqual(new Uint8Array(brotliDecompressSync(new Uint8Array(await app.arrayBuffer()))), json);
    }
  } finally {
    await w.close();
  }
});
