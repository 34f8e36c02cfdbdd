/**
 * `/app/factors`, `/app/factors/:id`, `/app/portfolios`, `/app/portfolios/:id`: a formula factor validated through
 * the API shows its checks, IC table, yearly table and chart data; a portfolio shows its members with weights,
 * its lifecycle buttons and, once activated, its strategy and signals; other users' objects and unknown ids are
 * the 404 page; signed-out visitors are sent to sign in.
 */
import assert from "node:assert/strict";
import { getPage, pageToken, signInPage } from "../_helpers/page_session.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";
import { pseudoValues, seedFactor, universeStocks } from "../domain/portfolios/portfolio_fixtures.ts";

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

async function html(res: Response, status = 200): Promise<string> {
  const text = await res.text();
  assert.equal(res.status, status, text.slice(0, 500));
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  return text;
}

async function api(w: TestWorld, method: string, path: string, token: string, json?: unknown) {
  const res = await w.request(method, path, { token, json });
  const text = await res.text();
  assert.ok(res.status < 300, `${method} ${path}: ${res.status} ${text}`);
  return JSON.parse(text);
}

/** The page's embedded data. */
function pageData(page: string) {
  return JSON.parse(/<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(page)![1]);
}

/** The user id behind a page session (from the token the page's scripts get). */
async function userId(w: TestWorld, token: string): Promise<string> {
  return (await api(w, "GET", "/api/v1/auth/me", token)).id;
}

Deno.test("signed out, the factor and portfolio pages redirect to the sign-in page", () =>
  withWorld(async (w) => {
    for (const path of ["/app/factors", "/app/factors/f1", "/app/portfolios", "/app/portfolios/pf_1"]) {
      const res = await getPage(w, path);
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get("location"), `/app/sign-in?next=${encodeURIComponent(path)}`);
    }
  }));

Deno.test({
  name: "a validated formula factor shows its checks, IC table, yearly table and chart series",
  sanitizeResources: false,
  fn: () =>
    withWorld(async (w) => {
      const cookie = await signInPage(w, "factors@example.com");
      const token = await pageToken(w, cookie);
      const empty = await html(await getPage(w, "/app/factors", cookie));
      assert.match(empty, /id="factors-empty"/);
      const f = await api(w, "POST", "/api/v1/factors", token, {
        name: "rev_formula",
        universe: "hs300",
        values_source: "formula",
        expression: "-(close / delay(close, 20) - 1)",
        history_days: 250,
      });
      const ready = await html(await getPage(w, `/app/factors/${f.id}`, cookie));
      assert.match(ready, /id="factor-submit"/, "a ready factor can be validated from the page");
      assert.match(ready, /<p class="muted" id="checks">Not validated yet\.<\/p>/);
      const validated = await api(w, "POST", `/api/v1/factors/${f.id}/submit`, token);
      assert.equal(validated.status, "active", JSON.stringify(validated.checks));

      const list = await html(await getPage(w, "/app/factors", cookie));
      assert.match(list, /<table id="factors-table"/);
      assert.match(list, new RegExp(`href="/app/factors/${f.id}">rev_formula</a>`));
      assert.match(list, /<span class="badge good">active<\/span>/);

      const page = await html(await getPage(w, `/app/factors/${f.id}`, cookie));
      assert.doesNotMatch(page, /id="factor-submit"/);
      for (const check of validated.checks) {
        assert.match(
          page,
          new RegExp(`data-check="${check.name}" data-passed="${check.passed}"`),
          check.name,
        );
      }
      assert.equal((page.match(/<span class="badge good">pass<\/span>/g) ?? []).length, 5);
      assert.match(page, /<table id="ic-table"/);
      assert.match(
        page,
        new RegExp(`<th scope="row">IC mean</th><td class="num">${validated.is.ic_mean.toFixed(4)}`),
      );
      assert.match(page, /<th scope="row">IC at lag 5<\/th>/);
      assert.match(page, /<table id="yearly-table"/);
      for (const y of validated.yearly_stats) {
        assert.match(page, new RegExp(`<tr data-year="${y.year}"><th scope="row">${y.year}</th>`));
      }
      assert.equal(validated.yearly_stats.length, 2, "2025 and 2026");
      assert.match(page, /<div class="chart" id="ic-chart" role="img" aria-label=/);
      assert.match(page, /<div class="chart" id="ls-chart" role="img" aria-label=/);
      assert.match(page, new RegExp(`id="ic-chart-summary">${validated.ic_series.length} days from`));
      assert.match(page, /client\/factor_detail\.js/);
      const data = pageData(page);
      assert.equal(data.ic_series.length, validated.ic_series.length);
      assert.deepEqual(data.ic_series[0], {
        time: validated.ic_series[0].date,
        value: validated.ic_series[0].ic,
      });
      assert.deepEqual(data.ls_cumulative.at(-1), {
        time: validated.ls_cumulative_returns.at(-1).date,
        value: validated.ls_cumulative_returns.at(-1).cumulative,
      });

      const other = await signInPage(w, "someone@example.com", "10.0.0.7");
      const theirs = await html(await getPage(w, `/app/factors/${f.id}`, other), 404);
      assert.match(theirs, /does not exist or is not yours/);
      await html(await getPage(w, "/app/factors/no-such-factor", cookie), 404);
      await html(await getPage(w, `/app/factors/${"a".repeat(65)}`, cookie), 404);
      await html(await getPage(w, "/app/factors?offset=x", cookie), 400);
    }),
});

