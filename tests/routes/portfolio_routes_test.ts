/**
 * `/api/v1/portfolios*`: create (defaults, 422s), list (newest first, paged), detail, members (ownership, status,
 * universe, duplicates, not while active), lifecycle (activate → the mf- strategy, pause, resume, wrong states),
 * delete (draft/paused; the strategy retired), signals history, another user's objects as 404, the tier limit.
 * Factors are seeded active with values through the factor repository.
 */
import assert from "node:assert/strict";
import { MAX_PORTFOLIO_MEMBERS } from "../../domain/store/portfolio_repo.ts";
import { MAX_SIGNAL_SYMBOLS } from "../../domain/track_record/signals/signals.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";
import {
  cstOn,
  DAY,
  pseudoValues,
  seedFactor,
  signIn,
  sse,
  universeStocks,
} from "../domain/portfolios/portfolio_fixtures.ts";

const P = "/api/v1/portfolios";

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** Two active hs300 factors of `ownerId` with values on the day before DAY. */
async function twoFactors(w: TestWorld, ownerId: string): Promise<[string, string]> {
  const symbols = await universeStocks(w, "hs300");
  const on = (seed: number) => [{ date: "2026-05-13", symbols, values: pseudoValues(symbols, seed) }];
  return [
    await seedFactor(w, ownerId, { name: "reversal", values: on(11) }),
    await seedFactor(w, ownerId, { name: "value", values: on(29), ic_ir: -1.5 }),
  ];
}

async function json(res: Response, status: number) {
  const text = await res.text();
  assert.equal(res.status, status, text);
  return JSON.parse(text);
}

Deno.test("POST /portfolios: 201 with defaults; 422 for unknown fields, bad names, universes and top_n", () =>
  withWorld(async (w) => {
    const { token } = await signIn(w, "pf-create@example.com");
    const p = await json(
      await w.request("POST", P, { token, json: { name: "momentum_value", universe: "hs300" } }),
      201,
    );
    assert.equal(p.status, "draft");
    assert.equal(p.weighting, "equal");
    assert.equal(p.top_n, 50);
    assert.deepEqual(p.members, []);
    assert.equal(p.strategy, null);
    assert.equal(p.last_run, null);
    assert.match(p.id, /^pf_/);
    const bad = async (body: unknown, loc: string) => {
      const r = await json(await w.request("POST", P, { token, json: body }), 422);
      assert.ok(r.detail.some((d: { loc: string[] }) => d.loc.join(".") === loc), JSON.stringify(r));
    };
    await bad({ name: "x", universe: "hs300", extra: 1 }, "body.extra");
    await bad({ name: "", universe: "hs300" }, "body.name");
    await bad({ name: "a\u0007b", universe: "hs300" }, "body.name");
    await bad({ name: "x".repeat(101), universe: "hs300" }, "body.name");
    await bad({ name: "x", universe: "csi2000" }, "body.universe");
    await bad({ name: "x" }, "body.universe");
    await bad({ name: "x", universe: "hs300", weighting: "cap" }, "body.weighting");
    await bad({ name: "x", universe: "hs300", top_n: 4 }, "body.top_n");
    await bad({ name: "x", universe: "hs300", top_n: 501 }, "body.top_n");
    await bad({ name: "x", universe: "hs300", top_n: 10.5 }, "body.top_n");
    // Above the per-signal symbol limit (MAX_SIGNAL_SYMBOLS, 100 on main): such a portfolio could never submit.
    if (MAX_SIGNAL_SYMBOLS < 500) {
      await bad({ name: "x", universe: "hs300", top_n: MAX_SIGNAL_SYMBOLS + 1 }, "body.top_n");
    }
    const ic = await json(
      await w.request("POST", P, {
        token,
        json: { name: "b", universe: "csi500", weighting: "ic_weighted", top_n: 100 },
      }),
      201,
    );
    assert.equal(ic.weighting, "ic_weighted");
    assert.equal(ic.top_n, 100);
  }));

