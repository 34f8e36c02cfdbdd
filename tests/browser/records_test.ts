/**
 * The track-record pages in headless Chromium (the shared browser helper): the list and a real settled
 * record with a claimed history, served on 127.0.0.1. The charts draw canvases, a day settled while the page is
 * open shows its trades in the live list (from /ws), selecting a day shows its positions and trades, the list
 * fits a 375 px wide phone, no console error is logged and no request leaves the app.
 */
import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { settleStrategy } from "../../domain/track_record/settlement/settle.ts";
import { attestPending } from "../../domain/track_record/signals/attest_pending.ts";
import { submitSignal } from "../../domain/track_record/signals/signals.ts";
import { startStreamBridge } from "../../jobs/stream_bridge.ts";
import { putClaimedHistory } from "../../domain/track_record/claimed_history.ts";
import {
  assertClean,
  checkNotBroken,
  launchBrowser,
  openPage,
  type TestBrowser,
} from "../_helpers/browser.ts";
import { buildDividendSuspensionRecord, openTrackWorld } from "../_helpers/track_world.ts";

const SLUG = "div-suspension";
const sse = getCalendar("SSE");

/** Chromium asks for /favicon.ico by itself; the app serves none (a matter of the page shell, not these pages). */
const FAVICON = /\/favicon\.ico/;

/** Number of canvases drawn in `#id`. */
const canvases = (page: Page, id: string) =>
  page.$eval(`#${id}`, (el) => el.querySelectorAll("canvas").length);

Deno.test({
  name:
    "browser: the track-record list and a record page draw, show live trades, select a day, log no errors",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const world = await openTrackWorld();
    let browser: TestBrowser | null = null;
    let stopBridge = () => {};
    try {
      const built = await buildDividendSuspensionRecord(world.w, { slug: SLUG });
      const s = (await world.w.deps.track.strategies.get(SLUG))!;
      const navs = await world.w.deps.track.settlements.navSeries(SLUG);
      await putClaimedHistory(
        world.w.deps.track,
        s.owner_id,
        SLUG,
        navs.slice(0, 12).map((n, i) => ({ date: n.date, nav: n.nav * (1 + 0.002 * (i % 2)) })),
      );
      browser = await launchBrowser();
      const page = await openPage(browser, world.base, { viewport: { width: 375, height: 800 } });
      await page.goto(`${world.base}/app/records`, { waitUntil: "load" });
      const rows = await page.$$eval(
        "#records-table tbody tr",
        (trs) => trs.map((tr) => tr.textContent ?? ""),
      );
      assert.equal(rows.length, 1);
      assert.match(rows[0], /dividend ex-date/);
      const overflow = await page.evaluate<[], () => number>(
        // A string, so this file needs no DOM types: evaluated in the page.
        "document.documentElement.scrollWidth - window.innerWidth" as unknown as () => number,
      );
      assert.ok(overflow <= 0, `the list is ${overflow}px wider than a 375px phone`);
      await page.select("#rf-universe", "csi500");
      await Promise.all([page.waitForNavigation(), page.click("#records-apply")]);
      assert.match(page.url(), /universe=csi500/);
      assert.equal(await page.$$eval("#records-table tbody tr", (trs) => trs.length), 0);

      await page.setViewport({ width: 1200, height: 900 });
      await page.goto(`${world.base}/app/records/${SLUG}`, { waitUntil: "load" });
      await checkNotBroken(page, "record-page", {
        charts: ["#nav-chart", "#drawdown-chart", "#rolling-chart", "#claimed-chart"],
      });
      for (const id of ["nav-chart", "drawdown-chart", "rolling-chart", "claimed-chart"]) {
        assert.ok((await canvases(page, id)) > 0, `#${id} has a canvas`);
      }
      const legend = await page.$eval("#nav-chart + .legend", (el) => el.textContent ?? "");
      assert.match(legend, /Benchmark 000300\.SH/);
      await page.waitForFunction(
        '/Connected/.test(document.getElementById("live-status")?.textContent ?? "")',
        { timeout: 10_000 },
      );
      // A day settled while the page is open: its trades arrive over /ws in the live list (through the stream
      // bridge, as `serveHttp` runs it).
      const bridge = startStreamBridge(
        { streams: world.w.deps.streams, jobs: world.w.deps.backtests.jobs },
        world.w.deps.hub,
        () => world.w.clock.now(),
      );
      stopBridge = () => bridge.stop();
      await bridge.ready;
      const next = sse.tradingDayOffset(built.last_day, 1);
      const track = world.w.deps.track;
      world.w.clock.set(sse.instantAt(next, "09:00"));
      await submitSignal(track, s.owner_id, SLUG, {
        trade_date: next,
        signals: [{ symbol: built.partner2, weight: 0.3 }],
      });
      await attestPending(track);
      world.w.clock.set(sse.instantAt(next, "18:15"));
      const settled = await settleStrategy(track, SLUG, next);
      assert.equal(settled.status, "settled");
      await page.waitForSelector("#live-list li", { timeout: 10_000 });
      const live = await page.$$eval("#live-list li", (lis) => lis.map((li) => li.textContent ?? ""));
      const trades = await track.settlements.getTrades(SLUG, next);
      assert.ok(trades.length > 0);
      assert.ok(
        live.some((text) => text.includes(`${trades[0].action} ${trades[0].symbol}`)),
        `live list ${JSON.stringify(live)} shows ${trades[0].action} ${trades[0].symbol}`,
      );
      await page.reload({ waitUntil: "load" });
      const firstDay = await page.$eval("#days-table tbody tr th", (th) => th.textContent ?? "");
      await Promise.all([page.waitForNavigation(), page.click("#days-table tbody tr a")]);
      await page.waitForSelector("#day-detail h3");
      assert.equal(
        (await page.$eval("#day-detail h3", (el) => el.textContent ?? "")).slice(0, 10),
        firstDay.slice(0, 10),
      );
      assert.ok(await page.$("#day-positions, #day-detail p.muted"), "positions (or all cash) shown");
      await page.setViewport({ width: 375, height: 800 });
      await page.reload({ waitUntil: "load" });
      await page.waitForSelector("#nav-chart canvas");
      const wide = await page.evaluate<[], () => string[]>(
        `[...document.querySelectorAll("main *")].filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1
          && !el.closest(".table-wrap") && !el.closest(".chart")).map((el) => el.tagName + "#" + el.id + "." + el.className)
          .slice(0, 10)` as unknown as () => string[],
      );
      assert.deepEqual(wide, [], "nothing on the record page is wider than a 375px phone");
      assertClean(page, { allow: [FAVICON] });
    } finally {
      stopBridge();
      await browser?.close();
      await world.close();
    }
  },
});
