/**
 * The Build pages in headless Chromium: the blueprint form's live preview follows the form (indicator change →
 * other inputs, 422 issues beside the field), saving and queuing a backtest; the editor's inline errors with
 * line, column and hint; the copilot chat with the offline provider up to "config ready → Run Backtest"; the
 * backtrader import. No console errors and no request leaving the app.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
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
declare const sessionStorage: PageDom;

async function withBrowser(fn: (server: AppServer, browser: TestBrowser) => Promise<void>) {
  const server = await startAppServer();
  let browser: TestBrowser | null = null;
  try {
    browser = await launchBrowser();
    await fn(server, browser);
  } finally {
    await browser?.close();
    await server.close();
  }
}

const textOf = (page: Page, id: string) =>
  page.evaluate((i) => document.getElementById(i)?.textContent ?? "", id);

/** Waits until the element `id`'s text contains `part`. */
function waitText(page: Page, id: string, part: string) {
  return waitInPage(
    page,
    (i: string, p: string) => (document.getElementById(i)?.textContent ?? "").includes(p),
    [id, part],
    { what: `#${id} to contain ${JSON.stringify(part)}` },
  );
}

/** Sets an input's value as typing would (clears it, types `value`). */
async function retype(page: Page, selector: string, value: string) {
  await page.click(selector, { count: 3 });
  await page.keyboard.press("Backspace");
  await page.type(selector, value);
}

Deno.test("browser: the blueprint form previews live, shows the API's issues by the field, saves and queues a backtest", async () => {
  await withBrowser(async (server, browser) => {
    const page = await openPage(browser, server.origin);
    await signInInBrowser(page, server, "form@example.com", "/app/build");
    await waitText(page, "code-preview", "entry: crosses_above(close, sma(close, 20))");
    await waitText(page, "prompt-preview", "Build a strategy on RELIANCE.NS using 1d candles");
    assert.match(await textOf(page, "code-preview"), /^exit: crosses_below\(close, sma\(close, 50\)\)$/m);

    // RSI takes a lookback and a level; its row shows the level input, and the preview follows.
    assert.equal(await page.$eval("#bp-entry-0-value", (el) => el.closest("div")!.hidden), true);
    await page.select("#bp-entry-0-indicator", "rsi");
    await waitInPage(page, () => !document.getElementById("bp-entry-0-value")!.closest("div")!.hidden);
    assert.equal(
      await page.$eval("label[for=bp-entry-0-value]", (el) => el.textContent),
      "Level (0–100) 阈值",
    );
    assert.equal(await page.$eval("#bp-entry-0-multiplier", (el) => el.closest("div")!.hidden), true);
    await page.select("#bp-entry-0-operator", "<");
    await retype(page, "#bp-entry-0-value", "35");
    await waitText(page, "code-preview", "entry: rsi(close, 20) < 35");
    await retype(page, "#bp-entry-0-lookback", "10");
    await waitText(page, "code-preview", "entry: rsi(close, 10) < 35");
    await waitText(page, "prompt-preview", "RSI");

    // Bollinger swaps the level for a band width.
    await page.click("#bp-exit-add");
    await page.waitForSelector("#bp-exit-1-indicator");
    assert.equal(await page.evaluate(() => document.activeElement?.id), "bp-exit-1-indicator");
    await page.select("#bp-exit-1-indicator", "bollinger");
    await page.select("#bp-exit-1-operator", "crosses_above");
    await waitInPage(page, () => !document.getElementById("bp-exit-1-multiplier")!.closest("div")!.hidden);
    await retype(page, "#bp-exit-1-multiplier", "2.5");
    await waitText(page, "code-preview", "crosses_above(close, bb_upper(close, 20, 2.5))");
    await page.click("button[aria-label='Remove exit condition 2']");
    await waitInPage(page, () => !document.getElementById("bp-exit-1-indicator"));
    await waitInPage(page, () => !document.getElementById("code-preview")!.textContent!.includes("bb_upper"));

    // A lookback the API refuses: its 422 issue is shown beside that input.
    await retype(page, "#bp-entry-0-lookback", "0");
    await page.waitForSelector("#bp-entry-0-lookback-error");
    assert.equal(await page.$eval("#bp-entry-0-lookback", (el) => el.getAttribute("aria-invalid")), "true");
    assert.match(await textOf(page, "bp-errors"), /1 field needs fixing/);
    await retype(page, "#bp-entry-0-lookback", "14");
    await waitInPage(page, () => !document.getElementById("bp-entry-0-lookback-error"));
    await waitText(page, "preview-status", "Preview up to date.");
    await checkNotBroken(page, "build-blueprint");

    // Saving without a name asks for one beside the input; with one it saves.
    await page.click("#save-strategy");
    await page.waitForSelector("#strategy-name-error");
    await page.type("#strategy-name", "RSI dip");
    await page.click("#save-strategy");
    await page.waitForSelector("#save-result");
    assert.match(await textOf(page, "save-result"), /Saved “RSI dip” \(version 1\)/);
    assertClean(page, { allow: [/422/, /status of 422/] });

    await Promise.all([page.waitForNavigation(), page.click("#run-backtest")]);
    assert.match(new URL(page.url()).pathname, /^\/app\/backtests\/[A-Za-z0-9_-]+$/);
    await page.waitForSelector("#job-status"); // the queued job's own page
  });
});

