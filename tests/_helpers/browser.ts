/**
 * Browser tests in headless Chromium driven by puppeteer-core:
 * - `launchBrowser()` finds Chromium (the test run's `--chromium=<path>` argument, which `deno task test` sets
 *   from `CHROMIUM_PATH`, else `chromium`, `chromium-browser`, `google-chrome` on PATH), starts it headless (`--no-sandbox`: CI runs as root) with a profile under the repository's `.tmp/`,
 *   and connects to it; one browser per test file, closed in its `finally`.
 * - `openPage(browser, origin)` opens a page in a fresh browser context (its own cookies) that records console
 *   errors and warnings, uncaught page errors, failed requests, error answers, and EVERY request whose origin is
 *   not the app's (blocked, and reported); `assertClean(page)` fails on anything recorded.
 * - `signInInBrowser(page, server, email)` signs in through `/app/sign-in` with the OTP from the test mailer.
 * - `checkNotBroken(page, name, {charts})` screenshots the page to `.tmp/screenshots/<name>.png` and fails on
 *   gross breakage: a blank page (little visible text, a screenshot with almost no ink) or a chart container
 *   without a drawn canvas.
 * The app itself is served by `startAppServer()` (`app_server.ts`).
 */
import assert from "node:assert/strict";
import puppeteer, { type Browser, type BrowserContext, type Page } from "puppeteer-core";
import type { AppServer } from "./app_server.ts";
import { summarisePng } from "./png_pixels.ts";

export { type AppServer, startAppServer } from "./app_server.ts";

/**
 * The page's DOM as the callbacks a test runs in the page see it, loosely typed: Deno's types have no DOM, and
 * a `lib="dom"` reference would change the types of every file checked with this one. A test file declares
 * `declare const document: PageDom;` for its in-page callbacks.
 */
// deno-lint-ignore no-explicit-any
export type PageDom = any;
declare const document: PageDom;
declare const location: { hash: string };

const REPO = new URL("../../", import.meta.url).pathname;
const TMP = `${REPO}.tmp`;

/** How long a step may wait for a selector, a navigation or a chart (a slow 2-core machine). */
export const STEP_TIMEOUT_MS = 30_000;

const INSTALL_HINT =
  "Install Chromium (Debian/Ubuntu: `sudo apt-get install -y chromium`; `.ci/run` does it) " +
  "or set CHROMIUM_PATH to a Chromium or Chrome binary for `deno task test` (which allows running it and " +
  "passes it as `-- --chromium=<path>`); with plain `deno test` pass --allow-run=<binary> -- --chromium=<binary>";

/** A running Chromium and the puppeteer connection to it. */
export interface TestBrowser {
  browser: Browser;
  /** The binary that was started. */
  executable: string;
  close(): Promise<void>;
}

/**
 * Candidates in order: the test run's `--chromium=<path>` argument (`deno task test` passes `CHROMIUM_PATH`
 * that way: tests do not read the environment), then the usual names on PATH.
 */
function candidates(): string[] {
  const given = Deno.args.find((a) => a.startsWith("--chromium="))?.slice("--chromium=".length);
  return given ? [given] : ["chromium", "chromium-browser", "google-chrome"];
}

/** Reads Chromium's stderr until it prints its DevTools address; keeps draining it afterwards. */
function devtoolsAddress(
  child: Deno.ChildProcess,
  name: string,
): { ws: Promise<string>; drained: Promise<void> } {
  const tail: string[] = [];
  let found!: (url: string) => void;
  let failed!: (e: Error) => void;
  const ws = new Promise<string>((res, rej) => {
    found = res;
    failed = rej;
  });
  const timer = setTimeout(
    () => failed(new Error(`${name} printed no DevTools address within 30 s:\n${tail.join("\n")}`)),
    STEP_TIMEOUT_MS,
  );
  const drained = (async () => {
    let buffered = "";
    let done = false;
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      if (done) continue;
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      for (const line of lines) {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        const m = line.match(/DevTools listening on (ws:\/\/\S+)/);
        if (m) {
          done = true;
          clearTimeout(timer);
          found(m[1]);
        }
      }
    }
    clearTimeout(timer);
    if (!done) failed(new Error(`${name} exited before it was ready:\n${tail.join("\n")}`));
  })();
  return { ws, drained };
}

