/**
 * In headless Chromium (`tests/_helpers/browser.ts`): sign in by OTP, open a queued job's page, watch it complete
 * over `/ws/backtests/{id}` (status and progress change, then the result appears without a reload, with drawn
 * charts and the monthly table), a completed job's page on a 375 px phone, and Cancel from the page. Every page is
 * clean (no console error, failed request or request leaving the app) and no token is in any URL.
 *
 * The app is served by `startAppServer` without its queue worker, so a job stays queued until the test runs it
 * with the runner the queue uses (`runBacktestJob`) — after the page is watching.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import {
  type AppServer,
  assertClean,
  checkNotBroken,
  launchBrowser,
  openPage,
  type PageDom,
  signInInBrowser,
  startAppServer,
  type TestBrowser,
  waitInPage,
} from "../_helpers/browser.ts";

declare const document: PageDom;
declare const performance: PageDom;
declare const location: PageDom;

const SPEC = {
  name: "Browser RSI",
  universe: { tickers: ["600519.SH", "600036.SH"] },
  entry: "rsi(close, 14) < 35",
  exit: "rsi(close, 14) > 60",
  sizing: { method: "percent_equity", percent: 40, max_positions: 2 },
  start: "2017-01-01",
  end: "2019-12-31",
  benchmarks: ["000300.SH"],
};

interface Ctx {
  server: AppServer;
  origin: string;
  browser: TestBrowser;
  /** Every WebSocket the pages opened. */
  sockets: string[];
}

/** Serves the app (no queue worker: the test runs each job) with the stream bridge, starts Chromium, runs `fn`. */
async function withBrowser(fn: (ctx: Ctx) => Promise<void>) {
  const server = await startAppServer({ queueWorker: false });
  let browser: TestBrowser | undefined;
  try {
    browser = await launchBrowser();
    await fn({ server, origin: server.origin, browser, sockets: [] });
  } finally {
    await browser?.close();
    await server.close();
  }
}

/** A clean page that records the WebSockets it opens. */
async function newPage(ctx: Ctx, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await openPage(ctx.browser, ctx.origin, viewport ? { viewport } : {});
  const cdp = await page.createCDPSession();
  await cdp.send("Network.enable");
  cdp.on("Network.webSocketCreated", (e: { url: string }) => ctx.sockets.push(e.url));
  page.on("request", (r) => ctx.sockets.push(r.url()));
  return page;
}

