/**
 * The paper-trading tools over `/mcp` with the SDK client: start (by id or name), list, get, logs (seq paging
 * equal to the HTTP pages) and stop answer what the HTTP routes answer; bad arguments are a 422 naming the
 * field; another user's strategy or instance is a 404; the annotations.
 */
import assert from "node:assert/strict";
import { connectMcp, routeJson, serveWorld } from "../_helpers/mcp_client.ts";
import { T0 } from "../_helpers/test_app.ts";
import {
  advanceJob,
  allEvents,
  assertGapless,
  JAN5,
  savePromoted,
  SMA_SPEC,
  startRun,
  tokenOf,
  withWorld,
} from "../routes/paper_world.ts";

const FAST_SPEC = {
  ...SMA_SPEC,
  entry: "crosses_above(sma(close, 3), sma(close, 10))",
  exit: "close < 0",
};

const http = routeJson;

Deno.test("mcp paper tools: start, list and get answer what the HTTP routes answer", () =>
  withWorld(async (w) => {
    const served = serveWorld(w);
    const t = await tokenOf(w, "mcp-paper@example.com");
    const sid = await savePromoted(w, t, "Trend Following");
    const mcp = await connectMcp(served.url, t);
    try {
      const started = await mcp.callTool("start_paper_instance", {
        strategy_id: "trend following",
        start_date: "2026-05-14",
      });
      assert.equal(started.isError, false, started.text);
      assert.equal(started.body.strategy_id, sid);
      assert.equal(started.body.status, "running");
      assert.match(started.body.id, /^pi_/);
      const id = started.body.id as string;
      assert.deepEqual(started.body, await http(w, "GET", `/api/v1/strategies/${sid}/instances/${id}`, t));

      const got = await mcp.callTool("get_paper_instance", { strategy_id: sid, instance_id: id });
      assert.deepEqual(got.body, await http(w, "GET", `/api/v1/library/${sid}/instances/${id}`, t));
      assert.match(got.body.conventions.fills, /next bar's open/);

      const listed = await mcp.callTool("list_paper_instances", { strategy_id: "Trend Following" });
      assert.deepEqual(listed.body, await http(w, "GET", `/api/v1/strategies/${sid}/instances`, t));
      assert.equal(listed.body.total, 1);
      const none = await mcp.callTool("list_paper_instances", { strategy_id: sid, status: "stopped" });
      assert.deepEqual(none.body, { instances: [], total: 0 });

      const logs = await mcp.callTool("get_paper_logs", { strategy_id: sid, instance_id: id });
      assert.deepEqual(logs.body, await http(w, "GET", `/api/v1/strategies/${sid}/instances/${id}/logs`, t));
      assert.equal(logs.body.events[0].type, "started");

      const stopped = await mcp.callTool("stop_paper_instance", { strategy_id: sid, instance_id: id });
      assert.equal(stopped.isError, false, stopped.text);
      assert.equal(stopped.body.status, "stopped");
      assert.deepEqual(stopped.body, await http(w, "GET", `/api/v1/strategies/${sid}/instances/${id}`, t));
      const again = await mcp.callTool("stop_paper_instance", { strategy_id: sid, instance_id: id });
      assert.equal(again.body.error.status, 409);
      assert.match(again.body.error.detail, /already stopped/);

      // No production version: 409, as over HTTP; an unknown strategy: 404.
      const draft = await savePromoted(w, t, "Draft", SMA_SPEC, false);
      const unpromoted = await mcp.callTool("start_paper_instance", { strategy_id: draft });
      assert.equal(unpromoted.body.error.status, 409);
      assert.match(unpromoted.body.error.detail, /promote a version or name one/);
      const nothing = await mcp.callTool("start_paper_instance", { strategy_id: "No such strategy" });
      assert.equal(nothing.body.error.status, 404);
    } finally {
      await mcp.close();
      await served.close();
    }
  }));

Deno.test("mcp paper tools: the log pages by seq (a number or digits) exactly as HTTP; liquidating stop", () =>
  withWorld(async (w) => {
    const served = serveWorld(w);
    w.clock.set(JAN5);
    const early = await tokenOf(w, "mcp-logs@example.com");
    const sid = await savePromoted(w, early, "Holder", FAST_SPEC);
    const inst = await (await startRun(w, early, sid, { start_date: "2026-01-05" })).json();
    w.clock.set(T0);
    const t = await tokenOf(w, "mcp-logs@example.com");
    await advanceJob(w, "2026-03-31");
    const mcp = await connectMcp(served.url, t);
    try {
      const all = await allEvents(w, t, sid, inst.id);
      assertGapless(all);
      const paged = [];
      let since: number | null = null;
      for (let i = 0; i < 1000; i++) {
        const page = await mcp.callTool("get_paper_logs", {
          strategy_id: sid,
          instance_id: inst.id,
          limit: 7,
          ...(since === null ? {} : { since }),
        });
        assert.equal(page.isError, false, page.text);
        paged.push(...page.body.events);
        if (!page.body.has_more) break;
        since = page.body.next_since;
      }
      assert.deepEqual(paged, all);
      const base = `/api/v1/strategies/${sid}/instances/${inst.id}/logs`;
      for (const since of [3, "3", "2026-05-14", "2026-05-14T01:00:00Z"]) {
        const tool = await mcp.callTool("get_paper_logs", {
          strategy_id: sid,
          instance_id: inst.id,
          since,
          limit: 2,
        });
        assert.deepEqual(tool.body, await http(w, "GET", `${base}?since=${since}&limit=2`, t), String(since));
      }

      const before = await http(w, "GET", `/api/v1/strategies/${sid}/instances/${inst.id}`, t);
      assert.ok(before.positions.length > 0);
      const sold = await mcp.callTool("stop_paper_instance", {
        strategy_id: sid,
        instance_id: inst.id,
        liquidate: true,
      });
      assert.deepEqual(sold.body.positions, []);
      assert.equal(sold.body.cash, sold.body.equity);
      assert.equal(sold.body.stop_reason, "stopped by owner (liquidated)");
      assert.deepEqual(sold.body, await http(w, "GET", `/api/v1/strategies/${sid}/instances/${inst.id}`, t));
    } finally {
      await mcp.close();
      await served.close();
    }
  }));

Deno.test("mcp paper tools: bad arguments are a 422 naming the field; another user's objects are a 404", () =>
  withWorld(async (w) => {
    const served = serveWorld(w);
    const a = await tokenOf(w, "mcp-owner@example.com");
    const b = await tokenOf(w, "mcp-intruder@example.com", "10.0.0.2");
    const sid = await savePromoted(w, a, "Mine");
    const inst = await (await startRun(w, a, sid, { start_date: "2026-05-14" })).json();
    const ma = await connectMcp(served.url, a);
    const mb = await connectMcp(served.url, b);
    try {
      const bad = async (name: string, args: Record<string, unknown>, loc: string) => {
        const r = await ma.callTool(name, args);
        assert.equal(r.body.error?.status, 422, `${name} ${JSON.stringify(args)}: ${r.text}`);
        assert.ok(
          r.body.error.detail.some((d: { loc: unknown[] }) => d.loc.join(".") === loc),
          r.text,
        );
      };
      const ref = { strategy_id: sid };
      await bad("start_paper_instance", { ...ref, start_date: "2026-13-01" }, "start_date");
      await bad("start_paper_instance", { ...ref, start_date: "2020-01-02" }, "start_date");
      await bad("start_paper_instance", { ...ref, version: 0 }, "version");
      await bad("start_paper_instance", { ...ref, is_public: "yes" }, "is_public");
      await bad("start_paper_instance", { ...ref, extra: 1 }, "extra");
      await bad("start_paper_instance", {}, "strategy_id");
      await bad("list_paper_instances", { ...ref, status: "paused" }, "status");
      await bad("list_paper_instances", { ...ref, limit: 201 }, "limit");
      const at = { ...ref, instance_id: inst.id };
      await bad("stop_paper_instance", { ...at, liquidate: "no" }, "liquidate");
      for (const since of ["yesterday", "-1", -1]) {
        await bad("get_paper_logs", { ...at, since }, "since");
      }
      await bad("get_paper_logs", { ...at, limit: 1001 }, "limit");
      await bad("get_paper_logs", { ...at, limit: 0 }, "limit");

      for (
        const [name, args] of [
          ["start_paper_instance", ref],
          ["list_paper_instances", ref],
          ["get_paper_instance", at],
          ["get_paper_logs", at],
          ["stop_paper_instance", at],
        ] as const
      ) {
        const r = await mb.callTool(name, args);
        assert.equal(r.body.error?.status, 404, `${name}: ${r.text}`);
      }
      // The intruder's own strategy of the same name does not reach my instance.
      const theirs = await savePromoted(w, b, "Mine");
      const r = await mb.callTool("get_paper_instance", { strategy_id: theirs, instance_id: inst.id });
      assert.equal(r.body.error.status, 404);
      assert.equal(
        (await http(w, "GET", `/api/v1/strategies/${sid}/instances/${inst.id}`, a)).status,
        "running",
      );
    } finally {
      await ma.close();
      await mb.close();
      await served.close();
    }
  }));

Deno.test("mcp paper tools: annotations and descriptions", () =>
  withWorld(async (w) => {
    const served = serveWorld(w);
    const anon = await connectMcp(served.url);
    try {
      const { tools } = await anon.client.listTools();
      const tool = (name: string) => tools.find((t: { name: string }) => t.name === name)!;
      assert.equal(tool("stop_paper_instance").annotations!.destructiveHint, true);
      assert.equal(tool("start_paper_instance").annotations!.idempotentHint, false);
      for (const name of ["list_paper_instances", "get_paper_instance", "get_paper_logs"]) {
        assert.equal(tool(name).annotations!.readOnlyHint, true, name);
      }
      assert.match(tool("start_paper_instance").description!, /next bar's open/);
      assert.match(tool("get_paper_logs").description!, /next_since/);
    } finally {
      await anon.close();
      await served.close();
    }
  }));
