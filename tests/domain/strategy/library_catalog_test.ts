import assert from "node:assert/strict";
import { compareCatalogStrategies, compareVersions } from "../../../domain/backtest/strategy_compare.ts";
import { runBacktest } from "../../../domain/backtest/run_backtest.ts";
import { NotFoundError, ValidationError } from "../../../domain/errors.ts";
import { catalogByName, catalogPage, nicknamesFrom } from "../../../domain/strategy/catalog.ts";
import {
  listStrategies,
  listVersions,
  promote,
  publishStrategy,
  saveFromSource,
  stage,
  strategyDetail,
  strategyTextFile,
} from "../../../domain/strategy/library_views.ts";
import { toStrategyText } from "../../../domain/strategy/strategy_text.ts";
import { openBacktestWorld, rsiSpec } from "../../_helpers/backtest_world.ts";

type World = Awaited<ReturnType<typeof openBacktestWorld>>;

/** Saves `name` for `userId`, promotes version 1 and publishes it. */
async function published(w: World, userId: string, name: string, tickers = ["600519.SH"]) {
  const saved = await saveFromSource(w.library, userId, { name, spec: rsiSpec(tickers) });
  await stage(w.library, userId, saved.strategy_id, 1);
  await promote(w.library, userId, saved.strategy_id);
  await publishStrategy(w.library, userId, saved.strategy_id, true);
  return saved.strategy_id;
}

Deno.test("library views: save from text, read, list versions and export the text file", async () => {
  const w = await openBacktestWorld();
  try {
    const spec = rsiSpec(["600519.SH"]);
    const first = await saveFromSource(w.library, "usr_a", {
      name: "Mine",
      strategy_code: toStrategyText(spec),
    });
    assert.deepEqual(Object.keys(first), ["message", "strategy_id", "version"]);
    const second = await saveFromSource(w.library, "usr_a", {
      name: "Mine",
      spec: { ...spec, exit: "rsi(close, 14) > 70" },
      strategy_id: first.strategy_id,
    });
    assert.equal(second.version, 2);
    const detail = await strategyDetail(w.library, "usr_a", first.strategy_id);
    assert.equal(detail.latest_version, 2);
    assert.equal(detail.latest.version, 2);
    assert.equal(detail.is_public, false);
    assert.equal((await listStrategies(w.library, "usr_a", { limit: 10, offset: 0 })).total, 1);
    const versions = await listVersions(w.library, "usr_a", first.strategy_id, { limit: 10, offset: 0 });
    assert.deepEqual(versions.items.map((v) => v.version).sort(), [1, 2]);
    await assert.rejects(
      listVersions(w.library, "usr_b", first.strategy_id, { limit: 10, offset: 0 }),
      NotFoundError,
    );
    const file = await strategyTextFile(w.library, "usr_a", first.strategy_id);
    assert.equal(file.filename, `${first.strategy_id}-v2.strategy.txt`);
    assert.ok(file.text.startsWith(`# ${first.strategy_id} v2\nname: "Mine"\n`));
    await assert.rejects(saveFromSource(w.library, "usr_a", { name: "Bad", strategy_code: "x" }), (e) => {
      assert.ok(e instanceof ValidationError);
      assert.deepEqual(e.loc, ["strategy_code"]);
      return true;
    });
  } finally {
    w.close();
  }
});

Deno.test("catalog items show the author's nickname and production text; a name with none is not found", async () => {
  const w = await openBacktestWorld();
  try {
    await w.addUser("usr_a", "alice");
    await w.addUser("usr_b", null);
    const a = await published(w, "usr_a", "Shared");
    const b = await published(w, "usr_b", "shared");
    await saveFromSource(w.library, "usr_a", { name: "Private", spec: rsiSpec(["600519.SH"]) });
    const deps = { library: w.library, nicknameOf: nicknamesFrom(w.users) };
    const page = await catalogPage(deps, { limit: 10, offset: 0 });
    assert.equal(page.total, 2);
    const byId = new Map(page.items.map((i) => [i.id, i]));
    assert.equal(byId.get(a)!.author, "alice");
    assert.equal(byId.get(b)!.author, null);
    assert.equal(byId.get(a)!.production_version, 1);
    assert.ok(byId.get(a)!.generated_code.startsWith('name: "Shared"'));
    assert.equal((await catalogByName(deps, "SHARED")).items.length, 2);
    await assert.rejects(catalogByName(deps, "Private"), NotFoundError);
  } finally {
    w.close();
  }
});

Deno.test("compareVersions() runs both versions; compareCatalogStrategies() runs each once, then serves the cache", async () => {
  const w = await openBacktestWorld();
  try {
    await w.addUser("usr_a", "alice");
    const runs = { market: w.market.data, maxSymbolBars: 1e9, maxExpressionCost: 1e12, gate: w.gate };
    const spec = rsiSpec(["600519.SH"]);
    const saved = await saveFromSource(w.library, "usr_a", { name: "V", spec });
    await saveFromSource(w.library, "usr_a", {
      name: "V",
      spec: { ...spec, exit: "rsi(close, 14) > 70" },
      strategy_id: saved.strategy_id,
    });
    const cmp = await compareVersions({ runs, library: w.library }, "usr_a", saved.strategy_id, {
      a: 1,
      b: 2,
    });
    const direct = await runBacktest(spec, w.market.data, {
      ownerId: "usr_a",
      maxSymbolBars: 1e9,
      now: () => 0,
    });
    assert.deepEqual(cmp.a.metrics, direct.summary);
    assert.deepEqual(cmp.spec_differences.map((d) => d.path), ["exit"]);
    await assert.rejects(
      compareVersions(
        { runs: { ...runs, maxExpressionCost: 1 }, library: w.library },
        "usr_a",
        saved.strategy_id,
        {
          a: 1,
          b: 2,
        },
      ),
      (e) => {
        assert.ok(e instanceof ValidationError);
        assert.deepEqual(e.loc, ["a"]);
        return true;
      },
    );

    const id = await published(w, "usr_a", "Cat");
    const deps = {
      runs,
      library: w.library,
      cache: w.cache,
      clock: w.clock,
      nicknameOf: nicknamesFrom(w.users),
    };
    const first = await compareCatalogStrategies(deps, "cat");
    assert.equal(first.name, "cat");
    assert.deepEqual(first.strategies.map((s) => [s.id, s.author, s.cached]), [[id, "alice", false]]);
    const again = await compareCatalogStrategies(deps, "cat");
    assert.equal(again.strategies[0].cached, true);
    assert.deepEqual(again.strategies[0].metrics, first.strategies[0].metrics);
    await assert.rejects(compareCatalogStrategies(deps, "nothing"), NotFoundError);
    await assert.rejects(
      compareCatalogStrategies({ ...deps, runs: { ...runs, maxExpressionCost: 1 } }, "cat"),
      (e) => {
        assert.ok(e instanceof ValidationError);
        assert.deepEqual(e.loc, ["name"]);
        return true;
      },
    );
  } finally {
    w.close();
  }
});
