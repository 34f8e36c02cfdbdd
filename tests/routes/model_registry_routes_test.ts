import assert from "node:assert/strict";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const SPEC = {
  universe: { tickers: ["BTC-USD"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
  start: "2021-01-01",
  end: "2021-12-31",
};

async function withUser(fn: (w: TestWorld, token: string) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w, (await signInWithOtp(w, "registry@example.com")).access_token);
  } finally {
    await w.close();
  }
}

/** Saves `name` (a new strategy, or with `id` a new version of it) and answers its id. */
async function save(w: TestWorld, token: string, name: string, id?: string): Promise<string> {
  const res = await w.request("POST", "/api/v1/library", {
    json: { name, spec: SPEC, ...(id ? { strategy_id: id } : {}) },
    token,
  });
  assert.equal(res.status, 201);
  return (await res.json()).strategy_id;
}

/** A POST with no body and no content type, as the document's client sends these calls. */
const post = (w: TestWorld, path: string, token: string) => w.request("POST", path, { token });

Deno.test("stage, promote, versions and rollback by name act on my library strategy of that name", () =>
  withUser(async (w, token) => {
    const id = await save(w, token, "TrendFollowing");
    const staged = await post(w, "/api/v1/strategies/TrendFollowing/stage", token);
    assert.equal(staged.status, 200);
    assert.deepEqual((await staged.json()).staging_version, 1);
    const promoted = await (await post(w, "/api/v1/strategies/trendfollowing/promote", token)).json();
    assert.deepEqual([promoted.id, promoted.production_version, promoted.staging_version], [id, 1, null]);

    await save(w, token, "TrendFollowing", id);
    assert.equal((await post(w, "/api/v1/strategies/TrendFollowing/stage?version=2", token)).status, 200);
    assert.equal((await post(w, "/api/v1/strategies/TrendFollowing/promote", token)).status, 200);
    const versions = await (await w.request("GET", "/api/v1/models/TrendFollowing/versions", { token }))
      .json();
    assert.equal(versions.model_name, "TrendFollowing");
    assert.equal(versions.strategy_id, id);
    assert.equal(versions.total, 2);
    const stages = Object.fromEntries(
      versions.items.map((v: { version: number; current_stage: string }) => [v.version, v.current_stage]),
    );
    assert.deepEqual(stages, { 1: "Archived", 2: "Production" });

    const rolled = await (await post(w, "/api/v1/models/TrendFollowing/rollback", token)).json();
    assert.equal(rolled.production_version, 1);
    // The same strategy through the id routes.
    const byId = await (await w.request("GET", `/api/v1/library/${id}`, { token })).json();
    assert.equal(byId.production_version, 1);
    // Nothing earlier to roll back to now.
    assert.equal((await post(w, "/api/v1/models/TrendFollowing/rollback", token)).status, 400);
  }));

Deno.test("a name none of my strategies has is 404; one several have is 409 naming their ids", () =>
  withUser(async (w, token) => {
    const missing = await post(w, "/api/v1/strategies/NoSuch/stage", token);
    assert.equal(missing.status, 404);
    assert.match((await missing.json()).detail, /no saved strategy named "NoSuch"/);
    const a = await save(w, token, "Twin");
    const b = await save(w, token, "twin");
    for (
      const res of [
        await post(w, "/api/v1/strategies/Twin/promote", token),
        await w.request("GET", "/api/v1/models/Twin/versions", { token }),
      ]
    ) {
      assert.equal(res.status, 409);
      const detail = (await res.json()).detail;
      assert.ok(detail.includes(a) && detail.includes(b), detail);
    }
    // Another user's strategy of that name is not mine.
    const other = (await signInWithOtp(w, "other@example.com", "10.0.0.9")).access_token;
    assert.equal((await post(w, "/api/v1/strategies/Twin/stage", other)).status, 404);
    assert.equal((await post(w, "/api/v1/strategies/Twin/stage", "")).status, 401);
  }));

Deno.test("the registry sub-paths and the QuantGPT tracked-strategy routes under /strategies do not shadow each other", () =>
  withUser(async (w, token) => {
    const created = await w.request("POST", "/api/v1/strategies", {
      json: { name: "Stage Alpha", slug: "stage", universe: "hs300" },
      token,
    });
    assert.equal(created.status, 201, await created.clone().text());
    // GET /strategies/{slug} is the tracked strategy, also for the slug "stage".
    const tracked = await w.request("GET", "/api/v1/strategies/stage", { token });
    assert.equal(tracked.status, 200);
    assert.equal((await tracked.json()).slug, "stage");
    const signals = await w.request("GET", "/api/v1/strategies/stage/signals", { token });
    assert.equal(signals.status, 200);
    await signals.body?.cancel();
    // POST /strategies/{name}/stage is the registry, on the library (no library strategy "stage": 404).
    const res = await post(w, "/api/v1/strategies/stage/stage", token);
    assert.equal(res.status, 404);
    assert.match((await res.json()).detail, /no saved strategy named "stage"/);
    await save(w, token, "stage");
    assert.equal((await post(w, "/api/v1/strategies/stage/stage", token)).status, 200);
    assert.equal((await w.request("GET", "/api/v1/strategies/stage", { token })).status, 200);
  }));
