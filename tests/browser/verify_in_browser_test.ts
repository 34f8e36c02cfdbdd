/**
 * "Verify in your browser" in headless Chromium: a page holding `VerifyPanel` (the record page's panel, mounted
 * here on a test-only route in front of the real app, with the dashboard's own CSP) runs the independent verifier
 * served as JavaScript on a settled public record, with the browser's WebCrypto:
 * - the untouched record: `data-verdict="verified"`, every kind of check listed with its counts, equal to what
 *   `verifyPublicRecord` (and the CLI) find in Deno on the same record, and the verifier run in the page directly
 *   gives the very verdict object Deno gives; no console error, no request leaving the origin;
 * - through a proxy that alters one published number: `not_verified`, the altered kind shown failing, again equal
 *   to Deno's verdict;
 * - a demo record (the demo log) verifies; a witness key that never cosigned fails the witness check; a malformed
 *   key is an error with no verdict.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import type { AppEnv } from "../../routes/app_env.ts";
import { renderPage } from "../../routes/pages/layout.tsx";
import { VerifyPanel } from "../../routes/pages/records/verify_panel.tsx";
import type { RecordVerdict, VerifyProgress } from "../../verifier/verify.ts";
import { verifyPublicRecord } from "../../verifier/verify.ts";
import { type Json, startTamperingProxy } from "../acceptance/tampering_proxy.ts";
import type { TestWorld } from "../_helpers/test_app.ts";
import { buildDividendSuspensionRecord, openTrackWorld, replayDemoRecords } from "../_helpers/track_world.ts";

/** Debian's `chromium` (`.ci/run` installs it when missing). */
const CHROMIUM = "/usr/bin/chromium";
/** The verifier's entry module as the app serves it. */
const VERIFY_MODULE = "/app/assets/verifier/verify.js";

/** Headless Chromium, its profile under `.tmp/`. */
async function launch(): Promise<Browser> {
  await Deno.mkdir(".tmp", { recursive: true });
  const profile = await Deno.makeTempDir({ dir: ".tmp", prefix: "chromium-verify-" });
  return await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"],
  });
}

/**
 * Serves the world's app on 127.0.0.1 with one test-only page in front: `/app/test-verify/:slug` renders the
 * panel in the page shell with its script, under the CSP the app gives its dashboard pages.
 */
