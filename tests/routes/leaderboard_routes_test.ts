import assert from "node:assert/strict";
import { leaderboardScore } from "../../domain/leaderboard/leaderboard.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

Deno.test("leaderboardScore() is bounded and follows the documented blend", () => {
  // Sharpe 0 and return 0 give s = ½ each: 100 × (0.5·½ + 0.3·½ + 0.2·1) = 60.
  assert.equal(leaderboardScore(0, 0, 0), 60);
  const best = leaderboardScore(1e9, 1e9, 0), worst = leaderboardScore(-1e9, -1e9, -100);
  assert.equal(best, 100);
  assert.equal(worst, 0);
  const s = leaderboardScore(1.2, 35, -18);
  const expected = 100 * (0.5 * (Math.tanh(0.6) + 1) / 2 + 0.3 * (Math.tanh(0.35) + 1) / 2 + 0.2 * 0.82);
  assert.ok(Math.abs(s - Math.round(expected * 100) / 100) < 1e-9);
});

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** "rank_me" saves an SMA cross in the library; `submit` enters its version 1 on the default dataset. */
async function savedStrategy(w: TestWorld) {
  const me = await signInWithOtp(w, "lb@example.com");
  await w.request("PATCH", "/api/v1/auth/profile", {
    json: { nickname: "rank_me" },
    token: me.access_token,
  });
  const saved = await (await w.request("POST", "/api/v1/library", {
    json: {
      name: "Cross",
      spec: {
        universe: { tickers: ["AAPL"] },
        entry: "crosses_above(sma(close, 10), sma(close, 40))",
        exit: "crosses_below(sma(close, 10), sma(close, 40))",
        sizing: { method: "percent_equity", percent: 20, max_positions: 5 },
      },
    },
    token: me.access_token,
  })).json();
  const strategy_id = saved.strategy_id as string;
  const submit = () =>
    w.request("POST", "/api/v1/leaderboard/submit", {
      json: { strategy_id, dataset: "default" },
      token: me.access_token,
    });
  return { token: me.access_token, strategy_id, submit };
}

/** The saved strategy entered once, with the entry's answer. */
async function submittedStrategy(w: TestWorld) {
  const s = await savedStrategy(w);
  const first = await (await s.submit()).json();
  return { ...s, first };
}

Deno.test("leaderboard: the server runs the submitted strategy version and answers its entry and metrics", () =>
  withWorld(async (w) => {
    const { strategy_id, first } = await submittedStrategy(w);
    assert.equal(first.entry_id, `default:${strategy_id}:1`);
    assert.equal(typeof first.metrics["Sharpe Ratio"], "number");
  }));

Deno.test("leaderboard: resubmitting the same version gives the same score", () =>
  withWorld(async (w) => {
    const { submit, first } = await submittedStrategy(w);
    const again = await (await submit()).json();
    assert.equal(again.score, first.score, "reproducible");
  }));

Deno.test("leaderboard: top lists one entry per version and dataset under the nickname, never an email", () =>
  withWorld(async (w) => {
    const { submit } = await submittedStrategy(w);
    await submit();
    const top = await (await w.request("GET", "/api/v1/leaderboard/top?dataset=default")).json();
    assert.equal(top.period, "daily");
    assert.equal(top.top.length, 1, "one entry per strategy version and dataset");
    assert.equal(top.top[0].username, "rank_me");
    assert.ok(!JSON.stringify(top).includes("lb@example.com"));
  }));

Deno.test("leaderboard: two days on, the daily top no longer lists an entry and the all-time top still does", () =>
  withWorld(async (w) => {
    await submittedStrategy(w);
    w.clock.advance(2 * 86_400_000);
    assert.equal(
      (await (await w.request("GET", "/api/v1/leaderboard/top")).json()).top.length,
      0,
      "not today",
    );
    assert.equal(
      (await (await w.request("GET", "/api/v1/leaderboard/top?period=alltime")).json()).top.length,
      1,
    );
  }));

Deno.test("leaderboard: top refuses a limit over 50 with 422", () =>
  withWorld(async (w) => {
    assert.equal((await w.request("GET", "/api/v1/leaderboard/top?limit=51")).status, 422);
  }));

Deno.test("catalog leaderboard: an entered strategy not yet promoted is not listed", () =>
  withWorld(async (w) => {
    await submittedStrategy(w);
    assert.deepEqual(
      (await (await w.request("GET", "/api/v1/catalog/leaderboard")).json()).top,
      [],
      "not promoted yet",
    );
  }));

Deno.test("catalog leaderboard: a promoted strategy is listed only once published, by author with its score", () =>
  withWorld(async (w) => {
    const { token, strategy_id, first } = await submittedStrategy(w);
    await w.request("POST", `/api/v1/library/${strategy_id}/stage`, { json: { version: 1 }, token });
    const promoted = await w.request("POST", `/api/v1/library/${strategy_id}/promote`, { token });
    assert.equal(promoted.status, 200, await promoted.clone().text());
    assert.deepEqual(
      (await (await w.request("GET", "/api/v1/catalog/leaderboard")).json()).top,
      [],
      "promoted, not published",
    );
    const published = await w.request("PATCH", `/api/v1/library/${strategy_id}`, {
      json: { is_public: true },
      token,
    });
    assert.equal(published.status, 200, await published.clone().text());
    const catalog = await (await w.request("GET", "/api/v1/catalog/leaderboard?dataset=default")).json();
    assert.equal(catalog.top.length, 1);
    assert.deepEqual([catalog.top[0].author, catalog.top[0].score], ["rank_me", first.score]);
  }));

Deno.test("leaderboard: another user cannot submit someone else's strategy", () =>
  withWorld(async (w) => {
    const { strategy_id } = await savedStrategy(w);
    const other = await signInWithOtp(w, "x@example.com", "10.0.0.5");
    const foreign = await w.request("POST", "/api/v1/leaderboard/submit", {
      json: { strategy_id },
      token: other.access_token,
    });
    assert.equal(foreign.status, 404);
  }));

Deno.test("leaderboard: deleting a strategy removes its entries", () =>
  withWorld(async (w) => {
    const { token, strategy_id } = await submittedStrategy(w);
    const deleted = await w.request("DELETE", `/api/v1/library/${strategy_id}`, { token });
    assert.equal(deleted.status, 200, await deleted.clone().text());
    assert.deepEqual(
      (await (await w.request("GET", "/api/v1/leaderboard/top?period=alltime")).json()).top,
      [],
      "a deleted strategy leaves the leaderboard",
    );
  }));
