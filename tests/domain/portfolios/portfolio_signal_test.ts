/**
 * Portfolio operations on the real services: what a run records (constant members, IC weights falling back,
 * symbols outside the universe or not stocks never selected, a member that stopped being active, a retired
 * strategy), slugs of unusual names, and concurrent activations creating one strategy.
 */
import assert from "node:assert/strict";
import { createPortfolio } from "../../../domain/portfolios/portfolio_crud.ts";
import { activatePortfolio } from "../../../domain/portfolios/portfolio_lifecycle.ts";
import { addPortfolioMember } from "../../../domain/portfolios/portfolio_members.ts";
import { runPortfolioSignals } from "../../../domain/portfolios/portfolio_job.ts";
import type { PortfolioView } from "../../../domain/portfolios/portfolio_views.ts";
import { patchTracked } from "../../../domain/track_record/signals/tracked_strategies.ts";
import { openTestWorld, type TestWorld } from "../../_helpers/test_app.ts";
import { cstOn, DAY, pseudoValues, seedFactor, signIn, universeStocks } from "./portfolio_fixtures.ts";

/** The factor date of DAY (the trading day before it). */
const FACTOR_DATE = "2026-05-13";

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

/** A portfolio of `owner` with the given factor ids as members (top_n 5 unless said). */
async function portfolioOf(
  w: TestWorld,
  owner: string,
  factorIds: string[],
  opts: { name?: string; weighting?: "equal" | "ic_weighted"; top_n?: number } = {},
): Promise<PortfolioView> {
  const deps = w.deps.portfolios;
  const p = await createPortfolio(deps, owner, {
    name: opts.name ?? "p",
    universe: "hs300",
    weighting: opts.weighting ?? "equal",
    top_n: opts.top_n ?? 5,
  });
  for (const f of factorIds) await addPortfolioMember(deps, owner, p.id, f);
  return p;
}

Deno.test("a constant member and all-zero IC IRs are noted in the run; only universe stocks are selected", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(DAY, "08:00"));
    const u = await signIn(w, "pf-notes@example.com");
    const stocks = await universeStocks(w, "hs300");
    // Outsiders with the highest values in every member: an index, a csi500 stock, a made-up symbol.
    const csi500 = (await universeStocks(w, "csi500"))[0];
    const outsiders = ["000300.SH", csi500, "999999.SH"];
    const symbols = [...stocks, ...outsiders];
    const top = (v: Float64Array) => Float64Array.from(v, (x, i) => (i >= stocks.length ? 100 : x));
    const f1 = await seedFactor(w, u.id, {
      ic_ir: 0,
      values: [{ date: FACTOR_DATE, symbols, values: top(pseudoValues(symbols, 5)) }],
    });
    const f2 = await seedFactor(w, u.id, {
      ic_ir: null,
      values: [{ date: FACTOR_DATE, symbols, values: top(pseudoValues(symbols, 6)) }],
    });
    const flat = await seedFactor(w, u.id, {
      ic_ir: 0,
      values: [{ date: FACTOR_DATE, symbols: stocks, values: new Float64Array(stocks.length).fill(3) }],
    });
    const p = await portfolioOf(w, u.id, [f1, f2, flat], { weighting: "ic_weighted" });
    const view = await activatePortfolio(w.deps.portfolios, { id: u.id, tier: "free" }, p.id);
    const run = view.last_run!;
    assert.equal(run.status, "submitted", run.error ?? "");
    assert.ok(run.notes.some((n) => /equal weights used/.test(n)), run.notes.join("; "));
    assert.ok(run.notes.some((n) => new RegExp(`member ${flat} has a constant cross-section`).test(n)));
    const signal = await w.deps.track.signals.get(view.strategy_slug!, DAY);
    assert.equal(signal!.signals.length, 5);
    assert.ok(signal!.signals.every((s) => stocks.includes(s.symbol) && !outsiders.includes(s.symbol)));
  }));

