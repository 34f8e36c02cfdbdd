/**
 * The browser helper catches what it is there to catch, on small pages served from 127.0.0.1 (no app): a request
 * to another origin is blocked and reported, console errors, page errors and 404s are reported, a blank page and
 * a chart container without a drawn canvas fail `checkNotBroken`, and a drawn chart and an inked page pass.
 */
import assert from "node:assert/strict";
import { assertClean, checkNotBroken, launchBrowser, openPage, recordOf } from "../_helpers/browser.ts";

const TEXT = "<p>" + "A page with enough visible text to count as content. ".repeat(3) + "</p>";

/** Small pages; each draws (or fails to draw) what its name says. */
const PAGES: Record<string, string> = {
  "/blank": "<!doctype html><html><body></body></html>",
  "/white-text": `<!doctype html><body style="color:#fff">${TEXT}</body>`,
  "/external": `<!doctype html><body>${TEXT}<img src="http://198.51.100.7/pixel.png" alt="">` +
    `<script>fetch("https://example.invalid/x").catch(() => {})</script></body>`,
  "/noisy": `<!doctype html><body>${TEXT}<script>console.error("boom"); console.warn("careful");` +
    `setTimeout(() => { throw new Error("uncaught") }, 0); fetch("/missing")</script></body>`,
  "/no-canvas": `<!doctype html><body>${TEXT}<div class="chart" id="c" style="height:200px"></div></body>`,
  "/flat-canvas": `<!doctype html><body>${TEXT}<div class="chart" id="c"><canvas width="300" height="150">` +
    `</canvas></div><script>const x = document.querySelector("canvas").getContext("2d");` +
    `x.fillStyle = "#eef"; x.fillRect(0, 0, 300, 150);</script></body>`,
  "/drawn": `<!doctype html><body>${TEXT}<div class="chart" id="c"><canvas width="300" height="150">` +
    `</canvas></div><script>const x = document.querySelector("canvas").getContext("2d");` +
    `x.fillStyle = "#fff"; x.fillRect(0, 0, 300, 150); x.strokeStyle = "#1565c0"; x.lineWidth = 3;` +
    `x.beginPath(); x.moveTo(0, 140); x.lineTo(150, 20); x.lineTo(300, 90); x.stroke();</script></body>`,
};

Deno.test("the browser helper reports outside requests, console errors and gross breakage", async (t) => {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    const html = PAGES[new URL(req.url).pathname];
    return html
      ? new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } })
      : new Response("not here", { status: 404 });
  });
  const origin = `http://127.0.0.1:${server.addr.port}`;
  const browser = await launchBrowser();
  try {
    const page = await openPage(browser, origin);
    const broken = async (path: string, opts: Parameters<typeof checkNotBroken>[2], why: RegExp) => {
      await page.goto(`${origin}${path}`);
      await assert.rejects(
        checkNotBroken(page, `helper${path.replace("/", "-")}`, { ...opts, timeoutMs: 1_500 }),
        why,
      );
    };

    await t.step("requests to other origins are blocked and reported", async () => {
      await page.goto(`${origin}/external`);
      await page.waitForNetworkIdle({ idleTime: 200 });
      const external = recordOf(page).externalRequests.join("\n");
      assert.match(external, /198\.51\.100\.7\/pixel\.png/);
      assert.match(external, /example\.invalid\/x/);
      assert.throws(() => assertClean(page), /request leaving the app/);
    });

    await t.step("console errors and warnings, page errors and error answers are reported", async () => {
      await page.goto(`${origin}/noisy`);
      await page.waitForNetworkIdle({ idleTime: 200 });
      const err = (() => {
        try {
          assertClean(page);
        } catch (e) {
          return (e as Error).message;
        }
        return "";
      })();
      assert.match(err, /console error: boom/);
      assert.match(err, /console warning: careful/);
      assert.match(err, /page error: .*uncaught/);
      assert.match(err, /error answer: 404 GET .*\/missing/);
      assertClean(page); // what was reported once is not reported again
    });

    await t.step("a blank page, white text, a chart with no canvas or an undrawn one fail", async () => {
      await broken("/blank", {}, /characters of text/);
      await broken("/white-text", {}, /blank/);
      await broken("/no-canvas", { charts: ["#c"] }, /#c: no canvas/);
      await broken("/flat-canvas", { charts: 1 }, /no canvas has anything drawn/);
      assertClean(page, { allow: [/favicon\.ico/] });
    });

    await t.step("a drawn chart on an inked page passes", async () => {
      await page.goto(`${origin}/drawn`);
      await checkNotBroken(page, "helper-drawn", { charts: ["#c"] });
      await checkNotBroken(page, "helper-drawn", { charts: 1 });
      const png = await Deno.stat(".tmp/screenshots/helper-drawn.png");
      assert.ok(png.size > 1000, "the screenshot is written");
      assertClean(page, { allow: [/favicon\.ico/] });
    });
  } finally {
    await browser.close();
    await server.shutdown();
  }
});