Deno.test("GET /portfolios lists mine newest first with limit/offset; another user's portfolio is 404", () =>
  withWorld(async (w) => {
    const a = await signIn(w, "pf-a@example.com");
    const b = await signIn(w, "pf-b@example.com");
    const ids: string[] = [];
    for (const name of ["one", "two", "three"]) {
      w.clock.advance(1000);
      ids.push(
        (await json(await w.request("POST", P, { token: a.token, json: { name, universe: "hs300" } }), 201))
          .id,
      );
    }
    const all = await json(await w.request("GET", P, { token: a.token }), 200);
    assert.deepEqual(all.portfolios.map((p: { name: string }) => p.name), ["three", "two", "one"]);
    assert.equal(all.total, 3);
    const page = await json(await w.request("GET", `${P}?limit=1&offset=1`, { token: a.token }), 200);
    assert.deepEqual(page.portfolios.map((p: { name: string }) => p.name), ["two"]);
    assert.equal(page.limit, 1);
    assert.equal(page.offset, 1);
    await json(await w.request("GET", `${P}?limit=0`, { token: a.token }), 422);
    assert.equal((await json(await w.request("GET", P, { token: b.token }), 200)).total, 0);
    await json(await w.request("GET", `${P}/${ids[0]}`, { token: b.token }), 404);
    await json(await w.request("DELETE", `${P}/${ids[0]}`, { token: b.token }), 404);
    await json(await w.request("POST", `${P}/${ids[0]}/activate`, { token: b.token }), 404);
    await json(await w.request("GET", `${P}/${ids[0]}/signals`, { token: b.token }), 404);
    await json(await w.request("GET", `${P}/nope`, { token: a.token }), 404);
    await json(await w.request("GET", P), 401);
  }));

Deno.test("members: ownership 404, inactive 400, other universe 400, duplicate 409, weights shown", () =>
  withWorld(async (w) => {
    const a = await signIn(w, "pf-m@example.com");
    const b = await signIn(w, "pf-m2@example.com");
    const [f1, f2] = await twoFactors(w, a.id);
    const [theirs] = await twoFactors(w, b.id);
    const draftFactor = await seedFactor(w, a.id, { status: "ready", values: [] });
    const csi = await seedFactor(w, a.id, { universe: "csi500", values: [] });
    const p = await json(
      await w.request("POST", P, {
        token: a.token,
        json: { name: "mv", universe: "hs300", weighting: "ic_weighted" },
      }),
      201,
    );
    const add = (factor_id: string, token = a.token) =>
      w.request("POST", `${P}/${p.id}/members`, { token, json: { factor_id } });
    const theirsRes = await json(await add(theirs), 404);
    assert.match(theirsRes.detail, /not found/);
    await json(await add("fac_missing"), 404);
    assert.match((await json(await add(draftFactor), 400)).detail, /ready: only active factors/);
    assert.match((await json(await add(csi), 400)).detail, /universes must match/);
    await json(await add(f1, b.token), 404);
    await json(
      await w.request("POST", `${P}/${p.id}/members`, { token: a.token, json: { factor_id: f1, x: 1 } }),
      422,
    );
    await json(await add(f1), 200);
    assert.match((await json(await add(f1), 409)).detail, /already a member/);
    const view = await json(await add(f2), 200);
    // ic_weighted: |0.5| and |−1.5| over 2.
    assert.deepEqual(view.members.map((m: { weight: number }) => m.weight), [0.25, 0.75]);
    assert.deepEqual(view.members.map((m: { name: string }) => m.name), ["reversal", "value"]);
    assert.equal(view.members[0].status, "active");
    assert.equal(view.members[1].ic_ir, -1.5);
    await json(await w.request("DELETE", `${P}/${p.id}/members/${csi}`, { token: a.token }), 404);
    const removed = await json(
      await w.request("DELETE", `${P}/${p.id}/members/${f2}`, { token: a.token }),
      200,
    );
    assert.deepEqual(removed.members.map((m: { factor_id: string }) => m.factor_id), [f1]);
    assert.equal(MAX_PORTFOLIO_MEMBERS, 20);
  }));

