/**
 * Smoke test of the dashboard in headless Chromium: the home page, signing in by email OTP (a wrong code first),
 * signing out, the public pages, a signed-out visitor sent to sign in, the 404 page, a 375 px phone, and the
 * keyboard (Tab reaches the skip link and the navigation; the skip link moves focus to the content). Every page
 * has no console error, no failed request and no request leaving the app, and its screenshot is not blank.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import {
  assertClean,
  checkNotBroken,
  launchBrowser,
  openPage,
  type PageDom,
  signInInBrowser,
  startAppServer,
  waitInPage,
} from "../_helpers/browser.ts";

declare const document: PageDom;
declare const location: { hash: string };

/** Pages anyone may open, with a word their main content must show. */
const PUBLIC_PAGES: [string, RegExp][] = [
  ["/app", /track records/i],
  ["/app/sign-in", /email/i],
  ["/app/leaderboard", /leaderboard/i],
  ["/app/records", /record/i],
];

const mainText = (page: Page) => page.$eval("main", (m) => (m as PageDom).innerText);

/** The element focused now, described (tag, id, class, href, text, whether inside the main nav). */
const focused = (page: Page) =>
  page.evaluate(() => {
    const el = document.activeElement as PageDom;
    return {
      tag: el?.tagName.toLowerCase() ?? "",
      id: el?.id ?? "",
      cls: el?.className ?? "",
      href: el?.getAttribute("href") ?? "",
      inNav: !!el?.closest("nav[aria-label='Main']"),
      onScreen: !!el && el.getBoundingClientRect().left >= 0 && el.getBoundingClientRect().width > 0,
    };
  });

