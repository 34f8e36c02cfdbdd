import assert from "node:assert/strict";
import { assert422, ok } from "../_helpers/identity.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const SPEC = {
  universe: { tickers: ["600519.SH"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
};

/** Saves, stages and promotes a strategy named `name`; returns its id. */
async function promoted(w: TestWorld, token: string, name: string): Promise<string> {
  const saved = await ok<{ strategy_id: string }>(
    await w.request("POST", "/api/v1/library", { json: { name, spec: SPEC }, token }),
    201,
  );
  const id = saved.strategy_id;
  await ok(await w.request("POST", `/api/v1/library/${id}/stage`, { json: { version: 1 }, token }));
  await ok(await w.request("POST", `/api/v1/library/${id}/promote`, { token }));
  return id;
}

function setPublic(w: TestWorld, token: string, id: string, json: unknown) {
  return w.request("PATCH", `/api/v1/library/${id}`, { json, token });
}

/** What each public catalog route shows of `name`: ids listed, by-name ids (or status), compare ids (or status). */
async function catalogView(w: TestWorld, name: string) {
  const list = await ok<{ total: number; items: { id: string; author: string | null }[] }>(
    await w.request("GET", "/api/v1/catalog/strategies"),
  );
  const byName = await w.request("GET", `/api/v1/catalog/strategies/${encodeURIComponent(name)}`);
  const compare = await w.request("GET", `/api/v1/catalog/strategies/${encodeURIComponent(name)}/compare`);
  return {
    list: list.items.map((i) => i.id),
    authors: list.items.map((i) => i.author),
    byName: byName.status === 200
      ? (await byName.json()).items.map((i: { id: string }) => i.id)
      : byName.status,
    compare: compare.status === 200
      ? (await compare.json()).strategies.map((s: { id: string }) => s.id)
      : compare.status,
  };
}

Deno.test("a promoted library strategy stays out of every catalog route until its owner publishes it", async () => {
  const w = await openTestWorld();
  try {
    const owner = await signInWithOtp(w, "quiet@example.com");
    await ok(
      await w.request("PATCH", "/api/v1/auth/profile", {
        json: { nickname: "quiet_lab" },
        token: owner.access_token,
      }),
    );
    const id = await promoted(w, owner.access_token, "Secret sauce");
    const detail = await ok<{ is_public: boolean; production_version: number }>(
      await w.request("GET", `/api/v1/library/${id}`, { token: owner.access_token }),
    );
    assert.deepEqual([detail.is_public, detail.production_version], [false, 1]);
    assert.deepEqual(await catalogView(w, "Secret sauce"), {
      list: [],
      authors: [],
      byName: 404,
      compare: 404,
    });

    const published = await ok<{ is_public: boolean }>(
      await setPublic(w, owner.access_token, id, { is_public: true }),
    );
    assert.equal(published.is_public, true);
    assert.deepEqual(await catalogView(w, "secret SAUCE"), {
      list: [id],
      authors: ["quiet_lab"],
      byName: [id],
      compare: [id],
    });

    assert.equal(
      (await ok(await setPublic(w, owner.access_token, id, { is_public: false }))).is_public,
      false,
    );
    assert.deepEqual(await catalogView(w, "Secret sauce"), {
      list: [],
      authors: [],
      byName: 404,
      compare: 404,
    });
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /library/{id} is_public: only the owner may change it; others get 404 and change nothing", async () => {
  const w = await openTestWorld();
  try {
    const owner = await signInWithOtp(w, "own@example.com");
    const other = await signInWithOtp(w, "intruder@example.com", "10.0.0.4");
    const id = await promoted(w, owner.access_token, "Mine");
    assert.equal((await setPublic(w, other.access_token, id, { is_public: true })).status, 404);
    assert.equal(
      (await w.request("PATCH", `/api/v1/library/${id}`, { json: { is_public: true } })).status,
      401,
    );
    assert.deepEqual((await catalogView(w, "Mine")).list, []);
    await ok(await setPublic(w, owner.access_token, id, { is_public: true }));
    assert.equal((await setPublic(w, other.access_token, id, { is_public: false })).status, 404);
    assert.deepEqual((await catalogView(w, "Mine")).list, [id]);
  } finally {
    await w.close();
  }
});

Deno.test("PATCH /library/{id} refuses a body without a boolean is_public with 422", async (t) => {
  const w = await openTestWorld();
  try {
    const owner = await signInWithOtp(w, "body@example.com");
    const id = await promoted(w, owner.access_token, "Body");
    for (const body of [{}, { is_public: "yes" }, { is_public: null }, { is_public: true, name: "x" }]) {
      await t.step(JSON.stringify(body), async () => {
        await assert422(await setPublic(w, owner.access_token, id, body));
      });
    }
    assert.equal(
      (await ok<{ is_public: boolean }>(
        await w.request("GET", `/api/v1/library/${id}`, { token: owner.access_token }),
      )).is_public,
      false,
    );
  } finally {
    await w.close();
  }
});

Deno.test("a published strategy is in the catalog only while promoted and not deleted", async () => {
  const w = await openTestWorld();
  try {
    const owner = await signInWithOtp(w, "life@example.com");
    const t = owner.access_token;
    const saved = await ok<{ strategy_id: string }>(
      await w.request("POST", "/api/v1/library", { json: { name: "Draft", spec: SPEC }, token: t }),
      201,
    );
    const id = saved.strategy_id;
    await ok(await setPublic(w, t, id, { is_public: true }));
    assert.deepEqual(await catalogView(w, "Draft"), { list: [], authors: [], byName: 404, compare: 404 });
    await ok(await w.request("POST", `/api/v1/library/${id}/stage`, { json: { version: 1 }, token: t }));
    await ok(await w.request("POST", `/api/v1/library/${id}/promote`, { token: t }));
    assert.deepEqual((await catalogView(w, "Draft")).list, [id]);
    assert.equal((await w.request("DELETE", `/api/v1/library/${id}`, { token: t })).status, 200);
    assert.deepEqual((await catalogView(w, "Draft")).list, []);
    assert.equal((await setPublic(w, t, id, { is_public: true })).status, 404, "deleted");
  } finally {
    await w.close();
  }
});

Deno.test("a promoted strategy stored before is_public existed reads as private", async () => {
  const w = await openTestWorld();
  try {
    const owner = await signInWithOtp(w, "legacy@example.com");
    const id = await promoted(w, owner.access_token, "Legacy");
    const key = ["library_strategies", id];
    const stored = (await w.kv.get<Record<string, unknown>>(key)).value!;
    delete stored.is_public; // as written by the previous release
    await w.kv.set(key, stored);
    assert.deepEqual(await catalogView(w, "Legacy"), { list: [], authors: [], byName: 404, compare: 404 });
    const mine = await ok<{ items: { id: string; is_public: boolean }[] }>(
      await w.request("GET", "/api/v1/library", { token: owner.access_token }),
    );
    assert.deepEqual(mine.items.map((i) => [i.id, i.is_public]), [[id, false]]);
    await ok(await setPublic(w, owner.access_token, id, { is_public: true }));
    assert.deepEqual((await catalogView(w, "Legacy")).list, [id]);
  } finally {
    await w.close();
  }
});

Deno.test("GET /catalog/leaderboard ranks only published strategies", async () => {
  const w = await openTestWorld();
  try {
    const owner = await signInWithOtp(w, "rank@example.com");
    await ok(
      await w.request("PATCH", "/api/v1/auth/profile", {
        json: { nickname: "ranker" },
        token: owner.access_token,
      }),
    );
    const id = await promoted(w, owner.access_token, "Ranked");
    await ok(
      await w.request("POST", "/api/v1/leaderboard/submit", {
        json: { strategy_id: id, dataset: "default" },
        token: owner.access_token,
      }),
    );
    const board = () => w.request("GET", "/api/v1/catalog/leaderboard?dataset=default");
    assert.deepEqual((await ok<{ top: unknown[] }>(await board())).top, [], "promoted, not published");
    await ok(await setPublic(w, owner.access_token, id, { is_public: true }));
    const top = (await ok<{ top: { strategy_id: string; author: string }[] }>(await board())).top;
    assert.deepEqual(top.map((r) => [r.strategy_id, r.author]), [[id, "ranker"]]);
  } finally {
    await w.close();
  }
});
