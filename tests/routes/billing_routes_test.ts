import assert from "node:assert/strict";
import { assertDetail, ok } from "../_helpers/identity.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

interface CreatedKey {
  id: string;
  name: string;
  api_key: string;
  prefix: string;
  last4: string;
  created_at: string;
}

interface KeyPage {
  items: Record<string, unknown>[];
  total: number;
  limit: number;
  offset: number;
}

function createKey(w: TestWorld, token: string, name = "agent") {
  return w.request("POST", "/api/v1/billing/api-keys", { json: { name }, token });
}

/** Every key and value in the KV, as text, to look for secrets. */
async function dumpKv(kv: Deno.Kv): Promise<string> {
  const parts: string[] = [];
  const text = (v: unknown) => JSON.stringify(v, (_k, x) => (typeof x === "bigint" ? x.toString() : x));
  for await (const entry of kv.list({ prefix: [] })) parts.push(text(entry.key), text(entry.value));
  return parts.join("\n");
}

Deno.test("POST /billing/api-keys shows a qe_ key once; the list and the KV only hold its prefix, last 4 and hash", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "keys@example.com");
    const res = await createKey(w, a.access_token, "research-agent");
    assert.equal(res.status, 201);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const created: CreatedKey = await res.json();
    assert.match(created.api_key, /^qe_[A-Za-z0-9]{40}$/);
    assert.equal(created.name, "research-agent");
    assert.equal(created.prefix, created.api_key.slice(0, 7));
    assert.equal(created.last4, created.api_key.slice(-4));

    const listRes = await w.request("GET", "/api/v1/billing/api-keys", { token: a.access_token });
    const listText = await listRes.text();
    assert.equal(listRes.status, 200);
    const list: KeyPage = JSON.parse(listText);
    assert.equal(list.total, 1);
    assert.deepEqual(Object.keys(list.items[0]).sort(), [
      "created_at",
      "id",
      "last4",
      "last_used_at",
      "name",
      "prefix",
    ]);
    assert.equal(list.items[0].id, created.id);
    assert.equal(list.items[0].prefix, created.prefix);
    assert.equal(list.items[0].last4, created.last4);
    assert.ok(!listText.includes(created.api_key), "the list never shows the key");
    assert.ok(!listText.includes(created.api_key.slice(3)), "nor its secret part");

    const everything = await dumpKv(w.kv);
    assert.ok(!everything.includes(created.api_key.slice(3)), "the KV never holds the key");
  } finally {
    await w.close();
  }
});

Deno.test("an API key authenticates as Bearer on /auth/me and records when it was used", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "bearer@example.com");
    const created: CreatedKey = await ok(await createKey(w, a.access_token), 201);
    const me = await ok(await w.request("GET", "/api/v1/auth/me", { token: created.api_key }));
    assert.equal(me.id, a.user.id);
    const list: KeyPage = await ok(
      await w.request("GET", "/api/v1/billing/api-keys", { token: created.api_key }),
    );
    assert.equal(list.items[0].last_used_at, "2026-05-14T01:00:00.000Z");
  } finally {
    await w.close();
  }
});

Deno.test("DELETE /billing/api-keys/{key_id} revokes at once: the very next request with the key is 401", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "revoke@example.com");
    const created: CreatedKey = await ok(await createKey(w, a.access_token), 201);
    assert.equal((await w.request("GET", "/api/v1/auth/me", { token: created.api_key })).status, 200);
    const del = await w.request("DELETE", `/api/v1/billing/api-keys/${created.id}`, {
      token: created.api_key,
    });
    assert.deepEqual(await ok(del), { message: "API key revoked" });
    await assertDetail(
      await w.request("GET", "/api/v1/auth/me", { token: created.api_key }),
      401,
      "Invalid API key",
    );
    const list: KeyPage = await ok(
      await w.request("GET", "/api/v1/billing/api-keys", { token: a.access_token }),
    );
    assert.equal(list.total, 0);
    const again = await w.request("DELETE", `/api/v1/billing/api-keys/${created.id}`, {
      token: a.access_token,
    });
    await assertDetail(again, 404);
  } finally {
    await w.close();
  }
});