Deno.test("a portfolio shows its members with weights, its lifecycle and, once active, its strategy and signals", () =>
  withWorld(async (w) => {
    const cookie = await signInPage(w, "portfolios@example.com");
    const token = await pageToken(w, cookie);
    const me = await userId(w, token);
    const symbols = await universeStocks(w, "hs300");
    const on = (seed: number) => [{ date: "2026-05-13", symbols, values: pseudoValues(symbols, seed) }];
    const f1 = await seedFactor(w, me, { name: "reversal", values: on(11) });
    const f2 = await seedFactor(w, me, { name: "value", values: on(29) });

    const empty = await html(await getPage(w, "/app/portfolios", cookie));
    assert.match(empty, /id="portfolios-empty"/);
    assert.match(empty, /<form id="portfolio-create-form"/);
    assert.match(empty, /<label for="pc-top_n"/);
    const p = await api(w, "POST", "/api/v1/portfolios", token, { name: "Rev & Value", universe: "hs300" });
    await api(w, "POST", `/api/v1/portfolios/${p.id}/members`, token, { factor_id: f1 });

    const draft = await html(await getPage(w, `/app/portfolios/${p.id}`, cookie));
    assert.match(draft, /<title>Rev &amp; Value · Quantedge<\/title>/);
    assert.match(draft, /id="portfolio-activate"/);
    assert.match(draft, new RegExp(`<tr data-factor-id="${f1}">`));
    assert.match(draft, /<td class="num">100\.00%<\/td>/, "one member weighs 1/1");
    assert.match(draft, new RegExp(`class="secondary member-remove" data-factor-id="${f1}"`));
    assert.match(
      draft,
      new RegExp(`<option key="${f2}" value="${f2}">value`),
      "the other active factor is offered",
    );
    assert.doesNotMatch(draft, new RegExp(`<option key="${f1}"`), "a member is not offered again");
    assert.match(draft, /No signals yet\./);

    await api(w, "POST", `/api/v1/portfolios/${p.id}/members`, token, { factor_id: f2 });
    const active = await api(w, "POST", `/api/v1/portfolios/${p.id}/activate`, token);
    const page = await html(await getPage(w, `/app/portfolios/${p.id}`, cookie));
    assert.equal((page.match(/<td class="num">50\.00%<\/td>/g) ?? []).length, 2, "equal weights");
    assert.match(page, /id="portfolio-pause"/);
    assert.doesNotMatch(page, /id="portfolio-activate"|member-remove|id="member-add-form"/);
    assert.match(page, new RegExp(`id="portfolio-strategy" href="/app/tracked/${active.strategy_slug}"`));
    const signals = await api(w, "GET", `/api/v1/portfolios/${p.id}/signals`, token);
    assert.equal(signals.total, 1, "activation before 09:15 submits today's signal");
    assert.match(
      page,
      new RegExp(
        `<tr data-trade-date="2026-05-14"><td>2026-05-14</td><td class="num">${
          signals.signals[0].stock_count
        }`,
      ),
    );
    assert.match(page, new RegExp(`title="${signals.signals[0].signal_hash}"`));

    const list = await html(await getPage(w, "/app/portfolios", cookie));
    assert.match(list, new RegExp(`href="/app/portfolios/${p.id}">Rev &amp; Value</a>`));

    // The portfolio's strategy page says its signals are the platform's: no signal form, no withdraw.
    const strategy = await html(await getPage(w, `/app/tracked/${active.strategy_slug}`, cookie));
    assert.doesNotMatch(strategy, /id="signal-form"|signal-withdraw|id="status-pause"/);
    assert.match(strategy, new RegExp(`href="/app/portfolios/${p.id}"`));

    const other = await signInPage(w, "stranger@example.com", "10.0.0.9");
    await html(await getPage(w, `/app/portfolios/${p.id}`, other), 404);
    await html(await getPage(w, "/app/portfolios/pf_unknown", cookie), 404);
    await html(await getPage(w, "/app/portfolios/..%2F..", cookie), 404);
    await html(await getPage(w, `/app/portfolios/${p.id}?offset=1.5`, cookie), 400);
  }));
