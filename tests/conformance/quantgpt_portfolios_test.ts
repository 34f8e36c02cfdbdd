/**
 * Conformance with the QuantGPT Cloud guide's "Multi-Factor Portfolio" section (the product document
 * `002_ff083b1df4fa4df6.txt`, version 0.5.0): every request example replayed as written at its path under
 * /api/v1 — create `{name, universe, weighting, top_n}`, the CRUD endpoints, members add/remove
 * (`{"factor_id": ...}`), activate / pause / resume, `signals?limit=30&offset=0`, delete — with the section's
 * validations and lifecycle refusals.
 *
 * The section shows no response bodies; it names what they contain ("detail (includes members + strategy
 * info)"; signals "including trade_date, stock_count, settlement status, and attestation status"). The shapes
 * asserted below are those fields plus Quantedge's (`domain/portfolios/portfolio_views.ts`), by name and JSON
 * type. Quantedge's choices where the document is silent (README compatibility table): a refused member or
 * lifecycle action is 400 with a string `detail`, a duplicate member 409, another user's factor 404; the list
 * answers `{portfolios, total, limit, offset}`; deleting a paused portfolio retires its strategy (its public
 * record stays).
 *
 * The member factors are uploaded and validated through the factor API first (the planted 20-day reversal and
 * book-to-price of the synthetic market, both `active`), with values through 2026-05-13 so that activating at
 * 09:00 CST on Thursday 2026-05-14 (the test world's clock) generates the immediate signal the section promises.
 */
import assert from "node:assert/strict";
import { assertDocumentShape } from "../_helpers/document_shape.ts";
import { guideAccount, type GuideClient, withGuideWorld } from "../_helpers/quantgpt_client.ts";
import { reversalEntries, type UploadEntry, valueEntries } from "../_helpers/planted_factor_values.ts";
import type { MarketData, UniverseName } from "../../domain/market/types.ts";

// ------------------------------------------------------------------ the document's examples, as written

/** "Create Portfolio" body. */
const CREATE_PORTFOLIO_BODY = { name: "momentum_value", universe: "hs300", weighting: "equal", top_n: 50 };

/** A member as shown (the section: "detail (includes members + strategy info)"). */
const MEMBER_SHAPE = {
  factor_id: "",
  name: "",
  status: "active",
  ic_mean: 0.03,
  ic_ir: 0.4,
  weight: 0.5,
  added_at: "",
};

/** A portfolio as answered: the create body's fields, members, the bound strategy, the lifecycle instants. */
const PORTFOLIO_SHAPE = {
  id: "",
  name: "momentum_value",
  universe: "hs300",
  weighting: "equal",
  top_n: 50,
  status: "draft",
  members: [MEMBER_SHAPE],
  strategy_slug: null,
  strategy: { slug: "mf-...", status: "active", execution_price: "open", start_date: "2026-05-14" },
  created_at: "",
  updated_at: "",
  activated_at: null,
  paused_at: null,
};

/** A generated signal (the section: "trade_date, stock_count, settlement status, and attestation status"). */
const SIGNALS_SHAPE = {
  signals: [{
    trade_date: "2026-05-14",
    stock_count: 50,
    is_settled: false,
    github_committed: false,
    attestation: { committed: false },
    signal_hash: "",
    submitted_at: "",
    signals: [{ symbol: "600519.SH", weight: 0.02 }],
  }],
  total: 1,
};

const assertPortfolio = (actual: unknown) =>
  assertDocumentShape(actual, PORTFOLIO_SHAPE, {
    nullAs: { strategy_slug: ["string"], activated_at: ["string"], paused_at: ["string"] },
    nullable: ["$.strategy", "$.members[].ic_mean", "$.members[].ic_ir", "$.members[].weight"],
  });

// ------------------------------------------------------------------ member factors through the factor API

/** Factor dates: through the day before the world's day, so the 09:00 signal of 2026-05-14 has values. */
const START = "2025-06-03", END = "2026-05-13";

const cache = new Map<string, Promise<UploadEntry[]>>();
function planted(market: MarketData, kind: "reversal" | "value", universe: UniverseName, end = END) {
  const key = `${kind}:${universe}:${end}`;
  if (!cache.has(key)) {
    cache.set(
      key,
      kind === "reversal"
        ? reversalEntries(market, universe, START, end)
        : valueEntries(market, universe, START, end),
    );
  }
  return cache.get(key)!;
}

