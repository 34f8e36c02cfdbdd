/**
 * `/app/tracked` and `/app/tracked/:slug`: the list and the strategy page render what the API created (a
 * strategy, a signal with its hash and log position, the withdraw button, a claimed history), other users'
 * strategies and unknown slugs are the 404 page, bad query parameters the 400 page, signed-out visitors are sent
 * to sign in, and the deadline countdown's server text is right for fixed clocks (before and after the deadline,
 * on a weekend and on a holiday).
 */
import assert from "node:assert/strict";
import { getCalendar } from "../../domain/calendar/calendar.ts";
import { countdownLead, formatRemaining, signalWindow } from "../../routes/pages/tracked/deadline.ts";
import { fixedClock } from "../../domain/clock.ts";
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
import { getPage, pageToken, signInPage } from "../_helpers/page_session.ts";
import { openTestWorld, T0, type TestWorld } from "../_helpers/test_app.ts";

const sse = getCalendar("SSE");
/** The page's DOM in the callbacks run in Chromium (Deno's types have none). */
declare const document: PageDom;
const cst = (date: string, time: string) => sse.instantAt(date, time);

async function withWorld(fn: (w: TestWorld) => Promise<void>) {
  const w = await openTestWorld();
  try {
    await fn(w);
  } finally {
    await w.close();
  }
}

async function html(res: Response, status = 200): Promise<string> {
  const text = await res.text();
  assert.equal(res.status, status, text.slice(0, 500));
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  return text;
}

/** The text of the element with `id` (tags stripped, whitespace collapsed). */
function textOf(page: string, id: string): string {
  const start = page.indexOf(` id="${id}"`);
  assert.ok(start >= 0, `#${id} missing`);
  const open = page.lastIndexOf("<", start);
  const tag = /^<(\w+)/.exec(page.slice(open))![1];
  const end = page.indexOf(`</${tag}>`, start);
  return page.slice(page.indexOf(">", start) + 1, end).replace(/<[^>]+>/g, " ")
    .replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&").replace(/\s+/g, " ").trim();
}

async function createStrategy(w: TestWorld, token: string, body: Record<string, unknown>) {
  const res = await w.request("POST", "/api/v1/strategies", { token, json: body });
  assert.equal(res.status, 201, await res.clone().text());
  return await res.json();
}

Deno.test("signed out, /app/tracked and a strategy page redirect to the sign-in page", () =>
  withWorld(async (w) => {
    for (const path of ["/app/tracked", "/app/tracked/some-slug"]) {
      const res = await getPage(w, path);
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), `/app/sign-in?next=${encodeURIComponent(path)}`);
    }
  }));

Deno.test("/app/tracked lists the strategies created through the API and has the create form", () =>
  withWorld(async (w) => {
    const cookie = await signInPage(w, "trader@example.com");
    const empty = await html(await getPage(w, "/app/tracked", cookie));
    assert.match(empty, /id="tracked-empty"/);
    assert.match(empty, /<form id="tracked-create-form"/);
    for (const field of ["name", "slug", "description", "universe", "execution_price", "holding_period"]) {
      assert.match(empty, new RegExp(`<label for="tc-${field}"`), field);
      assert.match(empty, new RegExp(`id="tc-${field}-error"`), field);
    }
    assert.match(empty, /client\/tracked_list\.js/);
    const token = await pageToken(w, cookie);
    await createStrategy(w, token, { name: "HS300 Momentum", slug: "hs300-mom", universe: "hs300" });
    await createStrategy(w, token, { name: "Close <b>", slug: "close-one", execution_price: "close" });
    const page = await html(await getPage(w, "/app/tracked", cookie));
    assert.match(page, /<table id="tracked-table"/);
    assert.match(page, /href="\/app\/tracked\/hs300-mom">HS300 Momentum<\/a>/);
    assert.match(page, /Close &lt;b&gt;/, "names are escaped");
    assert.equal((page.match(/<tr data-slug=/g) ?? []).length, 2);
    const pending = await html(await getPage(w, "/app/tracked?status=active", cookie));
    assert.doesNotMatch(pending, /data-slug=/, "no strategy is active yet");
    await html(await getPage(w, "/app/tracked?status=bogus", cookie), 400);
    await html(await getPage(w, "/app/tracked?offset=-1", cookie), 400);
  }));