/** Starts headless Chromium and connects puppeteer to it. */
export async function launchBrowser(): Promise<TestBrowser> {
  await Deno.mkdir(TMP, { recursive: true });
  const profile = await Deno.makeTempDir({ dir: TMP, prefix: "chromium-profile-" });
  const args = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-features=Translate,MediaRouter,OptimizationHints",
    "--metrics-recording-only",
    "--mute-audio",
    "--hide-scrollbars",
    "--password-store=basic",
    "--use-mock-keychain",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    `--user-data-dir=${profile}`,
    "about:blank",
  ];
  const tried: string[] = [];
  for (const name of candidates()) {
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(name, { args, stdin: "null", stdout: "null", stderr: "piped" }).spawn();
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        tried.push(`${name}: not found`);
        continue;
      }
      if (e instanceof Deno.errors.NotCapable || e instanceof Deno.errors.PermissionDenied) {
        tried.push(`${name}: not allowed to run (${(e as Error).message})`);
        continue;
      }
      throw e;
    }
    const { ws, drained } = devtoolsAddress(child, name);
    let browser: Browser;
    try {
      browser = await puppeteer.connect({ browserWSEndpoint: await ws, defaultViewport: null });
    } catch (e) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
      await drained;
      await Deno.remove(profile, { recursive: true }).catch(() => {});
      throw e;
    }
    return {
      browser,
      executable: name,
      async close() {
        try {
          await Promise.race([browser.close(), new Promise((r) => setTimeout(r, 10_000))]);
        } catch { /* the process is stopped below */ }
        const killer = setTimeout(() => {
          try {
            child.kill("SIGKILL");
          } catch { /* already gone */ }
        }, 5_000);
        await child.status;
        clearTimeout(killer);
        await drained;
        await Deno.remove(profile, { recursive: true }).catch(() => {});
      },
    };
  }
  await Deno.remove(profile, { recursive: true }).catch(() => {});
  throw new Error(`No Chromium to run (${tried.join("; ")}). ${INSTALL_HINT}`);
}

/** What a page recorded. */
export interface PageRecord {
  origin: string;
  consoleErrors: string[];
  consoleWarnings: string[];
  pageErrors: string[];
  /** Requests that failed (other than those blocked as external, and navigations cut short). */
  failedRequests: string[];
  /** Same-origin answers with a status of 400 or more. */
  errorResponses: string[];
  /** Requests (and WebSockets) to any other origin: blocked and reported. */
  externalRequests: string[];
  /** `alert`/`confirm`/`prompt` messages (accepted). */
  dialogs: string[];
}

const records = new WeakMap<Page, PageRecord>();

/** The record of a page opened with `openPage`. */
export function recordOf(page: Page): PageRecord {
  const r = records.get(page);
  if (!r) throw new Error("this page was not opened with openPage()");
  return r;
}

const httpOrigin = (url: string) => {
  try {
    const u = new URL(url);
    if (u.protocol === "ws:") u.protocol = "http:";
    if (u.protocol === "wss:") u.protocol = "https:";
    return u.origin;
  } catch {
    return "invalid";
  }
};

/**
 * Opens a page (in a new browser context unless `context` is given) that records everything `assertClean`
 * checks; `viewport` defaults to 1280×900. Requests to any origin but `origin` (and the loopback test doubles in
 * `allowOrigins`, e.g. a fake GitHub) are blocked and recorded.
 */
