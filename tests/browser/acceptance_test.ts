/**
 * Issue 19's acceptance in headless Chromium, one new user on the served app (real queue worker, real clock):
 * signs in with the OTP from the test mailer → builds a strategy by the blueprint form (the preview follows the
 * form) and saves it → runs its backtest and watches the job page reach "completed" with its charts → opens it in
 * the library and submits it to the leaderboard, where it is listed → builds a strategy by chat with the offline
 * agent until "config ready", runs it and sees the result → opens the demo's public record (replayed into the
 * same store by `deno task demo`'s code before the server starts) and verifies it in the browser to `data-verdict="verified"`. After every
 * step: no console error or warning, no failed request, no request leaving the app, a screenshot that is not
 * blank and charts that are drawn.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { buildMarketServices } from "../../app/market_services.ts";
import { fixedClock } from "../../domain/clock.ts";
import { createSettingsRepo } from "../../domain/store/settings_repo.ts";
import { replayDemo } from "../../scripts/demo_replay.ts";
import type { Services } from "../../app/services.ts";
import {
  assertClean,
  checkNotBroken,
  launchBrowser,
  openPage,
  type PageDom,
  signInInBrowser,
  startAppServer,
  STEP_TIMEOUT_MS,
  waitInPage,
} from "../_helpers/browser.ts";

declare const document: PageDom;

const EMAIL = "new-user@example.com";
const STRATEGY = "Acceptance RSI";
/** The demo replay's last day (as the verifier's browser test replays it) and its length in trading days. */
const DEMO_NOW = Date.UTC(2026, 6, 24, 12, 0);
const DEMO_DAYS = 8;
const DEMO_SLUG = "demo-reversal";

/**
 * The server's clock: real time, except while the demo replay holds it (the replay moves the clock every
 * service signs and logs with, as `deno task demo` does with its own).
 */
function replayableClock() {
  let held: number | null = null;
  return {
    now: () => held ?? Date.now(),
    set(ms: number) {
      held = ms;
    },
    release() {
      held = null;
    },
  };
}

/** Replays the demo records into the server's store before it serves anything, then lets real time run. */
async function replayDemoInto(services: Services, clock: ReturnType<typeof replayableClock>): Promise<void> {
  const market = buildMarketServices(services.kv, fixedClock(DEMO_NOW), {
    seed: services.config.marketSeed,
    cacheBytes: 64 << 20,
    yahoo: services.config.yahoo,
  });
  try {
    const report = await replayDemo(
      { ...services.track, market: market.data, clock },
      services.auth.users,
      createSettingsRepo(services.kv),
      { days: DEMO_DAYS, nowMs: DEMO_NOW },
    );
    assert.equal(report.days, DEMO_DAYS, "the demo replayed");
  } finally {
    clock.release();
  }
}

const text = (page: Page, selector: string) =>
  page.$eval(selector, (e: PageDom) => (e.innerText ?? e.textContent ?? "") as string);

/** Waits until `selector`'s text satisfies `test` (checked in Deno), answering the text. */
async function waitForText(page: Page, selector: string, test: (t: string) => boolean, what: string) {
  const until = Date.now() + STEP_TIMEOUT_MS;
  let last = "";
  for (;;) {
    last = await page.$eval(selector, (e: PageDom) => (e.textContent ?? "") as string).catch(() => "");
    if (test(last)) return last;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; ${selector} shows: ${last}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Clicks `selector` and waits for the navigation it starts. */
async function clickAndNavigate(page: Page, selector: string) {
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click(selector)]);
}

/** Messages for the offline agent, tried in order until it says the configuration is ready. */
const CHAT = [
  "I want to test a momentum strategy on large cap stocks",
  "SMA crossover 20/50",
  "large cap",
  "2023-01-01 to 2024-06-30",
  "100 million",
  "SMA crossover 20/50 on large cap stocks from 2023-01-01 to 2024-06-30 with 100 million",
];