Deno.test("a strategy page shows a signal submitted through the API, its hash, log position and withdraw button", () =>
  withWorld(async (w) => {
    const cookie = await signInPage(w, "signals@example.com");
    const token = await pageToken(w, cookie);
    await createStrategy(w, token, { name: "Daily Alpha", slug: "daily-alpha" });
    const res = await w.request("POST", "/api/v1/strategies/daily-alpha/signals", {
      token,
      json: { trade_date: "2026-05-14", signals: [{ symbol: "600519.SH", weight: 0.05 }] },
    });
    assert.equal(res.status, 201);
    const signal = await res.json();
    const page = await html(await getPage(w, "/app/tracked/daily-alpha", cookie));
    assert.match(page, /<title>Daily Alpha · Quantedge<\/title>/);
    assert.match(page, /<form id="signal-form"/);
    assert.match(page, /id="signal-trade-date" name="trade_date" type="date" required value="2026-05-14"/);
    assert.match(page, new RegExp(`title="${signal.signal_hash}"`));
    assert.match(page, /<tr data-trade-date="2026-05-14">/);
    assert.match(page, /leaf 0 of 1/);
    assert.match(page, /600519\.SH 0\.05/);
    assert.match(page, /id="signal-withdraw" data-trade-date="2026-05-14"/);
    assert.match(page, /<form id="claimed-upload"/);
    assert.match(page, /id="status-pause"/, "the first signal activated it");
    assert.match(page, /href="\/app\/records\/daily-alpha"/);
    assert.match(page, /client\/tracked_detail\.js/);
    assert.equal(
      textOf(page, "deadline-countdown"),
      "Today's signal (2026-05-14) is due by 09:15 Asia/Shanghai (CST) on 2026-05-14: 00 h 15 min 00 s left.",
    );
    const data = JSON.parse(
      /<script type="application\/json" id="page-data">(.*?)<\/script>/s.exec(page)![1],
    );
    assert.equal(data.deadline_ms, cst("2026-05-14", "09:15"));
    assert.equal(data.next_trade_date, "2026-05-15");

    // The reload after a submit (?submitted=) shows the stored signal's hash and log position; nothing otherwise.
    assert.doesNotMatch(page, /id="signal-hash"/);
    const after = await html(await getPage(w, "/app/tracked/daily-alpha?submitted=2026-05-14", cookie));
    assert.equal(textOf(after, "signal-hash"), signal.signal_hash);
    assert.equal(textOf(after, "signal-log"), "In the transparency log: leaf 0 of a tree of 1.");
    assert.match(textOf(after, "signal-notice"), /^Submitted the signal for 2026-05-14\./);
    const none = await html(await getPage(w, "/app/tracked/daily-alpha?submitted=2026-05-15", cookie));
    assert.doesNotMatch(none, /id="signal-notice"/, "no stored signal, no message");
    const still = await html(await getPage(w, "/app/tracked/daily-alpha?withdrawn=2026-05-14", cookie));
    assert.doesNotMatch(still, /id="withdraw-notice"/, "the signal is still stored: not withdrawn");
    for (const q of ["submitted=2026-5-14", "withdrawn=%3Cb%3E", "submitted="]) {
      await html(await getPage(w, `/app/tracked/daily-alpha?${q}`, cookie), 400);
    }
    const deleted = await w.request("DELETE", "/api/v1/strategies/daily-alpha/signals/2026-05-14", { token });
    assert.equal(deleted.status, 200);
    await deleted.body?.cancel();
    const gone = await html(await getPage(w, "/app/tracked/daily-alpha?withdrawn=2026-05-14", cookie));
    assert.equal(textOf(gone, "withdraw-notice"), "Withdrew the signal for 2026-05-14.");
    const again = await w.request("POST", "/api/v1/strategies/daily-alpha/signals", {
      token,
      json: { trade_date: "2026-05-14", signals: [{ symbol: "600519.SH", weight: 0.05 }] },
    });
    assert.equal(again.status, 201);
    await again.body?.cancel();

    // Past the deadline the signal is locked: no withdraw button, and the countdown moves to Friday.
    w.clock.set(cst("2026-05-14", "09:15"));
    const later = await html(await getPage(w, "/app/tracked/daily-alpha", cookie));
    assert.doesNotMatch(later, /signal-withdraw/);
    assert.match(later, /<span class="muted">locked<\/span>/);
    assert.match(
      textOf(later, "deadline-countdown"),
      /a signal now goes to the next trading day, 2026-05-15/,
    );
  }));

Deno.test("a claimed history uploaded through the API is summarised on the strategy page", () =>
  withWorld(async (w) => {
    const cookie = await signInPage(w, "claims@example.com");
    const token = await pageToken(w, cookie);
    await createStrategy(w, token, { name: "Claimer", slug: "claimer" });
    const before = await html(await getPage(w, "/app/tracked/claimer", cookie));
    assert.match(before, /id="claimed-none"/);
    assert.match(before, /id="claimed-submit" disabled[ >]/, "a pending strategy cannot upload yet");
    await w.request("POST", "/api/v1/strategies/claimer/signals", {
      token,
      json: { trade_date: "2026-05-14", signals: [] },
    });
    const put = await w.request("PUT", "/api/v1/strategies/claimer/claimed", {
      token,
      json: { records: [{ date: "2026-05-11", nav: 100 }, { date: "2026-05-12", nav: 110 }] },
    });
    assert.equal(put.status, 201, await put.clone().text());
    const page = await html(await getPage(w, "/app/tracked/claimer", cookie));
    const summary = textOf(page, "claimed-summary");
    assert.match(summary, /Data points 2/);
    assert.match(summary, /2026-05-11 → 2026-05-12/);
    assert.match(summary, /Total return 10\.00%/);
    assert.doesNotMatch(page, /id="claimed-submit" disabled/);
  }));