Deno.test("lifecycle: activate (≥ 2 members) binds the mf- strategy; pause, resume; wrong states are 400", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(DAY, "10:00")); // after the deadline: no immediate signal here
    const a = await signIn(w, "pf-life@example.com");
    const [f1, f2] = await twoFactors(w, a.id);
    const p = await json(
      await w.request("POST", P, { token: a.token, json: { name: "Momentum & Value!", universe: "hs300" } }),
      201,
    );
    const act = () => w.request("POST", `${P}/${p.id}/activate`, { token: a.token });
    await json(
      await w.request("POST", `${P}/${p.id}/members`, { token: a.token, json: { factor_id: f1 } }),
      200,
    );
    assert.match((await json(await act(), 400)).detail, /1 member factors: at least 2/);
    assert.match(
      (await json(await w.request("POST", `${P}/${p.id}/pause`, { token: a.token }), 400)).detail,
      /it is draft/,
    );
    assert.match(
      (await json(await w.request("POST", `${P}/${p.id}/resume`, { token: a.token }), 400)).detail,
      /it is draft/,
    );
    await json(
      await w.request("POST", `${P}/${p.id}/members`, { token: a.token, json: { factor_id: f2 } }),
      200,
    );
    const active = await json(await act(), 200);
    assert.equal(active.status, "active");
    const six = p.id.toLowerCase().replace(/[^a-z0-9]/g, "").slice(-6);
    assert.equal(active.strategy_slug, `mf-momentum-value-${six}`);
    assert.match(active.strategy_slug, /^[a-z0-9][a-z0-9_-]{2,48}$/);
    assert.deepEqual(active.strategy, {
      slug: active.strategy_slug,
      status: "pending",
      execution_price: "open",
      start_date: null,
    });
    assert.equal(active.last_run, null); // after 09:15: nothing submitted today
    const s = await json(
      await w.request("GET", `/api/v1/strategies/${active.strategy_slug}`, { token: a.token }),
      200,
    );
    assert.equal(s.execution_price, "open");
    assert.equal(s.holding_period, 1);
    assert.equal(s.universe, "hs300");
    assert.equal(s.initial_capital, 1_000_000);
    assert.equal(s.commission_rate, 0.0003);
    assert.equal(s.slippage_rate, 0.002);
    assert.match((await json(await act(), 400)).detail, /it is active/);
    assert.match(
      (await json(await w.request("POST", `${P}/${p.id}/resume`, { token: a.token }), 400)).detail,
      /already active/,
    );
    const pauseFirst = await json(
      await w.request("POST", `${P}/${p.id}/members`, { token: a.token, json: { factor_id: f1 } }),
      400,
    );
    assert.match(pauseFirst.detail, /pause it first/);
    await json(await w.request("DELETE", `${P}/${p.id}/members/${f1}`, { token: a.token }), 400);
    assert.match(
      (await json(await w.request("DELETE", `${P}/${p.id}`, { token: a.token }), 400)).detail,
      /pause it/,
    );
    const paused = await json(await w.request("POST", `${P}/${p.id}/pause`, { token: a.token }), 200);
    assert.equal(paused.status, "paused");
    assert.ok(paused.paused_at);
    assert.match((await json(await act(), 400)).detail, /it is paused.*use resume/);
    const resumed = await json(await w.request("POST", `${P}/${p.id}/resume`, { token: a.token }), 200);
    assert.equal(resumed.status, "active");
    assert.equal(resumed.strategy_slug, active.strategy_slug);
    const page = await json(await w.request("GET", `${P}/${p.id}/signals`, { token: a.token }), 200);
    assert.deepEqual(page.signals, []);
    assert.equal(page.limit, 30);
    assert.ok(page.conventions.factor_date.includes("delay 1"));
  }));

Deno.test("the mf- strategy is platform-managed: no owner signals, withdrawals or status changes; mf- slugs reserved", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(DAY, "10:00"));
    const a = await signIn(w, "pf-managed@example.com");
    const taken = await json(
      await w.request("POST", "/api/v1/strategies", {
        token: a.token,
        json: { name: "mine", slug: "mf-mine-abcdef", universe: "hs300" },
      }),
      422,
    );
    assert.deepEqual(taken.detail[0].loc, ["body", "slug"]);
    assert.match(taken.detail[0].msg, /reserved for multi-factor portfolios/);
    const [f1, f2] = await twoFactors(w, a.id);
    const p = await json(
      await w.request("POST", P, { token: a.token, json: { name: "m", universe: "hs300" } }),
      201,
    );
    for (const factor_id of [f1, f2]) {
      await json(
        await w.request("POST", `${P}/${p.id}/members`, { token: a.token, json: { factor_id } }),
        200,
      );
    }
    const slug = (await json(await w.request("POST", `${P}/${p.id}/activate`, { token: a.token }), 200))
      .strategy_slug;
    const S = `/api/v1/strategies/${slug}`;
    const symbols = await universeStocks(w, "hs300");
    const next = sse.nextTradingDay(DAY);
    const refused = await json(
      await w.request("POST", `${S}/signals`, {
        token: a.token,
        json: { trade_date: next, signals: [{ symbol: symbols[0], weight: 1 }] },
      }),
      400,
    );
    assert.match(refused.detail, new RegExp(`managed by portfolio ${p.id}.*generated by the platform`));
    assert.match(
      (await json(await w.request("DELETE", `${S}/signals/${next}`, { token: a.token }), 400)).detail,
      /managed by portfolio/,
    );
    assert.match(
      (await json(await w.request("PATCH", S, { token: a.token, json: { status: "retired" } }), 400)).detail,
      /managed by portfolio/,
    );
    assert.match(
      (await json(await w.request("DELETE", S, { token: a.token }), 400)).detail,
      /managed by portfolio/,
    );
    const renamed = await json(
      await w.request("PATCH", S, { token: a.token, json: { name: "renamed" } }),
      200,
    );
    assert.equal(renamed.name, "renamed");
    assert.equal(renamed.status, "pending");
    assert.equal(renamed.managed_by, p.id);
  }));