async function servePanel(w: TestWorld): Promise<{ url: string; close: () => Promise<void> }> {
  const probe = await w.app.fetch(new Request("http://localhost/app/sign-in"));
  await probe.body?.cancel();
  const csp = probe.headers.get("content-security-policy") ?? "";
  assert.ok(csp?.includes("script-src 'self'"), "the dashboard's CSP");
  const outer = new Hono<AppEnv>();
  outer.get("/app/test-verify/:slug", async (c) => {
    const res = await renderPage(c, {
      title: "Verify test",
      zh: "验证",
      scripts: ["client/verify_record.js"],
      children: VerifyPanel({ slug: c.req.param("slug") }),
    });
    res.headers.set("content-security-policy", csp);
    return res;
  });
  outer.all("*", (c) => w.app.fetch(c.req.raw));
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, outer.fetch);
  return { url: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

/**
 * What a page did that it must not: console errors, uncaught errors, failed or 4xx/5xx requests, requests to
 * another origin. The browser's own `/favicon.ico` probe is left out (the page shell does not name an icon; not
 * this panel's concern).
 */
function watch(page: Page, origin: string) {
  const problems: string[] = [];
  const requests: string[] = [];
  const favicon = (url: string | undefined) => url !== undefined && new URL(url).pathname === "/favicon.ico";
  page.on("console", (m) => {
    if (m.type() === "error" && !favicon(m.location().url)) problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e instanceof Error ? e.message : String(e)}`));
  page.on("request", (r) => {
    requests.push(r.url());
    if (new URL(r.url()).origin !== origin) problems.push(`request leaving the origin: ${r.url()}`);
  });
  page.on("requestfailed", (r) => problems.push(`failed: ${r.url()}`));
  page.on("response", (r) => {
    if (r.status() >= 400 && !favicon(r.url())) problems.push(`${r.status()}: ${r.url()}`);
  });
  return { problems, requests };
}

/** What the panel shows once done. */
interface Shown {
  verdict: string;
  text: string;
  total: number;
  failed: number;
  compared: number;
  kinds: Record<string, { total: number; failed: number }>;
  failures: { kind: string; text: string }[];
  progress: string;
}

/** Reads the panel in the page (browser code, given as text: these tests are type-checked without the DOM). */
const READ_PANEL = `(() => {
  const v = document.getElementById("verify-verdict");
  const kinds = {};
  for (const tr of document.querySelectorAll("#verify-checks tr[data-kind]")) {
    kinds[tr.dataset.kind] = { total: Number(tr.dataset.total), failed: Number(tr.dataset.failed) };
  }
  return {
    verdict: v.dataset.verdict ?? "",
    text: v.textContent ?? "",
    total: Number(v.dataset.total),
    failed: Number(v.dataset.failed),
    compared: Number(v.dataset.compared),
    kinds,
    failures: [...document.querySelectorAll("#verify-failures li")].map((li) => ({
      kind: li.dataset.kind ?? "",
      text: li.textContent ?? "",
    })),
    progress: document.getElementById("verify-progress").textContent ?? "",
  };
})()`;

/** Opens the panel page for `slug` at `base`, fills the witness inputs, clicks Verify and reads the result. */
async function runPanel(
  page: Page,
  base: string,
  slug: string,
  opts: { witnesses?: string; required?: string; expectVerdict?: boolean } = {},
): Promise<Shown> {
  await page.goto(`${base}/app/test-verify/${slug}`, { waitUntil: "load" });
  await page.waitForSelector("#verify-panel[data-ready='true']", { timeout: 30_000 });
  if (opts.witnesses !== undefined) {
    await page.click("details summary");
    await page.type("#verify-witnesses", opts.witnesses);
  }
  if (opts.required !== undefined) await page.type("#verify-witnesses-required", opts.required);
  await page.click("#verify-button");
  if (opts.expectVerdict === false) {
    await page.waitForSelector("#verify-progress [role='alert']", { timeout: 60_000 });
  } else {
    await page.waitForSelector("#verify-verdict[data-verdict]", { timeout: 180_000 });
  }
  return await page.evaluate(READ_PANEL) as Shown;
}

/** The verifier run directly in the page (the served module), for `slug` at the page's origin. */
function verifyInPage(page: Page, slug: string): Promise<RecordVerdict> {
  return page.evaluate(`import(${JSON.stringify(VERIFY_MODULE)})
    .then((m) => m.verifyPublicRecord({ baseUrl: location.origin, slug: ${
    JSON.stringify(slug)
  } }))`) as Promise<
    RecordVerdict
  >;
}

/** The panel shows exactly Deno's verdict: the verdict, every kind's counts, the replay figures compared. */
function assertSameAsDeno(shown: Shown, deno: RecordVerdict) {
  assert.equal(shown.verdict, deno.verdict);
  assert.equal(shown.total, deno.checks.total);
  assert.equal(shown.failed, deno.checks.failed);
  assert.equal(shown.compared, deno.replay.compared);
  assert.deepEqual(shown.kinds, deno.checks.by_kind);
  const denoFailures = deno.days.reduce((n, d) => n + d.failures.length, 0) + deno.failures.length;
  assert.equal(shown.failures.length, Math.min(200, denoFailures));
}

Deno.test("Verify in your browser: a settled public record verifies in Chromium as in Deno; a tampered number does not", async (t) => {
  const world = await openTrackWorld();
  const served = await servePanel(world.w);
  const proxy = startTamperingProxy(served.url);
  const browser = await launch();
  try {
    const rec = await buildDividendSuspensionRecord(world.w);
    const slug = rec.slug;

    await t.step("the untouched record: verified, each check shown, equal to Deno's verdict", async () => {
      const steps: VerifyProgress[] = [];
      const deno = await verifyPublicRecord({ baseUrl: served.url, slug, onProgress: (p) => steps.push(p) });
      assert.equal(deno.verdict, "verified", deno.failures.join("\n"));
      // The progress steps come in order, the days counted up to all of them.
      const order = [...new Set(steps.map((s) => s.step))];
      assert.deepEqual(order, ["record", "calendar", "days", "performance", "log", "replay"]);
      const lastDays = steps.filter((s) => s.step === "days").at(-1)!;
      assert.equal(lastDays.done, lastDays.total);
      assert.ok(lastDays.total! >= rec.days.length);

      const page = await browser.newPage();
      const seen = watch(page, served.url);
      const shown = await runPanel(page, served.url, slug);
      assert.equal(shown.verdict, "verified", JSON.stringify(shown.failures));
      assert.match(shown.text, new RegExp(`The record ${slug} is verified:`));
      assert.match(shown.text, new RegExp(`${rec.days.length} settled days, 0 failing`));
      assertSameAsDeno(shown, deno);
      assert.equal(shown.failures.length, 0);
      assert.ok(shown.total > 1000, `${shown.total} checks`);
      for (const kind of ["signal.hash", "chain.record_hash", "log.head", "trade.fill_price", "cash.flow"]) {
        assert.ok(shown.kinds[kind]?.total > 0, `${kind} checked`);
      }
      assert.ok(shown.compared > 100, `${shown.compared} replayed figures`);
      assert.equal(shown.progress, "Done.");
      const replay = await page.$eval("#verify-replay", (e) => e.textContent ?? "");
      assert.match(replay, new RegExp(`${deno.replay.compared} published figures compared`));
      // The verifier run in the page gives the very object Deno gives (same code, two runtimes).
      assert.deepEqual(await verifyInPage(page, slug), deno);
      // The CLI's JSON agrees too.
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "--allow-net", "scripts/verify.ts", served.url, slug, "--json"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0);
      const cli = JSON.parse(new TextDecoder().decode(out.stdout)) as RecordVerdict;
      assert.deepEqual(cli.checks, deno.checks);
      // Everything the page loaded came from this origin, the verifier's modules among them.
      assert.deepEqual(seen.problems, []);
      assert.ok(seen.requests.some((u) => u.endsWith(VERIFY_MODULE)));
      assert.ok(seen.requests.some((u) => u.endsWith("/app/assets/verifier/merkle.js")));
      assert.ok(seen.requests.some((u) => u.includes(`/api/v1/public/strategies/${slug}/verify?date=`)));
      await page.close();
    });

    await t.step(
      "through a proxy altering one trade's fill price: not verified, trade.fill_price failing",
      async () => {
        const firstDay = rec.days[0];
        proxy.set((u: URL, b: Json) => {
          if (!u.pathname.endsWith(`/public/strategies/${slug}/verify`) || b.date !== firstDay) return false;
          for (const v of [b, b.verification].filter(Boolean)) v.trades[0].fill_price += 0.01;
          return true;
        });
        const deno = await verifyPublicRecord({ baseUrl: proxy.url, slug });
        assert.equal(deno.verdict, "not_verified");
        const page = await browser.newPage();
        const seen = watch(page, proxy.url);
        const shown = await runPanel(page, proxy.url, slug);
        assert.ok(proxy.altered() > 0, "the proxy altered an answer");
        assert.equal(shown.verdict, "not_verified");
        assert.match(shown.text, new RegExp(`The record ${slug} is not verified:`));
        assert.ok(
          shown.kinds["trade.fill_price"].failed >= 1,
          JSON.stringify(shown.kinds["trade.fill_price"]),
        );
        const listed = shown.failures.find((f) => f.kind === "trade.fill_price");
        assert.ok(listed, JSON.stringify(shown.failures));
        assert.ok(listed.text.includes(firstDay), listed.text);
        assertSameAsDeno(shown, deno);
        // The replay's group is opened on its failure (and the day chain's: the day record no longer matches); the
        // groups without one stay closed.
        const open = await page.$$eval(
          "#verify-checks details[open]",
          (ds) => ds.map((d) => d.getAttribute("data-group")),
        );
        assert.ok(open.includes("replay"), open.join(","));
        for (const g of ["signal", "log", "checkpoints", "performance"]) assert.ok(!open.includes(g), g);
        const row = await page.$eval(
          "#verify-checks tr[data-kind='trade.fill_price']",
          (tr) => tr.textContent ?? "",
        );
        assert.match(row, /trade\.fill_price\s*\d+\s*[1-9]/);
        assert.deepEqual(seen.problems, []);
        await page.close();
        proxy.set(null);
      },
    );
  } finally {
    await browser.close();
    await proxy.close();
    await served.close();
    await world.close();
  }
});

Deno.test("Verify in your browser: a demo record verifies; witness keys are passed to the verifier; a bad key is an error", async (t) => {
  const world = await openTrackWorld();
  const served = await servePanel(world.w);
  const browser = await launch();
  try {
    const report = await replayDemoRecords(world.w, 8, Date.UTC(2026, 6, 24, 12, 0));
    assert.equal(report.days, 8);
    const slug = "demo-reversal";
    const page = await browser.newPage();
    const seen = watch(page, served.url);

    await t.step("the demo record (demo log) verifies, as in Deno", async () => {
      const deno = await verifyPublicRecord({ baseUrl: served.url, slug });
      assert.equal(deno.verdict, "verified", deno.failures.join("\n"));
      assert.match(deno.log?.origin ?? "", /demo/);
      const shown = await runPanel(page, served.url, slug);
      assert.equal(shown.verdict, "verified");
      assertSameAsDeno(shown, deno);
    });

    await t.step("a witness key that never cosigned: the witness check fails", async () => {
      const stranger = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
      const deno = await verifyPublicRecord({ baseUrl: served.url, slug, witnesses: [stranger] });
      assert.equal(deno.verdict, "not_verified");
      const shown = await runPanel(page, served.url, slug, { witnesses: stranger, required: "1" });
      assert.equal(shown.verdict, "not_verified");
      assert.ok(shown.kinds["witness.cosignatures"]?.failed > 0, JSON.stringify(shown.kinds));
      assert.ok(shown.failures.some((f) => f.kind === "witness.cosignatures"));
      assertSameAsDeno(shown, deno);
    });

    await t.step("a malformed witness key: the verifier's error, no verdict", async () => {
      await runPanel(page, served.url, slug, { witnesses: "not-a-key", expectVerdict: false });
      const alert = await page.$eval("#verify-progress [role='alert']", (e) => e.textContent ?? "");
      assert.match(alert, /witnesses\[0\]: not a base64 Ed25519 public key/);
      assert.equal(await page.$eval("#verify-verdict", (e) => e.getAttribute("data-verdict")), null);
      assert.equal(await page.$eval("#verify-button", (e) => e.hasAttribute("disabled")), false);
    });
    assert.deepEqual(seen.problems, []);
    await page.close();
  } finally {
    await browser.close();
    await served.close();
    await world.close();
  }
});