Deno.test("DELETE /billing/api-keys/{key_id} answers 404 for another user's key and leaves it working", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "owner@example.com");
    const b = await signInWithOtp(w, "intruder@example.com");
    const created: CreatedKey = await ok(await createKey(w, a.access_token), 201);
    const del = await w.request("DELETE", `/api/v1/billing/api-keys/${created.id}`, {
      token: b.access_token,
    });
    await assertDetail(del, 404, `API key "${created.id}" not found`);
    assert.equal((await w.request("GET", "/api/v1/auth/me", { token: created.api_key })).status, 200);
    const bList: KeyPage = await ok(
      await w.request("GET", "/api/v1/billing/api-keys", { token: b.access_token }),
    );
    assert.equal(bList.total, 0, "B does not see A's keys");
  } finally {
    await w.close();
  }
});

Deno.test("POST /billing/api-keys answers 403 beyond the tier's key limit", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "many@example.com");
    for (let i = 0; i < 10; i++) assert.equal((await createKey(w, a.access_token, `k${i}`)).status, 201);
    await assertDetail(
      await createKey(w, a.access_token),
      403,
      "API key limit reached: the free tier allows 10 keys",
    );
    const tier = await ok(await w.request("GET", "/api/v1/billing/tier", { token: a.access_token }));
    assert.deepEqual(tier.usage, { api_keys: 10 });
    const list: KeyPage = await ok(
      await w.request("GET", "/api/v1/billing/api-keys", { token: a.access_token }),
    );
    await w.request("DELETE", `/api/v1/billing/api-keys/${list.items[0].id}`, { token: a.access_token });
    assert.equal((await createKey(w, a.access_token)).status, 201, "a revoked key frees a slot");
  } finally {
    await w.close();
  }
});

Deno.test("POST /billing/api-keys never exceeds the tier's limit under concurrent requests", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "burst@example.com");
    const results = await Promise.all(
      Array.from({ length: 14 }, (_, i) => createKey(w, a.access_token, `k${i}`)),
    );
    const statuses = results.map((r) => r.status);
    for (const r of results) await r.body?.cancel();
    assert.equal(statuses.filter((s) => s === 201).length, 10);
    assert.equal(statuses.filter((s) => s === 403).length, 4);
    const list: KeyPage = await ok(
      await w.request("GET", "/api/v1/billing/api-keys", { token: a.access_token }),
    );
    assert.equal(list.total, 10);
  } finally {
    await w.close();
  }
});

Deno.test("GET /billing/tier returns the caller's tier, limits and usage", async () => {
  const w = await openTestWorld();
  try {
    const a = await signInWithOtp(w, "tier@example.com");
    await createKey(w, a.access_token);
    const tier = await ok(await w.request("GET", "/api/v1/billing/tier", { token: a.access_token }));
    assert.equal(tier.tier, "free");
    assert.deepEqual(tier.limits, {
      max_tracked_strategies: 3,
      max_api_keys: 10,
      max_active_backtests: 2,
      max_running_instances: 2,
    });
    assert.deepEqual(tier.usage, { api_keys: 1 });
    await assertDetail(await w.request("GET", "/api/v1/billing/tier"), 401);
  } finally {
    await w.close();
  }
});

Deno.test("GET /billing/tiers lists free (3 strategies) and licensed (20) without authentication", async () => {
  const w = await openTestWorld();
  try {
    const body = await ok<{ tiers: { tier: string; limits: { max_tracked_strategies: number } }[] }>(
      await w.request("GET", "/api/v1/billing/tiers"),
    );
    assert.deepEqual(body.tiers.map((t) => [t.tier, t.limits.max_tracked_strategies]), [["free", 3], [
      "licensed",
      20,
    ]]);
  } finally {
    await w.close();
  }
});
