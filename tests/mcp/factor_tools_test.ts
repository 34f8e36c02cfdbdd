/**
 * The factor tools over `/mcp` with the SDK client: the document's factor workflow (create → upload ≥ 120 trading
 * days in several calls → status → submit → read back), every answer equal to the HTTP route's for the same
 * state, refused arguments as 422s naming the field, another user's factor as 404, and the annotations of the
 * idempotency table.
 */
import assert from "node:assert/strict";
import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { connectMcp, withMcpWorld } from "../_helpers/mcp_client.ts";
import { chunked, reversalEntries } from "../_helpers/planted_factor_values.ts";
import { guideAccount } from "../_helpers/quantgpt_client.ts";

const F = "/api/v1/factors";

Deno.test("mcp factors: create, upload 146 days in calls under the body limit, submit, read back — as HTTP answers", async () => {
  await withMcpWorld(async (w, served) => {
    const agent = await guideAccount(w);
    const mcp = await connectMcp(served.url, agent.token);
    const created = await mcp.callTool("create_factor", {
      name: "reversal_20d",
      universe: "hs300",
      expression: "-(close / delay(close, 20) - 1)",
      claimed_ic_mean: 0.03,
    });
    assert.equal(created.isError, false, created.text);
    assert.equal(created.body.status, "draft");
    const id = created.body.id as string;

    const entries = await reversalEntries(w.deps.market.data, "hs300");
    assert.ok(entries.length >= 120);
    let last: Record<string, unknown> = {};
    for (const data of chunked(entries, 50)) {
      const up = await mcp.callTool("upload_factor_values", { factor_id: id, data });
      assert.equal(up.isError, false, up.text.slice(0, 300));
      assert.equal(up.body.uploaded, data.length);
      last = up.body;
    }
    assert.equal(last.total_days, entries.length);
    assert.equal(last.status, "ready");
    // The upsert again over HTTP (the same last batch) answers what the tool answered.
    const again = await agent.call("POST", `${F}/${id}/values`, { data: chunked(entries, 50).at(-1) });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, last);

    const status = await mcp.callTool("get_factor_values_status", { factor_id: id });
    assert.equal(status.body.ready, true);
    assert.equal(status.body.min_required, 120);
    assert.deepEqual(status.body, (await agent.call("GET", `${F}/${id}/values/status`)).body);

    const submitted = await mcp.callTool("submit_factor", { factor_id: id });
    assert.equal(submitted.isError, false, submitted.text.slice(0, 500));
    assert.equal(submitted.body.status, "active", JSON.stringify(submitted.body.checks));
    assert.equal(submitted.body.checks.length, 5);
    assert.equal(submitted.body.ic_series.length > 100, true);

    const reads: [string, Record<string, unknown>, string][] = [
      ["get_factor", { factor_id: id }, `${F}/${id}`],
      ["get_factor_submission", { factor_id: id }, `${F}/${id}/submit`],
      ["get_factor_correlations", { factor_id: id }, `${F}/${id}/correlations`],
      ["get_factor_ic_series", { factor_id: id }, `${F}/${id}/ic-series`],
      ["get_factor_chart_data", { factor_id: id }, `${F}/${id}/chart-data`],
      [
        "get_factor_values",
        { factor_id: id, start: "2025-07-01", end: "2025-07-10" },
        `${F}/${id}/values?start=2025-07-01&end=2025-07-10`,
      ],
      ["get_factor_values", { factor_id: id }, `${F}/${id}/values`],
      ["list_factors", { status: "active" }, `${F}?status=active`],
      ["list_factors", {}, F],
    ];
    for (const [tool, args, path] of reads) {
      const viaTool = await mcp.callTool(tool, args);
      assert.equal(viaTool.isError, false, `${tool}: ${viaTool.text.slice(0, 300)}`);
      const viaHttp = await agent.call("GET", path);
      assert.equal(viaHttp.status, 200, path);
      assert.deepEqual(viaTool.body, viaHttp.body, tool);
    }
    const detail = await mcp.callTool("get_factor", { factor_id: id });
    assert.deepEqual(detail.body.ic_series, submitted.body.ic_series);
    const page = await mcp.callTool("get_factor_values", { factor_id: id });
    assert.equal(page.body.dates.length, 60);
    assert.equal(page.body.next_start, entries[60].date);

    // An active factor cannot be deleted, and a second submit is refused (it is not ready).
    const del = await mcp.callTool("delete_factor", { factor_id: id });
    assert.equal(del.body.error.status, 400);
    assert.match(del.body.error.recovery, /create_factor/);
    const resubmit = await mcp.callTool("submit_factor", { factor_id: id });
    assert.equal(resubmit.body.error.status, 400);
    assert.match(resubmit.body.error.recovery, /get_factor_values_status/);

    // One MCP request body is limited to MAX_BODY_BYTES: the whole history at once is refused before MCP.
    await assert.rejects(
      mcp.callTool("upload_factor_values", { factor_id: id, data: entries }),
      /too large/,
    );
    await mcp.close();
  });
});