/** A factor of `universe` with `entries` uploaded and submitted; `active` is asserted. */
async function activeFactor(c: GuideClient, name: string, universe: string, entries: UploadEntry[]) {
  const f = await c.call("POST", "/api/v1/factors", { name, universe });
  assert.equal(f.status, 201, JSON.stringify(f.body));
  const up = await c.call("POST", `/api/v1/factors/${f.body.id}/values`, { data: entries });
  assert.equal(up.status, 200, JSON.stringify(up.body).slice(0, 300));
  const sub = await c.call("POST", `/api/v1/factors/${f.body.id}/submit`);
  assert.equal(sub.status, 200, JSON.stringify(sub.body).slice(0, 300));
  assert.equal(sub.body.status, "active", `${name}: ${JSON.stringify(sub.body.checks)}`);
  return sub.body as { id: string; name: string; is: { ic_mean: number; ic_ir: number } };
}

/** The document's "Signal Generation Algorithm" steps 1-5, written out plainly. */
function topN(members: Record<string, number>[], weights: number[], n: number): string[] {
  const common = Object.keys(members[0]).filter((sym) => members.every((m) => Number.isFinite(m[sym])));
  const score = new Map(common.map((sym) => [sym, 0]));
  members.forEach((m, i) => {
    const xs = Object.values(m).filter(Number.isFinite);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    for (const sym of common) score.set(sym, score.get(sym)! + weights[i] * (m[sym] - mean) / sd);
  });
  return [...score].sort((a, b) => b[1] - a[1]).slice(0, n).map(([sym]) => sym);
}

const expectRefusal = (
  res: { status: number; body: Record<string, unknown> },
  status: number,
  why: string,
) => {
  assert.equal(res.status, status, `${why}: ${JSON.stringify(res.body)}`);
  assert.equal(typeof res.body.detail, "string", why);
};

// ------------------------------------------------------------------ the section, in order