export async function openPage(
  b: TestBrowser,
  origin: string,
  opts: {
    viewport?: { width: number; height: number; isMobile?: boolean };
    context?: BrowserContext;
    allowOrigins?: string[];
  } = {},
): Promise<Page> {
  const context = opts.context ?? await b.browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
  const vp = opts.viewport ?? { width: 1280, height: 900 };
  await page.setViewport({
    width: vp.width,
    height: vp.height,
    isMobile: vp.isMobile ?? false,
    hasTouch: false,
  });
  const record: PageRecord = {
    origin,
    consoleErrors: [],
    consoleWarnings: [],
    pageErrors: [],
    failedRequests: [],
    errorResponses: [],
    externalRequests: [],
    dialogs: [],
  };
  records.set(page, record);
  const external = new Set<string>();
  const allowed = new Set((opts.allowOrigins ?? []).map(httpOrigin));
  page.on("console", (m) => {
    const where = m.location()?.url ? ` (${m.location().url})` : "";
    if (m.type() === "error") record.consoleErrors.push(`${m.text()}${where}`);
    else if (m.type() === "warn") record.consoleWarnings.push(`${m.text()}${where}`);
  });
  page.on("pageerror", (e) => record.pageErrors.push(e instanceof Error ? e.stack ?? e.message : String(e)));
  page.on("dialog", async (d) => {
    record.dialogs.push(`${d.type()}: ${d.message()}`);
    await d.accept().catch(() => {});
  });
  page.on("response", (res) => {
    if (res.status() >= 400 && httpOrigin(res.url()) === origin) {
      record.errorResponses.push(`${res.status()} ${res.request().method()} ${res.url()}`);
    }
  });
  page.on("requestfailed", (req) => {
    const why = req.failure()?.errorText ?? "failed";
    if (external.has(req.url()) || why === "net::ERR_ABORTED") return;
    record.failedRequests.push(`${req.method()} ${req.url()}: ${why}`);
  });
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    const url = req.url();
    if (/^(data|blob|about):/.test(url) || httpOrigin(url) === origin || allowed.has(httpOrigin(url))) {
      req.continue().catch(() => {});
      return;
    }
    external.add(url);
    record.externalRequests.push(`${req.method()} ${url}`);
    req.abort("blockedbyclient").catch(() => {});
  });
  // WebSockets are not intercepted: their creation is watched on the DevTools protocol.
  const cdp = await page.createCDPSession();
  await cdp.send("Network.enable");
  cdp.on("Network.webSocketCreated", (e) => {
    if (httpOrigin(e.url) !== origin) record.externalRequests.push(`WebSocket ${e.url}`);
  });
  return page;
}

/**
 * Fails when the page logged a console error or warning, threw, had a request fail or answered ≥ 400, or
 * tried to reach another origin since it was opened or last checked. Entries matching one of `allow` are
 * tolerated (say why at the call site).
 */
export function assertClean(page: Page, opts: { allow?: RegExp[] } = {}): void {
  const r = recordOf(page);
  const allowed = (s: string) => (opts.allow ?? []).some((re) => re.test(s));
  const problems: string[] = [];
  const add = (label: string, list: string[]) => {
    for (const s of list) if (!allowed(s)) problems.push(`${label}: ${s}`);
  };
  add("request leaving the app", r.externalRequests);
  add("console error", r.consoleErrors);
  add("console warning", r.consoleWarnings);
  add("page error", r.pageErrors);
  add("failed request", r.failedRequests);
  add("error answer", r.errorResponses);
  // The next check covers what happens from here on (a failed step is not reported again by the next one).
  for (
    const list of [
      r.externalRequests,
      r.consoleErrors,
      r.consoleWarnings,
      r.pageErrors,
      r.failedRequests,
      r.errorResponses,
    ]
  ) list.length = 0;
  assert.deepEqual(problems, [], `page ${page.url()} is not clean:\n${problems.join("\n")}`);
}

/** Signs `email` in through the `/app/sign-in` forms with the code from the test mailer; ends on `next`. */
export async function signInInBrowser(
  page: Page,
  server: AppServer,
  email: string,
  next = "/app",
): Promise<void> {
  await page.goto(`${server.origin}/app/sign-in?next=${encodeURIComponent(next)}`, { waitUntil: "load" });
  const mailsBefore = server.sent.length;
  await page.waitForSelector("#email");
  await page.type("#email", email);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
  await page.waitForSelector("#otp_code");
  const code = await server.otp(email, mailsBefore);
  await page.type("#otp_code", code);
  await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
  const landed = new URL(page.url());
  assert.equal(landed.origin + landed.pathname, server.origin + next.split("?")[0], "signed in and sent on");
  const cookies = await page.browserContext().cookies();
  assert.ok(cookies.some((c) => c.name === "qe_session" && c.httpOnly), "an HttpOnly session cookie is set");
}

