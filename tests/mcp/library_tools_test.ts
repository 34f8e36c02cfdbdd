/**
 * The library, model-registry, catalog and leaderboard tools over `/mcp` with the SDK client: the same answers
 * as the HTTP routes for the same state.
 */
import assert from "node:assert/strict";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { connectMcp, hintsOf, type McpTestClient, serveWorld } from "../_helpers/mcp_client.ts";
import { openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const SPEC = {
  universe: { tickers: ["600519.SH"] },
  entry: "crosses_above(sma(close, 20), sma(close, 50))",
  exit: "crosses_below(sma(close, 20), sma(close, 50))",
  start: "2019-01-01",
  end: "2021-12-31",
};

const V2_CODE = 'universe: {"tickers":["600519.SH"]}\nentry: close > sma(close, 100)\n' +
  'exit: close < sma(close, 100)\nstart: "2019-01-01"\nend: "2021-12-31"';

interface Ctx {
  w: TestWorld;
  token: string;
  mcp: McpTestClient;
  other: McpTestClient;
  anon: McpTestClient;
}

/** A world served on loopback: the author (nickname alpha_lab), a second user and an anonymous client. */
async function withTools(fn: (c: Ctx) => Promise<void>) {
  const w = await openTestWorld();
  const served = serveWorld(w);
  try {
    const token = (await signInWithOtp(w, "lib@example.com")).access_token;
    await w.request("PATCH", "/api/v1/auth/profile", { json: { nickname: "alpha_lab" }, token });
    const otherToken = (await signInWithOtp(w, "other@example.com", "10.0.0.3")).access_token;
    const mcp = await connectMcp(served.url, token);
    const other = await connectMcp(served.url, otherToken);
    const anon = await connectMcp(served.url);
    try {
      await fn({ w, token, mcp, other, anon });
    } finally {
      await Promise.all([mcp.close(), other.close(), anon.close()]);
    }
  } finally {
    await served.close();
    await w.close();
  }
}

/** Saves "SMA cross" v1 from SPEC and v2 from strategy text; answers its id. */
async function saveTwo(mcp: McpTestClient): Promise<string> {
  const saved = await mcp.callTool("save_strategy", { name: "SMA cross", prompt: "trend", spec: SPEC });
  assert.equal(saved.isError, false, saved.text);
  assert.equal(saved.body.version, 1);
  const id = saved.body.strategy_id as string;
  const v2 = await mcp.callTool("add_strategy_version", {
    name: "SMA cross",
    strategy_id: id,
    code: V2_CODE,
  });
  assert.equal(v2.isError, false, v2.text);
  assert.deepEqual([v2.body.strategy_id, v2.body.version], [id, 2]);
  return id;
}

Deno.test("library tools: save → versions → stage → promote → rollback, answers as the HTTP routes", () =>
  withTools(async ({ w, token, mcp }) => {
    const id = await saveTwo(mcp);
    const versions = await mcp.callTool("list_strategy_versions", { id });
    assert.deepEqual(
      versions.body,
      await (await w.request("GET", `/api/v1/library/${id}/versions`, { token })).json(),
    );
    assert.equal(versions.body.total, 2);

    const detail = await mcp.callTool("get_library_strategy", { id });
    assert.deepEqual(detail.body, await (await w.request("GET", `/api/v1/library/${id}`, { token })).json());
    assert.match(detail.body.latest.backtrader_code, /import backtrader/);

    const staged = await mcp.callTool("stage_strategy", { id, version: 1 });
    assert.equal(staged.isError, false, staged.text);
    assert.equal(staged.body.staging_version, 1);
    const promoted = await mcp.callTool("promote_strategy", { name: "sma CROSS" });
    assert.deepEqual([promoted.body.production_version, promoted.body.staging_version], [1, null]);

    assert.equal((await mcp.callTool("stage_strategy", { name: "SMA cross" })).body.staging_version, 2);
    assert.equal((await mcp.callTool("promote_strategy", { id })).body.production_version, 2);
    const models = await mcp.callTool("list_model_versions", { model_name: "SMA cross" });
    assert.deepEqual(
      models.body,
      await (await w.request("GET", "/api/v1/models/SMA%20cross/versions", { token })).json(),
    );
    const stages = Object.fromEntries(
      models.body.items.map((v: { version: number; current_stage: string }) => [v.version, v.current_stage]),
    );
    assert.deepEqual(stages, { 1: "Archived", 2: "Production" });

    const rolled = await mcp.callTool("rollback_model", { model_name: "SMA cross" });
    assert.equal(rolled.isError, false, rolled.text);
    assert.equal(rolled.body.production_version, 1);
    const none = await mcp.callTool("rollback_model", { id });
    assert.equal(none.body.error.status, 400);
    assert.match(none.body.error.detail, /No earlier production version/);

    const list = await mcp.callTool("list_library", {});
    assert.deepEqual(list.body, await (await w.request("GET", "/api/v1/library", { token })).json());
  }));

Deno.test("get_strategy_text answers the strategy.txt download as {filename, content_type, text}", () =>
  withTools(async ({ w, token, mcp }) => {
    const id = await saveTwo(mcp);
    const file = await mcp.callTool("get_strategy_text", { id });
    const http = await w.request("GET", `/api/v1/library/${id}/strategy.txt`, { token });
    assert.equal(file.body.text, await http.text());
    assert.equal(file.body.filename, `${id}-v2.strategy.txt`);
    assert.match(http.headers.get("content-disposition")!, new RegExp(file.body.filename));
  }));

Deno.test("compare_strategy_versions answers the HTTP compare", () =>
  withTools(async ({ w, token, mcp }) => {
    const id = await saveTwo(mcp);
    const tool = await mcp.callTool("compare_strategy_versions", { id, a: 1, b: 2 });
    assert.equal(tool.isError, false, tool.text);
    const http = await (await w.request("GET", `/api/v1/library/${id}/compare?a=1&b=2`, { token })).json();
    assert.deepEqual(tool.body, http);
    assert.ok(tool.body.spec_differences.some((d: { path: string }) => d.path === "entry"));
  }));

Deno.test("catalog tools: a published production strategy is listed, found and compared without a key", () =>
  withTools(async ({ w, mcp, anon }) => {
    const id = await saveTwo(mcp);
    await mcp.callTool("stage_strategy", { id, version: 1 });
    await mcp.callTool("promote_strategy", { id });
    const published = await mcp.callTool("update_library_strategy", { id, is_public: true });
    assert.equal(published.body.is_public, true);

    const catalog = await anon.callTool("list_catalog", {});
    assert.equal(catalog.isError, false, catalog.text);
    assert.deepEqual(catalog.body, await (await w.request("GET", "/api/v1/catalog/strategies")).json());
    assert.equal(catalog.body.items[0].author, "alpha_lab");
    const byName = await anon.callTool("get_catalog_strategy", { name: "sma cross" });
    assert.deepEqual(byName.body.items.map((i: { id: string }) => i.id), [id]);
    const compared = await anon.callTool("compare_catalog_strategy", { name: "SMA cross" });
    assert.equal(compared.isError, false, compared.text);
    assert.equal(compared.body.strategies[0].production_version, 1);
    assert.equal((await anon.callTool("get_catalog_strategy", { name: "nothing" })).body.error.status, 404);
  }));

Deno.test("leaderboard tools: submit a version, then the period and catalog rankings equal the HTTP ones", () =>
  withTools(async ({ w, mcp, anon }) => {
    const id = await saveTwo(mcp);
    const entry = await mcp.callTool("submit_to_leaderboard", { strategy_id: id, version: 1 });
    assert.equal(entry.isError, false, entry.text);
    assert.ok(entry.body.score >= 0 && entry.body.score <= 100);
    const top = await anon.callTool("get_leaderboard", { period: "alltime" });
    assert.deepEqual(
      top.body,
      await (await w.request("GET", "/api/v1/leaderboard/top?period=alltime")).json(),
    );
    assert.equal(top.body.top[0].id, entry.body.entry_id);
    assert.equal(top.body.top[0].username, "alpha_lab");
    const catalogTop = await anon.callTool("get_catalog_leaderboard", {});
    assert.deepEqual(catalogTop.body, await (await w.request("GET", "/api/v1/catalog/leaderboard")).json());
    const badDataset = await mcp.callTool("submit_to_leaderboard", { strategy_id: id, dataset: "nasdaq" });
    assert.equal(badDataset.body.error.status, 422);
    assert.deepEqual(badDataset.body.error.detail[0].loc, ["dataset"]);
    assert.equal((await anon.callTool("submit_to_leaderboard", { strategy_id: id })).body.error.status, 401);
  }));

Deno.test("library tools refuse bad input with a 422 naming the field", () =>
  withTools(async ({ mcp }) => {
    const both = await mcp.callTool("save_strategy", { name: "x", spec: SPEC, code: V2_CODE });
    assert.equal(both.body.error.status, 422);
    assert.match(both.text, /exactly one of spec/);
    const badEntry = await mcp.callTool("save_strategy", {
      name: "x",
      spec: { ...SPEC, entry: "sma(close," },
    });
    assert.equal(badEntry.body.error.status, 422);
    assert.deepEqual(badEntry.body.error.detail[0].loc.slice(0, 2), ["spec", "entry"]);
    const noVersion = await mcp.callTool("stage_strategy", { id: "strat_x" });
    assert.deepEqual(noVersion.body.error.detail[0].loc, ["version"]);
    const neither = await mcp.callTool("promote_strategy", {});
    assert.equal(neither.body.error.status, 422);
    assert.match(neither.text, /exactly one of name or id/);
    const noId = await mcp.callTool("add_strategy_version", { name: "x", spec: SPEC });
    assert.deepEqual(noId.body.error.detail[0].loc, ["strategy_id"]);
  }));

Deno.test("another user's library strategy is not found by the library tools", () =>
  withTools(async ({ mcp, other }) => {
    const id = await saveTwo(mcp);
    for (
      const [tool, args] of [
        ["get_library_strategy", { id }],
        ["list_strategy_versions", { id }],
        ["get_strategy_text", { id }],
        ["stage_strategy", { id, version: 1 }],
        ["rollback_model", { id }],
        ["update_library_strategy", { id, is_public: true }],
        ["delete_library_strategy", { id }],
        ["add_strategy_version", { name: "mine", strategy_id: id, spec: SPEC }],
        ["submit_to_leaderboard", { strategy_id: id }],
      ] as const
    ) {
      const r = await other.callTool(tool, args);
      assert.equal(r.body.error?.status, 404, tool);
    }
    assert.equal(
      (await other.callTool("list_model_versions", { model_name: "SMA cross" })).body.error.status,
      404,
    );
  }));

Deno.test("delete_library_strategy removes it; a second delete is 404; the annotations say destructive", () =>
  withTools(async ({ mcp }) => {
    const id = await saveTwo(mcp);
    const deleted = await mcp.callTool("delete_library_strategy", { id });
    assert.equal(deleted.isError, false, deleted.text);
    assert.equal((await mcp.callTool("get_library_strategy", { id })).body.error.status, 404);
    assert.equal((await mcp.callTool("delete_library_strategy", { id })).body.error.status, 404);
    const { tools } = await mcp.client.listTools();
    const hints = hintsOf(tools);
    assert.equal(hints("delete_library_strategy").destructiveHint, true);
    assert.deepEqual(
      [hints("rollback_model").readOnlyHint, hints("rollback_model").destructiveHint],
      [false, false],
    );
    assert.equal(hints("list_catalog").readOnlyHint, true);
  }));

Deno.test("get_library_run_csv: 404 before a run, then the export.csv of the library job", () =>
  withTools(async ({ w, token, mcp }) => {
    const id = await saveTwo(mcp);
    const before = await mcp.callTool("get_library_run_csv", { id });
    assert.equal(before.body.error.status, 404);
    assert.match(before.body.error.recovery, /submit_backtest \{library_id\}/);
    const queued = await mcp.callTool("submit_backtest", { library_id: id, version: 1 });
    assert.equal(queued.isError, false, queued.text);
    await runBacktestJob(w.deps.backtests, queued.body.job_id);
    const file = await mcp.callTool("get_library_run_csv", { id });
    assert.equal(file.isError, false, file.text);
    const http = await w.request("GET", `/api/v1/library/${id}/export.csv`, { token });
    assert.equal(file.body.csv, await http.text());
    assert.equal(file.body.content_type, http.headers.get("content-type"));
    assert.match(http.headers.get("content-disposition")!, new RegExp(`filename="${file.body.filename}"`));
  }));

Deno.test("a name two of my strategies share is 409 telling to use the id", () =>
  withTools(async ({ mcp }) => {
    await mcp.callTool("save_strategy", { name: "Twin", spec: SPEC });
    await mcp.callTool("save_strategy", { name: "twin", spec: SPEC });
    const r = await mcp.callTool("stage_strategy", { name: "Twin" });
    assert.equal(r.body.error.status, 409);
    assert.match(r.body.error.recovery, /`id`/);
  }));
