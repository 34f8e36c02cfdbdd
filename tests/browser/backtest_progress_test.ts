/**
 * In headless Chromium: sign in by OTP, open a queued job's page, watch it complete over `/ws/backtests/{id}`
 * (status and progress change, then the result appears without a reload, with chart canvases and the monthly
 * table), and cancel another job with the page's button. No console errors, no request leaving the app, no token
 * in any URL. Chromium is `/usr/bin/chromium` (or `CHROMIUM_PATH`), run with `--no-sandbox`.
 */
import assert from "node:assert/strict";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { runBacktestJob } from "../../domain/backtest/queued_runs.ts";
import { startStreamBridge } from "../../jobs/stream_bridge.ts";
import { lastOtp, openTestWorld, signInWithOtp, type TestWorld } from "../_helpers/test_app.ts";

const CHROMIUM = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";

const FAVICON = /\/favicon\.ico$/;

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
  w: TestWorld;
  origin: string;
  page: Page;
  /** Console errors, page errors, and requests to anywhere but the app (checked after `fn`). */
  problems: string[];
  /** Every URL the page requested or opened a socket to. */
  urls: string[];
}

/** Serves a test world on a loopback port with the stream bridge, opens Chromium on it, runs `fn`, cleans up. */
async function withBrowser(fn: (ctx: Ctx) => Promise<void>) {
  const w = await openTestWorld();
  const ac = new AbortController();
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: ac.signal, onListen: () => {} },
    w.app.fetch,
  );
  const bridge = startStreamBridge(
    { streams: w.deps.streams, jobs: w.deps.backtests.jobs },
    w.deps.hub,
    () => w.clock.now(),
  );
  let browser: Browser | undefined;
  try {
    await bridge.ready;
    const origin = `http://127.0.0.1:${server.addr.port}`;
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
    });
    const page = await browser.newPage();
    await page.setViewport({ width: 1000, height: 900 });
    const problems: string[] = [];
    const urls: string[] = [];
    page.on("console", (m) => {
      // Chromium asks for /favicon.ico by itself; the app serves none (a shell matter, not this page's).
      if (m.type() === "error" && !FAVICON.test(m.location()?.url ?? "")) {
        problems.push(`console: ${m.text()}`);
      }
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e instanceof Error ? e.message : String(e)}`));
    page.on("request", (r) => {
      urls.push(r.url());
      if (!r.url().startsWith(origin) && !r.url().startsWith("data:") && !r.url().startsWith("blob:")) {
        problems.push(`left the app: ${r.url()}`);
      }
    });
    page.on("response", (r) => {
      if (r.status() >= 400 && !FAVICON.test(r.url())) problems.push(`${r.status()} ${r.url()}`);
    });
    const cdp = await page.createCDPSession();
    await cdp.send("Network.enable");
    cdp.on("Network.webSocketCreated", (e: { url: string }) => urls.push(e.url));
    await fn({ w, origin, page, problems, urls });
    assert.deepEqual(problems, []);
  } finally {
    await browser?.close();
    bridge.stop();
    ac.abort();
    await server.finished;
    await w.close();
  }
}

/** Signs in through the page forms, ending on `next`. */
async function signIn(ctx: Ctx, email: string, next: string) {
  const { page, origin, w } = ctx;
  await page.goto(`${origin}/app/sign-in?next=${encodeURIComponent(next)}`);
  await page.type("#email", email);
  await Promise.all([page.waitForNavigation(), page.click("form button[type=submit]")]);
  await page.type("#otp_code", lastOtp(w.sent, email));
  await Promise.all([page.waitForNavigation(), page.click("form button[type=submit]")]);
  assert.equal(new URL(page.url()).pathname, next);
}

/** Queues `SPEC` for `email` (signed in over the API); answers the job id and the API token. */
async function queueJob(w: TestWorld, email: string) {
  const { access_token } = await signInWithOtp(w, email, "10.2.0.1");
  const res = await w.request("POST", "/api/v1/backtests", { json: { spec: SPEC }, token: access_token });
  assert.equal(res.status, 202);
  return { id: (await res.json()).job_id as string, token: access_token };
}

/** Waits until `#job-status` says `status`. */
const waitForStatus = (page: Page, status: string) =>
  page.waitForFunction(`document.getElementById("job-status")?.getAttribute("data-status") === "${status}"`, {
    timeout: 30_000,
  });

const statusOf = (page: Page) => page.$eval("#job-status", (el) => el.getAttribute("data-status"));

Deno.test("browser: a queued job's page shows live progress, then the result with charts, without a reload", () =>
  withBrowser(async (ctx) => {
    const { page, w } = ctx;
    const email = "watcher@example.com";
    const { id } = await queueJob(w, email);
    await signIn(ctx, email, `/app/backtests/${id}`);
    assert.equal(await statusOf(page), "queued");
    assert.equal(await page.$eval("#job-progress", (el) => (el as unknown as { value: number }).value), 0);
    assert.ok(await page.$("#job-cancel"));
    // The socket is open once the page has asked for its token; give it a moment, then run the job.
    await page.waitForFunction(() =>
      performance.getEntriesByName(location.origin + "/app/session/token").length > 0
    );
    await new Promise((r) => setTimeout(r, 300));
    await page.evaluate(() => ((globalThis as unknown as { marker: number }).marker = 42));
    const seen = waitForStatus(page, "running");
    assert.equal(await runBacktestJob(w.deps.backtests, id), "completed");
    await seen;
    await waitForStatus(page, "completed");
    assert.equal(await page.$eval("#job-progress", (el) => (el as unknown as { value: number }).value), 100);
    await page.waitForSelector("#equity-chart canvas", { timeout: 30_000 });
    await page.waitForSelector("#drawdown-chart canvas", { timeout: 30_000 });
    assert.equal(
      await page.evaluate(() => (globalThis as unknown as { marker?: number }).marker),
      42,
      "no reload",
    );
    assert.equal(await page.$("#job-cancel"), null);
    const months = await page.$$eval("#monthly-table tbody tr", (rows) => rows.length);
    assert.ok(months > 12);
    const reason = await page.$eval("#trades-table tbody tr td.reason", (el) => el.textContent ?? "");
    assert.match(reason, /^entry:/);
    assert.ok(await page.$("#export-csv") && await page.$("#export-code"));
    const legend = await page.$$eval(".legend li", (li) => li.map((l) => l.textContent));
    assert.deepEqual(legend, ["Strategy", "000300.SH"]);
    const sockets = ctx.urls.filter((u) => u.startsWith("ws:"));
    assert.ok(sockets.some((u) => u.endsWith(`/ws/backtests/${id}`)), `sockets: ${sockets.join(", ")}`);
    assert.ok(ctx.urls.every((u) => !/token=|eyJ/.test(u)), "no token in any URL");
    await page.screenshot({ path: ".tmp/backtest_progress.png" }).catch(() => {});
  }));

Deno.test("browser: a completed job's page draws its charts from the page data; Cancel cancels a queued job", () =>
  withBrowser(async (ctx) => {
    const { page, w, origin } = ctx;
    const email = "canceller@example.com";
    const done = await queueJob(w, email);
    await runBacktestJob(w.deps.backtests, done.id);
    await signIn(ctx, email, `/app/backtests/${done.id}`);
    await page.waitForSelector("#equity-chart canvas", { timeout: 30_000 });
    assert.equal(await statusOf(page), "completed");
    const res = await w.request("POST", "/api/v1/backtests", { json: { spec: SPEC }, token: done.token });
    const queued = (await res.json()).job_id as string;
    await page.goto(`${origin}/app/backtests/${queued}`);
    assert.equal(await statusOf(page), "queued");
    await page.waitForFunction(() =>
      performance.getEntriesByName(location.origin + "/app/session/token").length > 0
    );
    await page.click("#job-cancel");
    await waitForStatus(page, "cancelled");
    assert.equal(await page.$("#job-cancel"), null);
    const api = await (await w.request("GET", `/api/v1/backtests/${queued}`, { token: done.token })).json();
    assert.equal(api.status, "cancelled");
    const result = await page.$eval("#result", (el) => el.textContent ?? "");
    assert.match(result, /no result \(cancelled\)/);
  }));