/** Per chart container: `null` when it holds a drawn canvas, else why not. Runs in the page. */
function chartProblems(selectors: string[] | null): (string | null)[] {
  const els = selectors
    ? selectors.map((s) => [s, document.querySelector(s)] as const)
    : [...document.querySelectorAll(".chart")].map((e, i) =>
      [`.chart #${i} (${e.id || "no id"})`, e] as const
    );
  return els.map(([name, el]) => {
    if (!el) return `${name}: missing`;
    const box = el.getBoundingClientRect();
    if (box.width < 20 || box.height < 20) return `${name}: container is ${box.width}×${box.height}`;
    const canvases = [...el.querySelectorAll("canvas")];
    if (!canvases.length) return `${name}: no canvas`;
    let best = 0;
    for (const c of canvases) {
      if (!c.width || !c.height) continue;
      // Pixels are read from a copy: reading the page's own context would make Chromium warn about readbacks.
      const copy = document.createElement("canvas");
      copy.width = Math.min(c.width, 800);
      copy.height = Math.max(1, Math.round((c.height * copy.width) / c.width));
      const ctx = copy.getContext("2d", { willReadFrequently: true });
      if (!ctx) continue;
      ctx.drawImage(c, 0, 0, copy.width, copy.height);
      const data = ctx.getImageData(0, 0, copy.width, copy.height).data;
      const counts = new Map<number, number>();
      for (let i = 0; i < data.length; i += 4) {
        const key = ((data[i] << 24) | (data[i + 1] << 16) | (data[i + 2] << 8) | data[i + 3]) >>> 0;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      let top = 0;
      for (const n of counts.values()) top = Math.max(top, n);
      const total = data.length / 4;
      best = Math.max(best, (total - top) / total);
    }
    return best >= 0.002
      ? null
      : `${name}: no canvas has anything drawn (best ${(best * 100).toFixed(3)}% varied)`;
  });
}

/**
 * Screenshots the page to `.tmp/screenshots/<name>.png` and fails on gross breakage: less than `minText`
 * characters of visible text (default 40), a screenshot with almost no ink or all one colour, or fewer drawn
 * charts than asked — `charts` is either a count (at least that many `.chart` containers drawn) or the
 * selectors of containers that must each be drawn. Charts get `timeoutMs` (default `STEP_TIMEOUT_MS`) to draw.
 */
export async function checkNotBroken(
  page: Page,
  name: string,
  opts: { charts?: number | string[]; minText?: number; timeoutMs?: number } = {},
): Promise<void> {
  await waitInPage(page, () => document.readyState === "complete");
  const text = await page.evaluate(() => document.body?.innerText.trim().length ?? 0);
  assert.ok(text >= (opts.minText ?? 40), `${name}: the page shows only ${text} characters of text`);
  const charts = opts.charts ?? 0;
  if (charts !== 0) {
    const selectors = typeof charts === "number" ? null : charts;
    const need = typeof charts === "number" ? charts : charts.length;
    const enough = (problems: (string | null)[]) =>
      selectors ? problems.every((p) => p === null) : problems.filter((p) => p === null).length >= need;
    let problems: (string | null)[] = [];
    const until = Date.now() + (opts.timeoutMs ?? STEP_TIMEOUT_MS);
    do {
      problems = await page.evaluate(chartProblems, selectors);
      if (enough(problems)) break;
      await new Promise((r) => setTimeout(r, 250));
    } while (Date.now() < until);
    if (!enough(problems)) {
      await screenshot(page, name);
      assert.fail(`${name}: charts not drawn (need ${need}):\n${problems.filter(Boolean).join("\n")}`);
    }
  }
  const png = await screenshot(page, name);
  const pixels = await summarisePng(png);
  const where = `.tmp/screenshots/${name}.png`;
  assert.ok(pixels.inked >= 0.005, `${name}: the screenshot is blank (${where}, ${pixels.inked} inked)`);
  assert.ok(pixels.varied >= 0.005, `${name}: the screenshot is all one colour (${where})`);
}

/**
 * Polls `fn` in the page (every 100 ms, up to `timeoutMs`) until it returns a truthy value, and returns it.
 * Unlike puppeteer's `waitForFunction` it needs no `eval` in the page, which the pages' CSP forbids.
 */
export async function waitInPage<A extends unknown[], R>(
  page: Page,
  fn: (...args: A) => R,
  args: A = [] as unknown as A,
  opts: { timeoutMs?: number; what?: string } = {},
): Promise<R> {
  const until = Date.now() + (opts.timeoutMs ?? STEP_TIMEOUT_MS);
  for (;;) {
    // deno-lint-ignore no-explicit-any
    const value = await page.evaluate(fn as any, ...args) as R;
    if (value) return value;
    if (Date.now() > until) {
      throw new Error(`timed out waiting for ${opts.what ?? fn.toString().slice(0, 200)} on ${page.url()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function screenshot(page: Page, name: string): Promise<Uint8Array> {
  await Deno.mkdir(`${TMP}/screenshots`, { recursive: true });
  const png = await page.screenshot({ type: "png" });
  await Deno.writeFile(`${TMP}/screenshots/${name}.png`, png);
  return png;
}