/** A JSON call to the served API with `token`; answers the status and the parsed body. */
async function call(ctx: Ctx, method: string, path: string, json?: unknown, token?: string) {
  const res = await fetch(`${ctx.origin}${path}`, {
    method,
    headers: {
      ...(json === undefined ? {} : { "content-type": "application/json" }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: json === undefined ? undefined : JSON.stringify(json),
  });
  return { status: res.status, body: await res.json() };
}

/** Queues `SPEC` for `email` (signed in over the API by OTP); answers the job id and the API token. */
async function queueJob(ctx: Ctx, email: string) {
  const mails = ctx.server.sent.length;
  assert.equal((await call(ctx, "POST", "/api/v1/auth/request-otp", { email })).status, 200);
  const otp_code = await ctx.server.otp(email, mails);
  const signedIn = await call(ctx, "POST", "/api/v1/auth/verify-otp", { email, otp_code });
  assert.equal(signedIn.status, 200);
  const token = signedIn.body.access_token as string;
  const res = await call(ctx, "POST", "/api/v1/backtests", { spec: SPEC }, token);
  assert.equal(res.status, 202);
  return { id: res.body.job_id as string, token };
}

const statusOf = (page: Page) => page.$eval("#job-status", (el) => el.getAttribute("data-status"));

const waitForStatus = (page: Page, status: string) =>
  waitInPage(
    page,
    (s: string) => document.getElementById("job-status")?.getAttribute("data-status") === s,
    [status],
    { what: `#job-status ${status}` },
  );

/** Waits until the page has asked for its access token (its socket opens right after). */
const waitForToken = (page: Page) =>
  waitInPage(
    page,
    () => performance.getEntriesByName(location.origin + "/app/session/token").length > 0,
    [],
    {
      what: "the page's token request",
    },
  );

Deno.test("browser: a queued job's page shows live progress, then the result with charts, without a reload", () =>
  withBrowser(async (ctx) => {
    const email = "watcher@example.com";
    const { id } = await queueJob(ctx, email);
    const page = await newPage(ctx);
    await signInInBrowser(page, ctx.server, email, `/app/backtests/${id}`);
    assert.equal(await statusOf(page), "queued");
    assert.equal(await page.$eval("#job-progress", (el) => (el as PageDom).value), 0);
    assert.ok(await page.$("#job-cancel"));
    await waitForToken(page);
    await new Promise((r) => setTimeout(r, 300));
    await page.evaluate(() => (document.body.dataset.marker = "42"));
    const seen = waitForStatus(page, "running");
    assert.equal(await runBacktestJob(ctx.server.services.backtests, id), "completed");
    await seen;
    await waitForStatus(page, "completed");
    assert.equal(await page.$eval("#job-progress", (el) => (el as PageDom).value), 100);
    await checkNotBroken(page, "backtest-live-completed", { charts: ["#equity-chart", "#drawdown-chart"] });
    assert.equal(await page.evaluate(() => document.body.dataset.marker), "42", "no reload");
    assert.equal(await page.$("#job-cancel"), null);
    // The status card's times follow the run too (they were "—" while it was queued).
    const finished = await waitInPage(
      page,
      () =>
        /^\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/.test(
          document.getElementById("job-finished")?.textContent ?? "",
        ),
      [],
      { what: "#job-finished filled in" },
    );
    assert.ok(finished);
    assert.match(await page.$eval("#job-started", (el) => el.textContent ?? ""), /UTC$/);
    const months = await page.$$eval("#monthly-table tbody tr", (rows) => rows.length);
    assert.ok(months > 12);
    const reason = await page.$eval("#trades-table tbody tr td.reason", (el) => el.textContent ?? "");
    assert.match(reason, /^entry:/);
    assert.ok(await page.$("#export-csv") && await page.$("#export-code"));
    const legend = await page.$$eval(".legend li", (li) => li.map((l) => l.textContent));
    assert.deepEqual(legend, ["Strategy", "000300.SH"]);
    const sockets = ctx.sockets.filter((u) => u.startsWith("ws:"));
    assert.ok(sockets.some((u) => u.endsWith(`/ws/backtests/${id}`)), `sockets: ${sockets.join(", ")}`);
    assert.ok(ctx.sockets.every((u) => !/token=|eyJ/.test(u)), "no token in any URL");
    assertClean(page);
  }));

Deno.test("browser: a completed job's page draws its charts from the page data and fits a phone; Cancel works", () =>
  withBrowser(async (ctx) => {
    const { origin } = ctx;
    const email = "canceller@example.com";
    const done = await queueJob(ctx, email);
    await runBacktestJob(ctx.server.services.backtests, done.id);
    const page = await newPage(ctx, { width: 375, height: 800 });
    await signInInBrowser(page, ctx.server, email, `/app/backtests/${done.id}`);
    assert.equal(await statusOf(page), "completed");
    await checkNotBroken(page, "backtest-completed-phone", { charts: ["#equity-chart", "#drawdown-chart"] });
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 375, `the page is ${width} px wide on a 375 px phone`);
    assertClean(page);

    const res = await call(ctx, "POST", "/api/v1/backtests", { spec: SPEC }, done.token);
    assert.equal(res.status, 202);
    const queued = res.body.job_id as string;
    await page.goto(`${origin}/app/backtests/${queued}`);
    assert.equal(await statusOf(page), "queued");
    await waitForToken(page);
    await page.click("#job-cancel");
    await waitForStatus(page, "cancelled");
    assert.equal(await page.$("#job-cancel"), null);
    const api = await call(ctx, "GET", `/api/v1/backtests/${queued}`, undefined, done.token);
    assert.equal(api.body.status, "cancelled");
    const result = await page.$eval("#result", (el) => el.textContent ?? "");
    assert.match(result, /no result \(cancelled\)/);
    assertClean(page);
  }));
