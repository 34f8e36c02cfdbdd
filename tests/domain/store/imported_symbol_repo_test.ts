import assert from "node:assert/strict";
import { importedSymbolInfo } from "../../../domain/market/csv/import_bars.ts";
import {
  createImportedSymbolRepo,
  type ImportedSymbolRecord,
} from "../../../domain/store/imported_symbol_repo.ts";

const record = (owner: string, symbol: string, rows = 1): ImportedSymbolRecord => ({
  ...importedSymbolInfo(symbol, "NYSE"),
  owner_id: owner,
  published: false,
  rows,
  start: "2024-01-02",
  end: "2024-01-02",
  imported_at: 0,
});

Deno.test("ImportedSymbolRepo lists by owner, by everyone and published only", async () => {
  await using kv = await Deno.openKv(":memory:");
  const repo = createImportedSymbolRepo(kv);
  for (const [o, s] of [["u2", "B"], ["u1", "B"], ["u1", "A"]]) await repo.put(record(o, s));
  assert.deepEqual((await repo.list("u1")).map((r) => r.symbol), ["A", "B"]);
  assert.deepEqual((await repo.listAll()).map((r) => `${r.owner_id}/${r.symbol}`), ["u1/A", "u1/B", "u2/B"]);
  assert.deepEqual(await repo.listPublished(), []);
  assert.equal(await repo.getPublished("B"), null);
  await repo.publish("u2", "B", true, Date.now());
  assert.deepEqual((await repo.listPublished()).map((r) => r.owner_id), ["u2"]);
  assert.equal((await repo.getPublished("B"))?.owner_id, "u2");
  assert.equal(await repo.getPublished("A"), null);
  assert.deepEqual(
    await Array.fromAsync(kv.list({ prefix: ["imported_symbols_public"] }), (e) => [e.key, e.value]),
    [[["imported_symbols_public", "B"], "u2"]],
  );
});

Deno.test("ImportedSymbolRepo.put() keeps the published flag and the index of a published record", async () => {
  await using kv = await Deno.openKv(":memory:");
  const repo = createImportedSymbolRepo(kv);
  await repo.put(record("u1", "A"));
  await repo.publish("u1", "A", true, Date.now());
  const replaced = await repo.put({ ...record("u1", "A", 5), published: false });
  assert.deepEqual([replaced.rows, replaced.published], [5, true]);
  assert.deepEqual((await repo.listPublished()).map((r) => r.rows), [5]);
});

Deno.test("ImportedSymbolRepo.delete() removes the public entry only when it is the owner's", async () => {
  await using kv = await Deno.openKv(":memory:");
  const repo = createImportedSymbolRepo(kv);
  await repo.put(record("u1", "A"));
  await repo.put(record("u2", "A"));
  await repo.publish("u1", "A", true, Date.now());
  assert.equal(await repo.delete("u2", "A", Date.now()), true);
  assert.deepEqual((await repo.listPublished()).map((r) => r.owner_id), ["u1"]);
  assert.equal(await repo.delete("u1", "A", Date.now()), true);
  assert.deepEqual(await Array.fromAsync(kv.list({ prefix: ["imported_symbols_public"] })), []);
  assert.equal(await repo.delete("u1", "A", Date.now()), false);
});

Deno.test("ImportedSymbolRepo.publish() lets exactly one of two racing owners publish a symbol", async () => {
  await using kv = await Deno.openKv(":memory:");
  const repo = createImportedSymbolRepo(kv);
  await repo.put(record("u1", "A"));
  await repo.put(record("u2", "A"));
  const results = await Promise.allSettled([
    repo.publish("u1", "A", true, Date.now()),
    repo.publish("u2", "A", true, Date.now()),
  ]);
  assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
  assert.match(
    String((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason),
    /already/,
  );
  assert.equal((await repo.listPublished()).length, 1);
});
