/**
 * The agent's daily-loop reads with an API key (`GET /strategies?status=active`, `GET …/signals?limit=1`,
 * `GET /auth/me`) write nothing to KV: the key's `last_used_at` is stamped on first use and then at most once a
 * minute, and the key and its user are one `getMany` per request.
 */
import assert from "node:assert/strict";
import { buildServices } from "../../app/services.ts";
import { createApiKey } from "../../domain/auth/api_keys.ts";
import { newUserRecord } from "../../domain/auth/user_view.ts";
import { fixedClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import { createApp } from "../../routes/app.ts";
import { captureMailer, T0 } from "../_helpers/test_app.ts";

/** A KV whose commits are counted. */
function countCommits(kv: Deno.Kv) {
  const counted = { commits: 0 };
  const view = new Proxy(kv, {
    get(target, prop) {
      if (prop === "atomic") {
        return () => {
          const op = kv.atomic();
          const commit = op.commit.bind(op);
          op.commit = () => (counted.commits++, commit());
          return op;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { view, counted };
}

Deno.test("the daily loop's reads with an API key write to KV only to stamp last_used_at, at most once a minute", async () => {
  const kv = await Deno.openKv(":memory:");
  const { view, counted } = countCommits(kv);
  const clock = fixedClock(T0);
  const config = parseConfig({
    DENO_ENV: "test",
    KV_PATH: ":memory:",
    JWT_SECRET: "agent-reads-secret-0123456789abcdef-0123456",
    LOG_REQUESTS: "false",
  });
  const deps = await buildServices({
    config,
    kv: view,
    clock,
    mailer: captureMailer(),
    log: () => {},
    queue: { listening: () => true, enqueueHeartbeat: () => Promise.resolve() },
  });
  const app = createApp(deps);
  try {
    const user = newUserRecord({ id: "usr_agent", email: "agent@example.com", email_verified: true }, T0);
    await deps.auth.users.create(user);
    const key = await createApiKey(deps.auth, user, "agent");
    const call = async (method: string, path: string, json?: unknown) => {
      const res = await app.request(path, {
        method,
        headers: {
          authorization: `Bearer ${key.api_key}`,
          ...(json === undefined ? {} : { "content-type": "application/json" }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
      const body = await res.json();
      assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${JSON.stringify(body)}`);
      return body;
    };
    await call("POST", "/api/v1/strategies", { name: "Agent one", slug: "agent-one" });
    // 2026-05-14 09:00 in Shanghai: before the 09:15 deadline of the day's open.
    await call("POST", "/api/v1/strategies/agent-one/signals", {
      trade_date: "2026-05-14",
      signals: [{ symbol: "600519.SH", weight: 0.4 }, { symbol: "000001.SZ", weight: 0.3 }],
    });
    await deps.track.background.drain();

    const loop = async () => {
      const active = await call("GET", "/api/v1/strategies?status=active");
      assert.deepEqual(active.items.map((s: { slug: string }) => s.slug), ["agent-one"]);
      const signals = await call("GET", "/api/v1/strategies/agent-one/signals?limit=1");
      assert.equal(signals.total, 1);
      assert.equal(signals.items[0].trade_date, "2026-05-14");
      const me = await call("GET", "/api/v1/auth/me");
      assert.equal(me.email, "agent@example.com");
    };
    clock.advance(61_000); // past the minute since the key's first use above
    counted.commits = 0;
    await loop();
    assert.equal(counted.commits, 1, "the first read of the minute stamps last_used_at");
    for (let i = 0; i < 5; i++) {
      clock.advance(5_000);
      await loop();
    }
    assert.equal(counted.commits, 1, "no write for the reads of the same minute");
    clock.advance(60_000);
    await loop();
    assert.equal(counted.commits, 2, "the next minute stamps it once more");
    assert.equal((await deps.auth.apiKeys.get(key.id))?.last_used_at, clock.now());
  } finally {
    await deps.track.background.drain();
    kv.close();
  }
});