Deno.test("a member that stopped being active fails the run with its reason (no signal)", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(FACTOR_DATE, "10:00"));
    const u = await signIn(w, "pf-inactive@example.com");
    const stocks = await universeStocks(w, "hs300");
    const f1 = await seedFactor(w, u.id, {
      values: [{ date: FACTOR_DATE, symbols: stocks, values: pseudoValues(stocks, 1) }],
    });
    const f2 = await seedFactor(w, u.id, {
      name: "gone stale",
      values: [{ date: FACTOR_DATE, symbols: stocks, values: pseudoValues(stocks, 2) }],
    });
    const p = await portfolioOf(w, u.id, [f1, f2]);
    await activatePortfolio(w.deps.portfolios, { id: u.id, tier: "free" }, p.id);
    await w.deps.portfolios.factors.factors.update(f2, (r) => ({ ...r, status: "rejected" }));
    w.clock.set(cstOn(DAY, "09:00"));
    const r = await runPortfolioSignals(w.deps.portfolios, w.clock.now());
    assert.equal(r.failed.length, 1);
    assert.match(r.failed[0].error, /member factor "gone stale" .* is rejected, not active/);
  }));

Deno.test("a retired strategy fails the run with the track record's refusal", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(FACTOR_DATE, "10:00"));
    const u = await signIn(w, "pf-retired@example.com");
    const stocks = await universeStocks(w, "hs300");
    const ids = [
      await seedFactor(w, u.id, {
        values: [{ date: FACTOR_DATE, symbols: stocks, values: pseudoValues(stocks, 1) }],
      }),
      await seedFactor(w, u.id, {
        values: [{ date: FACTOR_DATE, symbols: stocks, values: pseudoValues(stocks, 2) }],
      }),
    ];
    const p = await portfolioOf(w, u.id, ids);
    const v = await activatePortfolio(w.deps.portfolios, { id: u.id, tier: "free" }, p.id);
    await patchTracked(w.deps.track, u.id, v.strategy_slug!, { status: "retired" }, { managedBy: v.id });
    w.clock.set(cstOn(DAY, "09:00"));
    const r = await runPortfolioSignals(w.deps.portfolios, w.clock.now());
    assert.match(r.failed[0].error, /is retired: signals are accepted when pending or active/);
  }));

Deno.test("slugs: names without a–z/0–9 become 'portfolio'; long names are cut to fit the slug rule", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(DAY, "10:00"));
    const u = await signIn(w, "pf-slug@example.com");
    const stocks = await universeStocks(w, "hs300");
    const ids = [
      await seedFactor(w, u.id, {
        values: [{ date: FACTOR_DATE, symbols: stocks, values: pseudoValues(stocks, 1) }],
      }),
      await seedFactor(w, u.id, {
        values: [{ date: FACTOR_DATE, symbols: stocks, values: pseudoValues(stocks, 2) }],
      }),
    ];
    for (
      const [name, part] of [["动量价值", "portfolio"], [
        "--A very long name " + "x".repeat(80),
        null,
      ]] as const
    ) {
      const p = await portfolioOf(w, u.id, ids, { name });
      const v = await activatePortfolio(w.deps.portfolios, { id: u.id, tier: "licensed" }, p.id);
      const slug = v.strategy_slug!;
      assert.match(slug, /^[a-z0-9][a-z0-9_-]{2,48}$/);
      assert.ok(slug.endsWith(p.id.toLowerCase().replace(/[^a-z0-9]/g, "").slice(-6)));
      if (part) assert.ok(slug.startsWith(`mf-${part}-`));
      else assert.ok(slug.startsWith("mf-a-very-long-name-x"));
    }
  }));

Deno.test("two concurrent activations create one strategy: one answers active, the other 400", () =>
  withWorld(async (w) => {
    w.clock.set(cstOn(DAY, "10:00"));
    const u = await signIn(w, "pf-race@example.com");
    const stocks = await universeStocks(w, "hs300");
    const ids = [
      await seedFactor(w, u.id, {
        values: [{ date: FACTOR_DATE, symbols: stocks, values: pseudoValues(stocks, 1) }],
      }),
      await seedFactor(w, u.id, {
        values: [{ date: FACTOR_DATE, symbols: stocks, values: pseudoValues(stocks, 2) }],
      }),
    ];
    const p = await portfolioOf(w, u.id, ids);
    const actor = { id: u.id, tier: "free" as const };
    const results = await Promise.allSettled([
      activatePortfolio(w.deps.portfolios, actor, p.id),
      activatePortfolio(w.deps.portfolios, actor, p.id),
    ]);
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    const refused = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
    assert.match(String(refused.reason), /it is active/);
    const mine = await w.deps.track.strategies.listByOwner(u.id);
    assert.equal(mine.length, 1);
  }));
