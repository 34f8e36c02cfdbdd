/**
 * The library, leaderboard and catalog pages render the world's real data: a user who saved a strategy in two
 * versions, staged and promoted both (so v1 is the rollback target), published it and submitted it to the
 * leaderboard. Ownership (another user's strategy is the same 404 page as an unknown one), the leaderboard's
 * filters and sorting, bad query parameters (400 pages) and signed-out visitors are checked on the HTML.
 */
import assert from "node:assert/strict";
import { getPage, pageToken, signInPage } from "../_helpers/page_session.ts";
import { openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

const SPEC_V1 = {
  universe: { tickers: ["AAPL"] },
  entry: "crosses_above(sma(close, 10), sma(close, 40))",
  exit: "crosses_below(sma(close, 10), sma(close, 40))",
  sizing: { method: "percent_equity", percent: 20, max_positions: 5 },
};
const SPEC_V2 = { ...SPEC_V1, entry: "crosses_above(sma(close, 5), sma(close, 30))" };

interface Author {
  cookie: string;
  token: string;
  id: string;
}

async function call(w: TestWorld, method: string, path: string, token: string, json?: unknown) {
  const res = await w.request(method, path, { token, json });
  const body = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path} ${res.status}: ${JSON.stringify(body)}`);
  return body;
}

/** "alice" (nickname quant_alice) saves "Cross" v1 and v2, promotes v1 then v2, and publishes it. */
async function author(w: TestWorld): Promise<Author> {
  const cookie = await signInPage(w, "alice@example.com");
  const token = await pageToken(w, cookie);
  await call(w, "PATCH", "/api/v1/auth/profile", token, { nickname: "quant_alice" });
  const saved = await call(w, "POST", "/api/v1/library", token, { name: "Cross", spec: SPEC_V1 });
  const id = saved.strategy_id as string;
  await call(w, "POST", "/api/v1/library", token, { name: "Cross", spec: SPEC_V2, strategy_id: id });
  for (const version of [1, 2]) {
    await call(w, "POST", `/api/v1/library/${id}/stage`, token, { version });
    await call(w, "POST", `/api/v1/library/${id}/promote`, token);
  }
  await call(w, "PATCH", `/api/v1/library/${id}`, token, { is_public: true });
  return { cookie, token, id };
}

async function withWorld(fn: (w: TestWorld, a: Author) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w, await author(w));
  } finally {
    await w.close();
  }
}

/** The HTML of a page answered with `status`. */
async function html(res: Response, status = 200): Promise<string> {
  const text = await res.text();
  assert.equal(res.status, status, text.slice(0, 600));
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  return text;
}

/** The inner HTML of the element with `id` (the first element of that tag after the id). */
function element(page: string, id: string): string {
  const start = page.indexOf(`id="${id}"`);
  assert.ok(start >= 0, `#${id} is on the page`);
  const open = page.lastIndexOf("<", start);
  const tag = page.slice(open + 1).match(/^[a-z0-9]+/)![0];
  const end = page.indexOf(`</${tag}>`, start);
  return page.slice(start, end);
}

/** The `data-*` values of the table rows in `fragment`, in order. */
const rowData = (fragment: string, attr: string) =>
  [...fragment.matchAll(new RegExp(`<tr[^>]*data-${attr}="([^"]*)"`, "g"))].map((m) => m[1]);

const pageDataOf = (page: string) =>
  JSON.parse(page.match(/<script type="application\/json" id="page-data">(.*?)<\/script>/s)![1]);