Deno.test("acceptance: a new user signs in, builds by form and chat, backtests, saves, submits, verifies a record", async (t) => {
  const clock = replayableClock();
  const server = await startAppServer({ clock, seed: (services) => replayDemoInto(services, clock) });
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser, server.origin);
    let libraryHref = "";

    await t.step("sign in with the mailed code", async () => {
      await signInInBrowser(page, server, EMAIL, "/app/build");
      assertClean(page);
    });

    await t.step("build by the form: the preview follows the form; save it to the library", async () => {
      await waitForText(page, "#preview-status", (s) => /up to date/i.test(s), "the first preview");
      const prompt = await text(page, "#prompt-preview");
      const code = await text(page, "#code-preview");
      assert.ok(prompt.length > 20 && code.length > 20, "the prompt and the strategy text are previewed");
      const before = await page.$eval("#bp-entry-0-indicator", (e: PageDom) => e.value as string);
      const options = await page.$$eval(
        "#bp-entry-0-indicator option",
        (os: PageDom[]) => os.map((o) => o.value),
      );
      const other = options.find((o: string) => o !== before && /sma|ema|macd|bollinger|price/i.test(o)) ??
        options.find((o: string) => o !== before)!;
      await page.select("#bp-entry-0-indicator", other);
      const changed = await waitForText(
        page,
        "#code-preview",
        (s) => s !== code && s.length > 20,
        `the strategy text to follow the indicator ${other}`,
      );
      assert.notEqual(changed, code);
      await waitForText(
        page,
        "#preview-status",
        (s) => /up to date/i.test(s),
        "the preview after the change",
      );
      assert.notEqual(await text(page, "#prompt-preview"), prompt, "the prompt follows the form too");
      // A short period keeps the run quick.
      await page.$eval("#bp-start", (e: PageDom) => {
        e.value = "2021-01-01";
        e.dispatchEvent(new Event("input", { bubbles: true }));
      });
      await waitForText(page, "#preview-status", (s) => /up to date/i.test(s), "the preview after the dates");
      await page.type("#strategy-name", STRATEGY);
      await page.click("#save-strategy");
      await page.waitForSelector("#save-result");
      assert.match(await text(page, "#save-result"), /Saved/);
      libraryHref = await page.$eval("#save-result a", (a: PageDom) => a.getAttribute("href") as string);
      assert.match(libraryHref, /^\/app\/library\/[^/]+$/);
      await checkNotBroken(page, "acceptance-1-build");
      assertClean(page);
    });

    await t.step("run the backtest: the job page follows it to completed and shows the result", async () => {
      await clickAndNavigate(page, "#run-backtest");
      assert.match(new URL(page.url()).pathname, /^\/app\/backtests\/[^/]+$/);
      await page.waitForSelector("#job-status");
      await waitInPage(
        page,
        () => document.getElementById("job-status")?.getAttribute("data-status") === "completed",
        [],
        { timeoutMs: 90_000, what: "the job to complete on its page" },
      );
      await page.waitForSelector("#result #equity-chart");
      for (const id of ["#monthly-table", "#trades-table", "#export-csv"]) {
        assert.ok(await page.$(id), `${id} is shown`);
      }
      await checkNotBroken(page, "acceptance-2-job", { charts: ["#equity-chart", "#drawdown-chart"] });
      assertClean(page);
    });

    await t.step("the library: versions; submit to the leaderboard, where it is listed", async () => {
      await page.goto(`${server.origin}${libraryHref}`);
      assert.match(await text(page, "main"), new RegExp(STRATEGY));
      assert.ok(await page.$("#versions-table"), "the versions table");
      await checkNotBroken(page, "acceptance-3-library");
      await page.click("#lb-submit");
      await page.waitForSelector("#lb-score", { timeout: 90_000 });
      assert.match(await text(page, "#lb-score"), /score/i);
      const board = await page.$eval("#lb-result a", (a: PageDom) => a.getAttribute("href") as string);
      await page.goto(`${server.origin}${board}`);
      await page.waitForSelector("#leaderboard-table");
      assert.match(await text(page, "#leaderboard-table"), new RegExp(STRATEGY), "the strategy is ranked");
      await checkNotBroken(page, "acceptance-4-leaderboard");
      assertClean(page);
    });

    await t.step("build by chat (offline agent): config ready → Run Backtest → the result", async () => {
      await page.goto(`${server.origin}/app/build/chat`);
      await page.waitForSelector("#chat-input");
      let ready = false;
      for (const message of CHAT) {
        const agentBefore = await page.$$eval("#chat-log .msg.agent", (m: PageDom[]) => m.length);
        await page.type("#chat-input", message);
        await page.click("#chat-send");
        await waitInPage(
          page,
          (n: number) => document.querySelectorAll("#chat-log .msg.agent").length > n,
          [agentBefore],
          { what: "the agent's answer" },
        );
        await waitInPage(page, () => !document.getElementById("chat-send").disabled);
        // The config is read after the answer: give the page a moment to enable Run Backtest.
        ready = await page.waitForSelector("#chat-run:not([disabled])", { timeout: 3_000 }).then(
          () => true,
          () => false,
        );
        if (ready) break;
      }
      assert.ok(ready, `the agent never said the configuration is ready:\n${await text(page, "#chat-log")}`);
      assert.match(await text(page, "#chat-config"), /Ready/i);
      await page.click("#chat-run");
      await page.waitForSelector("#chat-run-done", { timeout: 90_000 });
      await checkNotBroken(page, "acceptance-5-chat", {
        charts: ["#chat-result #equity-chart", "#chat-result #drawdown-chart"],
      });
      assert.ok(await page.$("#chat-result #monthly-table"), "the monthly table of document 004");
      assertClean(page);
    });

    await t.step("the demo's public record: verified in the browser", async () => {
      await page.goto(`${server.origin}/app/records`);
      await page.waitForSelector("#records-table");
      assert.match(await text(page, "#records-table"), /demo/i);
      await checkNotBroken(page, "acceptance-6-records");
      await page.goto(`${server.origin}/app/records/${DEMO_SLUG}`);
      await checkNotBroken(page, "acceptance-7-record", { charts: ["#nav-chart", "#drawdown-chart"] });
      await page.waitForSelector("#verify-button:not([disabled])");
      await page.click("#verify-button");
      await page.waitForSelector("#verify-verdict[data-verdict]", { timeout: 90_000 });
      const verdict = await page.$eval(
        "#verify-verdict",
        (e: PageDom) => e.getAttribute("data-verdict") as string,
      );
      assert.equal(verdict, "verified", await text(page, "#verify-panel"));
      assert.match(await text(page, "#verify-verdict"), /verified/i);
      assert.ok((await text(page, "#verify-checks")).length > 0, "each check is listed");
      await checkNotBroken(page, "acceptance-8-verified");
      assertClean(page);
    });
  } finally {
    await browser.close();
    await server.close();
  }
});
