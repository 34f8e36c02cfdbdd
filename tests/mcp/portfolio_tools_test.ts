/**
 * The portfolio tools over `/mcp` with the SDK client: the tool answers equal the HTTP answers for the same state
 * (create, list, get, members, activate with today's signal, signals page, pause, resume, delete), bad arguments
 * are a 422 naming the field, another user's portfolio is a 404, and the annotations.
 */
import assert from "node:assert/strict";
import { MAX_SIGNAL_SYMBOLS } from "../../domain/track_record/signals/signals.ts";
import { connectMcp, hintsOf, routeJson, withServedWorld } from "../_helpers/mcp_client.ts";
import type { TestWorld } from "../_helpers/test_app.ts";
import { pseudoValues, seedFactor, signIn, universeStocks } from "../domain/portfolios/portfolio_fixtures.ts";

const P = "/api/v1/portfolios";

/** A plain world served on loopback; `fn` gets its URL. */
const withServed = (fn: (w: TestWorld, url: string) => Promise<void>) =>
  withServedWorld((w, served) => fn(w, served.url));

const http = routeJson;

/** Two active hs300 factors of `ownerId` with values on the day before the world's day. */
async function twoFactors(w: TestWorld, ownerId: string): Promise<[string, string]> {
  const symbols = await universeStocks(w, "hs300");
  const on = (seed: number) => [{ date: "2026-05-13", symbols, values: pseudoValues(symbols, seed) }];
  return [
    await seedFactor(w, ownerId, { name: "reversal", values: on(11) }),
    await seedFactor(w, ownerId, { name: "value", values: on(29), ic_ir: -1.5 }),
  ];
}

Deno.test("mcp portfolio tools answer what the HTTP routes answer, through the whole lifecycle", () =>
  withServed(async (w, url) => {
    // The world's clock is 09:00 Asia/Shanghai on a trading day: activation submits today's signal at once.
    const a = await signIn(w, "mcp-pf@example.com");
    const [f1, f2] = await twoFactors(w, a.id);
    const mcp = await connectMcp(url, a.token);
    try {
      const created = await mcp.callTool("create_portfolio", {
        name: "momentum_value",
        universe: "hs300",
        weighting: "ic_weighted",
      });
      assert.equal(created.isError, false, created.text);
      assert.equal(created.body.status, "draft");
      assert.equal(created.body.top_n, 50);
      const id = created.body.id as string;
      assert.deepEqual(created.body, await http(w, "GET", `${P}/${id}`, a.token));

      assert.equal(
        (await mcp.callTool("add_portfolio_member", { portfolio_id: id, factor_id: f1 })).isError,
        false,
      );
      const added = await mcp.callTool("add_portfolio_member", { portfolio_id: id, factor_id: f2 });
      assert.equal(added.isError, false, added.text);
      assert.deepEqual(added.body.members.map((m: { weight: number }) => m.weight), [0.25, 0.75]);
      const again = await mcp.callTool("add_portfolio_member", { portfolio_id: id, factor_id: f2 });
      assert.equal(again.body.error.status, 409);
      assert.match(again.body.error.detail, /already a member/);

      const got = await mcp.callTool("get_portfolio", { portfolio_id: id });
      assert.deepEqual(got.body, await http(w, "GET", `${P}/${id}`, a.token));
      const listed = await mcp.callTool("list_portfolios", {});
      assert.deepEqual(listed.body, await http(w, "GET", P, a.token));
      assert.deepEqual(
        (await mcp.callTool("list_portfolios", { limit: 1, offset: 1 })).body,
        await http(w, "GET", `${P}?limit=1&offset=1`, a.token),
      );

      const active = await mcp.callTool("activate_portfolio", { portfolio_id: id });
      assert.equal(active.isError, false, active.text);
      assert.equal(active.body.status, "active");
      assert.match(active.body.strategy_slug, /^mf-momentum-value-[a-z0-9]{6}$/);
      assert.equal(active.body.last_run.status, "submitted");
      assert.deepEqual(active.body, await http(w, "GET", `${P}/${id}`, a.token));
      const twice = await mcp.callTool("activate_portfolio", { portfolio_id: id });
      assert.equal(twice.body.error.status, 400);

      const signals = await mcp.callTool("list_portfolio_signals", { portfolio_id: id });
      assert.equal(signals.isError, false, signals.text);
      assert.equal(signals.body.signals.length, 1);
      assert.equal(signals.body.signals[0].trade_date, "2026-05-14");
      assert.equal(signals.body.limit, 30);
      assert.deepEqual(signals.body, await http(w, "GET", `${P}/${id}/signals`, a.token));

      const removeActive = await mcp.callTool("remove_portfolio_member", { portfolio_id: id, factor_id: f1 });
      assert.equal(removeActive.body.error.status, 400);
      assert.match(removeActive.text, /pause it first/);

      const paused = await mcp.callTool("pause_portfolio", { portfolio_id: id });
      assert.equal(paused.body.status, "paused");
      assert.deepEqual(paused.body, await http(w, "GET", `${P}/${id}`, a.token));
      const resumed = await mcp.callTool("resume_portfolio", { portfolio_id: id });
      assert.equal(resumed.body.status, "active");
      assert.deepEqual(resumed.body, await http(w, "GET", `${P}/${id}`, a.token));
      await mcp.callTool("pause_portfolio", { portfolio_id: id });
      const removed = await mcp.callTool("remove_portfolio_member", { portfolio_id: id, factor_id: f2 });
      assert.deepEqual(removed.body.members.map((m: { factor_id: string }) => m.factor_id), [f1]);
      assert.deepEqual(removed.body, await http(w, "GET", `${P}/${id}`, a.token));

      const deleted = await mcp.callTool("delete_portfolio", { portfolio_id: id });
      assert.deepEqual(deleted.body, { deleted: true, id, retired_strategy: active.body.strategy_slug });
      const gone = await mcp.callTool("delete_portfolio", { portfolio_id: id });
      assert.equal(gone.body.error.status, 404);
      await http(w, "GET", `${P}/${id}`, a.token, 404);
    } finally {
      await mcp.close();
    }
  }));