Deno.test("/app/library lists my strategies with latest version, stages and a link, and nobody else's", () =>
  withWorld(async (w, a) => {
    const bob = await signInPage(w, "bob@example.com", "10.0.0.2");
    const bobToken = await pageToken(w, bob);
    await call(w, "POST", "/api/v1/library", bobToken, { name: "Bob's secret", spec: SPEC_V1 });
    const table = element(await html(await getPage(w, "/app/library", a.cookie)), "library-table");
    assert.deepEqual(rowData(table, "id"), [a.id]);
    assert.match(table, /Cross/);
    assert.match(table, new RegExp(`href="/app/library/${a.id}"`));
    assert.match(table, /<td class="num">v2<\/td>/);
    assert.match(table, /production v2/);
    assert.match(table, /in catalog/);
    assert.doesNotMatch(table, /Bob/);
    const bobs = element(await html(await getPage(w, "/app/library", bob)), "library-table");
    assert.match(bobs, /Bob&#39;s secret|Bob's secret/);
    assert.doesNotMatch(bobs, /Cross/);
  }));

Deno.test("/app/library/:id shows the versions with their stages, the latest text and the action forms", () =>
  withWorld(async (w, a) => {
    const page = await html(await getPage(w, `/app/library/${a.id}`, a.cookie));
    const versions = element(page, "versions-table");
    assert.deepEqual(rowData(versions, "version"), ["2", "1"], "newest first");
    assert.deepEqual(rowData(versions, "stage"), ["Production", "Archived"]);
    assert.match(versions, /latest version/);
    assert.match(versions, /rollback target/);
    const detail = await call(w, "GET", `/api/v1/library/${a.id}`, a.token);
    const text = element(page, "strategy-text-current");
    assert.match(text, /data-version="2"/);
    assert.ok(text.includes("sma(close, 5)"), "the latest version's rules");
    assert.ok(detail.latest.generated_code.includes("sma(close, 5)"));
    assert.match(element(page, "rollback"), /data-version="1"/);
    assert.match(page, /id="promote"[^>]*disabled/, "nothing staged: promote is disabled");
    for (const id of ["compare-form", "submit-leaderboard", "backtest-form", "stage-form", "export-csv"]) {
      assert.ok(page.includes(`id="${id}"`), `#${id}`);
    }
    assert.match(element(page, "compare-form"), new RegExp(`action="/app/library/${a.id}/compare"`));
    const data = pageDataOf(page);
    assert.equal(data.id, a.id);
    assert.equal(data.latest, 2);
    assert.ok(Number.isInteger(data.number) && data.number >= 1);
    assert.match(page, /src="\/app\/assets\/client\/library_strategy\.js\?v=/);

    const v1 = await html(await getPage(w, `/app/library/${a.id}?version=1`, a.cookie));
    const v1Text = element(v1, "strategy-text-current");
    assert.match(v1Text, /data-version="1"/);
    assert.ok(v1Text.includes("sma(close, 10)") && !v1Text.includes("sma(close, 5)"));
    // Versions and version pages are whole decimal numbers: hex and exponents are a 400, not version 1.
    for (const q of ["version=0x1", "version=1e0", "vo=0x10", "vo=1e3", "version=0"]) {
      const res = await getPage(w, `/app/library/${a.id}?${q}`, a.cookie);
      assert.equal(res.status, 400, q);
      assert.match(await res.text(), /role="alert">(version|vo): Expected a whole number/, q);
    }
  }));

Deno.test("the page's number is document 000's strategy_id: the leaderboard submission the script sends ranks it", () =>
  withWorld(async (w, a) => {
    const { number } = pageDataOf(await html(await getPage(w, `/app/library/${a.id}`, a.cookie)));
    const res = await call(w, "POST", "/leaderboard/submit", a.token, {
      strategy_id: number,
      version: 1,
      dataset: "default",
      ticker: "RELIANCE.NS",
    });
    assert.equal(typeof res.score, "number");
    assert.match(res.notes, /ticker RELIANCE\.NS does not change the run/);
    const board = element(
      await html(await getPage(w, "/app/leaderboard?dataset=default")),
      "leaderboard-table",
    );
    assert.deepEqual(rowData(board, "entry"), [`default:${a.id}:1`]);
    assert.match(board, /quant_alice/);
    assert.ok(board.includes(res.score.toFixed(2)), "the score the submission answered");
  }));

Deno.test("after staging through the API the strategy page shows the staged version and promote is enabled", () =>
  withWorld(async (w, a) => {
    await call(w, "POST", `/api/v1/library/${a.id}/stage`, a.token, { version: 1 });
    const page = await html(await getPage(w, `/app/library/${a.id}?done=staged`, a.cookie));
    assert.match(element(page, "staging-version"), />v1$/);
    assert.match(page, /id="promote"[^>]*data-version="1"/);
    assert.doesNotMatch(page, /id="promote"[^>]*disabled/);
    assert.match(element(page, "done-status"), /Version staged/);
    assert.deepEqual(rowData(element(page, "versions-table"), "stage"), ["Production", "Staging"]);
  }));

Deno.test("another user's strategy, an unknown id and a deleted strategy are the same 404 page", () =>
  withWorld(async (w, a) => {
    const mallory = await signInPage(w, "mallory@example.com", "10.0.0.3");
    const foreign = await html(await getPage(w, `/app/library/${a.id}`, mallory), 404);
    const unknown = await html(await getPage(w, "/app/library/strat_nope", mallory), 404);
    const strip = (s: string) => s.replace(/<header[\s\S]*<\/header>/, "");
    assert.equal(strip(foreign), strip(unknown));
    assert.match(foreign, /does not exist or is not yours/);
    assert.doesNotMatch(foreign, /Cross/);
    await html(await getPage(w, `/app/library/${a.id}/compare?a=1&b=2`, mallory), 404);
    await html(await getPage(w, `/app/library/${"x".repeat(65)}`, a.cookie), 404);
    await call(w, "DELETE", `/api/v1/library/${a.id}`, a.token);
    await html(await getPage(w, `/app/library/${a.id}`, a.cookie), 404);
  }));

Deno.test("signed out: the library pages redirect to sign-in; the leaderboard and the catalog are public", () =>
  withWorld(async (w, a) => {
    for (const path of ["/app/library", `/app/library/${a.id}`, `/app/library/${a.id}/compare?a=1&b=2`]) {
      const res = await getPage(w, path);
      assert.equal(res.status, 303, path);
      assert.equal(res.headers.get("location"), `/app/sign-in?next=${encodeURIComponent(path)}`);
    }
    const board = await html(await getPage(w, "/app/leaderboard"));
    assert.match(board, /id="leaderboard-table"/);
    assert.match(board, /href="\/app\/sign-in"/, "signed-out header");
    const catalog = await html(await getPage(w, "/app/catalog"));
    assert.deepEqual(rowData(element(catalog, "catalog-table"), "strategy"), [a.id]);
  }));

Deno.test("/app/library/:id/compare shows both versions' metrics, the differing settings and the texts", () =>
  withWorld(async (w, a) => {
    const page = await html(await getPage(w, `/app/library/${a.id}/compare?a=1&b=2`, a.cookie));
    const api = await call(w, "GET", `/api/v1/library/${a.id}/compare?a=1&b=2`, a.token);
    const metrics = element(page, "compare-metrics");
    assert.match(metrics, /Version A: v1/);
    assert.match(metrics, /Version B: v2/);
    const trades = metrics.slice(metrics.indexOf('data-metric="totalTrades"'));
    assert.ok(trades.includes(`>${api.a.metrics.totalTrades}<`), "version A's trade count");
    const diffs = element(page, "spec-differences");
    assert.match(diffs, /<code>entry<\/code>/);
    assert.ok(diffs.includes("sma(close, 10)") && diffs.includes("sma(close, 5)"));
    assert.match(element(page, "compare-text-a"), /<mark[^>]*>entry: crosses_above\(sma\(close, 10\)/);
    assert.match(element(page, "compare-text-b"), /<mark[^>]*>entry: crosses_above\(sma\(close, 5\)/);
    assert.doesNotMatch(
      element(page, "compare-text-b"),
      /<mark[^>]*>exit:/,
      "the unchanged exit is not marked",
    );
    assert.match(element(page, "compare-a"), /value="1"/);
  }));

/** Counts the rate-limit charges made through `charge` (a compare charges the caller's run budget). */
function countCharges(charge: { limiter: { consume: (...a: never[]) => Promise<void> } } | undefined) {
  assert.ok(charge, "the test world rate-limits runs");
  const calls: unknown[][] = [];
  const consume = charge.limiter.consume.bind(charge.limiter);
  charge.limiter.consume = ((...a: never[]) => {
    calls.push(a);
    return consume(...a);
  }) as typeof consume;
  return calls;
}

Deno.test("a compare link from another site runs nothing: the page asks, and our own page's button runs it", () =>
  withWorld(async (w, a) => {
    const charges = countCharges(w.deps.compare.runs.rate);
    const path = `/app/library/${a.id}/compare?a=1&b=2`;
    const cross = await w.app.request(path, {
      headers: { cookie: a.cookie, "sec-fetch-site": "cross-site" },
    });
    const asked = await html(cross);
    assert.doesNotMatch(asked, /id="compare-metrics"/, "no comparison ran");
    assert.equal(charges.length, 0, "the user's run budget was not charged");
    const form = element(asked, "compare-confirm-form");
    assert.match(form, new RegExp(`action="/app/library/${a.id}/compare"`));
    assert.match(form, /name="a" value="1"/);
    assert.match(form, /name="b" value="2"/);
    assert.match(element(asked, "compare-run"), /Run comparison/);
    for (const site of ["same-origin", "none"]) {
      const ran = await w.app.request(path, { headers: { cookie: a.cookie, "sec-fetch-site": site } });
      assert.match(await html(ran), /id="compare-metrics"/, `${site} runs the comparison`);
    }
    assert.equal(charges.length, 2, "each run charged once");
  }));

Deno.test("catalog: a ?compare=1 link from another site shows the button and runs nothing", () =>
  withWorld(async (w) => {
    const charges = countCharges(w.deps.catalogCompare.perIp);
    const path = "/app/catalog/Cross?compare=1";
    const page = await html(await w.app.request(path, { headers: { "sec-fetch-site": "cross-site" } }));
    assert.doesNotMatch(page, /id="catalog-compare"/);
    assert.match(element(page, "catalog-compare-form"), /id="catalog-compare-confirm"/);
    assert.equal(charges.length, 0);
    const ran = await html(await w.app.request(path, { headers: { "sec-fetch-site": "same-origin" } }));
    assert.match(element(ran, "catalog-compare"), /quant_alice v2/);
    assert.equal(charges.length, 1);
  }));

Deno.test("the compare page answers bad versions with a 400 page naming the problem", () =>
  withWorld(async (w, a) => {
    const none = await html(await getPage(w, `/app/library/${a.id}/compare`, a.cookie), 400);
    assert.match(none, /give versions a and b/);
    const text = await html(await getPage(w, `/app/library/${a.id}/compare?a=x&b=1`, a.cookie), 400);
    assert.match(text, /role="alert">a: /);
    const beyond = await html(await getPage(w, `/app/library/${a.id}/compare?a=1&b=9`, a.cookie), 400);
    assert.match(beyond, /Version 9 does not exist: the latest is v2/);
    // Versions are digits only: what a number parser would read as 1 is still refused.
    for (const odd of ["0x1", "1e0", "%201", "1.0", "-1", "0"]) {
      const page = await html(await getPage(w, `/app/library/${a.id}/compare?a=${odd}&b=2`, a.cookie), 400);
      assert.match(page, /role="alert">a: /, odd);
    }
  }));

/** Entries: v1 and v2 of alice's strategy on "default", v2 on "crypto-2021-2024". */
async function submitted(w: TestWorld, a: Author) {
  const out: Record<string, { score: number; sharpe: number | null }> = {};
  for (const [version, dataset] of [[1, "default"], [2, "default"], [2, "crypto-2021-2024"]] as const) {
    const r = await call(w, "POST", "/api/v1/leaderboard/submit", a.token, {
      strategy_id: a.id,
      version,
      dataset,
    });
    out[r.entry_id] = { score: r.score, sharpe: r.metrics["Sharpe Ratio"] };
  }
  return out;
}

Deno.test("leaderboard: the dataset and period filters change the rows, and the query is kept in the form", () =>
  withWorld(async (w, a) => {
    const entries = await submitted(w, a);
    const rows = async (q: string) =>
      rowData(element(await html(await getPage(w, `/app/leaderboard${q}`)), "leaderboard-table"), "entry");
    const all = await rows("");
    assert.equal(all.length, 3);
    assert.deepEqual(new Set(all), new Set(Object.keys(entries)));
    assert.deepEqual(
      new Set(await rows("?dataset=default")),
      new Set([`default:${a.id}:1`, `default:${a.id}:2`]),
    );
    assert.deepEqual(await rows("?dataset=crypto-2021-2024"), [`crypto-2021-2024:${a.id}:2`]);
    w.clock.advance(2 * 86_400_000);
    assert.deepEqual(await rows("?period=daily"), [], "two days later the daily board is empty");
    assert.equal((await rows("?period=weekly")).length, 3);
    w.clock.advance(8 * 86_400_000);
    assert.deepEqual(await rows("?period=weekly"), []);
    assert.equal((await rows("?period=alltime&dataset=")).length, 3, "an empty dataset means all");
    const page = await html(await getPage(w, "/app/leaderboard?period=alltime&dataset=default&sort=sharpe"));
    assert.match(element(page, "lb-period"), /<option[^>]* value="alltime" selected>/);
    assert.match(element(page, "lb-dataset"), /<option[^>]* value="default" selected>/);
    assert.match(element(page, "lb-filters"), /name="sort" value="sharpe"/);
  }));

Deno.test("leaderboard: sorting by a column orders the rows and marks the header with aria-sort", () =>
  withWorld(async (w, a) => {
    const entries = await submitted(w, a);
    const ids = Object.keys(entries).filter((k) => k.startsWith("default:"));
    const bySharpe = [...ids].sort((x, y) =>
      (entries[x].sharpe ?? -Infinity) - (entries[y].sharpe ?? -Infinity)
    );
    assert.notEqual(entries[ids[0]].sharpe, entries[ids[1]].sharpe, "the two versions differ");
    const page = async (sort: string) =>
      await html(await getPage(w, `/app/leaderboard?dataset=default&sort=${sort}`));
    const asc = await page("sharpe");
    assert.deepEqual(rowData(element(asc, "leaderboard-table"), "entry"), bySharpe);
    assert.match(asc, /<th scope="col" class="num" aria-sort="ascending">[\s\S]*?id="lb-sort-sharpe"/);
    assert.match(
      asc,
      /name="sort" value="-sharpe"[^>]*id="lb-sort-sharpe"/,
      "the next click sorts descending",
    );
    const desc = await page("-sharpe");
    assert.deepEqual(rowData(element(desc, "leaderboard-table"), "entry"), [...bySharpe].reverse());
    assert.match(desc, /aria-sort="descending"[\s\S]*?id="lb-sort-sharpe"/);
    assert.match(desc, /aria-sort="none"[\s\S]*?id="lb-sort-score"/);
    const byScore = [...ids].sort((x, y) => entries[y].score - entries[x].score);
    assert.deepEqual(rowData(element(await page("-score"), "leaderboard-table"), "entry"), byScore);
  }));

Deno.test("leaderboard and catalog: a bad query parameter is a 400 page that names it", () =>
  withWorld(async (w) => {
    for (
      const [q, name] of [["period=hourly", "period"], ["dataset=nasdaq", "dataset"], ["sort=name", "sort"]]
    ) {
      const page = await html(await getPage(w, `/app/leaderboard?${q}`), 400);
      assert.match(page, new RegExp(`role="alert">${name}: `), q);
    }
    assert.match(await html(await getPage(w, "/app/catalog?offset=-1"), 400), /role="alert">offset: /);
    assert.match(await html(await getPage(w, "/app/catalog?dataset=x"), 400), /role="alert">dataset: /);
    assert.match(
      await html(await getPage(w, "/app/library?offset=abc", await signInPage(w, "z@example.com")), 400),
      /offset/,
    );
  }));

Deno.test("catalog: the published strategy is listed under its author's nickname, with its production text", () =>
  withWorld(async (w, a) => {
    await call(w, "POST", "/api/v1/leaderboard/submit", a.token, {
      strategy_id: a.id,
      version: 2,
      dataset: "default",
    });
    const list = await html(await getPage(w, "/app/catalog"));
    const table = element(list, "catalog-table");
    assert.match(table, /href="\/app\/catalog\/Cross"/);
    assert.match(table, /quant_alice/);
    assert.match(table, /v2/);
    assert.doesNotMatch(list, /alice@example\.com/, "never an email");
    assert.deepEqual(rowData(element(list, "catalog-leaderboard"), "strategy"), [a.id]);
    const crypto = await html(await getPage(w, "/app/catalog?dataset=crypto-2021-2024"));
    assert.deepEqual(
      rowData(element(crypto, "catalog-leaderboard"), "strategy"),
      [],
      "no entry on that dataset",
    );
    const one = await html(await getPage(w, "/app/catalog/cross"));
    assert.match(one, /quant_alice · v2/);
    assert.ok(one.includes("sma(close, 5)"), "the production version's text");
    assert.match(one, /id="catalog-compare-form"/);
    await html(await getPage(w, "/app/catalog/Nothing%20here"), 404);
  }));

Deno.test("catalog: ?compare=1 runs the strategies of the name side by side; withdrawn strategies leave", () =>
  withWorld(async (w, a) => {
    const page = await html(await getPage(w, "/app/catalog/Cross?compare=1"));
    const table = element(page, "catalog-compare");
    assert.match(table, /quant_alice v2/);
    assert.match(table, /Total return/);
    assert.match(await html(await getPage(w, "/app/catalog/Cross?compare=yes"), 400), /compare: /);
    await call(w, "PATCH", `/api/v1/library/${a.id}`, a.token, { is_public: false });
    await html(await getPage(w, "/app/catalog/Cross"), 404);
    assert.deepEqual(
      rowData(element(await html(await getPage(w, "/app/catalog")), "catalog-table"), "strategy"),
      [],
    );
  }));
