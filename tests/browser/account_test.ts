/**
 * The account page in headless Chromium (the shared `tests/_helpers/browser.ts`: the Chromium given by the test
 * run's `--chromium=` argument): sign in by OTP, create an API key — shown once with a copy button and a warning,
 * working on the API, gone after a reload — then revoke it after the confirmation step; open a ticket and reply
 * to it; and Sign in with GitHub through a loopback GitHub. No console error or warning, no failed request, no
 * error answer, no request leaving the app (`assertClean`).
 */
import assert from "node:assert/strict";
import {
  type AppServer,
  assertClean,
  checkNotBroken,
  launchBrowser,
  openPage,
  startAppServer,
  STEP_TIMEOUT_MS,
} from "../_helpers/browser.ts";
import { startFakeGithub } from "../_helpers/fake_github.ts";
import type { Page } from "puppeteer-core";

/** `GET /api/v1/auth/me` with an API key as the bearer token. */
function asKey(server: AppServer, key: string): Promise<Response> {
  return fetch(`${server.origin}/api/v1/auth/me`, { headers: { authorization: `Bearer ${key}` } });
}

/** Evaluates `expr` in the page until it is truthy; answers it. */
async function until<T>(page: Page, expr: string, what: string): Promise<T> {
  const end = Date.now() + STEP_TIMEOUT_MS;
  for (;;) {
    const v = await page.evaluate(expr) as T;
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test({
  name: "account page in Chromium: an API key is shown once, works, and is revoked after confirmation",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = await startAppServer();
    const browser = await launchBrowser();
    try {
      const page = await openPage(browser, server.origin);
      await page.goto(`${server.origin}/app/account`, { waitUntil: "load" });
      assert.equal(new URL(page.url()).pathname, "/app/sign-in", "signed out: sent to sign in");
      await page.type("#email", "browser-keys@example.com");
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
      await page.type("#otp_code", await server.otp("browser-keys@example.com"));
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
      assert.equal(new URL(page.url()).pathname, "/app/account", "back on the account page");

      // Create a key: the secret appears once, with a warning and a copy button; the table gains a row.
      await page.type("#api-key-name", "browser agent");
      await page.click("#api-key-create-submit");
      const secret = await until<string>(
        page,
        `(() => { const el = document.getElementById("api-key-secret-value"); return el && el.value; })()`,
        "the new key",
      );
      assert.match(secret, /^qe_[A-Za-z0-9]{40}$/);
      const box = await page.evaluate(
        `(() => { const b = document.getElementById("api-key-secret"); return { hidden: b.hidden, text: b.innerText }; })()`,
      ) as { hidden: boolean; text: string };
      assert.equal(box.hidden, false);
      assert.match(box.text, /shown only once/);
      assert.ok(await page.$("#api-key-copy"), "a copy button");
      const table = await page.evaluate(`document.getElementById("api-keys-table").innerText`) as string;
      assert.match(table, /browser agent/);
      assert.ok(!table.includes(secret), "the table shows the prefix, not the key");
      assert.ok(table.includes(secret.slice(0, 7)) && table.includes(secret.slice(-4)));
      const status = await page.evaluate(`document.getElementById("api-keys-status").innerText`) as string;
      assert.match(status, /created/);

      // The key works on the API.
      const me = await asKey(server, secret);
      assert.equal(me.status, 200);
      assert.equal((await me.json()).email, "browser-keys@example.com");

      // "Done" removes it; after a reload it is nowhere in the page.
      await page.click("#api-key-secret-done");
      assert.equal(await page.evaluate(`document.getElementById("api-key-secret").hidden`), true);
      await page.reload({ waitUntil: "load" });
      const html = await page.content();
      assert.ok(!html.includes(secret), "never rendered again");
      assert.match(html, /browser agent/);

      // Revoke asks first; cancelling keeps the key, confirming ends it.
      await page.click("button[data-revoke]");
      await page.waitForSelector("button[data-cancel-revoke]");
      await page.click("button[data-cancel-revoke]");
      await page.waitForSelector("button[data-revoke]");
      await page.click("button[data-revoke]");
      await page.waitForSelector("button[data-confirm-revoke]");
      await page.click("button[data-confirm-revoke]");
      await until(page, `document.querySelector("#api-keys-table tr[data-empty]") !== null`, "the row to go");
      assert.match(
        await page.evaluate(`document.getElementById("api-keys-status").innerText`) as string,
        /revoked/,
      );
      const after = await asKey(server, secret);
      assert.equal(after.status, 401);
      await after.body?.cancel();

      // A ticket: open it from the account page, land on its page, reply.
      await page.type("#ticket-title", "Chart missing");
      await page.type("#ticket-description", "The equity chart is blank.");
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#ticket-create-submit")]);
      assert.match(new URL(page.url()).pathname, /^\/app\/account\/tickets\/tkt_/);
      assert.match(
        await page.evaluate(`document.querySelector("main").innerText`) as string,
        /Chart missing/,
      );
      await page.type("#ticket-reply", "Also on the phone.");
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#ticket-reply-submit")]);
      const replies = await page.evaluate(`document.getElementById("ticket-replies").innerText`) as string;
      assert.match(replies, /Also on the phone\./);
      await checkNotBroken(page, "account-ticket");
      assertClean(page);
    } finally {
      await browser.close();
      await server.close();
    }
  },
});

Deno.test({
  name:
    "sign-in page in Chromium: Sign in with GitHub goes through the (loopback) GitHub and back, signed in",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const gh = startFakeGithub("Iv1.browser", "browser-secret-0123456789");
    gh.approveAs = {
      id: 4242,
      login: "hubot",
      emails: [{ email: "hubot@example.com", primary: true, verified: true }],
    };
    // startAppServer sets PUBLIC_BASE_URL to its own origin (GitHub sends the browser back there).
    const server = await startAppServer({
      env: {
        GITHUB_CLIENT_ID: "Iv1.browser",
        GITHUB_CLIENT_SECRET: "browser-secret-0123456789",
        GITHUB_OAUTH_BASE_URL: gh.oauthBaseUrl,
        GITHUB_API_BASE_URL: gh.apiBaseUrl,
      },
    });
    const browser = await launchBrowser();
    try {
      // The only origin outside the app the page may reach is the loopback GitHub.
      const page = await openPage(browser, server.origin, { allowOrigins: [gh.oauthBaseUrl] });
      const origin = server.origin;
      await page.goto(`${origin}/app/sign-in?next=%2Fapp%2Faccount`, { waitUntil: "load" });
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#github-sign-in")]);
      const landed = new URL(page.url());
      assert.equal(landed.origin + landed.pathname, `${origin}/app/account`, "back from GitHub, signed in");
      const email = await page.evaluate(`document.getElementById("profile-email").innerText`) as string;
      assert.equal(email, "hubot@example.com");
      const cookies = await page.browserContext().cookies();
      assert.ok(cookies.some((c) => c.name === "qe_session" && c.httpOnly));
      assert.ok(!cookies.some((c) => c.name === "qe_github_state"), "the state cookie is gone");
      assertClean(page);
    } finally {
      await browser.close();
      await server.close();
      await gh.close();
    }
  },
});