Deno.test("mcp portfolio tools: bad arguments are a 422 naming the field; another user's portfolio is a 404", () =>
  withServed(async (w, url) => {
    const a = await signIn(w, "mcp-pf-a@example.com");
    const b = await signIn(w, "mcp-pf-b@example.com");
    const [f1] = await twoFactors(w, a.id);
    const res = await w.request("POST", P, { token: a.token, json: { name: "mine", universe: "hs300" } });
    const id = (await res.json()).id as string;
    const ma = await connectMcp(url, a.token);
    const mb = await connectMcp(url, b.token);
    try {
      const bad = async (name: string, args: Record<string, unknown>, loc: (string | number)[]) => {
        const r = await ma.callTool(name, args);
        assert.equal(r.isError, true, `${name} ${JSON.stringify(args)}`);
        assert.equal(r.body.error.status, 422);
        assert.ok(
          r.body.error.detail.some((d: { loc: unknown[] }) => JSON.stringify(d.loc) === JSON.stringify(loc)),
          r.text,
        );
        assert.match(r.text, new RegExp(loc.join("\\.")));
      };
      await bad("create_portfolio", { name: "x", universe: "csi2000" }, ["universe"]);
      await bad("create_portfolio", { name: "x" }, ["universe"]);
      await bad("create_portfolio", { name: "", universe: "hs300" }, ["name"]);
      await bad("create_portfolio", { name: "x", universe: "hs300", top_n: 10.5 }, ["top_n"]);
      await bad("create_portfolio", { name: "x", universe: "hs300", weighting: "cap" }, ["weighting"]);
      await bad("create_portfolio", { name: "x", universe: "hs300", extra: 1 }, ["extra"]);
      if (MAX_SIGNAL_SYMBOLS < 500) {
        // Refused by the operation itself (not the schema): still located at the argument.
        await bad("create_portfolio", { name: "x", universe: "hs300", top_n: MAX_SIGNAL_SYMBOLS + 1 }, [
          "top_n",
        ]);
      }
      await bad("get_portfolio", {}, ["portfolio_id"]);
      await bad("list_portfolios", { limit: 0 }, ["limit"]);
      await bad("list_portfolio_signals", { portfolio_id: id, limit: "5" }, ["limit"]);
      await bad("add_portfolio_member", { portfolio_id: id }, ["factor_id"]);

      for (
        const [name, args] of [
          ["get_portfolio", { portfolio_id: id }],
          ["delete_portfolio", { portfolio_id: id }],
          ["add_portfolio_member", { portfolio_id: id, factor_id: f1 }],
          ["remove_portfolio_member", { portfolio_id: id, factor_id: f1 }],
          ["activate_portfolio", { portfolio_id: id }],
          ["pause_portfolio", { portfolio_id: id }],
          ["resume_portfolio", { portfolio_id: id }],
          ["list_portfolio_signals", { portfolio_id: id }],
        ] as const
      ) {
        const r = await mb.callTool(name, args);
        assert.equal(r.body.error?.status, 404, `${name}: ${r.text}`);
        assert.match(r.text, /list_portfolios/);
      }
      // Someone else's factor is not found either.
      const [theirs] = await twoFactors(w, b.id);
      const r = await ma.callTool("add_portfolio_member", { portfolio_id: id, factor_id: theirs });
      assert.equal(r.body.error.status, 404);
      assert.equal((await http(w, "GET", `${P}/${id}`, a.token)).members.length, 0);
    } finally {
      await ma.close();
      await mb.close();
    }
  }));

Deno.test("mcp portfolio tools: annotations (destructive, idempotent, read-only) and no anonymous access", () =>
  withServed(async (_w, url) => {
    const anon = await connectMcp(url);
    try {
      const { tools } = await anon.client.listTools();
      const hints = hintsOf(tools);
      for (const name of ["delete_portfolio", "remove_portfolio_member"]) {
        assert.equal(hints(name).destructiveHint, true, name);
      }
      assert.equal(hints("create_portfolio").idempotentHint, false);
      assert.equal(hints("create_portfolio").destructiveHint, false);
      for (const name of ["list_portfolios", "get_portfolio", "list_portfolio_signals"]) {
        assert.equal(hints(name).readOnlyHint, true, name);
      }
      for (
        const name of ["activate_portfolio", "pause_portfolio", "resume_portfolio", "add_portfolio_member"]
      ) {
        assert.equal(hints(name).readOnlyHint, false, name);
        assert.equal(hints(name).destructiveHint, false, name);
      }
      const desc = tools.find((t: { name: string }) => t.name === "create_portfolio")!.description!;
      assert.match(desc, /z-scored/);
      assert.match(
        tools.find((t: { name: string }) => t.name === "activate_portfolio")!.description!,
        /09:00 Asia\/Shanghai/,
      );
      const refused = await anon.callTool("list_portfolios", {});
      assert.equal(refused.body.error.status, 401);
    } finally {
      await anon.close();
    }
  }));