Deno.test("mcp factors: bad arguments are 422s naming the field; another user's factor is 404; draft lifecycle", async () => {
  await withMcpWorld(async (w, served) => {
    const alice = await guideAccount(w, "10.7.0.1");
    const bob = await guideAccount(w, "10.7.0.2");
    const mcp = await connectMcp(served.url, alice.token);
    const id = (await mcp.callTool("create_factor", { name: "f", universe: "hs300" })).body.id as string;

    const refused: [string, Record<string, unknown>, (string | number)[]][] = [
      ["create_factor", { name: "f", universe: "csi2000" }, ["universe"]],
      ["create_factor", { name: "f", universe: "hs300", slug: "x" }, ["slug"]],
      ["create_factor", { name: "f", universe: "hs300", claimed_ic_mean: 5 }, ["claimed_ic_mean"]],
      ["create_factor", { name: "f", universe: "hs300", values_source: "formula" }, ["expression"]],
      ["list_factors", { limit: 500 }, ["limit"]],
      ["list_factors", { order: "sharpe" }, ["order"]],
      ["update_factor", { factor_id: id, universe: "csi500" }, ["universe"]],
      ["upload_factor_values", { factor_id: id, data: [] }, ["data"]],
      [
        "upload_factor_values",
        { factor_id: id, data: [{ date: "2025-01-02", values: { "600519.SH": "high" } }] },
        ["data", 0, "values", "600519.SH"],
      ],
      [
        "upload_factor_values",
        { factor_id: id, data: [{ date: "2025-01-02", values: { "6005.SH": 1 } }] },
        ["data", 0, "values", "6005.SH"],
      ],
      ["upload_factor_values", { factor_id: id, data: [{ date: "2025-01-02", values: {} }] }, [
        "data",
        0,
        "values",
      ]],
      ["upload_factor_values", {
        factor_id: id,
        data: [{ date: "2025-02-30", values: { "600519.SH": 1 } }],
      }, [
        "data",
        0,
        "date",
      ]],
      // The domain's checks, located in the arguments the same way: a future date, a date twice.
      ["upload_factor_values", {
        factor_id: id,
        data: [{ date: "2026-06-01", values: { "600519.SH": 1 } }],
      }, [
        "data",
        0,
        "date",
      ]],
      [
        "upload_factor_values",
        {
          factor_id: id,
          data: [
            { date: "2025-01-02", values: { "600519.SH": 1 } },
            { date: "2025-01-02", values: { "600519.SH": 2 } },
          ],
        },
        ["data", 1, "date"],
      ],
      ["get_factor_values", { factor_id: id, start: "2025-03-01", end: "2025-01-01" }, ["end"]],
      ["get_factor", { factor_id: "" }, ["factor_id"]],
    ];
    for (const [tool, args, loc] of refused) {
      const r = await mcp.callTool(tool, args);
      assert.equal(r.isError, true, `${tool} ${JSON.stringify(args)}`);
      assert.equal(r.body.error.status, 422, `${tool}: ${r.text}`);
      assert.deepEqual(r.body.error.detail[0].loc, loc, `${tool}: ${r.text}`);
      assert.ok(r.text.includes(loc.join(".")), r.text);
      assert.match(r.body.error.recovery, /loc/);
    }

    // Bob sees none of Alice's factor: every tool answers 404, as the HTTP routes do.
    const asBob = await connectMcp(served.url, bob.token);
    for (
      const [tool, extra] of [
        ["get_factor", {}],
        ["update_factor", { name: "mine" }],
        ["delete_factor", {}],
        ["upload_factor_values", { data: [{ date: "2025-01-02", values: { "600519.SH": 1 } }] }],
        ["get_factor_values_status", {}],
        ["get_factor_values", {}],
        ["submit_factor", {}],
        ["get_factor_submission", {}],
        ["get_factor_correlations", {}],
        ["get_factor_ic_series", {}],
        ["get_factor_chart_data", {}],
      ] as const
    ) {
      const r = await asBob.callTool(tool, { factor_id: id, ...extra });
      assert.equal(r.body.error?.status, 404, `${tool}: ${r.text}`);
      assert.match(r.body.error.recovery, /list_factors/);
    }
    assert.equal((await bob.call("GET", `${F}/${id}`)).status, 404);
    assert.equal((await asBob.callTool("list_factors")).body.total, 0);
    await asBob.close();

    // Alice's draft: update, an upload (two dates, one a holiday), submit refused (not ready), delete twice.
    const patched = await mcp.callTool("update_factor", {
      factor_id: id,
      name: "renamed",
      description: null,
    });
    assert.equal(patched.body.name, "renamed");
    assert.deepEqual(patched.body, (await alice.call("GET", F)).body.factors[0]);
    const up = await mcp.callTool("upload_factor_values", {
      factor_id: id,
      data: [
        { date: "2025-01-02", values: { "600519.SH": 1.23, "600036.SH": -0.45, "999999.SZ": 1 } },
        { date: "2025-01-01", values: { "600519.SH": 0.5 } },
      ],
    });
    assert.equal(up.isError, false, up.text);
    assert.deepEqual(up.body.skipped_dates, ["2025-01-01"]);
    assert.equal(up.body.status, "draft");
    const early = await mcp.callTool("submit_factor", { factor_id: id });
    assert.equal(early.body.error.status, 400);
    assert.match(early.body.error.detail, /ready/);
    assert.match(
      early.body.error.recovery,
      /upload_factor_values until get_factor_values_status answers ready/,
    );
    const gone = await mcp.callTool("delete_factor", { factor_id: id });
    assert.deepEqual(gone.body, { deleted: true, id });
    assert.equal((await mcp.callTool("delete_factor", { factor_id: id })).body.error.status, 404);
    await mcp.close();
  });
});