Deno.test("the dashboard in headless Chromium: pages, OTP sign-in, phone width, keyboard", async (t) => {
  const server = await startAppServer();
  const browser = await launchBrowser();
  try {
    await t.step("the home page, signed out", async () => {
      const page = await openPage(browser, server.origin);
      const res = await page.goto(`${server.origin}/`);
      assert.equal(res?.status(), 200);
      assert.equal(new URL(page.url()).pathname, "/app", "/ redirects to /app");
      assert.match(await page.title(), /Quantedge/);
      const nav = await page.$$eval(
        "nav[aria-label='Main'] a",
        (as) => as.map((a) => a.getAttribute("href")),
      );
      assert.ok(nav.includes("/app/records") && nav.includes("/app/leaderboard"), nav.join(" "));
      assert.ok(!nav.includes("/app/build"), "signed-in sections are not offered to a visitor");
      assert.ok(await page.$("a[href='/app/sign-in']"), "a sign-in link");
      await checkNotBroken(page, "smoke-home");
      assertClean(page);
      await page.browserContext().close();
    });

    await t.step(
      "keyboard: Tab reaches the skip link, then the navigation; the skip link focuses the content",
      async () => {
        const page = await openPage(browser, server.origin);
        await page.goto(`${server.origin}/app`);
        await page.keyboard.press("Tab");
        const first = await focused(page);
        assert.equal(first.cls, "skip", `the first Tab stop is the skip link (got ${JSON.stringify(first)})`);
        assert.ok(first.onScreen, "the focused skip link is visible");
        await page.keyboard.press("Enter");
        await waitInPage(page, () => location.hash === "#main" && document.activeElement?.id === "main", [], {
          what: "the skip link to move focus to #main",
        });
        await page.goto(`${server.origin}/app`);
        let reached = false;
        for (let i = 0; i < 12 && !reached; i++) {
          await page.keyboard.press("Tab");
          reached = (await focused(page)).inNav;
        }
        assert.ok(reached, "Tab reaches a link of the main navigation within 12 stops");
        await page.keyboard.press("Enter");
        await page.waitForNavigation({ waitUntil: "load" }).catch(() => {});
        assert.notEqual(new URL(page.url()).pathname, "/app", "Enter on a nav link follows it");
        assertClean(page);
        await page.browserContext().close();
      },
    );

    await t.step("the public pages", async () => {
      const page = await openPage(browser, server.origin);
      for (const [path, word] of PUBLIC_PAGES) {
        const res = await page.goto(`${server.origin}${path}`);
        assert.equal(res?.status(), 200, `${path} answers 200`);
        assert.match(await mainText(page), word, `${path} shows its content`);
        assert.equal(await page.$$eval("h1", (h) => h.length), 1, `${path} has one main heading`);
        await checkNotBroken(page, `smoke-public${path.replaceAll("/", "-")}`);
      }
      assertClean(page);
      await page.browserContext().close();
    });

    await t.step("a signed-out visitor is sent to sign in; an unknown page is the 404 page", async () => {
      const page = await openPage(browser, server.origin);
      await page.goto(`${server.origin}/app/build`);
      const at = new URL(page.url());
      assert.equal(at.pathname, "/app/sign-in");
      assert.equal(at.searchParams.get("next"), "/app/build");
      const res = await page.goto(`${server.origin}/app/records/no-such-record`);
      assert.equal(res?.status(), 404);
      assert.match(await mainText(page), /does not exist/);
      await checkNotBroken(page, "smoke-not-found", { minText: 20 });
      // The one error answer is the 404 page itself (Chromium logs it as a failed resource).
      assertClean(page, { allow: [/404.*\/app\/records\/no-such-record/] });
      await page.browserContext().close();
    });

    await t.step("sign in by OTP (a wrong code first), then sign out", async () => {
      const page = await openPage(browser, server.origin);
      const email = "smoke@example.com";
      await page.goto(`${server.origin}/app/sign-in`);
      const before = server.sent.length;
      await page.type("#email", email);
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      const code = await server.otp(email, before);
      const wrong = code === "000000" ? "111111" : "000000";
      await page.type("#otp_code", wrong);
      await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
      const alert = await page.$eval("[role='alert']", (a) => (a as PageDom).innerText);
      assert.ok(alert.length > 5, "a wrong code is explained");
      assert.equal((await page.browserContext().cookies()).some((c) => c.name === "qe_session"), false);
      await checkNotBroken(page, "smoke-wrong-code");
      // The wrong code's answer is a 401 page by design.
      assertClean(page, { allow: [/401.*\/app\/sign-in\/verify/] });

      await signInInBrowser(page, server, email, "/app/build");
      await page.goto(`${server.origin}/app`);
      const nav = await page.$$eval(
        "nav[aria-label='Main'] a",
        (as) => as.map((a) => a.getAttribute("href")),
      );
      assert.ok(nav.includes("/app/build") && nav.includes("/app/account"), nav.join(" "));
      assert.match(
        await page.$eval("header .who", (w) => (w as PageDom).innerText),
        /smoke@example\.com/,
      );
      await checkNotBroken(page, "smoke-signed-in");
      await Promise.all([
        page.waitForNavigation(),
        page.$eval("header .who form", (f) => (f as PageDom).requestSubmit()),
      ]);
      assert.equal(new URL(page.url()).pathname, "/app");
      assert.ok(await page.$("a[href='/app/sign-in']"), "signed out again");
      assert.equal((await page.browserContext().cookies()).some((c) => c.name === "qe_session"), false);
      assertClean(page);
      await page.browserContext().close();
    });

    await t.step(
      "a 375 px phone: no sideways scrolling, the navigation and the sign-in form usable",
      async () => {
        const page = await openPage(browser, server.origin, {
          viewport: { width: 375, height: 740, isMobile: true },
        });
        for (const path of ["/app", "/app/records", "/app/leaderboard", "/app/sign-in"]) {
          await page.goto(`${server.origin}${path}`);
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(width <= 376, `${path} fits 375 px (scrollWidth ${width})`);
          await checkNotBroken(page, `smoke-phone${path.replaceAll("/", "-")}`);
        }
        const box = await (await page.$("#email"))!.boundingBox();
        assert.ok(box && box.width >= 150 && box.x >= 0 && box.x + box.width <= 375, "the email field fits");
        await signInInBrowser(page, server, "phone@example.com");
        await checkNotBroken(page, "smoke-phone-signed-in");
        assertClean(page);
        await page.browserContext().close();
      },
    );
  } finally {
    await browser.close();
    await server.close();
  }
});
