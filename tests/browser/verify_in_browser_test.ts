/**
 * "Verify in your browser" in headless Chromium, on the public record page (`/app/records/:slug`, whose panel is
 * `VerifyPanel` and whose script is `client/verify_record.js`): the independent verifier, served as JavaScript,
 * runs in the page with the browser's WebCrypto on a settled public record:
 * - the untouched record: `data-verdict="verified"`, every kind of check listed with its counts, equal to what
 *   `verifyPublicRecord` (and the CLI) find in Deno on the same record, and the verifier run in the page directly
 *   gives the very verdict object Deno gives; no console error, no request leaving the app;
 * - through a proxy that alters one published number: `not_verified`, the altered kind shown failing, again equal
 *   to Deno's verdict; the proxy answering 502: `unreachable`;
 * - a demo record (the demo log) verifies; a witness key that never cosigned fails the witness check; a malformed
 *   key is an error with no verdict.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import type { RecordVerdict, VerifyProgress } from "../../verifier/verify.ts";
import { verifyPublicRecord } from "../../verifier/verify.ts";
import { type Json, startTamperingProxy } from "../acceptance/tampering_proxy.ts";
import { assertClean, launchBrowser, openPage, type TestBrowser } from "../_helpers/browser.ts";
import { buildDividendSuspensionRecord, openTrackWorld, replayDemoRecords } from "../_helpers/track_world.ts";

/** The verifier's entry module as the app serves it. */
const VERIFY_MODULE = "/app/assets/verifier/verify.js";

/** Opens a clean-checked page at `origin` that also lists every URL it requests. */
async function watchedPage(b: TestBrowser, origin: string): Promise<{ page: Page; requests: string[] }> {
  const page = await openPage(b, origin);
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  return { page, requests };
}

/**
 * The record page's live-trades script opens `/ws`, which the test's tampering proxy (plain HTTP, GET only)
 * cannot carry: those entries are tolerated on pages loaded through the proxy, nothing else.
 */
const PROXY_CANNOT_CARRY_WS = [/\/ws\b/];

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
  await page.goto(`${base}/app/records/${slug}`, { waitUntil: "load" });
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
  const proxy = startTamperingProxy(world.base);
  const browser = await launchBrowser();
  try {
    const rec = await buildDividendSuspensionRecord(world.w);
    const slug = rec.slug;

    await t.step("the untouched record: verified, each check shown, equal to Deno's verdict", async () => {
      const steps: VerifyProgress[] = [];
      const deno = await verifyPublicRecord({ baseUrl: world.base, slug, onProgress: (p) => steps.push(p) });
      assert.equal(deno.verdict, "verified", deno.failures.join("\n"));
      // The progress steps come in order, the days counted up to all of them.
      const order = [...new Set(steps.map((s) => s.step))];
      assert.deepEqual(order, ["record", "calendar", "days", "performance", "log", "replay"]);
      const lastDays = steps.filter((s) => s.step === "days").at(-1)!;
      assert.equal(lastDays.done, lastDays.total);
      assert.ok(lastDays.total! >= rec.days.length);

      const { page, requests } = await watchedPage(browser, world.base);
      const shown = await runPanel(page, world.base, slug);
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
        args: ["run", "--allow-net", "scripts/verify.ts", world.base, slug, "--json"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0);
      const cli = JSON.parse(new TextDecoder().decode(out.stdout)) as RecordVerdict;
      assert.deepEqual(cli.checks, deno.checks);
      // Everything the page loaded came from this origin, the verifier's modules among them.
      assertClean(page);
      assert.ok(requests.some((u) => u.endsWith(VERIFY_MODULE)));
      assert.ok(requests.some((u) => u.endsWith("/app/assets/verifier/merkle.js")));
      assert.ok(requests.some((u) => u.includes(`/api/v1/public/strategies/${slug}/verify?date=`)));
      await page.close();
    });

    await t.step(
      "through a proxy altering one trade's fill price: not verified, trade.fill_price failing; a 502: unreachable",
      async () => {
        const firstDay = rec.days[0];
        proxy.set((u: URL, b: Json) => {
          if (!u.pathname.endsWith(`/public/strategies/${slug}/verify`) || b.date !== firstDay) return false;
          for (const v of [b, b.verification].filter(Boolean)) v.trades[0].fill_price += 0.01;
          return true;
        });
        const deno = await verifyPublicRecord({ baseUrl: proxy.url, slug });
        assert.equal(deno.verdict, "not_verified");
        const { page } = await watchedPage(browser, proxy.url);
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
        assertClean(page, { allow: PROXY_CANNOT_CARRY_WS });
        // The proxy answering 502: the same page, verified again, is unreachable (not "not verified").
        proxy.set(null);
        proxy.mode("502");
        await page.click("#verify-button");
        await page.waitForSelector("#verify-verdict[data-verdict]");
        const down = await page.$eval(
          "#verify-verdict",
          (e) => [e.getAttribute("data-verdict"), e.textContent],
        );
        proxy.mode("forward");
        assert.equal(down[0], "unreachable");
        assert.match(down[1] ?? "", new RegExp(`The record ${slug} is unreachable`));
        assertClean(page, { allow: [...PROXY_CANNOT_CARRY_WS, /502/] });
        await page.close();
        proxy.set(null);
      },
    );
  } finally {
    await browser.close();
    await proxy.close();
    await world.close();
  }
});

Deno.test("Verify in your browser: a demo record verifies; witness keys are passed to the verifier; a bad key is an error", async (t) => {
  const world = await openTrackWorld();
  const browser = await launchBrowser();
  try {
    const report = await replayDemoRecords(world.w, 8, Date.UTC(2026, 6, 24, 12, 0));
    assert.equal(report.days, 8);
    const slug = "demo-reversal";
    const { page } = await watchedPage(browser, world.base);

    await t.step("the demo record (demo log) verifies, as in Deno", async () => {
      const deno = await verifyPublicRecord({ baseUrl: world.base, slug });
      assert.equal(deno.verdict, "verified", deno.failures.join("\n"));
      assert.match(deno.log?.origin ?? "", /demo/);
      const shown = await runPanel(page, world.base, slug);
      assert.equal(shown.verdict, "verified");
      assertSameAsDeno(shown, deno);
    });

    await t.step("a witness key that never cosigned: the witness check fails", async () => {
      const stranger = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
      const deno = await verifyPublicRecord({ baseUrl: world.base, slug, witnesses: [stranger] });
      assert.equal(deno.verdict, "not_verified");
      const shown = await runPanel(page, world.base, slug, { witnesses: stranger, required: "1" });
      assert.equal(shown.verdict, "not_verified");
      assert.ok(shown.kinds["witness.cosignatures"]?.failed > 0, JSON.stringify(shown.kinds));
      assert.ok(shown.failures.some((f) => f.kind === "witness.cosignatures"));
      assertSameAsDeno(shown, deno);
    });

    await t.step("a malformed witness key: the verifier's error, no verdict", async () => {
      await runPanel(page, world.base, slug, { witnesses: "not-a-key", expectVerdict: false });
      const alert = await page.$eval("#verify-progress [role='alert']", (e) => e.textContent ?? "");
      assert.match(alert, /witnesses\[0\]: not a base64 Ed25519 public key/);
      assert.equal(await page.$eval("#verify-verdict", (e) => e.getAttribute("data-verdict")), null);
      assert.equal(await page.$eval("#verify-button", (e) => e.hasAttribute("disabled")), false);
    });
    assertClean(page);
    await page.close();
  } finally {
    await browser.close();
    await world.close();
  }
});
