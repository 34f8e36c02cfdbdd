/**
 * The library, leaderboard and compare pages in headless Chromium: a signed-in user opens a saved strategy, stages
 * and promotes versions and rolls production back (confirming each destructive step), submits a version to the
 * leaderboard and reads its score, compares two versions side by side, filters and sorts the leaderboard, and
 * queues a backtest — with no console error, no failed request and no request leaving the app.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import {
  assertClean,
  checkNotBroken,
  launchBrowser,
  openPage,
  recordOf,
  signInInBrowser,
  startAppServer,
} from "../_helpers/browser.ts";

const SPEC_V1 = {
  universe: { tickers: ["AAPL"] },
  entry: "crosses_above(sma(close, 10), sma(close, 40))",
  exit: "crosses_below(sma(close, 10), sma(close, 40))",
  sizing: { method: "percent_equity", percent: 20, max_positions: 5 },
};
const SPEC_V2 = { ...SPEC_V1, entry: "crosses_above(sma(close, 5), sma(close, 30))" };

// The page callbacks below use only what puppeteer's own types declare (no DOM library in the type check).
const textOf = (page: Page, selector: string) => page.$eval(selector, (el) => (el.textContent ?? "").trim());

/** Waits until the text of `selector` matches `re`. */
async function waitForText(page: Page, selector: string, re: RegExp) {
  const until = Date.now() + 30_000;
  for (;;) {
    const text = await page.$eval(selector, (el) => el.textContent ?? "");
    if (re.test(text)) return text;
    if (Date.now() > until) throw new Error(`${selector} never matched ${re}: ${text}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Clicks `selector` and waits for the navigation it starts. */
async function clickAndWait(page: Page, selector: string) {
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(selector)]);
}

/** Sets a number input's value (select all, type). */
async function setNumber(page: Page, selector: string, value: number) {
  await page.click(selector, { count: 3 });
  await page.type(selector, String(value));
}

Deno.test("library pages in a browser: stage, promote, roll back, submit, compare, filter and sort", async () => {
  const server = await startAppServer();
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser, server.origin);
    await signInInBrowser(page, server, "alice@example.com", "/app/library");
    const token = await page.evaluate(async () => {
      const res = await fetch("/app/session/token", { method: "POST" });
      return (await res.json()).access_token as string;
    });
    const save = async (body: unknown) => {
      const res = await fetch(`${server.origin}/api/v1/library`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, 201);
      return (await res.json()).strategy_id as string;
    };
    const id = await save({ name: "Cross", spec: SPEC_V1 });
    await save({ name: "Cross", spec: SPEC_V2, strategy_id: id });

    await page.goto(`${server.origin}/app/library`, { waitUntil: "load" });
    assert.match(await textOf(page, "#library-table"), /Cross/);
    await clickAndWait(page, `#library-table a[href="/app/library/${id}"]`);
    await checkNotBroken(page, "library-strategy");
    assert.deepEqual(
      await page.$$eval(
        "#versions-table tbody tr",
        (rows) => rows.map((r) => r.getAttribute("data-version")),
      ),
      ["2", "1"],
    );

    // Stage v1, promote it (confirmed), then stage and promote v2 and roll back to v1 (confirmed).
    await setNumber(page, "#stage-version", 1);
    await clickAndWait(page, "#stage-submit");
    assert.match(page.url(), /\?done=staged$/);
    assert.equal(await textOf(page, "#staging-version"), "v1");
    await clickAndWait(page, "#promote");
    assert.equal(await textOf(page, "#production-version"), "v1");
    await clickAndWait(page, "#stage-submit");
    await clickAndWait(page, "#promote");
    assert.equal(await textOf(page, "#production-version"), "v2");
    assert.equal(await page.$eval("#rollback", (b) => b.hasAttribute("disabled")), false);
    await clickAndWait(page, "#rollback");
    assert.equal(await textOf(page, "#production-version"), "v1");
    assert.match(await textOf(page, "#done-status"), /rolled back/);
    const dialogs = recordOf(page).dialogs;
    assert.ok(dialogs.some((d) => /^confirm: Promote v1 to production/.test(d)), dialogs.join("\n"));
    assert.ok(dialogs.some((d) => /^confirm: Roll production back to v1/.test(d)), dialogs.join("\n"));

    // Submit v2 to the leaderboard (document 000's route) and read the score.
    await setNumber(page, "#lb-version", 2);
    await page.select("#lb-submit-dataset", "default");
    await page.type("#lb-ticker", "RELIANCE.NS");
    await page.click("#submit-leaderboard");
    await page.waitForSelector("#lb-score");
    assert.match(await textOf(page, "#lb-score"), /^Ranked: score \d+\.\d\d$/);
    assert.match(await textOf(page, "#lb-result"), /ticker RELIANCE\.NS does not change the run/);

    // Download the strategy text and the CSV.
    await page.click("#export-text");
    await waitForText(page, "#export-status", /Downloaded .*\.strategy\.txt/);
    await page.click("#export-csv");
    await waitForText(page, "#export-status", /Downloaded strategy-\d+-backtest\.csv/);

    // Compare v1 and v2 side by side.
    await clickAndWait(page, "#compare-submit");
    assert.match(page.url(), new RegExp(`/app/library/${id}/compare\\?a=1&b=2$`));
    assert.match(await textOf(page, "#compare-metrics"), /Version A: v1[\s\S]*Version B: v2/);
    assert.ok(
      await page.$$eval("#compare-text-b mark", (m) => m.length) >= 1,
      "the differing lines are marked",
    );
    await checkNotBroken(page, "library-compare");

    // The leaderboard: the period filter applies on change; a header button sorts.
    await page.goto(`${server.origin}/app/leaderboard?period=weekly`, { waitUntil: "load" });
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.select("#lb-period", "alltime")]);
    assert.match(page.url(), /period=alltime/);
    assert.equal(await page.$$eval("#leaderboard-table tbody tr[data-entry]", (r) => r.length), 1);
    await clickAndWait(page, "#lb-sort-sharpe");
    assert.match(page.url(), /sort=-sharpe/);
    assert.equal(
      await page.$eval("#lb-sort-sharpe", (b) => b.closest("th")?.getAttribute("aria-sort")),
      "descending",
    );
    await checkNotBroken(page, "leaderboard");
    assertClean(page);

    // On a phone the leaderboard scrolls inside its table, not the whole page.
    const phone = await openPage(browser, server.origin, {
      viewport: { width: 375, height: 800, isMobile: true },
    });
    await phone.goto(`${server.origin}/app/leaderboard?period=alltime`, { waitUntil: "load" });
    assert.ok(
      await phone.$eval("html", (el) => el.scrollWidth <= 376),
      "no sideways page scroll",
    );
    await checkNotBroken(phone, "leaderboard-phone");
    assertClean(phone);

    // Queue a backtest of v1: the page goes to the job's page.
    await page.goto(`${server.origin}/app/library/${id}`, { waitUntil: "load" });
    await setNumber(page, "#backtest-version", 1);
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#backtest-run")]);
    assert.match(new URL(page.url()).pathname, /^\/app\/backtests\/[^/]+$/);
  } finally {
    await browser.close();
    await server.close();
  }
});