Deno.test("browser: the editor lists the parser's problems with line, column and hint, and saves", async () => {
  await withBrowser(async (server, browser) => {
    const page = await openPage(browser, server.origin);
    await signInInBrowser(page, server, "editor@example.com", "/app/build/editor");
    await waitText(page, "editor-status", "No problems");
    const lines: string[] = (await page.$eval("#strategy-text", (el) => (el as PageDom).value as string))
      .split("\n");
    const entryLine = lines.findIndex((l: string) => l.startsWith("entry:")) + 1;
    // Put a typo in the entry rule, as a person would: select "sma(" and type "smaa(".
    await page.$eval("#strategy-text", (el, line) => {
      const t = el as PageDom;
      const offset = t.value.split("\n").slice(0, (line as number) - 1).join("\n").length + 1;
      const at = t.value.indexOf("sma(", offset);
      t.focus();
      t.setSelectionRange(at, at + 4);
    }, entryLine);
    await page.keyboard.type("smaa(");
    await page.waitForSelector("#editor-issues li button");
    const issue = await page.$eval("#editor-issues li button", (el) => el.textContent ?? "");
    assert.match(
      issue,
      new RegExp(`^Line ${entryLine}, column 22: Unknown function "smaa" — did you mean "sma"\\?$`),
    );
    assert.match(await textOf(page, "editor-status"), /1 problem found/);
    await page.click("#editor-issues li button");
    assert.equal(await textOf(page, "editor-cursor"), `Line ${entryLine}, column 22`);

    // The click selected the "s" of "smaa": step past "sm" and delete one "a".
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Delete");
    await waitText(page, "editor-status", "No problems");

    await page.type("#editor-name", "Text SMA");
    await page.click("#editor-save");
    await page.waitForSelector("#save-result");
    assert.match(await textOf(page, "save-result"), /Saved “Text SMA” as version 1/);
    assert.match(page.url(), /\/app\/build\/editor\?library_id=/);
    assert.equal(await textOf(page, "editor-save"), "Save new version 保存新版本");
    await page.click("#editor-save");
    await waitText(page, "save-result", "as version 2");
    await checkNotBroken(page, "build-editor");
    assertClean(page);
  });
});

Deno.test("browser: the chat with the offline agent reaches config ready, and Run Backtest shows the result", async () => {
  await withBrowser(async (server, browser) => {
    const page = await openPage(browser, server.origin);
    await signInInBrowser(page, server, "chat@example.com", "/app/build/chat");
    assert.equal(await page.$eval("#chat-run", (el) => (el as PageDom).disabled), true);
    await page.type("#chat-input", "I want to test a momentum strategy on large cap stocks");
    await page.click("#chat-send");
    await waitInPage(page, () => document.querySelectorAll("#chat-log .msg.agent").length >= 2);
    assert.equal(await page.$eval("#chat-run", (el) => (el as PageDom).disabled), true);
    await page.type(
      "#chat-input",
      "SMA crossover 20/50 from 2023-01-01 to 2024-06-30 with 100 million capital",
    );
    await page.keyboard.press("Enter");
    await waitInPage(page, () => !(document.getElementById("chat-run") as PageDom).disabled);
    assert.match(await textOf(page, "chat-config"), /SMA_CROSSOVER/);
    const session = await page.evaluate(() => sessionStorage.getItem("qe_chat_session"));
    assert.match(session ?? "", /^web_[0-9a-f]{32}$/);

    // A reload keeps the conversation and the config (same session).
    await page.reload({ waitUntil: "load" });
    await waitInPage(page, () => !(document.getElementById("chat-run") as PageDom).disabled);
    assert.equal(await page.$$eval("#chat-log .msg.user", (els) => els.length), 2);

    await page.click("#chat-run");
    await page.waitForSelector("#chat-run-done", { timeout: 120_000 });
    // The shared result view: summary, equity against the benchmarks, drawdown, monthly table, trades.
    assert.match(await textOf(page, "summary-metrics"), /Final value/);
    await page.waitForSelector("#chat-result #monthly-table");
    await page.waitForSelector("#chat-result #trades-table");
    await checkNotBroken(page, "build-chat", { charts: ["#equity-chart", "#drawdown-chart"] });
    assertClean(page);
  });
});

Deno.test("browser: backtrader code imports into strategy text; unsupported code names its line", async () => {
  await withBrowser(async (server, browser) => {
    const page = await openPage(browser, server.origin);
    await signInInBrowser(page, server, "import@example.com", "/app/build/import");
    await page.click("#import-submit");
    await waitText(page, "import-text", "entry: crosses_above(sma(close, 20), sma(close, 50))");
    assert.equal(await page.$eval("#import-result", (el) => (el as PageDom).hidden), false);
    await page.click("#import-save");
    await page.waitForSelector("#save-result");
    assert.match(await textOf(page, "save-result"), /Saved “Imported SMA cross” \(version 1\)/);
    assertClean(page);

    await page.$eval("#backtrader-code", (el) => {
      const t = el as PageDom;
      t.value = t.value.replace(
        "    def next(self):\n",
        "    def next(self):\n        while True:\n            pass\n",
      );
    });
    await page.click("#import-submit");
    await page.waitForSelector("#backtrader-code-error");
    assert.match(await textOf(page, "backtrader-code-error"), /line \d+/);
    assert.match(await textOf(page, "backtrader-code-error"), /while/);
    assert.equal(await page.$eval("#import-result", (el) => (el as PageDom).hidden), true);
    await checkNotBroken(page, "build-import");

    // On a 375 px wide phone every Build page fits its width (nothing to scroll sideways).
    await page.setViewport({ width: 375, height: 812, isMobile: true });
    for (const path of ["/app/build", "/app/build/editor", "/app/build/chat", "/app/build/import"]) {
      await page.goto(`${server.origin}${path}`, { waitUntil: "load" });
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 376, `${path} is ${width} px wide on a 375 px screen`);
    }
    await checkNotBroken(page, "build-phone");
  });
});
