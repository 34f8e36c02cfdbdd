import assert from "node:assert/strict";
import { leaderboardScore } from "../../domain/leaderboard/leaderboard.ts";
import { openTestWorld, signInWithOtp } from "../_helpers/test_app.ts";

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

Deno.test("leaderboard: the server runs the strategy; resubmitting gives the same score; top lists nicknames", async () => {
  const w = await openTestWorld();
  try {
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
    const submit = () =>
      w.request("POST", "/api/v1/leaderboard/submit", {
        json: { strategy_id: saved.strategy_id, dataset: "default" },
        token: me.access_token,
      });
    const first = await (await submit()).json();
    assert.equal(first.entry_id, `default:${saved.strategy_id}:1`);
    assert.equal(typeof first.metrics["Sharpe Ratio"], "number");
    const again = await (await submit()).json();
    assert.equal(again.score, first.score, "reproducible");
    const top = await (await w.request("GET", "/api/v1/leaderboard/top?dataset=default")).json();
    assert.equal(top.period, "daily");
    assert.equal(top.top.length, 1, "one entry per strategy version and dataset");
    assert.equal(top.top[0].username, "rank_me");
    assert.ok(!JSON.stringify(top).includes("lb@example.com"));
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
    assert.equal((await w.request("GET", "/api/v1/leaderboard/top?limit=51")).status, 422);
    assert.deepEqual(
      (await (await w.request("GET", "/api/v1/catalog/leaderboard")).json()).top,
      [],
      "not promoted yet",
    );
    const fresh = await signInWithOtp(w, "lb@example.com"); // two days on: the first access token has expired
    await w.request("POST", `/api/v1/library/${saved.strategy_id}/stage`, {
      json: { version: 1 },
      token: fresh.access_token,
    });
    const promoted = await w.request("POST", `/api/v1/library/${saved.strategy_id}/promote`, {
      token: fresh.access_token,
    });
    assert.equal(promoted.status, 200, await promoted.clone().text());
    assert.deepEqual(
      (await (await w.request("GET", "/api/v1/catalog/leaderboard")).json()).top,
      [],
      "promoted, not published",
    );
    const published = await w.request("PATCH", `/api/v1/library/${saved.strategy_id}`, {
      json: { is_public: true },
      token: fresh.access_token,
    });
    assert.equal(published.status, 200, await published.clone().text());
    const catalog = await (await w.request("GET", "/api/v1/catalog/leaderboard?dataset=default")).json();
    assert.equal(catalog.top.length, 1);
    assert.deepEqual([catalog.top[0].author, catalog.top[0].score], ["rank_me", first.score]);
    const other = await signInWithOtp(w, "x@example.com", "10.0.0.5");
    const foreign = await w.request("POST", "/api/v1/leaderboard/submit", {
      json: { strategy_id: saved.strategy_id },
      token: other.access_token,
    });
    assert.equal(foreign.status, 404);
    const deleted = await w.request("DELETE", `/api/v1/library/${saved.strategy_id}`, {
      token: fresh.access_token,
    });
    assert.equal(deleted.status, 200, await deleted.clone().text());
    assert.deepEqual(
      (await (await w.request("GET", "/api/v1/leaderboard/top?period=alltime")).json()).top,
      [],
      "a deleted strategy leaves the leaderboard",
    );
  } finally {
    await w.close();
  }
});