Deno.test("QuantGPT Multi-Factor Portfolio: create → members → activate (immediate signal) → pause → resume → delete", () =>
  withGuideWorld(async (w) => {
    const c = await guideAccount(w);
    const market = w.deps.market.data;
    const momentum = await activeFactor(
      c,
      "reversal_20d",
      "hs300",
      await planted(market, "reversal", "hs300"),
    );
    const value = await activeFactor(c, "value_bp", "hs300", await planted(market, "value", "hs300"));
    const draftFactor = await c.call("POST", "/api/v1/factors", { name: "not_yet", universe: "hs300" });
    const csi500 = await activeFactor(
      c,
      "reversal_csi500",
      "csi500",
      await planted(market, "reversal", "csi500", "2025-12-31"),
    );

    // Create Portfolio: the document's body.
    const created = await c.call("POST", "/api/v1/portfolios", CREATE_PORTFOLIO_BODY);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assertPortfolio(created.body);
    const p = created.body;
    assert.deepEqual(
      [p.name, p.universe, p.weighting, p.top_n, p.status, p.members, p.strategy_slug, p.strategy],
      ["momentum_value", "hs300", "equal", 50, "draft", [], null, null],
    );
    const base = `/api/v1/portfolios/${p.id}`;

    // The table's defaults and ranges.
    const defaults = await c.call("POST", "/api/v1/portfolios", { name: "defaults", universe: "csi500" });
    assert.equal(defaults.status, 201);
    assert.deepEqual([defaults.body.weighting, defaults.body.top_n], ["equal", 50]);
    for (
      const bad of [{ top_n: 4 }, { top_n: 501 }, { weighting: "cap" }, { universe: "csi2000" }, { name: "" }]
    ) {
      const res = await c.call("POST", "/api/v1/portfolios", { ...CREATE_PORTFOLIO_BODY, ...bad });
      assert.equal(res.status, 422, JSON.stringify(bad));
      assert.ok(Array.isArray(res.body.detail));
    }

    // CRUD: list and detail.
    const list = await c.call("GET", "/api/v1/portfolios");
    assert.equal(list.status, 200);
    assert.deepEqual(
      new Set(list.body.portfolios.map((x: { id: string }) => x.id)),
      new Set([p.id, defaults.body.id]),
    );
    for (const item of list.body.portfolios) assertPortfolio(item);
    const detail = await c.call("GET", base);
    assert.equal(detail.status, 200);
    assertPortfolio(detail.body);

    // Activate requirements: at least 2 member factors.
    expectRefusal(await c.call("POST", `${base}/activate`), 400, "activate with no member");

    // Member Management and its validations.
    const add = (factor_id: string) => c.call("POST", `${base}/members`, { factor_id });
    const one = await add(momentum.id);
    assert.equal(one.status, 200, JSON.stringify(one.body));
    assertPortfolio(one.body);
    assert.deepEqual(one.body.members.map((m: { factor_id: string }) => m.factor_id), [momentum.id]);
    expectRefusal(await c.call("POST", `${base}/activate`), 400, "activate with 1 member");
    expectRefusal(await add(draftFactor.body.id), 400, "a member must be active");
    expectRefusal(await add(csi500.id), 400, "a member's universe must match");
    expectRefusal(await add(momentum.id), 409, "no duplicates");
    const stranger = await guideAccount(w, "10.7.0.9");
    const theirs = await stranger.call("POST", "/api/v1/factors", { name: "theirs", universe: "hs300" });
    expectRefusal(await add(theirs.body.id), 404, "another user's factor");
    expectRefusal(await add("no-such-factor"), 404, "an unknown factor");
    const two = await add(value.id);
    assert.equal(two.status, 200);
    assertPortfolio(two.body);
    assert.deepEqual(
      two.body.members.map((m: { weight: number }) => m.weight),
      [0.5, 0.5],
      "equal = 1/N each",
    );
    const m0 = two.body.members[0];
    assert.deepEqual([m0.name, m0.status, m0.ic_mean, m0.ic_ir], [
      momentum.name,
      "active",
      momentum.is.ic_mean,
      momentum.is.ic_ir,
    ]);
    // Remove, then add back.
    const removed = await c.call("DELETE", `${base}/members/${value.id}`);
    assert.equal(removed.status, 200);
    assert.equal(removed.body.members.length, 1);
    expectRefusal(await c.call("DELETE", `${base}/members/${value.id}`), 404, "not a member");
    assert.equal((await add(value.id)).status, 200);

    // Lifecycle: draft → active. Creates the strategy (slug mf-…, execution_price open); 09:00 CST on a trading
    // day is before 09:15, so a signal is generated at once.
    expectRefusal(await c.call("POST", `${base}/pause`), 400, "pause a draft");
    expectRefusal(await c.call("POST", `${base}/resume`), 400, "resume a draft");
    const active = await c.call("POST", `${base}/activate`);
    assert.equal(active.status, 200, JSON.stringify(active.body));
    assertPortfolio(active.body);
    assert.equal(active.body.status, "active");
    assert.match(active.body.strategy_slug, /^mf-[a-z0-9-]+$/);
    assert.deepEqual(
      [active.body.strategy.slug, active.body.strategy.execution_price],
      [active.body.strategy_slug, "open"],
    );
    assert.equal(typeof active.body.activated_at, "string");
    const strategy = await c.call("GET", `/api/v1/strategies/${active.body.strategy_slug}`);
    assert.equal(strategy.status, 200);
    assert.equal(strategy.body.execution_price, "open");
    expectRefusal(await c.call("POST", `${base}/activate`), 400, "activate an active portfolio");
    expectRefusal(await c.call("POST", `${base}/resume`), 400, "resume an active portfolio");

    // Signal History.
    const signals = await c.call("GET", `${base}/signals?limit=30&offset=0`);
    assert.equal(signals.status, 200, JSON.stringify(signals.body));
    assertDocumentShape(signals.body, SIGNALS_SHAPE);
    assert.equal(signals.body.signals.length, 1, "the immediate signal of 2026-05-14");
    const s = signals.body.signals[0];
    assert.deepEqual([s.trade_date, s.stock_count, s.signals.length, s.is_settled], [
      "2026-05-14",
      50,
      50,
      false,
    ]);
    for (const x of s.signals) assert.ok(Math.abs(x.weight - 1 / 50) < 1e-12, "1/top_n per stock");
    const hs300 = new Set(await market.getUniverse("hs300"));
    assert.ok(s.signals.every((x: { symbol: string }) => hs300.has(x.symbol)));
    // The section's algorithm, recomputed from the uploaded values of 2026-05-13 (delay 1): z-scores with the
    // sample std, equal weights, the intersection of the members, the top 50 by combined score.
    const expected = topN(
      [
        (await planted(market, "reversal", "hs300")).find((e) => e.date === "2026-05-13")!.values,
        (await planted(market, "value", "hs300")).find((e) => e.date === "2026-05-13")!.values,
      ],
      [0.5, 0.5],
      50,
    );
    assert.deepEqual(new Set(s.signals.map((x: { symbol: string }) => x.symbol)), new Set(expected));
    // It is the bound strategy's signal, as GET /strategies/{slug}/signals shows it.
    const strategySignals = await c.call(
      "GET",
      `/api/v1/strategies/${active.body.strategy_slug}/signals?limit=30&offset=0`,
    );
    assert.equal(strategySignals.body.signals[0].signal_hash, s.signal_hash);

    // Cannot modify members while active (pause first); an active portfolio cannot be deleted.
    expectRefusal(await add(csi500.id), 400, "add while active");
    expectRefusal(await c.call("DELETE", `${base}/members/${value.id}`), 400, "remove while active");
    expectRefusal(await c.call("DELETE", base), 400, "delete an active portfolio");

    // active → paused → active (resume) → paused → deleted.
    const paused = await c.call("POST", `${base}/pause`);
    assert.equal(paused.status, 200);
    assertPortfolio(paused.body);
    assert.equal(paused.body.status, "paused");
    assert.equal(typeof paused.body.paused_at, "string");
    expectRefusal(await c.call("POST", `${base}/pause`), 400, "pause a paused portfolio");
    const resumed = await c.call("POST", `${base}/resume`);
    assert.equal(resumed.status, 200);
    assert.equal(resumed.body.status, "active");
    assert.equal(resumed.body.strategy_slug, active.body.strategy_slug, "the same strategy");
    assert.equal((await c.call("POST", `${base}/pause`)).status, 200);
    // While paused, members may change.
    const swapped = await c.call("DELETE", `${base}/members/${value.id}`);
    assert.equal(swapped.status, 200);
    const deleted = await c.call("DELETE", base);
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.deepEqual([deleted.body.deleted, deleted.body.id], [true, p.id]);
    assert.equal((await c.call("GET", base)).status, 404);
    // A draft portfolio can be deleted too; another user's cannot be seen.
    expectRefusal(
      await stranger.call("DELETE", `/api/v1/portfolios/${defaults.body.id}`),
      404,
      "another user's",
    );
    assert.equal((await c.call("DELETE", `/api/v1/portfolios/${defaults.body.id}`)).status, 200);
  }));