Deno.test("delete: a draft goes; a paused one retires its strategy (the public record keeps it)", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(DAY, "10:00"));
    const a = await signIn(w, "pf-del@example.com");
    const [f1, f2] = await twoFactors(w, a.id);
    const draft = await json(
      await w.request("POST", P, { token: a.token, json: { name: "d", universe: "hs300" } }),
      201,
    );
    assert.deepEqual(await json(await w.request("DELETE", `${P}/${draft.id}`, { token: a.token }), 200), {
      deleted: true,
      id: draft.id,
      retired_strategy: null,
    });
    await json(await w.request("GET", `${P}/${draft.id}`, { token: a.token }), 404);
    const p = await json(
      await w.request("POST", P, { token: a.token, json: { name: "e", universe: "hs300" } }),
      201,
    );
    for (const factor_id of [f1, f2]) {
      await json(
        await w.request("POST", `${P}/${p.id}/members`, { token: a.token, json: { factor_id } }),
        200,
      );
    }
    const slug =
      (await json(await w.request("POST", `${P}/${p.id}/activate`, { token: a.token }), 200)).strategy_slug;
    await json(await w.request("POST", `${P}/${p.id}/pause`, { token: a.token }), 200);
    const gone = await json(await w.request("DELETE", `${P}/${p.id}`, { token: a.token }), 200);
    assert.deepEqual(gone, { deleted: true, id: p.id, retired_strategy: slug });
    const s = await json(await w.request("GET", `/api/v1/strategies/${slug}`, { token: a.token }), 200);
    assert.equal(s.status, "retired");
    assert.equal((await json(await w.request("GET", P, { token: a.token }), 200)).total, 0);
  }));

Deno.test("activation counts against the tier's strategy limit (free: 3) and says so with 403", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(DAY, "10:00"));
    const a = await signIn(w, "pf-tier@example.com");
    const [f1, f2] = await twoFactors(w, a.id);
    for (const slug of ["own-1", "own-2", "own-3"]) {
      await json(
        await w.request("POST", "/api/v1/strategies", { token: a.token, json: { name: slug, slug } }),
        201,
      );
    }
    const p = await json(
      await w.request("POST", P, { token: a.token, json: { name: "t", universe: "hs300" } }),
      201,
    );
    for (const factor_id of [f1, f2]) {
      await json(
        await w.request("POST", `${P}/${p.id}/members`, { token: a.token, json: { factor_id } }),
        200,
      );
    }
    const r = await json(await w.request("POST", `${P}/${p.id}/activate`, { token: a.token }), 403);
    assert.match(r.detail, /Strategy limit reached/);
    const still = await json(await w.request("GET", `${P}/${p.id}`, { token: a.token }), 200);
    assert.equal(still.status, "draft");
    assert.equal(still.strategy_slug, null);
  }));

Deno.test("activation refuses a member that stopped being active", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(DAY, "10:00"));
    const a = await signIn(w, "pf-stale@example.com");
    const [f1, f2] = await twoFactors(w, a.id);
    const p = await json(
      await w.request("POST", P, { token: a.token, json: { name: "s", universe: "hs300" } }),
      201,
    );
    for (const factor_id of [f1, f2]) {
      await json(
        await w.request("POST", `${P}/${p.id}/members`, { token: a.token, json: { factor_id } }),
        200,
      );
    }
    await w.deps.portfolios.factors.factors.update(f2, (r) => ({ ...r, status: "rejected" }));
    const r = await json(await w.request("POST", `${P}/${p.id}/activate`, { token: a.token }), 400);
    assert.match(r.detail, /is rejected: every member must be active/);
    const view = await json(await w.request("GET", `${P}/${p.id}`, { token: a.token }), 200);
    assert.equal(view.members[1].status, "rejected");
  }));