Deno.test("mcp factors: annotations follow the document's idempotency table; descriptions state the conventions", async () => {
  await withMcpWorld(async (_w, served) => {
    const mcp = await connectMcp(served.url);
    const { tools } = await mcp.client.listTools();
    const byName = new Map<string, Tool>(tools.map((t: Tool) => [t.name, t]));
    const hints = (name: string) => byName.get(name)!.annotations!;
    assert.equal(hints("create_factor").idempotentHint, false);
    assert.equal(hints("submit_factor").idempotentHint, false);
    assert.equal(hints("upload_factor_values").idempotentHint, true);
    assert.equal(hints("delete_factor").destructiveHint, true);
    for (
      const name of [
        "list_factors",
        "get_factor",
        "get_factor_values_status",
        "get_factor_values",
        "get_factor_submission",
        "get_factor_correlations",
        "get_factor_ic_series",
        "get_factor_chart_data",
      ]
    ) {
      assert.equal(hints(name).readOnlyHint, true, name);
      assert.equal(hints(name).openWorldHint, false, name);
    }
    const submit = byName.get("submit_factor")!.description!;
    for (
      const words of [
        /delay 1/,
        /Spearman/,
        /sample std/,
        /quintile/,
        /IC_MEAN \|ic_mean\| > 0\.015/,
        /IC_IR \|ic_ir\| > 0\.15/,
        /turnover < 0\.35/,
        /< 0\.7/,
        /data_days ≥ 120/,
        /get_factor_submission/,
      ]
    ) assert.match(submit, words);
    assert.match(byName.get("upload_factor_values")!.description!, /MAX_BODY_BYTES \(1 MiB/);
    assert.match(byName.get("create_factor")!.description!, /list_factors/);
    // Every factor tool needs a key.
    const anon = await mcp.callTool("list_factors");
    assert.equal(anon.body.error.status, 401);
    await mcp.close();
  });
});