Deno.test("another user's strategy, an unknown slug and a malformed one are the 404 page", () =>
  withWorld(async (w) => {
    const owner = await signInPage(w, "owner@example.com");
    await createStrategy(w, await pageToken(w, owner), { name: "Mine", slug: "mine-only" });
    const other = await signInPage(w, "other@example.com", "10.0.0.2");
    const theirs = await html(await getPage(w, "/app/tracked/mine-only", other), 404);
    const unknown = await html(await getPage(w, "/app/tracked/no-such-one", other), 404);
    assert.match(theirs, /does not exist or is not yours/);
    assert.equal(theirs.replace("mine-only", ""), unknown.replace("no-such-one", ""), "the same answer");
    await html(await getPage(w, `/app/tracked/${"x".repeat(300)}`, other), 404);
    await html(await getPage(w, "/app/tracked/%E2%80%AE", other), 404);
    await html(await getPage(w, "/app/tracked/mine-only?offset=abc", owner), 400);
  }));

Deno.test("the countdown's server text for fixed clocks", async (t) => {
  const cases: { name: string; now: number; exec: "open" | "close"; text: string }[] = [
    {
      name: "before the open deadline",
      now: cst("2026-05-14", "09:14") + 59_000,
      exec: "open",
      text:
        "Today's signal (2026-05-14) is due by 09:15 Asia/Shanghai (CST) on 2026-05-14: 00 h 00 min 01 s left.",
    },
    {
      name: "at the open deadline (no grace)",
      now: cst("2026-05-14", "09:15"),
      exec: "open",
      text:
        "Today's deadline (09:15 CST on 2026-05-14) has passed: a signal now goes to the next trading day, " +
        "2026-05-15, due by 09:15 Asia/Shanghai (CST) on 2026-05-15: 1 d 00 h 00 min 00 s left.",
    },
    {
      name: "close execution after 09:15 is still in time",
      now: cst("2026-05-14", "10:00"),
      exec: "close",
      text:
        "Today's signal (2026-05-14) is due by 15:00 Asia/Shanghai (CST) on 2026-05-14: 05 h 00 min 00 s left.",
    },
    {
      name: "on a Saturday",
      now: cst("2026-05-16", "12:00"),
      exec: "open",
      text:
        "Today (2026-05-16) is not an SSE trading day: a signal now goes to the next trading day, 2026-05-18, " +
        "due by 09:15 Asia/Shanghai (CST) on 2026-05-18: 1 d 21 h 15 min 00 s left.",
    },
    {
      name: "on the National Day holiday",
      now: cst("2026-10-01", "08:00"),
      exec: "open",
      text:
        "Today (2026-10-01) is not an SSE trading day: a signal now goes to the next trading day, 2026-10-08, " +
        "due by 09:15 Asia/Shanghai (CST) on 2026-10-08: 7 d 01 h 15 min 00 s left.",
    },
  ];
  for (const c of cases) {
    await t.step(c.name, () => {
      const win = signalWindow(c.now, c.exec);
      assert.equal(`${countdownLead(win)} ${formatRemaining(win.deadlineMs - win.nowMs)} left.`, c.text);
    });
  }
  await t.step("the page renders the same text at a fixed clock (a Sunday)", () =>
    withWorld(async (w) => {
      const cookie = await signInPage(w, "sunday@example.com");
      await createStrategy(w, await pageToken(w, cookie), { name: "Sunday", slug: "sunday-one" });
      w.clock.set(cst("2026-05-17", "23:00"));
      const page = await html(await getPage(w, "/app/tracked/sunday-one", cookie));
      assert.equal(
        textOf(page, "deadline-countdown"),
        "Today (2026-05-17) is not an SSE trading day: a signal now goes to the next trading day, 2026-05-18, " +
          "due by 09:15 Asia/Shanghai (CST) on 2026-05-18: 10 h 15 min 00 s left.",
      );
      assert.match(page, /value="2026-05-18"/);
    }));
});

