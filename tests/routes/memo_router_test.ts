/** The app's router answers exactly as Hono's trie does, from memory after the first search of a path. */
import assert from "node:assert/strict";
import { TrieRouter } from "hono/router/trie-router";
import { MAX_REMEMBERED, MemoRouter } from "../../routes/memo_router.ts";
import { openTestWorld } from "../_helpers/test_app.ts";

const ROUTES: [string, string, string][] = [
  ["ALL", "*", "every"],
  ["GET", "/strategy/list", "list"],
  ["GET", "/strategy/:strategy_id", "one"],
  ["POST", "/api/v1/backtests/run", "run"],
  ["GET", "/api/v1/backtests/:job_id", "job"],
  ["GET", "/api/v1/backtests/:job_id/equity", "equity"],
  ["GET", "/app/assets/*", "asset"],
];

const PATHS = [
  ["GET", "/strategy/list"],
  ["GET", "/strategy/abc"],
  ["GET", "/strategy/xyz"],
  ["POST", "/api/v1/backtests/run"],
  ["GET", "/api/v1/backtests/run"],
  ["GET", "/api/v1/backtests/j1/equity"],
  ["GET", "/app/assets/a/b.js"],
  ["DELETE", "/nowhere"],
];

function both() {
  const memo = new MemoRouter<string>();
  const trie = new TrieRouter<string>();
  for (const [m, p, h] of ROUTES) {
    memo.add(m, p, h);
    trie.add(m, p, h);
  }
  return { memo, trie };
}

Deno.test("MemoRouter: the same matches and params as TrieRouter, first search and remembered alike", () => {
  const { memo, trie } = both();
  for (let round = 0; round < 2; round++) {
    for (const [m, p] of PATHS) {
      assert.deepEqual(memo.match(m, p), trie.match(m, p), `${m} ${p} (round ${round})`);
    }
  }
  assert.equal(memo.remembered, PATHS.length);
  // Two paths of one parameter route keep their own params.
  const [[, a]] = memo.match("GET", "/strategy/abc")[0].filter(([h]) => h === "one");
  const [[, b]] = memo.match("GET", "/strategy/xyz")[0].filter(([h]) => h === "one");
  assert.deepEqual([{ ...a }, { ...b }], [{ strategy_id: "abc" }, { strategy_id: "xyz" }]);
});

Deno.test("MemoRouter: a route added later is matched (the memory is forgotten), and memory is bounded", () => {
  const { memo } = both();
  assert.deepEqual(memo.match("GET", "/later")[0].map(([h]) => h), ["every"]);
  memo.add("GET", "/later", "later");
  assert.deepEqual(memo.match("GET", "/later")[0].map(([h]) => h), ["every", "later"]);
  for (let i = 0; i < 3 * MAX_REMEMBERED; i++) memo.match("GET", `/strategy/s${i}`);
  assert.ok(memo.remembered <= 2 * MAX_REMEMBERED, `remembered ${memo.remembered}`);
  // A path in use survives a generation turning over.
  memo.match("GET", "/strategy/hot");
  for (let i = 0; i < MAX_REMEMBERED; i++) memo.match("GET", `/strategy/t${i}`);
  const [[, hot]] = memo.match("GET", "/strategy/hot")[0].filter(([h]) => h === "one");
  assert.deepEqual({ ...hot }, { strategy_id: "hot" });
  // A very long path is searched, not remembered.
  memo.add("GET", "/clear", "clear"); // forgets everything
  assert.deepEqual(memo.match("GET", `/strategy/${"x".repeat(1000)}`)[0].map(([h]) => h), ["every", "one"]);
  assert.equal(memo.remembered, 0);
});

Deno.test("MemoRouter: the app routes through it", async () => {
  const w = await openTestWorld();
  try {
    assert.equal((w.app.router as { name: string }).name, "MemoRouter(TrieRouter)");
    const res = await w.request("GET", "/health");
    await res.body?.cancel();
    assert.equal(res.status, 200);
  } finally {
    await w.close();
  }
});