Deno.test("QuantGPT Multi-Factor Portfolio: ic_weighted members weigh |IC_IR| / sum(|IC_IR|)", () =>
  withGuideWorld(async (w) => {
    const c = await guideAccount(w);
    const market = w.deps.market.data;
    const a = await activeFactor(c, "reversal_20d", "hs300", await planted(market, "reversal", "hs300"));
    const b = await activeFactor(c, "value_bp", "hs300", await planted(market, "value", "hs300"));
    const p = await c.call("POST", "/api/v1/portfolios", {
      ...CREATE_PORTFOLIO_BODY,
      weighting: "ic_weighted",
      top_n: 5,
    });
    assert.equal(p.status, 201);
    await c.call("POST", `/api/v1/portfolios/${p.body.id}/members`, { factor_id: a.id });
    const both = await c.call("POST", `/api/v1/portfolios/${p.body.id}/members`, { factor_id: b.id });
    const sum = Math.abs(a.is.ic_ir) + Math.abs(b.is.ic_ir);
    const weights = both.body.members.map((m: { weight: number }) => m.weight);
    assert.ok(Math.abs(weights[0] - Math.abs(a.is.ic_ir) / sum) < 1e-12);
    assert.ok(Math.abs(weights[1] - Math.abs(b.is.ic_ir) / sum) < 1e-12);
    const active = await c.call("POST", `/api/v1/portfolios/${p.body.id}/activate`);
    assert.equal(active.status, 200);
    const signals = await c.call("GET", `/api/v1/portfolios/${p.body.id}/signals?limit=30&offset=0`);
    assert.deepEqual(signals.body.signals.map((s: { stock_count: number }) => s.stock_count), [5]);
    assert.ok(
      signals.body.signals[0].signals.every((x: { weight: number }) => Math.abs(x.weight - 0.2) < 1e-12),
    );
  }));
