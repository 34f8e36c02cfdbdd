import assert from "node:assert/strict";
import { ValidationError } from "../../../domain/errors.ts";
import type { LeaderboardDeps } from "../../../domain/leaderboard/leaderboard.ts";
import { catalogRanking, periodRanking, submitEntry } from "../../../domain/leaderboard/leaderboard_views.ts";
import { createLeaderboardRepo } from "../../../domain/store/leaderboard_repo.ts";
import { nicknamesFrom } from "../../../domain/strategy/catalog.ts";
import { promote, publishStrategy, saveFromSource, stage } from "../../../domain/strategy/library_views.ts";
import { openBacktestWorld, rsiSpec } from "../../_helpers/backtest_world.ts";

Deno.test("submitEntry() answers the entry, its metrics and score; rankings show it by period and in the catalog", async () => {
  const w = await openBacktestWorld();
  try {
    await w.addUser("usr_a", "alice");
    const deps: LeaderboardDeps = {
      entries: createLeaderboardRepo(w.kv),
      library: w.library,
      market: w.market.data,
      clock: w.clock,
      nicknameOf: nicknamesFrom(w.users),
      maxExpressionCost: 1e12,
      gate: w.gate,
    };
    const saved = await saveFromSource(w.library, "usr_a", { name: "Ranked", spec: rsiSpec(["600519.SH"]) });
    const view = await submitEntry(deps, "usr_a", { strategy_id: saved.strategy_id, dataset: "default" });
    assert.equal(view.entry_id, `default:${saved.strategy_id}:1`);
    assert.deepEqual(Object.keys(view.metrics), ["Sharpe Ratio", "Max Drawdown", "Total Return"]);
    assert.ok(view.score >= 0 && view.score <= 100);
    const top = await periodRanking(deps, { period: "daily", limit: 10 });
    assert.equal(top.dataset, null);
    assert.deepEqual(top.top.map((e) => [e.id, e.username, e.score]), [[view.entry_id, "alice", view.score]]);
    assert.deepEqual((await catalogRanking(deps, { limit: 10 })).top, [], "not in the catalog yet");
    await stage(w.library, "usr_a", saved.strategy_id, 1);
    await promote(w.library, "usr_a", saved.strategy_id);
    await publishStrategy(w.library, "usr_a", saved.strategy_id, true);
    const ranked = await catalogRanking(deps, { dataset: "default", limit: 10 });
    assert.deepEqual(ranked.top.map((r) => [r.strategy_id, r.author, r.score]), [[
      saved.strategy_id,
      "alice",
      view.score,
    ]]);
    await assert.rejects(
      submitEntry({ ...deps, maxExpressionCost: 1 }, "usr_a", {
        strategy_id: saved.strategy_id,
        dataset: "default",
      }),
      (e) => {
        assert.ok(e instanceof ValidationError);
        assert.deepEqual(e.loc, ["strategy_id"]);
        return true;
      },
    );
  } finally {
    w.close();
  }
});
