import assert from "node:assert/strict";
import { createIntegerAliasRepo } from "../../../domain/store/integer_alias_repo.ts";

Deno.test("IntegerAliasRepo gives each id one integer per kind, counting from 1, and resolves it back", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createIntegerAliasRepo(kv);
    assert.equal(await repo.aliasFor("backtest", "job_a"), 1);
    assert.equal(await repo.aliasFor("backtest", "job_b"), 2);
    assert.equal(await repo.aliasFor("backtest", "job_a"), 1);
    assert.equal(await repo.aliasFor("library_strategy", "job_a"), 1, "kinds count separately");
    assert.deepEqual(await repo.aliasesFor("backtest", ["job_b", "job_c", "job_a"]), [2, 3, 1]);
    assert.equal(await repo.idFor("backtest", 3), "job_c");
    assert.equal(await repo.idFor("backtest", 4), null);
    assert.equal(await repo.idFor("user", 1), null);
    for (const bad of [0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER + 2]) {
      assert.equal(await repo.idFor("backtest", bad), null);
    }
  } finally {
    kv.close();
  }
});

Deno.test("IntegerAliasRepo allocates distinct integers under concurrent first sights, one per id", async () => {
  const kv = await Deno.openKv(":memory:");
  try {
    const repo = createIntegerAliasRepo(kv);
    const ids = Array.from({ length: 30 }, (_, i) => `id_${i}`);
    // Every id asked for twice at once: the same id must get the same integer, different ids different ones.
    const got = await Promise.all([...ids, ...ids].map((id) => repo.aliasFor("user", id)));
    const first = got.slice(0, 30);
    assert.deepEqual(got.slice(30), first);
    assert.deepEqual([...first].sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i + 1));
    for (let i = 0; i < ids.length; i++) assert.equal(await repo.idFor("user", first[i]), ids[i]);
  } finally {
    kv.close();
  }
});
