/**
 * The account page in headless Chromium (puppeteer-core): sign in by OTP, create an API key — shown once with a
 * copy button and a warning, working on the API, gone after a reload — then revoke it after the confirmation
 * step; open a ticket and reply to it. No console error, no failed request, no request leaving the app.
 * Chromium is `CHROMIUM_PATH`, else `chromium` on PATH (Debian's package; `.ci/run` installs it).
 */
import assert from "node:assert/strict";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { lastOtp, openTestWorld, type TestWorld } from "../_helpers/test_app.ts";

const STEP_MS = 30_000;

/** Starts headless Chromium with a profile under `.tmp/` and connects puppeteer to it. */
async function launch(): Promise<{ browser: Browser; close(): Promise<void> }> {
  await Deno.mkdir(".tmp", { recursive: true });
  const profile = await Deno.makeTempDir({ dir: ".tmp", prefix: "account-chromium-" });
  const binary = Deno.env.get("CHROMIUM_PATH") || "chromium";
  const child = new Deno.Command(binary, {
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-extensions",
      "--remote-debugging-address=127.0.0.1",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let seen = "";
  const deadline = Date.now() + STEP_MS;
  let endpoint: string | null = null;
  while (!endpoint && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    seen += value;
    endpoint = seen.match(/DevTools listening on (ws:\/\/\S+)/)?.[1] ?? null;
  }
  if (!endpoint) {
    child.kill("SIGKILL");
    await child.status;
    throw new Error(`${binary} did not start:\n${seen.slice(-2000)}`);
  }
  // Keep draining stderr so Chromium never blocks on a full pipe.
  const drained = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  const browser = await puppeteer.connect({ browserWSEndpoint: endpoint, defaultViewport: null });
  return {
    browser,
    async close() {
      await browser.close().catch(() => {});
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await drained.catch(() => {});
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}

/** The app on a loopback port. */
function serve(world: TestWorld) {
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => world.app.fetch(req),
  );
  return { origin: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

/** A page that records console errors, page errors, failed requests and requests leaving `origin`. */
async function openPage(browser: Browser, origin: string) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_MS);
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warn") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e}`));
  page.on("requestfailed", (r) => problems.push(`failed: ${r.url()}`));
  page.on("request", (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith("data:")) {
      problems.push(`left the app: ${r.url()}`);
    }
  });
  page.on("response", (r) => {
    if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
  });
  return { page, problems, close: () => context.close() };
}

/** Evaluates `expr` in the page until it is truthy; answers it. */
async function until<T>(page: Page, expr: string, what: string): Promise<T> {
  const end = Date.now() + STEP_MS;
  for (;;) {
    const v = await page.evaluate(expr) as T;
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

Deno.test("account page in Chromium: an API key is shown once, works, and is revoked after confirmation", async () => {
  const world = await openTestWorld();
  const app = serve(world);
  const chromium = await launch();
  const { page, problems, close } = await openPage(chromium.browser, app.origin);
  try {
    await page.goto(`${app.origin}/app/account`, { waitUntil: "load" });
    assert.equal(new URL(page.url()).pathname, "/app/sign-in", "signed out: sent to sign in");
    await page.type("#email", "browser-keys@example.com");
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
    await page.type("#otp_code", lastOtp(world.sent, "browser-keys@example.com"));
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
    const me = await world.request("GET", "/api/v1/auth/me", { token: secret });
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
    const after = await world.request("GET", "/api/v1/auth/me", { token: secret });
    assert.equal(after.status, 401);
    await after.body?.cancel();

    // A ticket: open it from the account page, land on its page, reply.
    await page.type("#ticket-title", "Chart missing");
    await page.type("#ticket-description", "The equity chart is blank.");
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#ticket-create-submit")]);
    assert.match(new URL(page.url()).pathname, /^\/app\/account\/tickets\/tkt_/);
    assert.match(await page.evaluate(`document.querySelector("main").innerText`) as string, /Chart missing/);
    await page.type("#ticket-reply", "Also on the phone.");
    await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#ticket-reply-submit")]);
    const replies = await page.evaluate(`document.getElementById("ticket-replies").innerText`) as string;
    assert.match(replies, /Also on the phone\./);

    assert.deepEqual(problems, []);
  } finally {
    await close().catch(() => {});
    await chromium.close();
    await app.close();
    await world.close();
  }
});