Deno.test({
  name:
    "in Chromium: create a strategy, watch the countdown, submit, refuse, withdraw, upload a claim; factor charts",
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const server = await startAppServer({ clock: fixedClock(T0) });
    const browser = await launchBrowser();
    try {
      const page = await openPage(browser, server.origin);
      await signInInBrowser(page, server, "browser-tracked@example.com", "/app/tracked");
      await page.type("#tc-name", "Browser Alpha");
      await page.type("#tc-slug", "browser-alpha");
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#tracked-create")]);
      assert.equal(new URL(page.url()).pathname, "/app/tracked/browser-alpha");

      // The script counts down from the server's time (09:00 CST): 15 minutes, then less.
      const first = await page.$eval("#deadline-remaining", (e) => e.textContent);
      assert.match(first ?? "", /^00 h 1[45] min \d\d s$/);
      await waitInPage(page, (was) => document.getElementById("deadline-remaining")!.textContent !== was, [
        first,
      ]);
      assert.match(await page.$eval("#deadline-countdown", (e) => e.textContent ?? ""), /2026-05-14/);

      // A weight above 1: the API's 422 is shown next to the weights.
      await page.type("#signal-weights", "600519.SH 2");
      await page.click("#signal-submit");
      await waitInPage(page, () => !document.getElementById("signal-signals-error")!.hidden);
      assert.match(await page.$eval("#signal-signals-error", (e) => e.textContent ?? ""), /weight|1/i);

      await page.$eval("#signal-weights", (e: PageDom) => (e.value = ""));
      await page.type("#signal-weights", "600519.SH 0.05\n000858.SZ 0.04");
      // The script reloads the page with ?submitted=: the server renders the message and the list.
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#signal-submit")]);
      assert.equal(new URL(page.url()).search, "?submitted=2026-05-14");
      const hash = await page.$eval("#signal-hash", (e) => e.textContent ?? "");
      assert.match(hash, /^[0-9a-f]{64}$/);
      assert.match(await page.$eval("#signal-log", (e) => e.textContent ?? ""), /leaf 0 of a tree of 1/);
      await page.waitForSelector("#signal-withdraw[data-trade-date='2026-05-14']");
      assert.equal(await page.$eval("#signals-body code.hash", (e) => e.getAttribute("title")), hash);

      assert.match(await page.$eval("#tracked-status", (e) => e.textContent ?? ""), /active/, "activated");
      assert.equal(await page.$eval("#claimed-submit", (e: PageDom) => e.disabled), false);

      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#signal-withdraw")]);
      assert.equal(new URL(page.url()).search, "?withdrawn=2026-05-14");
      assert.match(
        await page.$eval("#withdraw-result", (e) => e.textContent ?? ""),
        /Withdrew the signal for 2026-05-14/,
      );
      assert.match(await page.$eval("#signals-body", (e) => e.textContent ?? ""), /No signals yet/);

      await page.type("#claimed-csv", "date,nav\n2026-05-11,100\n2026-05-12,101\n2026-05-13,99.5");
      await page.click("#claimed-submit");
      await page.waitForSelector("#claimed-stats");
      assert.match(await page.$eval("#claimed-result", (e) => e.textContent ?? ""), /Stored 3 points/);
      await checkNotBroken(page, "tracked-strategy");
      // The one refused submission is the 422 shown above (the browser logs the failed fetch).
      assertClean(page, { allow: [/422/] });

      // A formula factor created and validated through the API with the page's token: both charts draw.
      const factorId = await page.evaluate(async () => {
        const token = (await (await fetch("/app/session/token", { method: "POST" })).json()).access_token;
        const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
        const f = await (await fetch("/api/v1/factors", {
          method: "POST",
          headers,
          body: JSON.stringify({
            name: "rev",
            universe: "hs300",
            values_source: "formula",
            expression: "-(close / delay(close, 20) - 1)",
            history_days: 250,
          }),
        })).json();
        await fetch(`/api/v1/factors/${f.id}/submit`, { method: "POST", headers });
        return f.id as string;
      });
      await page.goto(`${server.origin}/app/factors/${factorId}`, { waitUntil: "load" });
      await checkNotBroken(page, "factor-detail", { charts: ["#ic-chart", "#ls-chart"] });
      assert.ok(await page.$("#yearly-table tbody tr"));

      // A portfolio created with the form; the new factor is offered as a member and added.
      await page.goto(`${server.origin}/app/portfolios`, { waitUntil: "load" });
      await page.type("#pc-name", "Browser mix");
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#portfolio-create")]);
      assert.match(new URL(page.url()).pathname, /^\/app\/portfolios\/pf_/);
      assert.equal(await page.$eval("#member-factor", (e: PageDom) => e.value), factorId);
      await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.click("#member-add")]);
      await page.waitForSelector(`#portfolio-members tr[data-factor-id='${factorId}'] button.member-remove`);
      await checkNotBroken(page, "portfolio-detail");
      assertClean(page, { allow: [/422/] });
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
