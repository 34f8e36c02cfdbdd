/**
 * Revocation takes effect on the very next request, whichever process made it: two apps (two `buildServices`,
 * two KV handles) on one KV file, each served on 127.0.0.1; the agent reads through A (so A has seen its API key
 * and session), the change is made through B, and A's next answer refuses.
 */
import assert from "node:assert/strict";
import { buildServices, type Services } from "../../app/services.ts";
import { createApiKey } from "../../domain/auth/api_keys.ts";
import { issueSession } from "../../domain/auth/sessions.ts";
import { newUserRecord } from "../../domain/auth/user_view.ts";
import { systemClock } from "../../domain/clock.ts";
import { parseConfig } from "../../domain/config.ts";
import type { UserRecord } from "../../domain/store/user_repo.ts";
import { createApp } from "../../routes/app.ts";
import { captureMailer } from "../_helpers/test_app.ts";

interface Node {
  origin: string;
  services: Services;
  close(): Promise<void>;
}

async function openNode(path: string): Promise<Node> {
  const config = parseConfig({
    DENO_ENV: "test",
    KV_PATH: path,
    JWT_SECRET: "revocation-test-secret-0123456789abcdef-0123",
    ADMIN_EMAILS: "admin@example.com",
    LOG_REQUESTS: "false",
    REFRESH_GRACE_SECONDS: "0",
  });
  const kv = await Deno.openKv(path);
  const services = await buildServices({
    config,
    kv,
    clock: systemClock,
    mailer: captureMailer(),
    log: () => {},
    queue: { listening: () => true, enqueueHeartbeat: () => Promise.resolve() },
  });
  const app = createApp(services);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, app.fetch);
  return {
    origin: `http://127.0.0.1:${server.addr.port}`,
    services,
    close: async () => {
      await server.shutdown();
      await services.track.background.drain();
      kv.close();
    },
  };
}

/** Two nodes on one fresh KV file, a user and the admin; `run` gets them, everything is closed after. */
async function withTwoNodes(
  run: (a: Node, b: Node, user: UserRecord, adminToken: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ dir: ".tmp", prefix: "revocation_" });
  const a = await openNode(`${dir}/kv.sqlite`);
  const b = await openNode(`${dir}/kv.sqlite`);
  try {
    const now = systemClock.now();
    const user = newUserRecord({ id: "usr_agent", email: "agent@example.com", email_verified: true }, now);
    const admin = newUserRecord({ id: "usr_admin", email: "admin@example.com", email_verified: true }, now);
    await b.services.auth.users.create(user);
    await b.services.auth.users.create(admin);
    const adminToken = (await issueSession(b.services.auth, admin)).access_token;
    await run(a, b, user, adminToken);
  } finally {
    await a.close();
    await b.close();
    await Deno.remove(dir, { recursive: true });
  }
}

async function call(node: Node, method: string, path: string, token: string, json?: unknown) {
  const res = await fetch(node.origin + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(json === undefined ? {} : { "content-type": "application/json" }),
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: await res.json() };
}

/** The agent's daily reads through `node`, each answered 200 for `email`. */
async function dailyReadsPass(node: Node, token: string, email: string) {
  for (let i = 0; i < 3; i++) {
    const me = await call(node, "GET", "/api/v1/auth/me", token);
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.email, email);
    const list = await call(node, "GET", "/api/v1/strategies?status=active", token);
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(list.body.items, []);
  }
}

Deno.test("an API key revoked through another process is refused (401) on A's very next request", async () => {
  await withTwoNodes(async (a, b, user) => {
    const key = await createApiKey(b.services.auth, user, "agent");
    await dailyReadsPass(a, key.api_key, "agent@example.com");
    const other = await createApiKey(b.services.auth, user, "other");
    await dailyReadsPass(a, other.api_key, "agent@example.com");

    const revoked = await call(
      b,
      "DELETE",
      `/api/v1/billing/api-keys/${key.id}`,
      (await issueSession(
        b.services.auth,
        user,
      )).access_token,
    );
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));

    const next = await call(a, "GET", "/api/v1/auth/me", key.api_key);
    assert.equal(next.status, 401);
    assert.equal(next.body.detail, "Invalid API key");
    const list = await call(a, "GET", "/api/v1/strategies?status=active", key.api_key);
    assert.equal(list.status, 401);
    // The other key of the same user still works.
    assert.equal((await call(a, "GET", "/api/v1/auth/me", other.api_key)).status, 200);
  });
});

Deno.test("an account disabled by the admin through another process is refused (403) on A's next request, and back after re-enabling", async () => {
  await withTwoNodes(async (a, b, user, adminToken) => {
    const key = await createApiKey(b.services.auth, user, "agent");
    const session = await issueSession(b.services.auth, user);
    await dailyReadsPass(a, key.api_key, "agent@example.com");
    await dailyReadsPass(a, session.access_token, "agent@example.com");

    const off = await call(b, "PATCH", `/api/v1/admin/users/${user.id}`, adminToken, { disabled: true });
    assert.equal(off.status, 200, JSON.stringify(off.body));
    for (const token of [key.api_key, session.access_token]) {
      const me = await call(a, "GET", "/api/v1/auth/me", token);
      assert.equal(me.status, 403);
      assert.equal(me.body.detail, "Account disabled");
      assert.equal((await call(a, "GET", "/api/v1/strategies?status=active", token)).status, 403);
    }

    const on = await call(b, "PATCH", `/api/v1/admin/users/${user.id}`, adminToken, { disabled: false });
    assert.equal(on.status, 200, JSON.stringify(on.body));
    await dailyReadsPass(a, key.api_key, "agent@example.com");
  });
});

Deno.test("a session signed out through another process is refused (401) on A's very next request", async () => {
  await withTwoNodes(async (a, b, user) => {
    const session = await issueSession(b.services.auth, user);
    const kept = await issueSession(b.services.auth, user);
    await dailyReadsPass(a, session.access_token, "agent@example.com");

    const out = await call(b, "POST", "/api/v1/auth/logout", session.access_token, {});
    assert.equal(out.status, 200, JSON.stringify(out.body));
    const me = await call(a, "GET", "/api/v1/auth/me", session.access_token);
    assert.equal(me.status, 401);
    assert.equal(me.body.detail, "Invalid or expired token");
    // Only that session ended.
    assert.equal((await call(a, "GET", "/api/v1/auth/me", kept.access_token)).status, 200);
  });
});

Deno.test("a refresh token presented twice revokes the session: its access tokens are refused (401) on A's next request", async () => {
  await withTwoNodes(async (a, b, user) => {
    const first = await issueSession(b.services.auth, user);
    const refresh = (body: unknown) =>
      fetch(`${b.origin}/api/v1/auth/refresh`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const rotated = await refresh({ refresh_token: first.refresh_token });
    assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
    await dailyReadsPass(a, rotated.body.access_token, "agent@example.com");
    await dailyReadsPass(a, first.access_token, "agent@example.com");

    const reuse = await refresh({ refresh_token: first.refresh_token });
    assert.equal(reuse.status, 401);
    assert.match(reuse.body.detail, /already used/);
    for (const token of [rotated.body.access_token, first.access_token]) {
      const me = await call(a, "GET", "/api/v1/auth/me", token);
      assert.equal(me.status, 401);
      assert.equal(me.body.detail, "Invalid or expired token");
    }
  });
});
